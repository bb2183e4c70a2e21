import { Float32, Float64, Int32, Int64, LargeUtf8, Table, tableToIPC, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";

import { LiveDecoder } from "./arrow";
import { pushHistoryMessage } from "./history";
import { LapDelta } from "./lapdelta";

// The history a /ws/live?history_s= socket sends: schema, one batch per feed, then the notice.
// Two laps of 1000 m are in it: lap 1 in 50 s, lap 2 in 45 s (the game's last_lap_s says so).
function history(): { schema: Uint8Array; batch: Uint8Array } {
  const lap: number[] = [], dist: number[] = [], lt: number[] = [], last: (number | null)[] = [], ts: bigint[] = [];
  const drive = (n: number, seconds: number, lastLap: number | null): void => {
    for (let t = 0; t < seconds; t += 0.5) {
      lap.push(n);
      dist.push((t / seconds) * 1000);
      lt.push(t);
      last.push(lastLap);
      ts.push(BigInt(ts.length) * 500_000_000n);
    }
  };
  drive(1, 50, null);
  drive(2, 45, 50);
  drive(3, 10, 45);
  const table = new Table({
    feed: vectorFromArray(lap.map(() => "pcars"), new LargeUtf8()),
    ts_ns: vectorFromArray(ts, new Int64()),
    t_s: vectorFromArray(ts.map((v) => Number(v) / 1e9), new Float64()),
    lap: vectorFromArray(lap, new Int32()),
    lap_distance_m: vectorFromArray(dist, new Float32()),
    lap_time_s: vectorFromArray(lt, new Float32()),
    last_lap_s: vectorFromArray(last, new Float32()),
  });
  const schemaOnly = tableToIPC(new Table(table.schema), "stream");
  const full = tableToIPC(table, "stream");
  const schema = schemaOnly.subarray(0, schemaOnly.length - 8);
  return { schema, batch: full.subarray(schema.length, full.length - 8) };
}

describe("history of the lap channels", () => {
  it("finds the best lap driven before the page opened and stops at the notice", () => {
    const { schema, batch } = history();
    const decoder = new LiveDecoder();
    const seen = new LapDelta();
    expect(pushHistoryMessage(decoder, seen, schema)).toBe(false);
    expect(pushHistoryMessage(decoder, seen, batch)).toBe(false);
    expect(pushHistoryMessage(decoder, seen, JSON.stringify({ type: "lagged", dropped: 1 }))).toBe(false);
    expect(pushHistoryMessage(decoder, seen, JSON.stringify({ type: "history", rows: 210 }))).toBe(true);
    expect(seen.best?.lap).toBe(2);
    expect(seen.best?.time).toBe(45);

    // the page's own delta takes it as its reference, and keeps a faster lap it sees later
    const live = new LapDelta();
    live.offer(seen.best);
    live.push(7, 500, 25);
    expect(live.delta).toBeCloseTo(2.5, 1);
    live.offer({ lap: 1, time: 50, distance: new Float64Array([0, 1000]), elapsed: new Float64Array([0, 50]) });
    expect(live.best?.time).toBe(45);
  });
});
