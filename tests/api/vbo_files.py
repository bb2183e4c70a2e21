"""VBO text for tests: a car lapping a circle, with a start/finish gate across it."""

from __future__ import annotations

import math

LAT0, LON0 = 45.0, -9.0  # VBO longitude minutes are positive west: 9° W is +540'
R_M = 200.0
M_PER_DEG = 6_371_008.8 * math.pi / 180


def _minutes_lat(lat: float) -> str:
    return f"{lat * 60:+.8f}"


def _minutes_long(lon: float) -> str:
    return f"{-lon * 60:+.8f}"


def circle_vbo(laps: float = 3.25, lap_s: float = 40.0, hz: float = 10.0) -> str:
    """A VBO file of ``laps`` laps round a circle, starting a quarter lap before the gate."""
    dlon = 1 / (M_PER_DEG * math.cos(math.radians(LAT0)))
    gate = (LON0 + (R_M - 20) * dlon, LAT0, LON0 + (R_M + 20) * dlon, LAT0)
    lines = [
        "File created on 02/03/2024 @ 10:00:00",
        "",
        "[header]",
        "satellites",
        "time",
        "latitude",
        "longitude",
        "velocity kmh",
        "heading",
        "height",
        "",
        "[laptiming]",
        "Start   "
        + " ".join(
            [
                _minutes_long(gate[0]),
                _minutes_lat(gate[1]),
                _minutes_long(gate[2]),
                _minutes_lat(gate[3]),
            ]
        )
        + " ¬ Start / Finish",
        "",
        "[column names]",
        "sats time lat long velocity heading height",
        "",
        "[data]",
    ]
    speed_kmh = 2 * math.pi * R_M / lap_s * 3.6
    for i in range(int(laps * lap_s * hz)):
        t = i / hz
        angle = -math.pi / 2 + 2 * math.pi * t / lap_s
        lat = LAT0 + R_M * math.sin(angle) / M_PER_DEG
        lon = LON0 + R_M * math.cos(angle) * dlon
        tod = 10 * 3600 + t
        hhmmss = f"{int(tod // 3600):02d}{int(tod % 3600 // 60):02d}{tod % 60:06.3f}"
        heading = (math.degrees(-angle)) % 360
        lines.append(
            f"010 {hhmmss} {_minutes_lat(lat)} {_minutes_long(lon)} {speed_kmh:07.3f}"
            f" {heading:07.3f} +00100.00"
        )
    return "\r\n".join(lines) + "\r\n"
