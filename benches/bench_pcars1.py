"""Benchmark: decoding Project CARS 1 telemetry with paddock against pure-Python ``struct``.

Generates realistic 1367-byte telemetry datagrams (a car lapping a circle among 20 cars: speed,
rpm, gears, pedals, temperatures, lap times and every car's position vary), then times in one run:

(a) ``paddock.protocols.pcars1.decode_batch`` over all of them, into one Arrow batch, and the
    same in chunks (the time includes converting the Python list of ``bytes`` into slices);
(b) a straightforward pure-Python decoder: one precompiled ``struct.Struct`` for the whole
    packet and one dict per packet with the same field names as paddock's decode (arrays as
    lists, the 56 participants as a list of dicts). The dicts are not kept, which favours Python.

Both decoders are first checked to agree on a sample of packets. Run with
``.venv/bin/python benches/bench_pcars1.py`` after a release build
(``.venv/bin/maturin develop --release --skip-install``); ``--n`` shrinks the run.
"""

from __future__ import annotations

import math
import struct
import time
from typing import Any

import _decode_bench as bench
from paddock.protocols import pcars1

# (name, count): count 0 is a scalar, otherwise a list of that many values.
LAYOUT: list[tuple[str, str, int]] = [
    ("build_version_number", "H", 0),
    ("packet_type_sequence", "B", 0),
    ("game_session_state", "B", 0),
    ("viewed_participant_index", "b", 0),
    ("num_participants", "b", 0),
    ("unfiltered_throttle", "B", 0),
    ("unfiltered_brake", "B", 0),
    ("unfiltered_steering", "b", 0),
    ("unfiltered_clutch", "B", 0),
    ("race_state_flags", "B", 0),
    ("laps_in_event", "B", 0),
    *[
        (name, "f", 0)
        for name in (
            "best_lap_time",
            "last_lap_time",
            "current_time",
            "split_time_ahead",
            "split_time_behind",
            "split_time",
            "event_time_remaining",
            "personal_fastest_lap_time",
            "world_fastest_lap_time",
        )
    ],
    *[
        (f"{kind}_sector{i}_time", "f", 0)
        for kind in ("current", "fastest", "personal_fastest", "world_fastest")
        for i in (1, 2, 3)
    ],
    ("joy_pad", "H", 0),
    ("highest_flag", "B", 0),
    ("pit_mode_schedule", "B", 0),
    ("oil_temp_celsius", "h", 0),
    ("oil_pressure_kpa", "H", 0),
    ("water_temp_celsius", "h", 0),
    ("water_pressure_kpa", "H", 0),
    ("fuel_pressure_kpa", "H", 0),
    ("car_flags", "B", 0),
    ("fuel_capacity", "B", 0),
    ("brake", "B", 0),
    ("throttle", "B", 0),
    ("clutch", "B", 0),
    ("steering", "b", 0),
    ("fuel_level", "f", 0),
    ("speed", "f", 0),
    ("rpm", "H", 0),
    ("max_rpm", "H", 0),
    ("gear_num_gears", "B", 0),
    ("boost_amount", "B", 0),
    ("enforced_pit_stop_lap", "b", 0),
    ("crash_state", "B", 0),
    ("odometer_km", "f", 0),
    *[
        (name, "f", 3)
        for name in (
            "orientation",
            "local_velocity",
            "world_velocity",
            "angular_velocity",
            "local_acceleration",
            "world_acceleration",
            "extents_centre",
        )
    ],
    ("tyre_flags", "B", 4),
    ("terrain", "B", 4),
    ("tyre_y", "f", 4),
    ("tyre_rps", "f", 4),
    ("tyre_slip_speed", "f", 4),
    ("tyre_temp", "B", 4),
    ("tyre_grip", "B", 4),
    ("tyre_height_above_ground", "f", 4),
    ("tyre_lateral_stiffness", "f", 4),
    ("tyre_wear", "B", 4),
    ("brake_damage", "B", 4),
    ("suspension_damage", "B", 4),
    ("brake_temp_celsius", "h", 4),
    ("tyre_tread_temp", "H", 4),
    ("tyre_layer_temp", "H", 4),
    ("tyre_carcass_temp", "H", 4),
    ("tyre_rim_temp", "H", 4),
    ("tyre_internal_air_temp", "H", 4),
    ("wheel_local_position_y", "f", 4),
    ("ride_height", "f", 4),
    ("suspension_travel", "f", 4),
    ("suspension_velocity", "f", 4),
    ("air_pressure", "H", 4),
    ("engine_speed", "f", 0),
    ("engine_torque", "f", 0),
    ("aero_damage", "B", 0),
    ("engine_damage", "B", 0),
    ("ambient_temperature", "b", 0),
    ("track_temperature", "b", 0),
    ("rain_density", "B", 0),
    ("wind_speed", "b", 0),
    ("wind_direction_x", "b", 0),
    ("wind_direction_y", "b", 0),
]
HEAD = struct.Struct("<" + "".join(code * max(count, 1) for _, code, count in LAYOUT))
PARTICIPANT = struct.Struct("<3hHBBBBf")
TAIL = struct.Struct("<f2BB")
assert HEAD.size == 464 and PARTICIPANT.size == 16 and HEAD.size + 56 * 16 + TAIL.size == 1367
# (name, start, end) into the unpacked values; end None for a scalar.
SLICES = []
_at = 0
for _name, _code, _count in LAYOUT:
    SLICES.append((_name, _at, _at + _count if _count else None))
    _at += max(_count, 1)


