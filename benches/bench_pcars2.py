"""Benchmark: decoding Project CARS 2 telemetry with paddock against pure-Python ``struct``.

Generates realistic telemetry datagrams (a car lapping a circle: speed, rpm, gears, pedals,
temperatures and positions all vary), then times in one run:

(a) ``paddock.protocols.pcars2.decode_batch`` over all of them, into one Arrow batch (the time
    includes converting the Python list of ``bytes`` into slices);
(b) a straightforward pure-Python decoder: one precompiled ``struct.Struct`` for the whole
    559-byte packet and one dict per packet with the same field names as paddock's decode
    (arrays as lists, strings cut at the NUL). The dicts are not kept, which favours Python.

Both decoders are first checked to agree on a sample of packets. Run with
``.venv/bin/python benches/bench_pcars2.py`` after a release build
(``.venv/bin/maturin develop --release --skip-install``); ``--n`` shrinks the run.
"""

from __future__ import annotations

import math
import struct
import time
from typing import Any

import _decode_bench as bench
from paddock.protocols import pcars2

TELEMETRY = struct.Struct(
    "<IIBBBB bBBbBB hHhHH BBBB ff HH bBBB f 3f3f3f3f3f3f3f 4B4B 4f4f 4B 4f 4B4B4B 4h"
    " 4H4H4H4H4H4H4H4H 4f4f4f4f 4H4H ff 2B BBB I B 40s40s40s40s f 3f B I"
)
assert TELEMETRY.size == 559


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def decode_python(datagram: bytes) -> dict[str, Any]:
    """Decode one telemetry datagram with ``struct``, as a Python user would."""
    if len(datagram) != 559 or datagram[10] != 0:
        raise ValueError("not a Project CARS 2 telemetry packet")
    v = TELEMETRY.unpack_from(datagram)
    return {
        "packet": "telemetry",
        "packet_number": v[0],
        "category_packet_number": v[1],
        "partial_packet_index": v[2],
        "partial_packet_number": v[3],
        "packet_version": v[5],
        "viewed_participant_index": v[6],
        "unfiltered_throttle": v[7],
        "unfiltered_brake": v[8],
        "unfiltered_steering": v[9],
        "unfiltered_clutch": v[10],
        "car_flags": v[11],
        "oil_temp_celsius": v[12],
        "oil_pressure_kpa": v[13],
        "water_temp_celsius": v[14],
        "water_pressure_kpa": v[15],
        "fuel_pressure_kpa": v[16],
        "fuel_capacity": v[17],
        "brake": v[18],
        "throttle": v[19],
        "clutch": v[20],
        "fuel_level": v[21],
        "speed": v[22],
        "rpm": v[23],
        "max_rpm": v[24],
        "steering": v[25],
        "gear_num_gears": v[26],
        "boost_amount": v[27],
        "crash_state": v[28],
        "odometer_km": v[29],
        "orientation": list(v[30:33]),
        "local_velocity": list(v[33:36]),
        "world_velocity": list(v[36:39]),
        "angular_velocity": list(v[39:42]),
        "local_acceleration": list(v[42:45]),
        "world_acceleration": list(v[45:48]),
        "extents_centre": list(v[48:51]),
        "tyre_flags": list(v[51:55]),
        "terrain": list(v[55:59]),
        "tyre_y": list(v[59:63]),
        "tyre_rps": list(v[63:67]),
        "tyre_temp": list(v[67:71]),
        "tyre_height_above_ground": list(v[71:75]),
        "tyre_wear": list(v[75:79]),
        "brake_damage": list(v[79:83]),
        "suspension_damage": list(v[83:87]),
        "brake_temp_celsius": list(v[87:91]),
        "tyre_tread_temp": list(v[91:95]),
        "tyre_layer_temp": list(v[95:99]),
        "tyre_carcass_temp": list(v[99:103]),
        "tyre_rim_temp": list(v[103:107]),
        "tyre_internal_air_temp": list(v[107:111]),
        "tyre_temp_left": list(v[111:115]),
        "tyre_temp_center": list(v[115:119]),
        "tyre_temp_right": list(v[119:123]),
        "wheel_local_position_y": list(v[123:127]),
        "ride_height": list(v[127:131]),
        "suspension_travel": list(v[131:135]),
        "suspension_velocity": list(v[135:139]),
        "suspension_ride_height": list(v[139:143]),
        "air_pressure": list(v[143:147]),
        "engine_speed": v[147],
        "engine_torque": v[148],
        "wings": list(v[149:151]),
        "hand_brake": v[151],
        "aero_damage": v[152],
        "engine_damage": v[153],
        "joy_pad0": v[154],
        "d_pad": v[155],
        "tyre_compound": [_text(v[156]), _text(v[157]), _text(v[158]), _text(v[159])],
        "turbo_boost_pressure": v[160],
        "full_position": list(v[161:164]),
        "brake_bias": v[164],
        "tick_count": v[165],
    }


