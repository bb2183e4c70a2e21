// Live delta to the best lap: the current lap's elapsed time against the reference lap's time at
// the same lap distance (linear interpolation). The reference is the fastest complete lap seen —
// a lap counts when its start (distance near 0) and its end (the lap counter moving on) were both
// seen, and its time is the game's own `last_lap_s` when it sends one. Laps driven before the page
// opened come from the feed's ring buffer (`loadBestLap` in history.ts) through `offer`.

export interface LapTrace {
  lap: number;
  time: number;
  distance: Float64Array;
  elapsed: Float64Array;
}

/** `elapsed` at `d` along a trace whose `distance` never decreases (clamped at both ends). */
export function interpolate(distance: ArrayLike<number>, elapsed: ArrayLike<number>, d: number): number {
  const n = distance.length;
  if (n === 0) return Number.NaN;
  if (d <= (distance[0] ?? 0)) return elapsed[0] ?? Number.NaN;
  if (d >= (distance[n - 1] ?? 0)) return elapsed[n - 1] ?? Number.NaN;
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if ((distance[mid] ?? 0) <= d) lo = mid;
    else hi = mid;
  }
  const d0 = distance[lo] ?? 0, d1 = distance[hi] ?? 0;
  const e0 = elapsed[lo] ?? 0, e1 = elapsed[hi] ?? 0;
  return d1 > d0 ? e0 + ((d - d0) / (d1 - d0)) * (e1 - e0) : e0;
}

export class LapDelta {
  /** The laps' start must be seen within this distance of the line, metres. */
  startToleranceM = 50;
  best: LapTrace | null = null;
  private lap: number | null = null;
  private dist: number[] = [];
  private elapsed: number[] = [];
  private currentDelta = Number.NaN;

  /** Feed one sample; `lastLapS` is the game's time of the previous lap (NaN when not sent). */
  push(lap: number, lapDistanceM: number, lapTimeS: number, lastLapS = Number.NaN): void {
    if (!Number.isFinite(lap) || !Number.isFinite(lapDistanceM) || !Number.isFinite(lapTimeS)) return;
    if (this.lap !== null && lap !== this.lap) this.finishLap(lastLapS);
    if (this.lap === null || lap !== this.lap) {
      this.lap = lap;
      this.dist = [];
      this.elapsed = [];
    }
    const prev = this.dist[this.dist.length - 1];
    if (prev === undefined || lapDistanceM >= prev) {
      this.dist.push(lapDistanceM);
      this.elapsed.push(lapTimeS);
    }
    this.currentDelta = this.best ? lapTimeS - interpolate(this.best.distance, this.best.elapsed, lapDistanceM) : Number.NaN;
  }

  /** Takes `trace` as the reference when it is faster than the current one (a lap seen earlier). */
  offer(trace: LapTrace | null): void {
    if (trace && Number.isFinite(trace.time) && (!this.best || trace.time < this.best.time)) this.best = trace;
  }

  private finishLap(lastLapS: number): void {
    const n = this.dist.length;
    if (this.lap === null || n < 10 || (this.dist[0] ?? Infinity) > this.startToleranceM) return;
    const time = Number.isFinite(lastLapS) && lastLapS > 0 ? lastLapS : (this.elapsed[n - 1] ?? Number.NaN);
    if (!Number.isFinite(time)) return;
    if (!this.best || time < this.best.time) {
      this.best = { lap: this.lap, time, distance: Float64Array.from(this.dist), elapsed: Float64Array.from(this.elapsed) };
    }
  }

  /** Seconds behind (+) or ahead (−) of the best lap at this point of the lap; NaN without a reference. */
  get delta(): number {
    return this.currentDelta;
  }
}
