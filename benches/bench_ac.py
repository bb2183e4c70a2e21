"""Benchmark: decoding Assetto Corsa RTCarInfo with paddock against pure-Python ``struct``.

Uses the real Monza capture (8,641 RTCarInfo records from ``PADDOCK_TESTDATA``, default
``../shared/testdata``) cycled up to ``--n`` datagrams; without the capture it generates records
with ``paddock.protocols.ac.encode``. Then times in one run:

(a) ``paddock.protocols.ac.decode_batch`` over all of them, into one Arrow batch (the time
    includes converting the Python list of ``bytes`` into slices);
(b) a straightforward pure-Python decoder: one precompiled ``struct.Struct`` for the whole
    328-byte record and one dict per packet with the same field names as paddock's decode. The
    dicts are not kept, which favours Python.

Both decoders are first checked to agree on a sample. Run with
``.venv/bin/python benches/bench_ac.py`` after a release build
(``.venv/bin/maturin develop --release --skip-install``); ``--n`` shrinks the run.
"""

from __future__ import annotations

import math
import os
import struct
from pathlib import Path
from typing import Any

import _decode_bench as bench
from paddock.protocols import ac

CAR_INFO = struct.Struct("<B3xi3f6B2x3f4i5fif" + "4f" * 14 + "2f3f")
assert CAR_INFO.size == 328

WHEELS = [
    "wheel_angular_speed",
    "slip_angle",
    "slip_angle_contact_patch",
    "slip_ratio",
    "tyre_slip",
    "nd_slip",
    "load",
    "dy",
    "mz",
    "tyre_dirty_level",
    "camber_rad",
    "tyre_radius",
    "tyre_loaded_radius",
    "suspension_height",
]
SCALARS = [
    "identifier",
    "size",
    "speed_kmh",
    "speed_mph",
    "speed_ms",
    "is_abs_enabled",
    "is_abs_in_action",
    "is_tc_in_action",
    "is_tc_enabled",
    "is_in_pit",
    "is_engine_limiter_on",
    "acc_g_vertical",
    "acc_g_horizontal",
    "acc_g_frontal",
    "lap_time",
    "last_lap",
    "best_lap",
    "lap_count",
    "gas",
    "brake",
    "clutch",
    "engine_rpm",
    "steer",
    "gear",
    "cg_height",
]
CAPTURE = "udp/assetto_corsa/AssettoCorsa_monza_A8LMS.raw"


def decode_python(datagram: bytes) -> dict[str, Any]:
    """Decode one RTCarInfo datagram with ``struct``, as a Python user would."""
    if len(datagram) != 328 or datagram[0] != 0x61:
        raise ValueError("not an RTCarInfo record")
    v = CAR_INFO.unpack(datagram)
    out: dict[str, Any] = {"packet": "car_info"}
    out.update(zip(SCALARS, v[:25], strict=True))
    at = 25
    for name in WHEELS:
        out[name] = list(v[at : at + 4])
        at += 4
    out["car_position_normalized"] = v[at]
    out["car_slope"] = v[at + 1]
    out["car_coordinates"] = list(v[at + 2 : at + 5])
    return out


def records() -> list[bytes]:
    """The real capture's records, or 1,000 generated ones when it is absent."""
    default = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"
    root = Path(os.environ.get("PADDOCK_TESTDATA", default))
    path = root / CAPTURE
    if path.is_file():
        data = path.read_bytes()
        print(f"using the real capture {path}")
        return [data[i : i + 328] for i in range(0, len(data), 328)]
    print(f"capture not found at {path}; generating records")
    out = []
    for i in range(1000):
        phase = 2.0 * math.pi * i / 1000
        speed = 40.0 + 25.0 * math.sin(3.0 * phase)
        out.append(
            ac.encode(
                {
                    "packet": "car_info",
                    "speed_kmh": speed * 3.6,
                    "speed_ms": speed,
                    "engine_rpm": 3000.0 + 4000.0 * (0.5 + 0.5 * math.sin(7.0 * phase)),
                    "gear": 2 + int(speed // 15.0),
                    "lap_time": i * 16,
                    "car_coordinates": [160.0 * math.sin(phase), 1.0, 160.0 * math.cos(phase)],
                }
            )
        )
    return out


def main() -> None:
    """Run the benchmark and print packets per second of both decoders and their ratio."""
    args = bench.arguments(__doc__.splitlines()[0], 1_000_000)
    base = records()
    data = [base[i % len(base)] for i in range(args.n)]
    bench.check_agreement(base[:: max(1, len(base) // 200)], ac.decode, decode_python)

    batch = bench.batch_rows(ac.decode_batch, "car_info")

    bench.run(data, batch, decode_python, rows=args.n, repeat=args.repeat)


if __name__ == "__main__":
    main()
