// Fitting world coordinates into a drawing area.

export interface Fit {
  scale: number;
  /** Canvas pixel of a world point (y grows downwards on the canvas, northwards in the world). */
  map(x: number, y: number): [number, number];
}

/** A uniform scale that fits every finite (x, y) into `width`×`height` with `pad` pixels around. */
export function fitBounds(xs: ArrayLike<number>, ys: ArrayLike<number>, width: number, height: number, pad = 0): Fit | null {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i] ?? Number.NaN, y = ys[i] ?? Number.NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (!Number.isFinite(minX) || width <= 2 * pad || height <= 2 * pad) return null;
  const spanX = Math.max(maxX - minX, 1e-6), spanY = Math.max(maxY - minY, 1e-6);
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const offX = pad + (width - 2 * pad - spanX * scale) / 2;
  const offY = pad + (height - 2 * pad - spanY * scale) / 2;
  return {
    scale,
    map: (x, y) => [offX + (x - minX) * scale, offY + (maxY - y) * scale],
  };
}

/**
 * The y range of a strip chart: the data's range; a normalised channel (registered within −1…1,
 * like the pedals and the steering) always shows its whole registered range, any other channel
 * shows it only while its data is flat (a car at rest); a flat line without one gets some room.
 */
export function yRange(dmin: number | null, dmax: number | null, min: number | null, max: number | null): [number, number] {
  let lo = dmin ?? Number.NaN, hi = dmax ?? Number.NaN;
  const hasRange = min !== null && max !== null && Number.isFinite(min) && Number.isFinite(max) && max > min;
  const flat = !Number.isFinite(lo) || !Number.isFinite(hi) || hi - lo < 1e-9;
  if (hasRange && (flat || (min >= -1 && max <= 1))) {
    lo = Number.isFinite(lo) ? Math.min(lo, min) : min;
    hi = Number.isFinite(hi) ? Math.max(hi, max) : max;
    return [lo, hi];
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi - lo < 1e-9) {
    const pad = Math.max(1, Math.abs(hi) * 0.05);
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}
