/* eslint-disable @typescript-eslint/no-non-null-assertion -- the fixtures are built right here; a missing item fails the test anyway */
import { describe, expect, it } from "vitest";

import {
  channelsOf,
  deltaRate,
  fromCompare,
  lapLabel,
  nearestIndex,
  parseLapRef,
  rebase,
  valueAt,
  type CompareResponse,
} from "./align";

// Three laps on a 0..100 m grid every 10 m. Lap B is 0.02 s/m slower from 50 m on; lap C is
// 0.01 s/m faster all the way.
function grid(): number[] {
  return Array.from({ length: 11 }, (_, i) => i * 10);
}
function compareAnswer(): CompareResponse {
  const d = grid();
  const a = d.map((x) => x * 0.05);
  const b = d.map((x) => x * 0.05 + Math.max(0, x - 50) * 0.02);
  const c = d.map((x) => x * 0.04);
  return {
    reference: "s1:3",
    laps: ["s1:3", "s1:4", "s2:1"],
    step_m: 10,
    columns: {
      distance_m: d,
      "s1:3.time_s": a,
      "s1:3.delta_s": a.map(() => 0),
      "s1:3.speed_kmh": d.map(() => 72),
      "s1:4.time_s": b,
      "s1:4.delta_s": b.map((t, i) => t - a[i]!),
      "s1:4.speed_kmh": d.map((_, i) => (i === 5 ? null : 60)),
      "s2:1.time_s": c,
      "s2:1.delta_s": c.map((t, i) => t - a[i]!),
      "s2:1.speed_kmh": d.map(() => 90),
    },
    final_delta_s: { "s1:3": 0, "s1:4": 1, "s2:1": -1 },
  };
}

describe("fromCompare", () => {
  it("turns the columns into typed arrays per lap, nulls as NaN", () => {
    const aligned = fromCompare(compareAnswer());
    expect(Array.from(aligned.distance)).toEqual(grid());
    expect(aligned.laps.map((l) => l.label)).toEqual(["s1:3", "s1:4", "s2:1"]);
    const b = aligned.laps[1]!;
    expect(b.delta[10]).toBeCloseTo(1.0, 9);
    expect(b.channels.speed_kmh![4]).toBe(60);
    expect(Number.isNaN(b.channels.speed_kmh![5]!)).toBe(true);
  });

  it("lists a lap's channels without its time and delta", () => {
    expect(channelsOf(compareAnswer().columns, "s1:4")).toEqual(["speed_kmh"]);
  });
});

describe("rebase", () => {
  it("measures the delta against another lap at the same distance", () => {
    const aligned = rebase(fromCompare(compareAnswer()), 2);
    expect(aligned.reference).toBe(2);
    // the reference itself is zero everywhere
    expect(Array.from(aligned.laps[2]!.delta).every((v) => v === 0)).toBe(true);
    // the old reference is 0.01 s/m behind the new one: 1 s at 100 m
    expect(aligned.laps[0]!.delta[10]).toBeCloseTo(1.0, 9);
    expect(aligned.laps[0]!.delta[5]).toBeCloseTo(0.5, 9);
    // lap B: 0.01 s/m plus 0.02 s/m after 50 m → 1 + 1 = 2 s at 100 m
    expect(aligned.laps[1]!.delta[10]).toBeCloseTo(2.0, 9);
  });

  it("gives the same answer as the server's own reference", () => {
    const answer = compareAnswer();
    const again = rebase(rebase(fromCompare(answer), 1), 0);
    answer.columns["s1:4.delta_s"]!.forEach((v, i) => expect(again.laps[1]!.delta[i]).toBeCloseTo(v!, 9));
  });

  it("refuses a reference that is not there", () => {
    expect(() => rebase(fromCompare(compareAnswer()), 5)).toThrow(RangeError);
  });

  it("can be asked for directly", () => {
    expect(fromCompare(compareAnswer(), 1).laps[1]!.delta[10]).toBe(0);
  });
});

describe("deltaRate", () => {
  it("is the time lost per metre where a lap loses it and zero elsewhere", () => {
    const aligned = fromCompare(compareAnswer());
    const rate = deltaRate(aligned.distance, aligned.laps[1]!.delta, 20);
    expect(rate[2]).toBeCloseTo(0, 9);
    expect(rate[8]).toBeCloseTo(0.02, 9);
    // the lap that is faster gains everywhere
    const gain = deltaRate(aligned.distance, aligned.laps[2]!.delta, 20);
    expect(Array.from(gain).every((v) => v < 0)).toBe(true);
  });

  it("leaves NaN where the delta has a gap", () => {
    const d = new Float64Array([0, 10, 20, 30]);
    const delta = new Float64Array([0, NaN, NaN, 0.3]);
    const rate = deltaRate(d, delta, 5);
    expect(Number.isNaN(rate[1]!)).toBe(true);
  });
});

describe("look-ups on the distance axis", () => {
  const axis = new Float64Array([0, 10, 20, 30]);
  it("finds the nearest point", () => {
    expect(nearestIndex(axis, -5)).toBe(0);
    expect(nearestIndex(axis, 14)).toBe(1);
    expect(nearestIndex(axis, 16)).toBe(2);
    expect(nearestIndex(axis, 99)).toBe(3);
    expect(nearestIndex(new Float64Array(), 1)).toBe(-1);
  });
  it("interpolates between points", () => {
    const v = new Float64Array([0, 1, 3, 3]);
    expect(valueAt(axis, v, 15)).toBeCloseTo(2, 9);
    expect(valueAt(axis, v, 30)).toBe(3);
    expect(Number.isNaN(valueAt(axis, v, 31))).toBe(true);
  });
});

describe("lap references", () => {
  it("parses session:lap, with colons allowed in the session id", () => {
    expect(parseLapRef("sess_1:7")).toEqual({ sessionId: "sess_1", lap: 7 });
    expect(parseLapRef("a:b:12")).toEqual({ sessionId: "a:b", lap: 12 });
    expect(parseLapRef("sess_1")).toBeNull();
    expect(parseLapRef("sess_1:x")).toBeNull();
    expect(parseLapRef(":3")).toBeNull();
  });
  it("labels laps of the page's session shortly", () => {
    expect(lapLabel("s1:7", "s1")).toBe("L7");
    expect(lapLabel("s2:3", "s1")).toBe("s2·L3");
  });
});
