"""Wire-level helpers for Project CARS 2 packet dicts: integer ranges, units, empty records."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Packet = dict[str, Any]
Encode = Callable[[Packet], bytes]

PACKET_TYPES = {
    "telemetry": 0,
    "race": 1,
    "participants": 2,
    "timings": 3,
    "game_state": 4,
    "time_stats": 7,
    "vehicle_names": 8,
    "class_names": 8,
}
"""Wire packet type (``mPacketType``) of each tag; names share type 8 in two parts."""

NO_TIME = -1.0
"""What the game sends for a lap or sector time that does not exist yet."""


def _clamp_int(value: float, low: int, high: int) -> int:
    if not math.isfinite(value):
        return 0
    return int(min(max(round(value), low), high))


def u8(value: float) -> int:
    """Round and clamp to an unsigned byte."""
    return _clamp_int(value, 0, 255)


def i8(value: float) -> int:
    """Round and clamp to a signed byte."""
    return _clamp_int(value, -128, 127)


def u16(value: float) -> int:
    """Round and clamp to an unsigned 16-bit integer."""
    return _clamp_int(value, 0, 65535)


def i16(value: float) -> int:
    """Round and clamp to a signed 16-bit integer."""
    return _clamp_int(value, -32768, 32767)


def time_or_none(value: float | None) -> float:
    """Return ``value``, or :data:`NO_TIME` when there is none."""
    return NO_TIME if value is None else value


def kelvin(celsius: float) -> int:
    """Convert °C to whole kelvin as a u16 (the tyre layer temperatures' unit)."""
    return u16(celsius + 273.15)


def empty_participant_info() -> Packet:
    """Return an all-zero ``timings`` participant record (an unused slot)."""
    return {
        "world_position": [0, 0, 0],
        "orientation": [0, 0, 0],
        "current_lap_distance": 0,
        "race_position": 0,
        "sector": 0,
        "highest_flag": 0,
        "pit_mode_schedule": 0,
        "car_index": 0,
        "race_state": 0,
        "current_lap": 0,
        "current_time": 0.0,
        "current_sector_time": 0.0,
        "mp_participant_index": 0,
    }


def empty_stats() -> Packet:
    """Return an all-zero ``time_stats`` record (an unused slot)."""
    return {
        "fastest_lap_time": 0.0,
        "last_lap_time": 0.0,
        "last_sector_time": 0.0,
        "fastest_sector1_time": 0.0,
        "fastest_sector2_time": 0.0,
        "fastest_sector3_time": 0.0,
        "participant_online_rep": 0,
        "mp_participant_index": 0,
    }