def realistic_packets(distinct: int) -> list[bytes]:
    """Encode ``distinct`` telemetry packets of a car lapping a 1 km circle."""
    out = []
    compounds = ["Slick Soft", "Slick Medium", "Slick Hard", "Wet"]
    for i in range(distinct):
        phase = 2.0 * math.pi * i / distinct
        speed = 40.0 + 25.0 * math.sin(3.0 * phase)
        accel = 75.0 * math.cos(3.0 * phase) * 3.0 / distinct * 60.0
        rpm = 3000.0 + 4500.0 * (0.5 + 0.5 * math.sin(7.0 * phase))
        gear = 1 + int(speed // 15.0)
        brake = max(0.0, -accel) / 10.0
        tyre = [80.0 + 10.0 * math.sin(phase + w) for w in range(4)]
        packet = {
            "packet": "telemetry",
            "packet_version": 1,
            "viewed_participant_index": 0,
            "unfiltered_throttle": int(255 * (0.5 + 0.5 * math.sin(5.0 * phase))),
            "unfiltered_brake": min(255, int(255 * brake)),
            "unfiltered_steering": int(60 * math.sin(phase)),
            "car_flags": 2,
            "oil_temp_celsius": int(95 + 10 * math.sin(phase)),
            "oil_pressure_kpa": int(350 + 50 * math.sin(7.0 * phase)),
            "water_temp_celsius": int(88 + 5 * math.sin(phase)),
            "water_pressure_kpa": 150,
            "fuel_pressure_kpa": 400,
            "fuel_capacity": 100,
            "brake": min(255, int(255 * brake)),
            "throttle": int(255 * (0.5 + 0.5 * math.sin(5.0 * phase))),
            "fuel_level": 0.8 - 0.3 * i / distinct,
            "speed": speed,
            "rpm": int(rpm),
            "max_rpm": 8000,
            "steering": int(60 * math.sin(phase)),
            "gear_num_gears": (gear & 0x0F) | (6 << 4),
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
            "tyre_rps": [speed / 0.33] * 4,
            "tyre_temp": [int(t) for t in tyre],
            "tyre_height_above_ground": [0.0] * 4,
            "tyre_wear": [i % 50] * 4,
            "brake_temp_celsius": [int(300 + 200 * brake + 10 * w) for w in range(4)],
            "tyre_tread_temp": [int(t + 273.15) for t in tyre],
            "tyre_layer_temp": [int(t + 270) for t in tyre],
            "tyre_carcass_temp": [int(t + 267) for t in tyre],
            "tyre_rim_temp": [320, 321, 322, 323],
            "tyre_internal_air_temp": [330, 331, 332, 333],
            "tyre_temp_left": [int(t + 275) for t in tyre],
            "tyre_temp_center": [int(t + 273) for t in tyre],
            "tyre_temp_right": [int(t + 271) for t in tyre],
            "wheel_local_position_y": [-0.24, -0.24, -0.25, -0.25],
            "ride_height": [0.06 + 0.005 * math.sin(phase * 9.0 + w) for w in range(4)],
            "suspension_travel": [0.05 + 0.005 * math.cos(phase * 9.0 + w) for w in range(4)],
            "suspension_velocity": [0.01 * math.sin(phase * 13.0 + w) for w in range(4)],
            "suspension_ride_height": [60, 60, 62, 62],
            "air_pressure": [175, 176, 171, 172],
            "engine_speed": rpm * math.pi / 30.0,
            "engine_torque": 250.0 + 150.0 * math.sin(7.0 * phase),
            "wings": [4, 6],
            "joy_pad0": i % 4,
            "tyre_compound": [compounds[(i // 250) % 4]] * 4,
            "turbo_boost_pressure": 100_000.0 + 50_000.0 * math.sin(7.0 * phase),
            "full_position": [160.0 * math.sin(phase), 1.0, 160.0 * math.cos(phase)],
            "brake_bias": 150,
            "tick_count": i,
        }
        out.append(pcars2.encode(packet))
    return out


def datagrams(n: int, distinct: int = 1000) -> list[bytes]:
    """``n`` datagrams cycling over the distinct packets, with fresh header counters."""
    base = realistic_packets(min(n, distinct))
    out = []
    counter = struct.Struct("<II")
    for i in range(n):
        packet = bytearray(base[i % len(base)])
        counter.pack_into(packet, 0, i, i)
        out.append(bytes(packet))
    return out


def main() -> None:
    """Run the benchmark and print packets per second of both decoders and their ratio."""
    args = bench.arguments(__doc__.splitlines()[0], 1_000_000, chunk=4_096)
    started = time.perf_counter()
    data = datagrams(args.n)
    print(f"generated {args.n:,} datagrams in {time.perf_counter() - started:.1f} s")
    bench.check_agreement(data[:: max(1, args.n // 200)], pcars2.decode, decode_python)

    batch = bench.batch_rows(pcars2.decode_batch, "telemetry")

    bench.run(data, batch, decode_python, rows=args.n, repeat=args.repeat, chunk=args.chunk)


if __name__ == "__main__":
    main()
