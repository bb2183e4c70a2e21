"""Ring-buffer append rate: paddock's RingBuffer against a ``collections.deque`` of row dicts.

Both keep the newest 36,000 rows of a 40-channel float frame (plus ``ts_ns``) and receive the
same rows in chunks (64 rows unless ``--chunk`` says otherwise), as a feed delivers them. paddock
appends Arrow record batches (what its decoders produce; here pyarrow slices built before timing),
each crossing into Rust through the Arrow C data interface. The alternative a Python user would
write keeps one dict per row in ``deque(maxlen=36000)``; it is timed twice: appending dicts built
before timing (the bare append, a lower bound on its cost) and building each dict from the
decoded values tuple, as a receive loop must.

Run: ``python benches/bench_ring.py [--rows 2000000] [--chunk 64] [--repeat 3]`` after
``maturin develop --release --skip-install``.
"""

from __future__ import annotations

import argparse
import time
from collections import deque
from collections.abc import Callable

import pyarrow as pa

from paddock import _core  # noqa: TID251 (the benchmark measures the extension itself)

CAPACITY = 36_000
CHANNELS = [f"ch{i:02d}" for i in range(40)]
# Distinct chunks prepared before timing and cycled through; more would only cost memory.
DISTINCT_CHUNKS = 500
PERIOD_NS = 16_666_667  # 60 Hz


def prepare(
    chunk: int,
) -> tuple[list[pa.RecordBatch], list[list[dict[str, float]]], list[list[tuple]]]:
    """The same rows three ways: Arrow chunks, chunks of row dicts, chunks of value tuples."""
    rows = DISTINCT_CHUNKS * chunk
    ts = [i * PERIOD_NS for i in range(rows)]
    columns = {
        name: [float(r * 40 + c) * 0.5 for r in range(rows)] for c, name in enumerate(CHANNELS)
    }
    table = pa.record_batch(
        {
            "ts_ns": pa.array(ts, pa.int64()),
            **{n: pa.array(v, pa.float64()) for n, v in columns.items()},
        }
    )
    batches = [table.slice(i * chunk, chunk) for i in range(DISTINCT_CHUNKS)]
    names = ["ts_ns", *CHANNELS]
    tuples = [
        [(ts[r], *(columns[n][r] for n in CHANNELS)) for r in range(i * chunk, (i + 1) * chunk)]
        for i in range(DISTINCT_CHUNKS)
    ]
    dicts = [[dict(zip(names, t, strict=True)) for t in part] for part in tuples]
    return batches, dicts, tuples


def timed(label: str, rows: int, repeat: int, run: Callable[[], int]) -> float:
    """Best rate of ``repeat`` runs; ``run`` fills a fresh container and returns its length."""
    best = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        kept = run()
        elapsed = time.perf_counter() - started
        assert kept == min(rows, CAPACITY), kept
        best = max(best, rows / elapsed)
    print(f"{label:<52} {best:>14,.0f} rows/s  ({rows / best:.3f} s, best of {repeat})")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows appended per contender")
    parser.add_argument("--chunk", type=int, default=64, help="rows per append")
    parser.add_argument("--repeat", type=int, default=3, help="runs per contender (best is kept)")
    args = parser.parse_args()
    chunk = args.chunk
    appends = args.rows // chunk
    rows = appends * chunk
    batches, dicts, tuples = prepare(chunk)
    names = ["ts_ns", *CHANNELS]
    print(
        f"{rows:,} rows in chunks of {chunk}, {len(CHANNELS)} float channels + ts_ns, "
        f"capacity {CAPACITY:,} rows, paddock {_core.__version__} ({_core.build_profile})"
    )

    def paddock() -> int:
        ring = _core.RingBuffer(CAPACITY)
        append = ring.append
        for i in range(appends):
            append(batches[i % DISTINCT_CHUNKS])
        assert ring.dropped_rows == rows - len(ring)
        return len(ring)

    def deque_prebuilt() -> int:
        dq: deque[dict[str, float]] = deque(maxlen=CAPACITY)
        append = dq.append
        for i in range(appends):
            for row in dicts[i % DISTINCT_CHUNKS]:
                append(row)
        return len(dq)

    def deque_built() -> int:
        dq: deque[dict[str, float]] = deque(maxlen=CAPACITY)
        append = dq.append
        for i in range(appends):
            for values in tuples[i % DISTINCT_CHUNKS]:
                append(dict(zip(names, values, strict=True)))
        return len(dq)

    repeat = args.repeat
    fast = timed(f"paddock RingBuffer.append({chunk}-row Arrow batch)", rows, repeat, paddock)
    bare = timed("deque(maxlen).append(prebuilt row dict)", rows, repeat, deque_prebuilt)
    built = timed("deque(maxlen).append(dict(zip(names, values)))", rows, repeat, deque_built)
    print(f"ratio paddock / deque of prebuilt dicts: {fast / bare:.2f}x")
    print(f"ratio paddock / deque building dicts:   {fast / built:.2f}x")


if __name__ == "__main__":
    main()
