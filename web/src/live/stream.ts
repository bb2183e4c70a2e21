// The live data connection of the Live page: the binary Arrow WebSocket (/ws/live) first; when it
// cannot be opened or breaks, Server-Sent Events (/api/stream/telemetry, JSON) read through fetch.
import { authHeaders, getToken, isSpectator, withQuery, wsUrl } from "@/api/client";

import { LiveDecoder, framesToColumns, type Columns } from "./arrow";
import { SseParser } from "./sse";

export type Transport = "connecting" | "arrow" | "sse" | "closed";

export interface StreamStats {
  transport: Transport;
  messages: number;
  rows: number;
  decodeErrors: number;
  /** Batches the server dropped for this client (it fell behind). */
  lagged: number;
  lastError: string | null;
  /** Channels the server sends (from the Arrow schema). */
  channels: string[];
}

export interface LiveStreamOptions {
  channels: readonly string[];
  feed?: string | null;
  rateHz?: number;
  onRows: (cols: Columns) => void;
  onStats?: (stats: StreamStats) => void;
  /** Use SSE only (tests, or a proxy that blocks WebSockets). */
  forceSse?: boolean;
}

export class LiveStream {
  readonly stats: StreamStats = {
    transport: "connecting",
    messages: 0,
    rows: 0,
    decodeErrors: 0,
    lagged: 0,
    lastError: null,
    channels: [],
  };
  private ws: WebSocket | null = null;
  private abort: AbortController | null = null;
  private closed = false;
  private retry: number | undefined;
  private wsFailures = 0;

  constructor(private readonly opts: LiveStreamOptions) {
    if (opts.forceSse) this.openSse();
    else this.openWs();
  }

  private emitStats(): void {
    this.opts.onStats?.({ ...this.stats });
  }

  private query(): Record<string, string | number | undefined> {
    return {
      channels: this.opts.channels.join(","),
      feeds: this.opts.feed ?? undefined,
    };
  }

  private openWs(): void {
    const decoder = new LiveDecoder();
    let url: string;
    try {
      url = wsUrl("/ws/live", { ...this.query(), rate_hz: this.opts.rateHz ?? 30 });
    } catch (e) {
      this.fail(String(e));
      return;
    }
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.stats.transport = "connecting";
    let gotSchema = false;
    ws.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
      this.stats.messages += 1;
      if (typeof ev.data === "string") {
        try {
          const notice = JSON.parse(ev.data) as { type?: string; dropped?: number };
          if (notice.type === "lagged") this.stats.lagged += notice.dropped ?? 0;
        } catch {
          this.stats.decodeErrors += 1;
        }
        this.emitStats();
        return;
      }
      try {
        const cols = decoder.push(ev.data);
        if (!gotSchema) {
          gotSchema = true;
          this.wsFailures = 0;
          this.stats.transport = "arrow";
          this.stats.channels = decoder.channels;
        }
        if (cols && cols.rows) {
          this.stats.rows += cols.rows;
          this.opts.onRows(cols);
        }
      } catch (e) {
        this.stats.decodeErrors += 1;
        this.stats.lastError = `Arrow decode: ${e instanceof Error ? e.message : String(e)}`;
      }
      this.emitStats();
    };
    ws.onclose = (ev) => {
      if (this.closed || this.ws !== ws) return;
      this.ws = null;
      this.wsFailures += 1;
      this.stats.lastError = `WebSocket closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ""})`;
      // a socket that never delivered a schema, or one refused by policy, falls back to SSE
      if (!gotSchema || ev.code === 1008 || ev.code === 4401 || this.wsFailures >= 2) this.openSse();
      else this.retry = window.setTimeout(() => this.openWs(), 1000);
      this.emitStats();
    };
  }

  private openSse(): void {
    if (this.closed) return;
    this.stats.transport = "sse";
    this.emitStats();
    const abort = new AbortController();
    this.abort = abort;
    const parser = new SseParser();
    const token = getToken();
    const query: Record<string, string | number | undefined> = { ...this.query() };
    if (token && isSpectator()) query.spectator_token = token;
    const run = async () => {
      const res = await fetch(withQuery("/api/stream/telemetry", query), {
        headers: { Accept: "text/event-stream", ...(isSpectator() ? {} : authHeaders()) },
        signal: abort.signal,
      });
      if (!res.ok || !res.body) throw new Error(`SSE answered ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const ev of parser.push(value)) {
          this.stats.messages += 1;
          try {
            const body = JSON.parse(ev.data) as Record<string, unknown>;
            if (ev.event === "lagged") {
              this.stats.lagged += Number(body.dropped_batches ?? body.dropped ?? 0);
            } else if (ev.event === "telemetry" && Array.isArray(body.frames)) {
              const cols = framesToColumns(String(body.feed ?? ""), body.frames as Record<string, unknown>[]);
              this.stats.rows += cols.rows;
              this.opts.onRows(cols);
            }
          } catch (e) {
            this.stats.decodeErrors += 1;
            this.stats.lastError = `SSE decode: ${e instanceof Error ? e.message : String(e)}`;
          }
        }
        this.emitStats();
      }
    };
    run()
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        this.stats.lastError = `SSE: ${e instanceof Error ? e.message : String(e)}`;
      })
      .finally(() => {
        if (this.closed || abort.signal.aborted) return;
        this.emitStats();
        // try the socket again after a pause (the server may be back)
        this.retry = window.setTimeout(() => {
          this.wsFailures = 0;
          this.openWs();
        }, 2000);
      });
  }

  private fail(message: string): void {
    this.stats.lastError = message;
    this.openSse();
  }

  close(): void {
    this.closed = true;
    this.stats.transport = "closed";
    window.clearTimeout(this.retry);
    this.abort?.abort();
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close();
    }
  }
}
