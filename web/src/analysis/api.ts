// The analysis routes the Analysis page reads (docs/api.md, "Session analysis").
import { api } from "@/api/client";
import type { CompareResponse } from "./align";

const enc = encodeURIComponent;

export interface LapTableRow {
  lap: number;
  lap_time_s: number | null;
  s1_s: number | null;
  s2_s: number | null;
  s3_s: number | null;
  t_start: number | null;
  t_end: number | null;
  method: string;
  out_lap: boolean;
  in_lap: boolean;
  best_lap: boolean;
  best_s1: boolean;
  best_s2: boolean;
  best_s3: boolean;
}

export interface LapTimeTable {
  laps: LapTableRow[];
  best_lap: number | null;
}

export interface IdealLap {
  ideal_lap_s: number | null;
  best_lap_s: number | null;
  gain_s: number | null;
  best_sectors_s: (number | null)[] | null;
  best_sector_laps: (number | null)[] | null;
}

export interface ScorecardRow {
  corner: number;
  name: string;
  grade: string | null;
  loss_s: number | null;
  loss_pct: number | null;
  passes: number | null;
}

export interface Scorecard {
  rule: string;
  corners: ScorecardRow[];
}

export interface PedalBehavior {
  throttle_th: number;
  brake_th: number;
  distribution: Record<string, number>;
  laps: { lap: number; state: string; share: number }[];
}

export interface FrictionCircle {
  points: [number, number][];
  max_combined_g: number | null;
  p95_combined_g: number | null;
  max_lat_g: number | null;
  max_brake_g: number | null;
  max_accel_g: number | null;
  mean_utilisation: number | null;
}

export interface TrackMapAnalytic {
  axes: string[] | null;
  track: [number, number][];
  lap: number | null;
  overlay: number[][];
  corners?: { number: number; name: string; apex_m: number }[];
}

export interface SessionStats {
  [key: string]: unknown;
  lap_count?: number;
  best_lap_s?: number | null;
  corner_count?: number;
  lap_length_m?: number | null;
}

export interface SessionAnalysisAnswer {
  session_id: string;
  status: string;
  use_case: string | null;
  analysis: Record<string, unknown> | null;
  guidance: string | null;
}

/** Channels the overlay asks for: the traces, and positions for the map (absent ones come back null). */
export const OVERLAY_CHANNELS = ["speed_kmh", "throttle", "brake", "gear", "steer", "pos_x_m", "pos_z_m", "lon_deg", "lat_deg"];

export const analysisApi = {
  analytic: <T>(sid: string, name: string, query?: Record<string, string | number>) =>
    api.get<T>(`/api/sessions/${enc(sid)}/analytics/${enc(name)}`, query),
  sessionAnalysis: (sid: string) => api.get<SessionAnalysisAnswer>(`/api/sessions/${enc(sid)}/analysis`),
  compare: (laps: string[], channels = OVERLAY_CHANNELS, stepM = 5, signal?: AbortSignal) =>
    api.get<CompareResponse>("/api/compare", { laps: laps.join(","), channels: channels.join(","), step_m: stepM }, signal),
};
