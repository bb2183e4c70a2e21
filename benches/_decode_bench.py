"""What the decoder benchmarks share: agreement check, timing, the report.

Each ``bench_<protocol>.py`` supplies datagrams, paddock's batch decoder and a pure-Python
decoder of the same packets; :func:`run` checks they agree, times both in one process and prints
packets per second and the ratio.
"""

from __future__ import annotations

import argparse
import math
import struct
import time
from collections.abc import Callable, Sequence
from typing import Any

Decode = Callable[[bytes], dict[str, Any]]
BatchDecode = Callable[[Sequence[bytes], Sequence[int]], int]
"""Decodes datagrams with their receive stamps; returns the rows of the main packet type."""

T0_NS = 1_700_000_000_000_000_000


def f32(value: Any) -> Any:
    """``value`` with every float rounded to f32, recursively (wire floats are f32)."""
    if isinstance(value, float):
        return struct.unpack("<f", struct.pack("<f", value))[0]
    if isinstance(value, list):
        return [f32(item) for item in value]
    if isinstance(value, dict):
        return {key: f32(item) for key, item in value.items()}
    return value


def check_agreement(sample: Sequence[bytes], ours: Decode, theirs: Decode) -> None:
    """Both decoders give the same fields and values on ``sample`` (floats compared as f32)."""
    for datagram in sample:
        a, b = f32(ours(datagram)), f32(theirs(datagram))
        if a != b:
            diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
            raise AssertionError(f"decoders disagree on {diff}")


def arguments(description: str, n: int, *, chunk: int = 0) -> argparse.Namespace:
    """The common command line: ``--n``, ``--repeat`` and, with a default ``chunk``, ``--chunk``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=n, help=f"datagrams (default {n:,})")
    parser.add_argument("--repeat", type=int, default=3, help="paddock runs, best kept")
    parser.set_defaults(chunk=0)
    if chunk:
        parser.add_argument(
            "--chunk",
            type=int,
            default=chunk,
            help="also time paddock decoding the same datagrams in chunks of this many (0: skip)",
        )
    return parser.parse_args()


def batch_rows(decode_batch: Callable[..., Any], table: str | None) -> BatchDecode:
    """A :data:`BatchDecode` over a protocol's ``decode_batch``: no rejection allowed; counts the
    rows of ``table`` (every table's when None).

    Each result is dropped once counted, as a file import or a feed does, so the allocator reuses
    its memory instead of asking the kernel for fresh pages.
    """

    def batch(part: Sequence[bytes], ts_ns: Sequence[int]) -> int:
        result = decode_batch(part, ts_ns=ts_ns)
        assert result.errors == 0, result.first_errors
        tables = result.batches.values() if table is None else [result.batches[table]]
        return int(sum(b.num_rows for b in tables))

    return batch


def _best(repeat: int, run: Callable[[], int], expected_rows: int) -> float:
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run()
        best = min(best, time.perf_counter() - started)
        assert rows == expected_rows, (rows, expected_rows)
    return best


def run(
    data: Sequence[bytes],
    batch: BatchDecode,
    python: Decode,
    *,
    rows: int,
    repeat: int = 3,
    chunk: int = 0,
    unit: str = "packets",
) -> None:
    """Times ``batch`` (best of ``repeat``; also in chunks of ``chunk`` if > 0) and ``python``
    over ``data`` and prints both rates and their ratio.

    ``rows`` is how many rows of the main packet type ``batch`` must return.
    """
    n = len(data)
    ts_ns = list(range(T0_NS, T0_NS + n))
    results = [("paddock decode_batch, one batch", _best(repeat, lambda: batch(data, ts_ns), rows))]
    if chunk > 0:

        def chunked() -> int:
            return sum(batch(data[i : i + chunk], ts_ns[i : i + chunk]) for i in range(0, n, chunk))

        results.append((f"paddock, chunks of {chunk:,}", _best(repeat, chunked, rows)))
    started = time.perf_counter()
    for datagram in data:
        python(datagram)
    python_s = time.perf_counter() - started
    for label, seconds in [*results, ("pure-Python struct", python_s)]:
        print(f"{label:<35}{seconds:8.3f} s  {n / seconds:14,.0f} {unit}/s")
    for label, seconds in results:
        print(f"ratio, {label}: {python_s / seconds:.1f}x")
