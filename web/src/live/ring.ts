// A fixed-capacity, columnar ring buffer for live strip charts.
//
// Every column is stored twice over (a "double-mapped" layout: value i is written at i and at
// i + capacity), so the newest `n` values are always one contiguous `subarray` of the storage —
// uPlot draws straight from it without a copy per frame.

export class RingBuffer {
  readonly capacity: number;
  readonly names: readonly string[];
  private readonly times: Float64Array;
  private readonly columns: Map<string, Float64Array>;
  private head = 0; // next write position, 0 ≤ head < capacity
  private count = 0;
  /** Values ever pushed (for rates); not reduced by eviction. */
  total = 0;

  constructor(capacity: number, names: readonly string[]) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.names = [...names];
    this.times = new Float64Array(capacity * 2);
    this.columns = new Map(names.map((n) => [n, new Float64Array(capacity * 2).fill(Number.NaN)]));
  }

  get length(): number {
    return this.count;
  }

  /** Append rows: `t` (seconds) and, per column name, values of the same length (missing → NaN). */
  push(t: ArrayLike<number>, values: Readonly<Record<string, ArrayLike<number> | undefined>>): void {
    const n = t.length;
    if (n === 0) return;
    // only the newest `capacity` rows can survive
    const from = Math.max(0, n - this.capacity);
    const cap = this.capacity;
    for (const name of this.names) {
      const col = this.columns.get(name);
      if (!col) continue;
      const src = values[name];
      let h = this.head;
      for (let i = from; i < n; i++) {
        const v = src && i < src.length ? Number(src[i]) : Number.NaN;
        col[h] = v;
        col[h + cap] = v;
        h = h + 1 === cap ? 0 : h + 1;
      }
    }
    let h = this.head;
    for (let i = from; i < n; i++) {
      const v = t[i] ?? Number.NaN;
      this.times[h] = v;
      this.times[h + cap] = v;
      h = h + 1 === cap ? 0 : h + 1;
    }
    this.head = h;
    this.count = Math.min(cap, this.count + n);
    this.total += n;
  }

  private start(n: number): number {
    // the oldest of the newest n rows
    return (this.head - n + this.capacity * 2) % this.capacity;
  }

  /** The newest `n` (default all) times, oldest first, without copying. */
  timesView(n = this.count): Float64Array {
    const k = Math.min(n, this.count);
    const s = this.start(k);
    return this.times.subarray(s, s + k);
  }

  /** The newest `n` values of `name`, oldest first, without copying (undefined for an unknown name). */
  view(name: string, n = this.count): Float64Array | undefined {
    const col = this.columns.get(name);
    if (!col) return undefined;
    const k = Math.min(n, this.count);
    const s = this.start(k);
    return col.subarray(s, s + k);
  }

  /** How many of the newest rows lie within `windowS` seconds of the newest one. */
  countWithin(windowS: number): number {
    if (this.count === 0) return 0;
    const times = this.timesView();
    const newest = times[times.length - 1] ?? 0;
    const limit = newest - windowS;
    // times are non-decreasing: binary search for the first inside the window
    let lo = 0, hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] ?? 0) < limit) lo = mid + 1;
      else hi = mid;
    }
    return times.length - lo;
  }

  /** The newest value of `name` (NaN when there is none). */
  last(name: string): number {
    const v = this.view(name, 1);
    return v && v.length ? (v[0] ?? Number.NaN) : Number.NaN;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}
