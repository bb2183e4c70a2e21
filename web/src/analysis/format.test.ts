import { describe, expect, it } from "vitest";

import { formatDateTime, formatDelta, formatLapTime, formatPercent } from "./format";

describe("formatLapTime", () => {
  it("prints minutes, seconds and milliseconds as timing screens do", () => {
    expect(formatLapTime(105.318)).toBe("1:45.318");
    expect(formatLapTime(62.05)).toBe("1:02.050");
    expect(formatLapTime(28.1)).toBe("28.100");
    expect(formatLapTime(0)).toBe("0.000");
  });
  it("rounds to the millisecond without ever printing 60 seconds", () => {
    expect(formatLapTime(59.9996)).toBe("1:00.000");
    expect(formatLapTime(119.9999)).toBe("2:00.000");
    expect(formatLapTime(83.0004)).toBe("1:23.000");
  });
  it("adds hours past an hour and keeps a sign", () => {
    expect(formatLapTime(3723.5)).toBe("1:02:03.500");
    expect(formatLapTime(-1.25)).toBe("-1.250");
  });
  it("prints a dash for missing or non-finite values", () => {
    expect(formatLapTime(null)).toBe("–");
    expect(formatLapTime(undefined)).toBe("–");
    expect(formatLapTime(NaN)).toBe("–");
    expect(formatLapTime(Infinity)).toBe("–");
  });
});

describe("formatDelta", () => {
  it("signs the difference, and zero has no sign", () => {
    expect(formatDelta(0.1234)).toBe("+0.123");
    expect(formatDelta(-1.05)).toBe("-1.050");
    expect(formatDelta(0.0004)).toBe("0.000");
    expect(formatDelta(-0.0004)).toBe("0.000");
    expect(formatDelta(2.5, 1)).toBe("+2.5");
    expect(formatDelta(null)).toBe("–");
  });
});

describe("other figures", () => {
  it("formats shares as percentages", () => {
    expect(formatPercent(0.425)).toBe("42.5 %");
    expect(formatPercent(null)).toBe("–");
  });
  it("formats date-times in local time, Unix seconds too", () => {
    const iso = "2025-01-26T10:00:05Z";
    expect(formatDateTime(iso)).toMatch(/^2025-01-2[67] \d\d:00:05$/);
    expect(formatDateTime(Date.parse(iso) / 1000)).toBe(formatDateTime(iso));
    expect(formatDateTime(null)).toBe("–");
    expect(formatDateTime("not a time")).toBe("not a time");
  });
});
