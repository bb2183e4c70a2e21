"""Benchmark: decoding ACC broadcasting messages with paddock against pure-Python ``struct``.

The stream is what a registered client receives in a 30-car race: per update interval one
REALTIME_UPDATE and 30 REALTIME_CAR_UPDATEs (each with three lap records and their splits),
generated with ``paddock.protocols.acc.encode`` (no public capture exists). Then, in one run:

(a) ``paddock.protocols.acc.decode_batch`` over all of them, into one Arrow batch per message type
    (the time includes converting the Python list of ``bytes`` into slices);
(b) a straightforward pure-Python decoder: precompiled ``struct.Struct`` objects for the fixed
    parts, a cursor over the variable ones (length-prefixed strings, counted split lists) and one
    dict per message with the same fields as paddock's decode. The dicts are not kept, which
    favours Python.

Both decoders are first checked to agree on a sample. Run with ``.venv/bin/python
benches/bench_acc.py`` (after ``.venv/bin/maturin develop --release --skip-install`` for release
figures); ``--n`` shrinks the run.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import _decode_bench as bench
from paddock.protocols import acc

CARS = 30
CAR_HEAD = struct.Struct("<HHBBfffBHHHHfHi")
LAP_HEAD = struct.Struct("<iHHB")
LAP_TAIL = struct.Struct("<4B")
RT_HEAD = struct.Struct("<HHBBffi")
RT_MID = struct.Struct("<fBBBBB")
U16 = struct.Struct("<H")
F32X2 = struct.Struct("<ff")
CAR_FIELDS = (
    "car_index",
    "driver_index",
    "driver_count",
    "gear",
    "world_pos_x",
    "world_pos_y",
    "yaw",
    "car_location",
    "kmh",
    "position",
    "cup_position",
    "track_position",
    "spline_position",
    "laps",
    "delta_ms",
)
RT_FIELDS = (
    "event_index",
    "session_index",
    "session_type",
    "phase",
    "session_time",
    "session_end_time",
    "focused_car_index",
)


def _lap(data: bytes, at: int) -> tuple[dict[str, Any], int]:
    laptime, car, driver, n = LAP_HEAD.unpack_from(data, at)
    at += LAP_HEAD.size
    splits = list(struct.unpack_from(f"<{n}i", data, at))
    at += 4 * n
    invalid, valid_best, outlap, inlap = LAP_TAIL.unpack_from(data, at)
    lap = {
        "laptime_ms": laptime,
        "car_index": car,
        "driver_index": driver,
        "splits": splits,
        "is_invalid": invalid,
        "is_valid_for_best": valid_best,
        "is_outlap": outlap,
        "is_inlap": inlap,
    }
    return lap, at + LAP_TAIL.size


def _string(data: bytes, at: int) -> tuple[str, int]:
    (n,) = U16.unpack_from(data, at)
    at += 2
    return data[at : at + n].decode("utf-8"), at + n


def decode_python(data: bytes) -> dict[str, Any]:
    """Decode one REALTIME_CAR_UPDATE or REALTIME_UPDATE, as a Python user would."""
    kind = data[0]
    if kind == 3:
        out: dict[str, Any] = {"packet": "realtime_car_update"}
        out.update(zip(CAR_FIELDS, CAR_HEAD.unpack_from(data, 1), strict=True))
        at = 1 + CAR_HEAD.size
        for name in ("best_session_lap", "last_lap", "current_lap"):
            out[name], at = _lap(data, at)
    elif kind == 2:
        out = {"packet": "realtime_update"}
        out.update(zip(RT_FIELDS, RT_HEAD.unpack_from(data, 1), strict=True))
        at = 1 + RT_HEAD.size
        for name in ("active_camera_set", "active_camera", "current_hud_page"):
            out[name], at = _string(data, at)
        out["is_replay_playing"] = data[at]
        at += 1
        out["replay_session_time"] = out["replay_remaining_time"] = None
        if out["is_replay_playing"]:
            out["replay_session_time"], out["replay_remaining_time"] = F32X2.unpack_from(data, at)
            at += F32X2.size
        values = RT_MID.unpack_from(data, at)
        names = ("time_of_day", "ambient_temp", "track_temp", "clouds", "rain_level", "wetness")
        out.update(zip(names, values, strict=True))
        out["best_session_lap"], at = _lap(data, at + RT_MID.size)
    else:
        raise ValueError(f"message type {kind} is not in this benchmark")
    if at != len(data):
        raise ValueError("trailing bytes")
    return out


def _lap_dict(car: int, ms: int, splits: int) -> dict[str, Any]:
    return {"laptime_ms": ms, "car_index": car, "splits": [ms // 3] * splits}


def messages(rounds: int) -> list[bytes]:
    """``rounds`` update intervals of a 30-car race."""
    out = []
    for r in range(rounds):
        out.append(
            acc.encode(
                {
                    "packet": "realtime_update",
                    "session_time": r * 100.0,
                    "focused_car_index": r % CARS,
                    "active_camera_set": "Drivable",
                    "active_camera": "Cockpit",
                    "current_hud_page": "Basic HUD",
                    "best_session_lap": _lap_dict(3, 101_234, 3),
                }
            )
        )
        for car in range(CARS):
            phase = (r + 7 * car) / 600.0
            out.append(
                acc.encode(
                    {
                        "packet": "realtime_car_update",
                        "car_index": car,
                        "gear": 2 + (r + car) % 6,
                        "world_pos_x": 300.0 * math.sin(phase),
                        "world_pos_y": 300.0 * math.cos(phase),
                        "yaw": phase,
                        "car_location": 1,
                        "kmh": 120 + (r + car) % 140,
                        "position": car + 1,
                        "spline_position": (phase / (2 * math.pi)) % 1.0,
                        "laps": r // 900,
                        "delta_ms": (r * car) % 2000 - 1000,
                        "best_session_lap": _lap_dict(car, 101_000 + car, 3),
                        "last_lap": _lap_dict(car, 102_000 + car, 3),
                        "current_lap": _lap_dict(car, r * 100 % 100_000, r % 3),
                    }
                )
            )
    return out


def main() -> None:
    """Run the benchmark and print messages per second of both decoders and their ratio."""
    args = bench.arguments(__doc__.splitlines()[0], 1_000_000)
    unique = messages(1000)
    bench.check_agreement(unique[:200], acc.decode, decode_python)
    data = (unique * (args.n // len(unique) + 1))[: args.n]
    print(f"messages: {len(data):,} ({CARS} cars per update interval)")

    batch = bench.batch_rows(acc.decode_batch, None)

    bench.run(data, batch, decode_python, rows=args.n, repeat=args.repeat, unit="messages")


if __name__ == "__main__":
    main()
