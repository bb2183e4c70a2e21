"""Benchmark: decoding the same CAN frames with paddock's CanDecoder and with cantools.

Frames: the real Toyota RAV4 powertrain traffic of comma2k19 (bus 0 of the log in
``PADDOCK_TESTDATA``, default ``../shared/testdata``), the frames whose id the DBC has, cycled up
to ``--n`` frames (default 1,000,000); DBC: opendbc's ``_toyota_2017.dbc``, the one that decodes
that log. Without the test data it stops with a message.

Timed in one run, on the same frames and the same DBC:

(a) cantools: ``db.decode_message(id, data, decode_choices=False)`` for every frame (the dicts
    are not kept, which favours cantools; the frames cantools refuses — the overlapping
    ``PCS_HUD`` message — are left out beforehand so every call decodes);
(b) paddock, payloads as a Python list of ``bytes`` (the same objects cantools gets): the time
    includes turning the list into an Arrow array and the result into polars DataFrames;
(c) paddock, payloads as the log's NumPy ``S8`` array (read in place).

Both are first checked to agree on a sample. Run after a release build
(``.venv/bin/maturin develop --release --skip-install``) with
``.venv/bin/python benches/bench_can.py``; ``--n`` shrinks the run.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

import numpy as np

from paddock import _native
from paddock.can import CanDecoder, load_database

REPO = Path(__file__).resolve().parent.parent
TESTDATA = Path(os.environ.get("PADDOCK_TESTDATA", REPO.parent / "shared" / "testdata"))
LOG = TESTDATA / "canlogs" / "comma2k19" / "processed_log" / "CAN" / "raw_can"
DBC = TESTDATA / "dbc" / "opendbc" / "_toyota_2017.dbc"


def frames(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` frames (ts_ns, ids, S8 payloads) of the real log's bus 0, ids of the DBC only."""
    load = lambda name: np.load(LOG / name, allow_pickle=False)  # noqa: E731
    t, address, data, src = load("t"), load("address"), load("data"), load("src")
    db = load_database(DBC)
    decodable = set()
    for m in db.messages:
        try:
            db.decode_message(m.frame_id, bytes(m.length), decode_choices=False)
            decodable.add(m.frame_id)
        except Exception:  # cantools cannot decode this message at all (overlapping signals)
            pass
    keep = (src == 0) & np.isin(address, sorted(decodable))
    t, address, data = t[keep], address[keep], data[keep]
    reps = math.ceil(n / len(t))
    span = t[-1] - t[0] + 0.01
    ts = np.concatenate([t + i * span for i in range(reps)])[:n]
    return (
        np.round(ts * 1e9).astype(np.int64),
        np.tile(address, reps)[:n],
        np.tile(data, reps)[:n],
    )


def main() -> None:
    """Run the benchmark and print frames/s of both and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="frames to decode")
    args = parser.parse_args()
    if not LOG.is_dir() or not DBC.is_file():
        raise SystemExit(f"test data not found under {TESTDATA} (set PADDOCK_TESTDATA)")

    ts, ids, data = frames(args.n)
    payloads = [bytes(d).ljust(8, b"\0") for d in data]
    id_list = ids.tolist()
    db = load_database(DBC)
    decoder = CanDecoder.from_dbc(DBC)
    print(f"build profile: {_native.build_profile}; {len(ts):,} frames, DBC {DBC.name}")

    # Agreement on a sample.
    sample = decoder.decode(ts[:5000], ids[:5000], data[:5000])
    rows = {name: iter(frame.iter_rows(named=True)) for name, frame in sample.items()}
    names = {m.frame_id: m.name for m in db.messages}
    for i in range(5000):
        expected = db.decode_message(id_list[i], payloads[i], decode_choices=False)
        row = next(rows[names[id_list[i]]])
        assert all(row[k] == v for k, v in expected.items()), (i, expected, row)

    start = time.perf_counter()
    decode_message = db.decode_message
    for frame_id, payload in zip(id_list, payloads, strict=True):
        decode_message(frame_id, payload, decode_choices=False)
    cantools_s = time.perf_counter() - start

    start = time.perf_counter()
    out_list = decoder.decode(ts, ids, payloads)
    paddock_list_s = time.perf_counter() - start

    start = time.perf_counter()
    out_numpy = decoder.decode(ts, ids, data)
    paddock_numpy_s = time.perf_counter() - start

    assert out_list.stats.decoded == out_numpy.stats.decoded == len(ts)
    n = len(ts)
    rates = {
        "cantools decode_message": n / cantools_s,
        "paddock CanDecoder (list of bytes)": n / paddock_list_s,
        "paddock CanDecoder (NumPy S8 array)": n / paddock_numpy_s,
    }
    for label, rate in rates.items():
        print(f"{label:40s} {rate:14,.0f} frames/s")
    base = rates["cantools decode_message"]
    print(f"ratio (list of bytes):  {rates['paddock CanDecoder (list of bytes)'] / base:6.1f}x")
    print(f"ratio (NumPy S8 array): {rates['paddock CanDecoder (NumPy S8 array)'] / base:6.1f}x")


if __name__ == "__main__":
    main()
