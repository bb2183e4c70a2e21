// Recordings: the manifest as the page reads it, download links, and the integrity summary.
import { getToken, requestBlob } from "@/api/client";

export interface FeedFiles {
  name: string;
  protocol: string;
  packets: number;
  bytes: number;
  frames: number;
  raw_file: string;
  raw_format?: string;
  parquet_parts: string[];
}

export interface IntegrityFile {
  name: string;
  kind: string;
  integrity_checked: boolean;
  integrity_ok: boolean;
  integrity_error: string | null;
}

export interface Integrity {
  checked: boolean;
  all_ok: boolean;
  reason: string | null;
  files?: IntegrityFile[];
}

export interface Manifest {
  id: string;
  name: string | null;
  game?: string | null;
  track?: string | null;
  car?: string | null;
  use_case?: string | null;
  notes?: string | null;
  status: string;
  started_at: string | null;
  stopped_at: string | null;
  duration_s: number | null;
  feeds: FeedFiles[];
  mcap_segments?: string[];
  size_bytes?: number;
  integrity?: Integrity | null;
  stop_result?: { success: boolean; message: string } | null;
  recovered?: boolean;
  recovery?: { lost_bytes?: number; disk_intact?: boolean; message?: string } | null;
}

export interface SegmentFile {
  name: string;
  size_bytes: number;
  modified_at: number | string | null;
  finished?: boolean;
  message_count?: number;
  start_ns?: number;
  end_ns?: number;
}

export interface Segments {
  recording_id: string;
  status: string;
  segments: { mcap: SegmentFile[]; raw: SegmentFile[]; parquet: SegmentFile[]; other: SegmentFile[] };
}

export interface RecordingHealth {
  healthy: boolean;
  recording: boolean;
  match_id: string | null;
  message: string;
  recovery_attempts?: number;
  diagnostics?: Record<string, unknown>;
}

/** The health of a recording as one word and a class: ok, running, recovered, failed or unchecked. */
export function integrityState(m: Pick<Manifest, "status" | "integrity" | "recovered">): { label: string; cls: "ok" | "warn" | "bad" | "" } {
  if (m.status === "recording") return { label: "recording", cls: "warn" };
  if (m.integrity?.checked && !m.integrity.all_ok) return { label: "integrity failed", cls: "bad" };
  if (m.recovered) return { label: "recovered", cls: "warn" };
  if (m.integrity?.checked && m.integrity.all_ok) return { label: "intact", cls: "ok" };
  return { label: "unchecked", cls: "" };
}

const enc = encodeURIComponent;

/** The download paths of a recording. */
export function downloads(id: string) {
  const base = `/api/recordings/${enc(id)}`;
  return {
    zip: `${base}/download`,
    mcap: `${base}/mcap`,
    parquet: `${base}/frames.parquet`,
    raw: (feed: string) => `${base}/data/${enc(feed)}`,
    segment: (name: string) => `${base}/segments/${enc(name)}`,
    file: (name: string) => `${base}/files/${enc(name)}`,
  };
}

/**
 * Download `path` as `filename`. Without an API token a plain link streams the file straight to
 * disk; with one the request must carry the header, so the file comes through fetch.
 */
export async function download(path: string, filename: string): Promise<void> {
  const a = document.createElement("a");
  a.download = filename;
  let url = path;
  if (getToken()) {
    url = URL.createObjectURL(await requestBlob(path));
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  a.href = url;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
