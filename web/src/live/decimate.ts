// Min/max decimation for drawing: a chart a few hundred pixels wide cannot show 20,000 samples
// one by one, but it must not lose a peak. Every sample is visited; per pixel column the lowest
// and the highest one are kept, in time order, so the drawn line covers exactly the envelope of
// all the samples.

export interface Decimated {
  t: Float64Array;
  y: Float64Array;
  length: number;
}

/**
 * `t`/`y` (times non-decreasing) reduced to at most two points per bucket, `buckets` buckets
 * spread evenly over `[t0, t1]`. Samples outside the span go into the first or last bucket; NaN
 * values are kept as gaps (one NaN point where they occur). When there are no more samples than
 * `2 × buckets` the input is returned unchanged (as views).
 */
export function decimateMinMax(t: Float64Array, y: Float64Array, t0: number, t1: number, buckets: number, out?: Decimated): Decimated {
  const n = Math.min(t.length, y.length);
  const b = Math.max(1, Math.floor(buckets));
  if (n <= 2 * b || !(t1 > t0)) return { t: t.subarray(0, n), y: y.subarray(0, n), length: n };
  const cap = 3 * b + 2;
  const res = out && out.t.length >= cap ? out : { t: new Float64Array(cap), y: new Float64Array(cap), length: 0 };
  const scale = b / (t1 - t0);
  let k = 0;
  let bucket = -1;
  let minI = -1, maxI = -1;
  let gap = false;
  const flush = () => {
    if (minI < 0) return;
    const a = Math.min(minI, maxI), c = Math.max(minI, maxI);
    res.t[k] = t[a] ?? 0;
    res.y[k++] = y[a] ?? 0;
    if (c !== a) {
      res.t[k] = t[c] ?? 0;
      res.y[k++] = y[c] ?? 0;
    }
    minI = maxI = -1;
  };
  for (let i = 0; i < n; i++) {
    const ti = t[i] ?? 0;
    const bi = Math.min(b - 1, Math.max(0, Math.floor((ti - t0) * scale)));
    if (bi !== bucket) {
      flush();
      bucket = bi;
      gap = false;
    }
    const v = y[i] ?? Number.NaN;
    if (Number.isNaN(v)) {
      if (!gap && k < cap) {
        flush();
        res.t[k] = ti;
        res.y[k++] = Number.NaN;
        gap = true;
      }
      continue;
    }
    if (minI < 0) {
      minI = maxI = i;
    } else {
      if (v < (y[minI] ?? v)) minI = i;
      if (v > (y[maxI] ?? v)) maxI = i;
    }
  }
  flush();
  res.length = k;
  return res;
}
