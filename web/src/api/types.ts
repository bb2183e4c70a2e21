// Shapes of the API's answers the app reads (see docs/api.md and /schema/openapi.json).
// Fields the app does not use are left out; pages may extend these.

export interface Inputs {
  throttle: number | null;
  brake: number | null;
  clutch: number | null;
  steer: number | null;
}

export type FeedHealth = "stopped" | "listening" | "handshaking" | "receiving" | "stale" | "unavailable";

export interface FeedLive {
  name: string;
  kind: string;
  protocol: string;
  health: FeedHealth | string;
  reason: string | null;
  frequency_hz: number;
  bind: string | null;
  port: number | null;
  packets: number;
  bytes: number;
  decode_errors: number;
  last_error: string | null;
  drops: number;
  last_packet_ns: number | null;
  kernel_drops?: number | null;
  ring_rows?: number;
  ring_capacity?: number | null;
  ring_evicted?: number;
  detected_format?: string | null;
  speed_kmh: number | null;
  rpm: number | null;
  gear: number | null;
  inputs: Inputs;
  lap: number | null;
  lap_time_s: number | null;
  last_lap_s: number | null;
  best_lap_s: number | null;
  sector: number | null;
}

export interface Live {
  timestamp_ns: number;
  feeds: FeedLive[];
  recording_id: string | null;
}

export interface Health {
  status: string;
  version: string;
  build_profile: string;
  uptime_s: number;
  feeds: Record<string, string>;
  recording: boolean;
  data_dir: string;
  subscribers: number;
}

export interface ChannelInfo {
  name: string;
  unit: string;
  min: number | null;
  max: number | null;
  description: string;
  dtype: string;
}

export interface RecordingManifest {
  id: string;
  status: string;
  name?: string | null;
  started_at?: string | number | null;
  stopped_at?: string | number | null;
  size_bytes?: number;
  [key: string]: unknown;
}

/** `POST /api/recording` and `DELETE /api/recording` (FootballVision's service-level answers). */
export interface RecordingControlResult {
  success: boolean;
  message: string;
  match_id?: string | null;
  protected_for_s?: number | null;
  recording?: RecordingManifest | null;
  integrity?: { checked: boolean; all_ok: boolean; reason: string | null } | null;
  [key: string]: unknown;
}

export interface ActiveRecording {
  recording: boolean;
  match_id: string | null;
  name: string | null;
  duration: number | null;
  protected_for_s: number | null;
  feeds?: unknown;
  segments?: unknown;
}

export interface SpectatorToken {
  token: string;
  label: string | null;
  created_at: number;
  expires_at: number;
  ttl_s: number;
  paths: string[];
}

export interface TrackPoint {
  x: number;
  y: number;
}
