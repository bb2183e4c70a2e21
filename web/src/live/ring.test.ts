import { describe, expect, it } from "vitest";

import { RingBuffer } from "./ring";

describe("RingBuffer", () => {
  it("keeps rows in order before it is full", () => {
    const r = new RingBuffer(5, ["a"]);
    r.push([1, 2, 3], { a: [10, 20, 30] });
    expect(r.length).toBe(3);
    expect([...r.timesView()]).toEqual([1, 2, 3]);
    expect([...(r.view("a") ?? [])]).toEqual([10, 20, 30]);
    expect(r.last("a")).toBe(30);
  });

  it("wraps around and keeps the newest capacity rows contiguous", () => {
    const r = new RingBuffer(4, ["a"]);
    r.push([1, 2, 3], { a: [1, 2, 3] });
    r.push([4, 5, 6], { a: [4, 5, 6] });
    expect(r.length).toBe(4);
    expect([...r.timesView()]).toEqual([3, 4, 5, 6]);
    expect([...(r.view("a") ?? [])]).toEqual([3, 4, 5, 6]);
    expect([...(r.view("a", 2) ?? [])]).toEqual([5, 6]);
    expect(r.total).toBe(6);
  });

  it("takes only the newest rows of a push bigger than the buffer", () => {
    const r = new RingBuffer(3, ["a"]);
    r.push([1, 2, 3, 4, 5, 6, 7], { a: [1, 2, 3, 4, 5, 6, 7] });
    expect([...(r.view("a") ?? [])]).toEqual([5, 6, 7]);
    expect([...r.timesView()]).toEqual([5, 6, 7]);
  });

  it("fills a missing column with NaN and ignores unknown ones", () => {
    const r = new RingBuffer(4, ["a", "b"]);
    r.push([1, 2], { a: [1, 2], zzz: [9, 9] });
    expect(r.view("b")?.every(Number.isNaN)).toBe(true);
    expect(r.view("zzz")).toBeUndefined();
    expect(Number.isNaN(r.last("zzz"))).toBe(true);
  });

  it("counts the rows inside a time window", () => {
    const r = new RingBuffer(100, ["a"]);
    const t = Array.from({ length: 50 }, (_, i) => i * 0.5); // 0 … 24.5 s
    r.push(t, { a: t });
    expect(r.countWithin(10)).toBe(21); // 14.5 … 24.5
    expect(r.countWithin(1000)).toBe(50);
    expect(new RingBuffer(3, []).countWithin(5)).toBe(0);
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => new RingBuffer(0, [])).toThrow(RangeError);
    expect(() => new RingBuffer(2.5, [])).toThrow(RangeError);
  });
});
