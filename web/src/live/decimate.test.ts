import { describe, expect, it } from "vitest";

import { decimateMinMax } from "./decimate";

describe("decimateMinMax", () => {
  it("returns short series unchanged", () => {
    const t = Float64Array.from([0, 1, 2]);
    const y = Float64Array.from([5, 6, 7]);
    const d = decimateMinMax(t, y, 0, 2, 10);
    expect(d.length).toBe(3);
    expect([...d.y.subarray(0, d.length)]).toEqual([5, 6, 7]);
  });

  it("keeps each bucket's min and max in time order, so no peak is lost", () => {
    const n = 10_000;
    const t = Float64Array.from({ length: n }, (_, i) => i / 1000);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 50));
    y[4321] = 42; // a one-sample spike
    y[8765] = -42;
    const d = decimateMinMax(t, y, 0, 10, 100);
    expect(d.length).toBeLessThanOrEqual(200);
    const ys = [...d.y.subarray(0, d.length)];
    const ts = [...d.t.subarray(0, d.length)];
    expect(Math.max(...ys)).toBe(42);
    expect(Math.min(...ys)).toBe(-42);
    expect(ts[ys.indexOf(42)]).toBeCloseTo(4.321);
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThanOrEqual(ts[i - 1] ?? 0);
    // the envelope is exact: each bucket's extremes equal the input's
    const bucket = (time: number) => Math.min(99, Math.floor(time * 10));
    const max = new Map<number, number>();
    for (let i = 0; i < n; i++) max.set(bucket(t[i] ?? 0), Math.max(max.get(bucket(t[i] ?? 0)) ?? -Infinity, y[i] ?? 0));
    const outMax = new Map<number, number>();
    ts.forEach((time, i) => outMax.set(bucket(time), Math.max(outMax.get(bucket(time)) ?? -Infinity, ys[i] ?? 0)));
    expect(outMax).toEqual(max);
  });

  it("keeps gaps as one NaN point and reuses the output buffers", () => {
    const n = 1000;
    const t = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from({ length: n }, (_, i) => (i >= 400 && i < 500 ? Number.NaN : i));
    const out = { t: new Float64Array(400), y: new Float64Array(400), length: 0 };
    const d = decimateMinMax(t, y, 0, 1000, 100, out);
    expect(d).toBe(out);
    const nans = [...d.y.subarray(0, d.length)].filter(Number.isNaN).length;
    expect(nans).toBeGreaterThanOrEqual(1);
    expect(nans).toBeLessThanOrEqual(10);
  });
});
