// A live connection to `WS /ws/sessions/{sid}`: hands every session event to `onEvent`, keeps the
// connection alive with `ping`, and reconnects with a growing pause (1 s … 15 s) until closed.
// A refusal for an unknown session (close code 4404) or a bad token (4401) is final.

import { wsUrl } from "@/api/client";
import { parseEvent } from "./notes";
import type { SessionEvent } from "./types";

export type SocketState = "connecting" | "open" | "closed" | "refused";

export interface SessionSocket {
  close(): void;
}

export function openSessionSocket(
  sessionId: string,
  onEvent: (ev: SessionEvent) => void,
  onState: (state: SocketState, reason?: string) => void,
): SessionSocket {
  let ws: WebSocket | null = null;
  let closed = false;
  let retry = 0;
  let retryTimer: number | undefined;
  let pingTimer: number | undefined;

  const connect = () => {
    if (closed) return;
    onState("connecting");
    ws = new WebSocket(wsUrl(`/ws/sessions/${encodeURIComponent(sessionId)}`));
    ws.onopen = () => {
      retry = 0;
      onState("open");
      pingTimer = window.setInterval(() => ws?.readyState === WebSocket.OPEN && ws.send("ping"), 20_000);
    };
    ws.onmessage = (msg: MessageEvent) => {
      if (typeof msg.data !== "string") return;
      const ev = parseEvent(msg.data);
      if (ev) onEvent(ev);
    };
    ws.onclose = (e: CloseEvent) => {
      window.clearInterval(pingTimer);
      ws = null;
      if (closed) return;
      if (e.code === 4404 || e.code === 4401) {
        onState("refused", e.code === 4404 ? "unknown session" : "the API token was refused");
        return;
      }
      onState("closed");
      const wait = Math.min(15_000, 1000 * 2 ** retry);
      retry += 1;
      retryTimer = window.setTimeout(connect, wait);
    };
  };
  connect();
  return {
    close() {
      closed = true;
      window.clearTimeout(retryTimer);
      window.clearInterval(pingTimer);
      ws?.close(1000);
      ws = null;
    },
  };
}
