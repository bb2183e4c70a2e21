import { describe, expect, it } from "vitest";

import { LapDelta, interpolate } from "./lapdelta";

// a lap of `length` metres at a constant speed, sampled every `dt` seconds
function drive(d: LapDelta, lap: number, length: number, lapTime: number, dt = 0.1, lastLap = Number.NaN): void {
  for (let t = 0; t < lapTime; t += dt) d.push(lap, (t / lapTime) * length, t, lastLap);
}

describe("interpolate", () => {
  it("interpolates linearly and clamps at both ends", () => {
    expect(interpolate([0, 10, 20], [0, 1, 3], 15)).toBeCloseTo(2);
    expect(interpolate([0, 10, 20], [0, 1, 3], -5)).toBe(0);
    expect(interpolate([0, 10, 20], [0, 1, 3], 50)).toBe(3);
    expect(Number.isNaN(interpolate([], [], 1))).toBe(true);
  });
});

describe("LapDelta", () => {
  it("has no delta before a complete lap", () => {
    const d = new LapDelta();
    drive(d, 1, 1000, 50);
    expect(Number.isNaN(d.delta)).toBe(true);
    expect(d.best).toBeNull();
  });

  it("compares the current lap with the best one at the same distance", () => {
    const d = new LapDelta();
    drive(d, 1, 1000, 50);
    drive(d, 2, 1000, 60, 0.1, 50); // lap 1 done in 50 s; lap 2 is slower
    expect(d.best?.lap).toBe(1);
    expect(d.best?.time).toBe(50);
    // halfway through lap 2: 30 s against 25 s
    const half = new LapDelta();
    drive(half, 1, 1000, 50);
    for (let t = 0; t <= 30; t += 0.1) half.push(2, (t / 60) * 1000, t, 50);
    expect(half.delta).toBeCloseTo(5, 1);
  });

  it("replaces the reference with a faster lap and ignores a lap whose start was not seen", () => {
    const d = new LapDelta();
    for (let t = 20; t < 50; t += 0.1) d.push(1, (t / 50) * 1000, t); // joined mid-lap
    drive(d, 2, 1000, 55);
    expect(d.best).toBeNull();
    drive(d, 3, 1000, 52, 0.1, 55);
    expect(d.best?.lap).toBe(2);
    drive(d, 4, 1000, 60, 0.1, 52);
    expect(d.best?.lap).toBe(3);
    expect(d.best?.time).toBe(52);
    // the end of lap 4 (60 s) against the end of lap 3 (52 s)
    expect(d.delta).toBeCloseTo(8, 0);
  });

  it("skips samples that are not numbers", () => {
    const d = new LapDelta();
    d.push(Number.NaN, 1, 1);
    d.push(1, Number.NaN, 1);
    expect(Number.isNaN(d.delta)).toBe(true);
  });
});
