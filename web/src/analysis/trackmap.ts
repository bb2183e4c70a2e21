/* eslint-disable @typescript-eslint/no-non-null-assertion -- numeric kernels: every index is bounded by the array lengths checked in the loop */
// Drawing a track: fit a line of (x, y) points into a canvas with the aspect kept, and the colour
// ramps of the map (speed: slow blue → fast yellow; time: gained green ↔ lost red).

export interface Fit {
  scale: number;
  ox: number;
  oy: number;
}

/**
 * The transform that fits every finite point into `width` × `height` with `pad` pixels around,
 * the same scale on both axes, y pointing up (world) → down (canvas). Null without two points.
 */
export function fitPoints(xs: ArrayLike<number>, ys: ArrayLike<number>, width: number, height: number, pad = 12): Fit | null {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  let count = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    count++;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (count < 2) return null;
  const w = Math.max(maxX - minX, 1e-9);
  const h = Math.max(maxY - minY, 1e-9);
  const scale = Math.min((width - 2 * pad) / w, (height - 2 * pad) / h);
  // centre the drawing
  const ox = pad + (width - 2 * pad - w * scale) / 2 - minX * scale;
  const oy = height - pad - (height - 2 * pad - h * scale) / 2 + minY * scale;
  return { scale, ox, oy };
}

/** A world point in canvas pixels. */
export function project(fit: Fit, x: number, y: number): [number, number] {
  return [fit.ox + x * fit.scale, fit.oy - y * fit.scale];
}

function lerp(a: number, b: number, t: number): number {
  return Math.round(a + (b - a) * t);
}

function ramp(stops: readonly [number, number, number][], t: number): string {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return `rgb(${lerp(a[0], b[0], f)},${lerp(a[1], b[1], f)},${lerp(a[2], b[2], f)})`;
}

const SPEED: [number, number, number][] = [
  [59, 76, 192],
  [79, 163, 255],
  [62, 207, 142],
  [242, 184, 75],
  [255, 93, 93],
];

/** The colour of `v` between `min` (cool) and `max` (hot); grey for a missing value. */
export function speedColor(v: number, min: number, max: number): string {
  if (!Number.isFinite(v)) return "rgb(93,104,117)";
  return ramp(SPEED, max > min ? (v - min) / (max - min) : 0.5);
}

/**
 * The colour of a time rate (s per m, negative = gained): green for time gained, red for time
 * lost, grey near zero; `maxAbs` is the rate that reaches full colour.
 */
export function gainColor(rate: number, maxAbs: number): string {
  if (!Number.isFinite(rate) || !(maxAbs > 0)) return "rgb(93,104,117)";
  const t = Math.max(-1, Math.min(1, rate / maxAbs));
  const grey: [number, number, number] = [93, 104, 117];
  const target: [number, number, number] = t < 0 ? [62, 207, 142] : [255, 93, 93];
  const f = Math.abs(t);
  return `rgb(${lerp(grey[0], target[0], f)},${lerp(grey[1], target[1], f)},${lerp(grey[2], target[2], f)})`;
}

/** A robust full-scale value: the `q` quantile of |values| (ignoring NaN), so one spike does not wash the map out. */
export function absQuantile(values: ArrayLike<number>, q = 0.95): number {
  const abs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) abs.push(Math.abs(v));
  }
  if (!abs.length) return 0;
  abs.sort((a, b) => a - b);
  return abs[Math.min(abs.length - 1, Math.floor(q * (abs.length - 1)))]!;
}
