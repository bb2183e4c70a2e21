// The feed's recent past for the Live page: `/ws/live?history_s=` sends the rows its ring buffer
// still holds before any live row, then the notice {"type": "history"}. The lap channels of that
// past give the live delta its reference: the session's best lap, also one driven before the page
// was opened.

import { wsUrl } from "@/api/client";

import { LiveDecoder } from "./arrow";
import { LapDelta, type LapTrace } from "./lapdelta";

/** The lap channels the live delta needs. */
export const LAP_CHANNELS = ["lap", "lap_distance_m", "lap_time_s", "last_lap_s"] as const;

/**
 * Feeds each Arrow message of a history stream to `delta`; returns true once the history notice
 * arrived (the stream can be closed).
 */
export function pushHistoryMessage(decoder: LiveDecoder, delta: LapDelta, data: ArrayBuffer | Uint8Array | string): boolean {
  if (typeof data === "string") {
    const notice = JSON.parse(data) as { type?: string };
    return notice.type === "history";
  }
  const cols = decoder.push(data);
  if (!cols) return false;
  const lap = cols.values.lap, dist = cols.values.lap_distance_m, lt = cols.values.lap_time_s, last = cols.values.last_lap_s;
  if (!lap || !dist || !lt) return false;
  for (let i = 0; i < cols.rows; i++) delta.push(lap[i] ?? Number.NaN, dist[i] ?? Number.NaN, lt[i] ?? Number.NaN, last?.[i] ?? Number.NaN);
  return false;
}

/**
 * The best complete lap of `feed` in its ring buffer's last `seconds` (null when none is there, or
 * after `timeoutMs` without an answer).
 */
export function loadBestLap(feed: string, seconds = 600, timeoutMs = 10_000): Promise<LapTrace | null> {
  return new Promise((resolve) => {
    const decoder = new LiveDecoder();
    const delta = new LapDelta();
    let ws: WebSocket;
    try {
      ws = new WebSocket(wsUrl("/ws/live", { channels: LAP_CHANNELS.join(","), feeds: feed, history_s: seconds, rate_hz: 1 }));
    } catch {
      resolve(null);
      return;
    }
    ws.binaryType = "arraybuffer";
    const finish = (): void => {
      window.clearTimeout(timer);
      ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close();
      resolve(delta.best);
    };
    const timer = window.setTimeout(finish, timeoutMs);
    ws.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
      try {
        if (pushHistoryMessage(decoder, delta, ev.data)) finish();
      } catch {
        finish();
      }
    };
    ws.onclose = ws.onerror = finish;
  });
}
