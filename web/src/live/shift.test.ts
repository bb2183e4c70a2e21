import { describe, expect, it } from "vitest";

import { shiftLights, shiftNow } from "./shift";

describe("shift lights", () => {
  it("are off below 75 % of the limit and without a limit", () => {
    expect(shiftLights(5000, 8000).some(Boolean)).toBe(false);
    expect(shiftLights(7000, Number.NaN).some(Boolean)).toBe(false);
    expect(shiftLights(7000, 0).some(Boolean)).toBe(false);
  });

  it("fill from the left as the revs rise, all on at the shift point", () => {
    const count = (rpm: number) => shiftLights(rpm, 8000).filter(Boolean).length;
    expect(count(6500)).toBeGreaterThan(0);
    expect(count(7000)).toBeGreaterThan(count(6500));
    expect(shiftLights(7000, 8000).indexOf(false)).toBe(count(7000));
    expect(count(7800)).toBe(10);
    expect(shiftNow(7800, 8000)).toBe(true);
    expect(shiftNow(7000, 8000)).toBe(false);
  });
});
