// Shift lights: ten lights that fill from 75 % of the rev limit, green, then yellow, then red,
// and all flash blue at 97 % (shift now).

export const SHIFT_LIGHTS = ["g", "g", "g", "g", "y", "y", "y", "r", "r", "r"] as const;
const FROM = 0.75;
const SHIFT = 0.97;

/** Which of the ten lights are on for `rpm` against `rpmMax` (all off without a limit). */
export function shiftLights(rpm: number, rpmMax: number): boolean[] {
  const n = SHIFT_LIGHTS.length;
  if (!Number.isFinite(rpm) || !Number.isFinite(rpmMax) || rpmMax <= 0) return new Array<boolean>(n).fill(false);
  const f = rpm / rpmMax;
  if (f >= SHIFT) return new Array<boolean>(n).fill(true);
  const lit = Math.max(0, Math.floor(((f - FROM) / (SHIFT - FROM)) * n));
  return Array.from({ length: n }, (_, i) => i < lit);
}

/** Whether the driver should shift now (every light on). */
export function shiftNow(rpm: number, rpmMax: number): boolean {
  return Number.isFinite(rpm) && Number.isFinite(rpmMax) && rpmMax > 0 && rpm / rpmMax >= SHIFT;
}
