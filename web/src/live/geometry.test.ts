import { describe, expect, it } from "vitest";

import { fitBounds } from "./geometry";

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
