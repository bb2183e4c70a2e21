import { describe, expect, it } from "vitest";

import { fitBounds, yRange } from "./geometry";

describe("fitBounds", () => {
  it("fits a wide track into a square, centred, north up", () => {
    const fit = fitBounds([0, 200, 100], [0, 0, 100], 110, 110, 5);
    expect(fit).not.toBeNull();
    if (!fit) return;
    expect(fit.scale).toBeCloseTo(0.5);
    expect(fit.map(0, 0)).toEqual([5, 80]);
    expect(fit.map(200, 0)).toEqual([105, 80]);
    expect(fit.map(100, 100)).toEqual([55, 30]);
  });

  it("skips non-finite points and gives up without any", () => {
    expect(fitBounds([Number.NaN], [1], 100, 100)).toBeNull();
    expect(fitBounds([1, Number.NaN], [1, 2], 100, 100)).not.toBeNull();
    expect(fitBounds([1], [1], 4, 4, 2)).toBeNull();
  });
});

describe("yRange", () => {
  it("shows a normalised channel's whole range, a wide one's only while flat", () => {
    expect(yRange(0, 0, 0, 1)).toEqual([0, 1]);
    expect(yRange(-0.2, 0.3, -1, 1)).toEqual([-1, 1]);
    expect(yRange(50, 250, 0, 500)).toEqual([50, 250]);
    expect(yRange(0, 0, 0, 500)).toEqual([0, 500]);
    expect(yRange(50, 250, 0, null)).toEqual([50, 250]);
  });

  it("pads a flat line without a registered range and copes with no data", () => {
    expect(yRange(5, 5, null, null)).toEqual([4, 6]);
    expect(yRange(200, 200, null, null)).toEqual([190, 210]);
    expect(yRange(null, null, null, null)).toEqual([0, 1]);
    expect(yRange(null, null, -1, 1)).toEqual([-1, 1]);
  });
});
