import { describe, expect, it } from "vitest";

import { SseParser } from "./sse";

describe("SseParser", () => {
  it("parses events split anywhere, with comments, ids and multi-line data", () => {
    const text = ': hello\nretry: 2000\n\nid: 7\nevent: telemetry\ndata: {"a":\ndata: 1}\n\n: heartbeat\n\ndata: plain\r\n\r\n';
    for (const size of [1, 3, 7, text.length]) {
      const p = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...p.push(text.slice(i, i + size)));
      expect(events).toEqual([
        { event: "telemetry", data: '{"a":\n1}', id: "7" },
        { event: "message", data: "plain", id: "7" },
      ]);
      expect(p.lastEventId).toBe("7");
    }
  });

  it("keeps an incomplete event until its blank line arrives", () => {
    const p = new SseParser();
    expect(p.push("event: lagged\ndata: {}\n")).toEqual([]);
    expect(p.push("\n")).toEqual([{ event: "lagged", data: "{}", id: null }]);
  });

  it("treats a field without a colon as an empty value (WHATWG: an empty data line still dispatches)", () => {
    const p = new SseParser();
    expect(p.push("data\n\n")).toEqual([{ event: "message", data: "", id: null }]);
    expect(p.push("data\ndata: x\n\n")).toEqual([{ event: "message", data: "\nx", id: null }]);
  });
});
