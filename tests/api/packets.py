"""Project CARS 2 packets for API tests, built with paddock's own encoder."""

from __future__ import annotations

from paddock.protocols import pcars2


def telemetry(n: int, *, speed_ms: float = 50.0, gear: int = 4) -> bytes:
    return pcars2.encode(
        {
            "packet": "telemetry",
            "packet_number": n,
            "category_packet_number": n,
            "speed": speed_ms,
            "rpm": 6000,
            "max_rpm": 8000,
            "gear_num_gears": (6 << 4) | gear,
            "throttle": 255,
            "brake": 0,
            "steering": 0,
        }
    )


def timings(n: int, *, lap: int, lap_time_s: float, sector: int = 0) -> bytes:
    participant = {"current_lap": lap, "current_time": lap_time_s, "sector": sector}
    return pcars2.encode(
        {
            "packet": "timings",
            "packet_number": n,
            "num_participants": 1,
            "participants": [participant],
            "local_participant_index": 0,
        }
    )
