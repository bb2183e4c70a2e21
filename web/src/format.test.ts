import { describe, expect, it } from "vitest";

import * as fmt from "./format";

describe("format", () => {
  it("lap times", () => {
    expect(fmt.lapTime(83.4567)).toBe("1:23.457");
    expect(fmt.lapTime(59.9996)).toBe("1:00.000");
    expect(fmt.lapTime(23.5)).toBe("23.500");
    expect(fmt.lapTime(3725.1)).toBe("62:05.100");
    expect(fmt.lapTime(null)).toBe("–");
    expect(fmt.lapTime(Number.NaN)).toBe("–");
    expect(fmt.lapTime(-1)).toBe("–");
  });

  it("deltas carry their sign", () => {
    expect(fmt.delta(0.1234)).toBe("+0.123");
    expect(fmt.delta(-1.5)).toBe("−1.500");
    expect(fmt.delta(-0.0001)).toBe("0.000");
    expect(fmt.delta(undefined)).toBe("–");
  });

  it("gears, numbers, sizes, durations, percentages", () => {
    expect([fmt.gear(-1), fmt.gear(0), fmt.gear(4), fmt.gear(null)]).toEqual(["R", "N", "4", "–"]);
    expect(fmt.fixed(12.345, 1)).toBe("12.3");
    expect(fmt.bytes(512)).toBe("512 B");
    expect(fmt.bytes(1536)).toBe("1.50 KiB");
    expect(fmt.bytes(250 * 1024 * 1024)).toBe("250.0 MiB");
    expect(fmt.duration(12.34)).toBe("12.3 s");
    expect(fmt.duration(185)).toBe("3m 05s");
    expect(fmt.duration(3720)).toBe("1h 02m");
    expect(fmt.percent(0.456)).toBe("46 %");
  });
});