def decode_python(datagram: bytes) -> dict[str, Any]:
    """Decode one telemetry datagram with ``struct``, as a Python user would."""
    if len(datagram) != 1367 or datagram[2] & 3 != 0:
        raise ValueError("not a Project CARS 1 telemetry packet")
    v = HEAD.unpack_from(datagram)
    out: dict[str, Any] = {"packet": "telemetry"}
    for name, start, end in SLICES:
        out[name] = v[start] if end is None else list(v[start:end])
    out["participants"] = [
        {
            "world_position": [x, y, z],
            "current_lap_distance": dist,
            "race_position": pos,
            "laps_completed": laps,
            "current_lap": lap,
            "sector": sector,
            "last_sector_time": last,
        }
        for x, y, z, dist, pos, laps, lap, sector, last in PARTICIPANT.iter_unpack(
            datagram[464:1360]
        )
    ]
    track_length, wing0, wing1, d_pad = TAIL.unpack_from(datagram, 1360)
    out["track_length"] = track_length
    out["wings"] = [wing0, wing1]
    out["d_pad"] = d_pad
    return out


def realistic_packets(distinct: int) -> list[bytes]:
    """Encode ``distinct`` telemetry packets of a car lapping a 1 km circle among 20 cars."""
    out = []
    for i in range(distinct):
        phase = 2.0 * math.pi * i / distinct
        speed = 40.0 + 25.0 * math.sin(3.0 * phase)
        accel = 75.0 * math.cos(3.0 * phase) * 3.0 / distinct * 60.0
        rpm = 3000.0 + 4500.0 * (0.5 + 0.5 * math.sin(7.0 * phase))
        gear = 1 + int(speed // 15.0)
        brake = max(0.0, -accel) / 10.0
        tyre = [80.0 + 10.0 * math.sin(phase + w) for w in range(4)]
        cars = [
            {
                "world_position": [
                    int(160 * math.sin(phase + c / 3)),
                    1,
                    int(160 * math.cos(phase + c / 3)),
                ],
                "current_lap_distance": int(1000 * ((i / distinct + c / 60) % 1.0)),
                "race_position": 0x80 | (c + 1),
                "laps_completed": 2,
                "current_lap": 3,
                "sector": 1 + int(3 * ((i / distinct + c / 60) % 1.0)),
                "last_sector_time": 30.0 + c,
            }
            for c in range(20)
        ]
        packet = {
            "packet": "telemetry",
            "build_version_number": 1200,
            "packet_type_sequence": (i & 0x3F) << 2,
            "game_session_state": 0x52,
            "viewed_participant_index": 0,
            "num_participants": 20,
            "unfiltered_throttle": int(255 * (0.5 + 0.5 * math.sin(5.0 * phase))),
            "unfiltered_brake": min(255, int(255 * brake)),
            "unfiltered_steering": int(60 * math.sin(phase)),
            "race_state_flags": 2,
            "laps_in_event": 10,
            "best_lap_time": 95.5,
            "last_lap_time": 96.25,
            "current_time": 96.0 * i / distinct,
            "current_sector1_time": 32.0 * i / distinct,
            "oil_temp_celsius": int(95 + 10 * math.sin(phase)),
            "oil_pressure_kpa": int(350 + 50 * math.sin(7.0 * phase)),
            "water_temp_celsius": int(88 + 5 * math.sin(phase)),
            "water_pressure_kpa": 150,
            "fuel_pressure_kpa": 400,
            "car_flags": 2,
            "fuel_capacity": 45,
            "brake": min(255, int(255 * brake)),
            "throttle": int(255 * (0.5 + 0.5 * math.sin(5.0 * phase))),
            "steering": int(60 * math.sin(phase)),
            "fuel_level": 0.8 - 0.3 * i / distinct,
            "speed": speed,
            "rpm": int(rpm),
            "max_rpm": 8000,
            "gear_num_gears": (gear & 0x0F) | (6 << 4),
            "enforced_pit_stop_lap": -1,
            "odometer_km": 1.0 * i / distinct,
            "orientation": [0.01 * math.sin(phase), phase - math.pi, 0.0],
            "local_velocity": [0.0, 0.0, -speed],
            "world_velocity": [speed * math.sin(phase), 0.0, speed * math.cos(phase)],
            "angular_velocity": [0.0, 0.2 * math.sin(phase), 0.0],
            "local_acceleration": [speed * speed / 160.0, 0.0, -accel],
            "world_acceleration": [accel * math.sin(phase), -9.8, accel * math.cos(phase)],
            "extents_centre": [0.0, 0.55, 0.0],
            "tyre_flags": [7, 7, 7, 7],
            "tyre_y": [0.34, 0.34, 0.35, 0.35],
            "tyre_rps": [-speed / 0.33] * 4,
            "tyre_slip_speed": [0.1 * math.sin(phase + w) for w in range(4)],
            "tyre_temp": [int(t) for t in tyre],
            "tyre_grip": [255] * 4,
            "tyre_lateral_stiffness": [200000.0] * 4,
            "tyre_wear": [i % 50] * 4,
            "brake_temp_celsius": [int(300 + 200 * brake + 10 * w) for w in range(4)],
            "tyre_tread_temp": [int(t + 273.15) for t in tyre],
            "tyre_layer_temp": [int(t + 270) for t in tyre],
            "tyre_carcass_temp": [int(t + 267) for t in tyre],
            "tyre_rim_temp": [320, 321, 322, 323],
            "tyre_internal_air_temp": [330, 331, 332, 333],
            "wheel_local_position_y": [-0.24, -0.24, -0.25, -0.25],
            "ride_height": [0.06 + 0.005 * math.sin(phase * 9.0 + w) for w in range(4)],
            "suspension_travel": [0.05 + 0.005 * math.cos(phase * 9.0 + w) for w in range(4)],
            "suspension_velocity": [0.01 * math.sin(phase * 13.0 + w) for w in range(4)],
            "air_pressure": [175, 176, 171, 172],
            "engine_speed": rpm * math.pi / 30.0,
            "engine_torque": 250.0 + 150.0 * math.sin(7.0 * phase),
            "ambient_temperature": 24,
            "track_temperature": 31,
            "participants": cars,
            "track_length": 1005.0,
            "wings": [4, 6],
        }
        out.append(pcars1.encode(packet))
    return out


def datagrams(n: int, distinct: int = 1000) -> list[bytes]:
    """``n`` datagrams cycling over the distinct packets, with fresh sequence numbers."""
    base = realistic_packets(min(n, distinct))
    out = []
    for i in range(n):
        packet = bytearray(base[i % len(base)])
        packet[2] = (i & 0x3F) << 2
        out.append(bytes(packet))
    return out


def main() -> None:
    """Run the benchmark and print packets per second of both decoders and their ratio."""
    args = bench.arguments(__doc__.splitlines()[0], 300_000, chunk=16_384)
    started = time.perf_counter()
    data = datagrams(args.n)
    print(f"generated {args.n:,} datagrams in {time.perf_counter() - started:.1f} s")
    bench.check_agreement(data[:: max(1, args.n // 200)], pcars1.decode, decode_python)

    batch = bench.batch_rows(pcars1.decode_batch, "telemetry")

    bench.run(data, batch, decode_python, rows=args.n, repeat=args.repeat, chunk=args.chunk)


if __name__ == "__main__":
    main()
