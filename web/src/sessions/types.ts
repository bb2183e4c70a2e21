// Shapes of the session API's answers (docs/api.md, "Sessions").

export type SessionStatus = "active" | "ended" | "completed";

export interface Run {
  id: string;
  session_id: string;
  label: string | null;
  feed_name: string;
  merge_feeds: string[];
  status: "recording" | "stopped" | string;
  start_marker: number | null;
  end_marker: number | null;
  frame_count: number | null;
  data_truncated: boolean;
  rows_saved: number | null;
  started_at: string | null;
  stopped_at: string | null;
}

export interface LapRow {
  lap: number;
  lap_time_s: number | null;
  s1_s: number | null;
  s2_s: number | null;
  s3_s: number | null;
  start_t_s?: number | null;
  end_t_s?: number | null;
  lap_time_source?: string | null;
}

export interface SessionAnalysis {
  frame_count?: number;
  lap_count?: number;
  best_lap_s?: number | null;
  best_lap?: number | null;
  laps?: LapRow[];
  use_case?: string | null;
  use_case_result?: Record<string, unknown> | null;
  analyzed_at?: string;
  [key: string]: unknown;
}

export interface Session {
  id: string;
  session_id: string;
  name: string | null;
  label: string | null;
  description: string | null;
  use_case: string | null;
  driver: string | null;
  driver_level: string | null;
  track: string | null;
  car: string | null;
  game: string | null;
  note: string | null;
  status: SessionStatus | string;
  started_at: string | null;
  created_at: string | null;
  ended_at: string | null;
  completed_at: string | null;
  recording_id: string | null;
  frame_count: number;
  runs: Run[];
  analysis: SessionAnalysis | null;
  guidance: string | null;
}

export type NoteType = "observation" | "command" | "system";

export interface Note {
  id: string;
  session_id?: string;
  timestamp: string;
  content: string;
  speaker: string | null;
  type: NoteType | string;
  tags: string[] | null;
  telemetry_snapshot: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
}

export type SttStatus = "pending" | "processing" | "done" | "failed";

export interface SttTask {
  id: string;
  session_id?: string;
  audio_chunk_id: string;
  duration_seconds: number | null;
  status: SttStatus | string;
  transcript: string | null;
  error: string | null;
  created_at: string;
  updated_at?: string | null;
}

/** One message of `WS /ws/sessions/{sid}`. */
export interface SessionEvent {
  event: string;
  session_id: string;
  data: Record<string, unknown>;
}
