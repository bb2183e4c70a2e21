// Formatting of the figures the analysis pages show: lap and sector times (also past an hour, and
// negative ones for gaps), signed deltas, shares, local date-times.
// One place, so every table and chart prints a lap time the same way (the way timing screens do).

const DASH = "–";

function finite(v: number | null | undefined): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** A lap time as `m:ss.mmm` (`1:45.318`), `ss.mmm` below a minute, `h:mm:ss.mmm` past an hour. */
export function formatLapTime(seconds: number | null | undefined): string {
  if (!finite(seconds)) return DASH;
  const negative = seconds < 0;
  // round to whole milliseconds first, so 59.9996 becomes 1:00.000 and never 0:60.000
  let ms = Math.round(Math.abs(seconds) * 1000);
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const s = Math.floor(ms / 1000);
  ms -= s * 1000;
  const frac = String(ms).padStart(3, "0");
  const sign = negative ? "-" : "";
  if (h > 0) return `${sign}${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}.${frac}`;
  if (m > 0) return `${sign}${m}:${String(s).padStart(2, "0")}.${frac}`;
  return `${sign}${s}.${frac}`;
}

/** A sector time: seconds with milliseconds (`28.104`), minutes only when it needs them. */
export function formatSectorTime(seconds: number | null | undefined): string {
  return formatLapTime(seconds);
}

/** A time difference with its sign (`+0.123`, `-1.050`, `0.000`). */
export function formatDelta(seconds: number | null | undefined, digits = 3): string {
  if (!finite(seconds)) return DASH;
  const rounded = Number(seconds.toFixed(digits));
  if (rounded === 0) return (0).toFixed(digits);
  return (rounded > 0 ? "+" : "-") + Math.abs(rounded).toFixed(digits);
}

/** A number with a fixed number of decimals, or a dash when there is none. */
export function formatNumber(v: number | null | undefined, digits = 1): string {
  return finite(v) ? v.toFixed(digits) : DASH;
}

/** A share (0..1) as a percentage (`42.5 %`). */
export function formatPercent(share: number | null | undefined, digits = 1): string {
  return finite(share) ? `${(share * 100).toFixed(digits)} %` : DASH;
}

// Sizes and durations are printed as on every other page.
export { bytes as formatBytes, duration as formatDuration } from "@/format";

/** A timestamp (ISO string, or Unix seconds) as local `YYYY-MM-DD HH:MM:SS`. */
export function formatDateTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return DASH;
  const d = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
