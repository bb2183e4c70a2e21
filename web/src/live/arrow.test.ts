import { Field, Float32, Float64, Int64, Int8, LargeUtf8, Schema, Table, tableFromArrays, tableToIPC, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";

import { LiveDecoder, framesToColumns, tableToColumns } from "./arrow";

// The messages /ws/live sends: the schema alone, then each record batch alone.
function messages(): { schema: Uint8Array; batch: Uint8Array; rows: number } {
  const table = new Table({
    feed: vectorFromArray(["pcars", "pcars", "pcars"], new LargeUtf8()),
    ts_ns: vectorFromArray([1_700_000_000_000_000_000n, 1_700_000_000_010_000_000n, 1_700_000_000_020_000_000n], new Int64()),
    t_s: vectorFromArray([1.0, 1.01, 1.02], new Float64()),
    speed_kmh: vectorFromArray([100.5, 101.0, null], new Float32()),
    gear: vectorFromArray([3, 3, 4], new Int8()),
  });
  const schemaOnly = tableToIPC(new Table(table.schema), "stream");
  const full = tableToIPC(table, "stream");
  const schema = schemaOnly.subarray(0, schemaOnly.length - 8); // without the end-of-stream marker
  const batch = full.subarray(schema.length, full.length - 8);
  return { schema, batch, rows: table.numRows };
}

describe("LiveDecoder", () => {
  it("reads the schema, then batches with times, feeds, numbers and nulls", () => {
    const { schema, batch } = messages();
    const d = new LiveDecoder();
    expect(d.push(schema)).toBeNull();
    expect(d.ready).toBe(true);
    expect(d.channels).toEqual(["speed_kmh", "gear"]);
    const cols = d.push(batch);
    expect(cols).not.toBeNull();
    if (!cols) return;
    expect(cols.rows).toBe(3);
    expect(cols.feed).toEqual(["pcars", "pcars", "pcars"]);
    expect(cols.t[0]).toBeCloseTo(1_700_000_000, 3);
    expect((cols.t[1] ?? 0) - (cols.t[0] ?? 0)).toBeCloseTo(0.01, 6);
    expect(cols.values.speed_kmh?.[0]).toBeCloseTo(100.5, 5);
    expect(Number.isNaN(cols.values.speed_kmh?.[2])).toBe(true);
    expect([...(cols.values.gear ?? [])]).toEqual([3, 3, 4]);
    expect(cols.values.t_s).toBeUndefined();
    expect(d.batches).toBe(1);
    expect(d.rows).toBe(3);
    // the same batch again decodes the same way (no state kept between batches)
    expect(d.push(batch)?.rows).toBe(3);
  });

  it("throws on bytes that are not an Arrow message", () => {
    const d = new LiveDecoder();
    d.push(messages().schema);
    expect(() => d.push(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toThrow();
  });

  it("turns a table without channels into times only", () => {
    const t = tableFromArrays({ ts_ns: new BigInt64Array([2_000_000_000n]) });
    const cols = tableToColumns(t);
    expect(cols.rows).toBe(1);
    expect(cols.t[0]).toBe(2);
    expect(Object.keys(cols.values)).toEqual([]);
  });

  it("keeps string fields out of the numeric columns", () => {
    const schema = new Schema([new Field("ts_ns", new Int64()), new Field("car", new LargeUtf8())]);
    expect(Object.keys(tableToColumns(new Table(schema)).values)).toEqual([]);
  });
});

describe("framesToColumns (SSE fallback)", () => {
  it("turns JSON frames into columns with NaN for gaps", () => {
    const cols = framesToColumns("pcars", [
      { ts_ns: 1e18, t_s: 1, speed_kmh: 10, gear: 2 },
      { ts_ns: 1e18 + 1e7, t_s: 1.01, speed_kmh: null, gear: 2, flag: "x" },
      { ts_ns: 1e18 + 2e7, t_s: 1.02, rpm: 7000, in_pits: true },
    ]);
    expect(cols.rows).toBe(3);
    expect(cols.feed).toEqual(["pcars", "pcars", "pcars"]);
    expect(cols.t[0]).toBe(1e9);
    expect(cols.values.speed_kmh?.[0]).toBe(10);
    expect(Number.isNaN(cols.values.speed_kmh?.[1])).toBe(true);
    expect(Number.isNaN(cols.values.speed_kmh?.[2])).toBe(true);
    expect(Number.isNaN(cols.values.rpm?.[0])).toBe(true);
    expect(cols.values.rpm?.[2]).toBe(7000);
    expect(cols.values.in_pits?.[2]).toBe(1);
    expect(cols.values.flag).toBeUndefined();
    expect(cols.values.t_s).toBeUndefined();
  });
});
