/* eslint-disable @typescript-eslint/no-non-null-assertion -- the fixtures are built right here; a missing item fails the test anyway */
import { describe, expect, it } from "vitest";

import { absQuantile, fitPoints, gainColor, project, speedColor } from "./trackmap";

describe("fitPoints", () => {
  it("fits a track into the canvas with one scale, centred, y up", () => {
    const fit = fitPoints([0, 100, 100, 0], [0, 0, 50, 50], 220, 220, 10)!;
    expect(fit.scale).toBeCloseTo(2, 9);
    expect(project(fit, 0, 0)).toEqual([10, 160]);
    expect(project(fit, 100, 50)).toEqual([210, 60]);
  });
  it("skips missing points and needs two", () => {
    expect(fitPoints([NaN, 1], [0, NaN], 100, 100)).toBeNull();
    expect(fitPoints([0, NaN, 10], [0, 5, 10], 100, 100)).not.toBeNull();
  });
});

describe("colours", () => {
  it("ramps speed from cool to hot", () => {
    expect(speedColor(0, 0, 100)).toBe("rgb(59,76,192)");
    expect(speedColor(100, 0, 100)).toBe("rgb(255,93,93)");
    expect(speedColor(NaN, 0, 100)).toBe("rgb(93,104,117)");
  });
  it("paints gained time green and lost time red", () => {
    expect(gainColor(-1, 1)).toBe("rgb(62,207,142)");
    expect(gainColor(2, 1)).toBe("rgb(255,93,93)");
    expect(gainColor(0, 1)).toBe("rgb(93,104,117)");
  });
  it("scales by a quantile so one spike does not wash out the map", () => {
    const values = [...Array.from({ length: 99 }, (_, i) => (i % 2 ? 0.01 : -0.01)), 5];
    expect(absQuantile(values, 0.95)).toBeCloseTo(0.01, 9);
    expect(absQuantile([NaN])).toBe(0);
  });
});
