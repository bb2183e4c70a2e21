"""A recorder process for the kill test: records, flushes, keeps writing, then waits to be killed.

Usage: ``python -m tests.e2e.killed_writer DATA_DIR``. Prints ``started <id>``, then
``flushed <messages>`` once every message so far is in complete MCAP chunks on disk, then
``pending`` once more data sits in an unfinished chunk. It then sleeps (bounded) until killed.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pyarrow as pa

from paddock.sources.base import FeedBatch
from paddock.store.catalog import Catalog
from paddock.store.recordings import Recorder, RecordingRequest

T0 = 1_700_000_000_000_000_000
BATCHES = 20
ROWS = 50


def batch(k: int, rng: random.Random) -> FeedBatch:
    """Batch ``k``: ``ROWS`` frames and ``ROWS`` incompressible datagrams, 10 ms apart."""
    ts = pa.array([T0 + (k * ROWS + i) * 10_000_000 for i in range(ROWS)], pa.int64())
    frames = pa.record_batch(
        {"ts_ns": ts, "speed_kmh": pa.array([rng.uniform(0, 300) for _ in range(ROWS)])}
    )
    payloads = [rng.randbytes(1200) for _ in range(ROWS)]
    raw = pa.record_batch({"ts_ns": ts, "payload": pa.array(payloads, pa.binary())})
    return FeedBatch(feed="pcars", protocol="project_cars_2", raw=raw, frames=frames)  # type: ignore[arg-type]


def main(data_dir: Path) -> None:
    """Records until killed; see the module docstring."""
    rng = random.Random(7)
    recorder = Recorder(
        Catalog(data_dir / "catalog.sqlite3"), data_dir / "recordings", flush_interval_s=3600
    )
    manifest = recorder.start(RecordingRequest(name="killed mid-write"))
    print("started", manifest["id"], flush=True)
    active = recorder.active
    assert active is not None
    for k in range(BATCHES):
        active.write(batch(k, rng))
    with active._lock:
        active._flush_all()
    print("flushed", BATCHES * ROWS * 2, flush=True)
    # About 1.2 MB of datagrams more, in a chunk that never closes (the chunk size is 1 MiB, so
    # part of it is on disk when the process dies).
    for k in range(BATCHES, BATCHES + 14):
        active.write(batch(k, rng))
    print("pending", flush=True)
    for _ in range(600):
        time.sleep(0.1)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
