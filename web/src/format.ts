// Formatting numbers for display. Every function takes null/NaN and returns a dash.

const DASH = "–";

function missing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || !Number.isFinite(v);
}

/** A lap or sector time: `1:23.456`, or `23.456` under a minute. */
export function lapTime(s: number | null | undefined): string {
  if (missing(s) || s < 0) return DASH;
  const ms = Math.round(s * 1000);
  const m = Math.floor(ms / 60000);
  const rest = ((ms % 60000) / 1000).toFixed(3);
  return m > 0 ? `${m}:${rest.padStart(6, "0")}` : rest;
}

/** A time difference with its sign: `+0.123`, `−1.500`. */
export function delta(s: number | null | undefined, digits = 3): string {
  if (missing(s)) return DASH;
  const r = Number(s.toFixed(digits));
  if (r === 0) return (0).toFixed(digits);
  return (r > 0 ? "+" : "−") + Math.abs(r).toFixed(digits);
}

/** A gear: R, N, 1…8. */
export function gear(g: number | null | undefined): string {
  if (missing(g)) return DASH;
  if (g < 0) return "R";
  if (g === 0) return "N";
  return String(Math.round(g));
}

/** A number with fixed decimals. */
export function fixed(v: number | null | undefined, digits = 0): string {
  return missing(v) ? DASH : v.toFixed(digits);
}

/** A byte count: `512 B`, `1.5 MiB`. */
export function bytes(n: number | null | undefined): string {
  if (missing(n)) return DASH;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** A duration in seconds as `1h 02m`, `3m 05s` or `12.3 s`. */
export function duration(s: number | null | undefined): string {
  if (missing(s)) return DASH;
  if (s < 60) return `${s.toFixed(1)} s`;
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
  return h > 0 ? `${h}h ${String(m).padStart(2, "0")}m` : `${m}m ${String(sec).padStart(2, "0")}s`;
}

/** A 0…1 fraction as a percentage. */
export function percent(v: number | null | undefined): string {
  return missing(v) ? DASH : `${Math.round(v * 100)} %`;
}
