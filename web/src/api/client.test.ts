import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError, api, errorDetail, getToken, setToken, setTokenStore, usePageToken, withQuery, wsUrl } from "./client";

class MemoryStore {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

function reply(status: number, body: unknown, type = "application/json"): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": type } });
}

describe("api client", () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore();
    setTokenStore(store);
    usePageToken(null);
  });
  afterEach(() => vi.unstubAllGlobals());

  it("builds query strings, leaving out empty values", () => {
    expect(withQuery("/a", { x: 1, y: null, z: undefined, w: "a b" })).toBe("/a?x=1&w=a+b");
    expect(withQuery("/a?k=1", { force: true })).toBe("/a?k=1&force=true");
    expect(withQuery("/a", {})).toBe("/a");
  });

  it("sends the stored token as a bearer header and JSON bodies", async () => {
    setToken("s3cret");
    expect(store.getItem("paddock.token")).toBe("s3cret");
    const fetchMock = vi.fn().mockResolvedValue(reply(201, { id: "abc" }));
    vi.stubGlobal("fetch", fetchMock);
    const out = await api.post<{ id: string }>("/api/recordings", { name: "x" }, { force: false });
    expect(out.id).toBe("abc");
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("/api/recordings?force=false");
    expect(init.method).toBe("POST");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer s3cret");
    expect(init.body).toBe('{"name":"x"}');
    setToken(null);
    expect(getToken()).toBeNull();
  });

  it("throws ApiError with the server's detail", async () => {
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(reply(409, { status_code: 409, detail: "a recording is already running" })));
    const err = await api.post("/api/recordings").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(409);
    expect((err as ApiError).detail).toBe("a recording is already running");
  });

  it("reports an unreachable server as status 0", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    const err = (await api.get("/api/live").catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(0);
    expect(err.detail).toMatch(/cannot reach/);
  });

  it("answers undefined for 204", async () => {
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(new Response(null, { status: 204 })));
    expect(await api.del("/api/recordings/x")).toBeUndefined();
  });

  it("reads the detail of the shapes servers send", () => {
    expect(errorDetail({ detail: "nope" }, "x")).toBe("nope");
    expect(errorDetail({ detail: "Validation failed", extra: [{ key: "ttl_s", message: "too big" }] }, "x")).toBe(
      "Validation failed (ttl_s: too big)",
    );
    expect(errorDetail({ detail: [{ msg: "a" }, { msg: "b" }] }, "x")).toBe("a; b");
    expect(errorDetail({ success: false, message: "protected" }, "x")).toBe("protected");
    expect(errorDetail("Bad Gateway", "x")).toBe("Bad Gateway");
    expect(errorDetail(null, "fallback")).toBe("fallback");
  });

  it("puts the token into WebSocket URLs, as spectator_token for a spectator link", () => {
    const loc = { protocol: "https:", host: "pit:8080" };
    expect(wsUrl("/ws/live", { channels: "rpm" }, loc)).toBe("wss://pit:8080/ws/live?channels=rpm");
    setToken("t1");
    expect(wsUrl("/ws/live", {}, { protocol: "http:", host: "h" })).toBe("ws://h/ws/live?token=t1");
    usePageToken("spec", "spectator");
    expect(getToken()).toBe("spec");
    expect(wsUrl("/ws/live", {}, { protocol: "http:", host: "h" })).toBe("ws://h/ws/live?spectator_token=spec");
  });
});
