/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels: every index is bounded by the array lengths checked in the loop */
// Laps on one distance axis: the `/api/compare` answer turned into typed arrays for the charts,
// the delta time against any chosen reference lap (without asking the server again), the time
// gained or lost per metre for the track map, and look-ups at a cursor's distance.

/** `GET /api/compare`: laps of any sessions on the first lap's distance grid. */
export interface CompareResponse {
  reference: string;
  laps: string[];
  step_m: number;
  columns: Record<string, (number | null)[]>;
  final_delta_s: Record<string, number | null>;
}

/** One lap on the common grid. `time` is the elapsed time into the lap at each grid point. */
export interface AlignedLap {
  label: string;
  time: Float64Array;
  delta: Float64Array;
  channels: Record<string, Float64Array>;
}

export interface AlignedLaps {
  distance: Float64Array;
  reference: number;
  laps: AlignedLap[];
}

/** A column as a Float64Array, nulls as NaN (uPlot leaves a gap there). */
export function column(values: readonly (number | null | undefined)[] | undefined, length: number): Float64Array {
  const out = new Float64Array(length).fill(NaN);
  if (!values) return out;
  const n = Math.min(length, values.length);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === "number" && Number.isFinite(v)) out[i] = v;
  }
  return out;
}

/** The channels present for `label` in a compare answer (`<label>.<channel>` minus time and delta). */
export function channelsOf(columns: Record<string, unknown>, label: string): string[] {
  const prefix = `${label}.`;
  return Object.keys(columns)
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
    .filter((c) => c !== "time_s" && c !== "delta_s");
}

/** The compare answer as typed arrays, the delta re-based on `reference` (default the server's). */
export function fromCompare(res: CompareResponse, reference = 0): AlignedLaps {
  const distance = column(res.columns.distance_m, res.columns.distance_m?.length ?? 0);
  const n = distance.length;
  const laps: AlignedLap[] = res.laps.map((label) => {
    const channels: Record<string, Float64Array> = {};
    for (const name of channelsOf(res.columns, label)) channels[name] = column(res.columns[`${label}.${name}`], n);
    return {
      label,
      time: column(res.columns[`${label}.time_s`], n),
      delta: column(res.columns[`${label}.delta_s`], n),
      channels,
    };
  });
  const aligned = { distance, reference: 0, laps };
  return reference === 0 ? aligned : rebase(aligned, reference);
}

/**
 * The delta of every lap against lap `reference`: its elapsed time minus the reference's at the
 * same distance (positive: behind). Points where either time is missing are NaN.
 */
export function rebase(aligned: AlignedLaps, reference: number): AlignedLaps {
  const ref = aligned.laps[reference];
  if (!ref) throw new RangeError(`no lap ${reference} to use as the reference (${aligned.laps.length} laps)`);
  const laps = aligned.laps.map((lap) => {
    const delta = new Float64Array(lap.time.length);
    for (let i = 0; i < delta.length; i++) delta[i] = lap.time[i]! - ref.time[i]!;
    return { ...lap, delta };
  });
  return { distance: aligned.distance, reference, laps };
}

/**
 * Time gained (negative) or lost (positive) per metre against the reference at each grid point:
 * the slope of the delta trace, smoothed over `window_m` metres so that sampling noise does not
 * paint the map. Ends and gaps are NaN.
 */
export function deltaRate(distance: Float64Array, delta: Float64Array, windowM = 20): Float64Array {
  const n = distance.length;
  const out = new Float64Array(n).fill(NaN);
  if (n < 2) return out;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const d = distance[i]!;
    while (lo < i && distance[lo]! < d - windowM / 2) lo++;
    if (hi < i) hi = i;
    while (hi + 1 < n && distance[hi + 1]! <= d + windowM / 2) hi++;
    const a = lo === hi ? Math.max(0, i - 1) : lo;
    const b = lo === hi ? Math.min(n - 1, i + 1) : hi;
    const span = distance[b]! - distance[a]!;
    const dd = delta[b]! - delta[a]!;
    if (span > 0 && Number.isFinite(dd)) out[i] = dd / span;
  }
  return out;
}

/** The index of the grid point nearest to `x` on a sorted axis (binary search). */
export function nearestIndex(axis: ArrayLike<number>, x: number): number {
  const n = axis.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  if (x <= axis[0]!) return 0;
  if (x >= axis[hi]!) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (axis[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return x - axis[lo]! <= axis[hi]! - x ? lo : hi;
}

/** The value of `values` at `x` on the sorted `axis`, linearly interpolated; NaN outside or in a gap. */
export function valueAt(axis: ArrayLike<number>, values: ArrayLike<number>, x: number): number {
  const n = axis.length;
  if (n === 0 || x < axis[0]! || x > axis[n - 1]!) return NaN;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (axis[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const x0 = axis[lo]!;
  const x1 = axis[hi]!;
  const y0 = values[lo]!;
  const y1 = values[hi]!;
  if (x1 === x0) return y0;
  return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

/** Parse `sid:lap` (the compare id of a lap); the session id may itself hold colons. */
export function parseLapRef(ref: string): { sessionId: string; lap: number } | null {
  const at = ref.lastIndexOf(":");
  if (at <= 0) return null;
  const lap = Number(ref.slice(at + 1));
  if (!Number.isInteger(lap) || lap < 0 || ref.slice(at + 1).trim() === "") return null;
  return { sessionId: ref.slice(0, at), lap };
}

/** A short label for a lap: `L7` within the page's session, `<session>·L7` for another one. */
export function lapLabel(ref: string, currentSession?: string): string {
  const p = parseLapRef(ref);
  if (!p) return ref;
  return p.sessionId === currentSession ? `L${p.lap}` : `${p.sessionId}·L${p.lap}`;
}
