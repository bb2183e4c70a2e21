// The typed HTTP client every page uses. One place for the base URL, the bearer token (kept in
// localStorage) and error handling: a failed request throws `ApiError` carrying the server's
// `detail`, so pages can show exactly what the server said.

const TOKEN_KEY = "paddock.token";

/** A request the server answered with an error status, or one that never reached it. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly body: unknown;

  constructor(status: number, detail: string, body: unknown = null) {
    super(status ? `${status}: ${detail}` : detail);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.body = body;
  }
}

/** Storage the client reads the token from; `localStorage` in a browser, swappable in tests. */
export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

let store: TokenStore | null = typeof localStorage === "undefined" ? null : localStorage;
// A token that applies to this page only (a spectator link) and is never stored.
let pageToken: string | null = null;
let pageTokenKind: "api" | "spectator" = "api";

export function setTokenStore(next: TokenStore | null): void {
  store = next;
}

/** The API token the user entered (or null). */
export function getToken(): string | null {
  if (pageToken) return pageToken;
  try {
    return store?.getItem(TOKEN_KEY) || null;
  } catch {
    return null;
  }
}

/** Remember (or with null/"" forget) the API token for every later request. */
export function setToken(token: string | null): void {
  try {
    if (token) store?.setItem(TOKEN_KEY, token);
    else store?.removeItem(TOKEN_KEY);
  } catch {
    // storage may be disabled (private mode); the token then lasts for this page only
    pageToken = token || null;
  }
}

/** Use `token` for this page only (a spectator link), without storing it. */
export function usePageToken(token: string | null, kind: "api" | "spectator" = "api"): void {
  pageToken = token || null;
  pageTokenKind = kind;
}

/** Whether this page runs on a spectator token (read-only views). */
export function isSpectator(): boolean {
  return pageToken !== null && pageTokenKind === "spectator";
}

/** The `detail` of an error body: a string, or FastAPI/Litestar's validation list, or the status text. */
export function errorDetail(body: unknown, fallback: string): string {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const detail = b.detail ?? b.message ?? b.error;
    if (typeof detail === "string" && detail) {
      const extra = Array.isArray(b.extra)
        ? b.extra
            .map((e: unknown) => {
              if (e && typeof e === "object") {
                const x = e as Record<string, unknown>;
                return [x.key, x.message].filter(Boolean).join(": ");
              }
              return String(e);
            })
            .filter(Boolean)
            .join("; ")
        : "";
      return extra ? `${detail} (${extra})` : detail;
    }
    if (Array.isArray(detail)) {
      return detail
        .map((d: unknown) =>
          d && typeof d === "object" && "msg" in d ? String((d as { msg: unknown }).msg) : String(d),
        )
        .join("; ");
    }
  }
  if (typeof body === "string" && body.trim()) return body.trim().slice(0, 300);
  return fallback;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** `path` with `query` appended (null/undefined values left out). */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== null && v !== undefined) params.set(k, String(v));
  }
  const qs = params.toString();
  if (!qs) return path;
  return path + (path.includes("?") ? "&" : "?") + qs;
}

export interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** Headers for a request to the API: the bearer token when one is set. */
export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...authHeaders(), ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData || opts.body instanceof Blob) {
    body = opts.body;
  } else if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method: opts.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body,
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, `cannot reach the paddock server (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => "");
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    throw new ApiError(res.status, errorDetail(parsed, res.statusText || "request failed"), parsed);
  }
  return res;
}

/** A JSON request; resolves to the parsed body (undefined for 204). */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(path, opts);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("json")) return (await res.json()) as T;
  return (await res.text()) as T;
}

/** A request whose body is a file (download); resolves to the Blob. */
export async function requestBlob(path: string, opts: RequestOptions = {}): Promise<Blob> {
  const res = await send(path, opts);
  return res.blob();
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, query?: Query) =>
    request<T>(path, { method: "POST", body, query }),
  put: <T>(path: string, body?: unknown, query?: Query) => request<T>(path, { method: "PUT", body, query }),
  patch: <T>(path: string, body?: unknown, query?: Query) =>
    request<T>(path, { method: "PATCH", body, query }),
  del: <T>(path: string, query?: Query) => request<T>(path, { method: "DELETE", query }),
};

/** The WebSocket URL of `path` on this origin, with the token as `?token=` (browsers cannot set headers). */
export function wsUrl(path: string, query?: Query, loc: { protocol: string; host: string } = location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  const q: Query = { ...query };
  const token = getToken();
  if (token && q.token === undefined && q.spectator_token === undefined) {
    if (isSpectator()) q.spectator_token = token;
    else q.token = token;
  }
  return withQuery(`${scheme}//${loc.host}${path}`, q);
}
