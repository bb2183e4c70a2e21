"""Tall telemetry ingest: paddock's session store against rows in SQLite, in one run.

Both receive the same ASTRA batch bodies (``{"data": [{timestamp, channel, value, unit}, ...]}``,
10,000 samples each, as JSON bytes) and store them durably:

- paddock: the body decoded by msgspec into the API's structs, the samples appended to the
  session's buffer and written as a Parquet part (``SessionIngest.add_samples`` then a flush, the
  worst case: one part per request).
- the alternative (what a FastAPI + SQLite service does): ``json.loads``, then one row per sample
  with ``executemany`` into an indexed table in a WAL database, committed per request.

Then both answer the two reads the clients make: the newest 1,000 samples of one channel and the
latest value of one channel. Prints the times and the ratios.

Run: ``python benches/bench_session_ingest.py [--batches 20] [--samples 10000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import tempfile
import time
from pathlib import Path

import msgspec

from paddock.api.schemas.sessions import TelemetryBatch
from paddock.store.catalog import Catalog
from paddock.store.ingest import SessionIngest
from paddock.store.session_data import SessionData
from paddock.store.sessions import SessionStore, to_ns

CHANNELS = ("battery_voltage", "motor_current", "temperature", "rpm")


def bodies(batches: int, samples: int) -> list[bytes]:
    """``batches`` JSON bodies of ``samples`` samples, 1 ms apart, channels round-robin."""
    start = dt.datetime(2025, 1, 26, 10, 0, tzinfo=dt.UTC)
    out = []
    for b in range(batches):
        data = [
            {
                "timestamp": (start + dt.timedelta(milliseconds=b * samples + i)).isoformat(),
                "channel": CHANNELS[i % len(CHANNELS)],
                "value": (b * samples + i) * 0.25,
                "unit": "V",
            }
            for i in range(samples)
        ]
        out.append(json.dumps({"data": data}).encode())
    return out


def run_paddock(directory: Path, payloads: list[bytes]) -> tuple[float, float]:
    catalog = Catalog(directory / "catalog.sqlite3")
    store = SessionStore(catalog, SessionData(directory / "sessions"), {})
    ingest = SessionIngest(store)
    sid = store.create({"name": "bench"})["id"]
    decoder = msgspec.json.Decoder(TelemetryBatch)
    began = time.perf_counter()
    for payload in payloads:
        samples = decoder.decode(payload).data
        ingest.add_samples(
            sid,
            ts_ns=[to_ns(s.timestamp) for s in samples],
            channels=[s.channel for s in samples],
            values=[s.value for s in samples],
            units=[s.unit for s in samples],
            source="telemetry",
        )
        store.data.flush(sid)
    write_s = time.perf_counter() - began
    began = time.perf_counter()
    newest = ingest.query_samples(sid, channel="rpm", limit=1000)
    latest = ingest.latest_sample(sid, "motor_current")
    read_s = time.perf_counter() - began
    assert newest.height == 1000 and latest["channel"] == "motor_current"
    catalog.close()
    return write_s, read_s


def run_sqlite(directory: Path, payloads: list[bytes]) -> tuple[float, float]:
    db = sqlite3.connect(directory / "rows.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE telemetry (id INTEGER PRIMARY KEY, session_id TEXT, timestamp TEXT,"
        " channel TEXT, value REAL, unit TEXT)"
    )
    db.execute("CREATE INDEX telemetry_lookup ON telemetry (session_id, channel, timestamp)")
    began = time.perf_counter()
    for payload in payloads:
        data = json.loads(payload)["data"]
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO telemetry (session_id, timestamp, channel, value, unit)"
            " VALUES (?, ?, ?, ?, ?)",
            [("bench", d["timestamp"], d["channel"], d["value"], d["unit"]) for d in data],
        )
        db.execute("COMMIT")
    write_s = time.perf_counter() - began
    began = time.perf_counter()
    newest = db.execute(
        "SELECT timestamp, channel, value, unit FROM telemetry WHERE session_id = ?"
        " AND channel = ? ORDER BY timestamp DESC LIMIT 1000",
        ("bench", "rpm"),
    ).fetchall()
    latest = db.execute(
        "SELECT timestamp, channel, value, unit FROM telemetry WHERE session_id = ?"
        " AND channel = ? ORDER BY timestamp DESC LIMIT 1",
        ("bench", "motor_current"),
    ).fetchone()
    read_s = time.perf_counter() - began
    assert len(newest) == 1000 and latest[1] == "motor_current"
    db.close()
    return write_s, read_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    payloads = bodies(args.batches, args.samples)
    total = args.batches * args.samples
    with tempfile.TemporaryDirectory() as tmp:
        p_write, p_read = run_paddock(Path(tmp) / "paddock", payloads)
        s_write, s_read = run_sqlite(Path(tmp), payloads)
    print(f"{args.batches} batches x {args.samples} samples ({total} samples)")
    print(
        f"ingest  paddock {p_write:.3f} s ({total / p_write:,.0f} samples/s)  "
        f"sqlite rows {s_write:.3f} s ({total / s_write:,.0f} samples/s)  "
        f"ratio {s_write / p_write:.2f}x"
    )
    print(
        f"queries paddock {p_read * 1e3:.1f} ms  sqlite rows {s_read * 1e3:.1f} ms  "
        f"ratio {s_read / p_read:.2f}x"
    )


if __name__ == "__main__":
    main()
