// Decoding /ws/live: the first binary message is an Arrow IPC schema message, every later one a
// record batch message; concatenated they form an Arrow IPC stream (docs/streaming.md).
import { tableFromIPC, type Table } from "apache-arrow";

/** Rows of one record batch as plain columns, ready for a ring buffer. */
export interface Columns {
  rows: number;
  /** Seconds since the Unix epoch (from `ts_ns`), one per row. */
  t: Float64Array;
  /** The feed of each row. */
  feed: string[];
  /** Every numeric channel, nulls as NaN. */
  values: Record<string, Float64Array>;
}

const META = new Set(["ts_ns", "feed", "t_s"]);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A table's rows as `Columns`: times from `ts_ns`, numbers (ints, floats, bools) as float64. */
export function tableToColumns(table: Table): Columns {
  const rows = table.numRows;
  const t = new Float64Array(rows);
  const ts = table.getChild("ts_ns");
  if (ts) {
    for (let i = 0; i < rows; i++) {
      const v: unknown = ts.get(i);
      t[i] = v === null || v === undefined ? Number.NaN : Number(v) / 1e9;
    }
  }
  const feedCol = table.getChild("feed");
  const feed: string[] = new Array<string>(rows);
  for (let i = 0; i < rows; i++) feed[i] = feedCol ? String(feedCol.get(i) ?? "") : "";
  const values: Record<string, Float64Array> = {};
  for (const field of table.schema.fields) {
    if (META.has(field.name)) continue;
    const col = table.getChild(field.name);
    if (!col) continue;
    const typeId = String(field.type);
    if (!/^(Int|Uint|Float|Bool)/i.test(typeId)) continue;
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const v: unknown = col.get(i);
      out[i] = v === null || v === undefined ? Number.NaN : typeof v === "boolean" ? (v ? 1 : 0) : Number(v);
    }
    values[field.name] = out;
  }
  return { rows, t, feed, values };
}

/**
 * The state of one /ws/live connection: give it each binary message; it returns the decoded rows
 * of a batch (null for the schema message). Malformed messages throw, so the caller can count
 * them and fall back.
 */
export class LiveDecoder {
  private schemaBytes: Uint8Array | null = null;
  /** Names of the schema's channel fields, once the schema arrived. */
  channels: string[] = [];
  batches = 0;
  rows = 0;

  get ready(): boolean {
    return this.schemaBytes !== null;
  }

  push(message: ArrayBuffer | Uint8Array): Columns | null {
    const bytes = message instanceof Uint8Array ? message : new Uint8Array(message);
    if (!this.schemaBytes) {
      const schemaTable = tableFromIPC(bytes);
      this.schemaBytes = bytes;
      this.channels = schemaTable.schema.fields.map((f) => f.name).filter((n) => !META.has(n));
      return null;
    }
    const table = tableFromIPC(concat(this.schemaBytes, bytes));
    const cols = tableToColumns(table);
    this.batches += 1;
    this.rows += cols.rows;
    return cols;
  }
}

/** SSE fallback: `{"feed", "frames": [{ts_ns, t_s, channel: value, …}]}` as `Columns`. */
export function framesToColumns(feed: string, frames: readonly Record<string, unknown>[]): Columns {
  const rows = frames.length;
  const t = new Float64Array(rows);
  const values: Record<string, Float64Array> = {};
  frames.forEach((frame, i) => {
    const ts = frame.ts_ns;
    t[i] = typeof ts === "number" ? ts / 1e9 : Number.NaN;
    for (const [name, v] of Object.entries(frame)) {
      if (META.has(name)) continue;
      if (typeof v !== "number" && typeof v !== "boolean" && v !== null) continue;
      let col = values[name];
      if (!col) {
        col = new Float64Array(rows).fill(Number.NaN);
        values[name] = col;
      }
      col[i] = v === null ? Number.NaN : Number(v);
    }
  });
  return { rows, t, feed: new Array<string>(rows).fill(feed), values };
}
