"""Bodies of the live, metadata and health endpoints."""

from __future__ import annotations

import msgspec


class Inputs(msgspec.Struct, kw_only=True):
    """Driver inputs, 0..1 (steer −1..1)."""

    throttle: float | None = None
    brake: float | None = None
    clutch: float | None = None
    steer: float | None = None


class FeedLive(msgspec.Struct, kw_only=True):
    """One feed in ``GET /api/live``: health, rate, counters and the newest values."""

    name: str
    kind: str
    protocol: str
    health: str
    reason: str | None
    frequency_hz: float
    bind: str | None
    port: int | None
    packets: int
    bytes: int
    decode_errors: int
    last_error: str | None
    drops: int
    last_packet_ns: int | None
    kernel_drops: int | None = None
    ring_rows: int = 0
    ring_capacity: int | None = None
    ring_evicted: int = 0
    detected_format: str | None = None
    speed_kmh: float | None = None
    rpm: float | None = None
    gear: int | None = None
    inputs: Inputs = msgspec.field(default_factory=Inputs)
    lap: int | None = None
    lap_time_s: float | None = None
    last_lap_s: float | None = None
    best_lap_s: float | None = None
    sector: int | None = None


class Live(msgspec.Struct, kw_only=True):
    """``GET /api/live``: every feed, and the recording running now (if any)."""

    timestamp_ns: int
    feeds: list[FeedLive]
    recording_id: str | None = None


class Game(msgspec.Struct, kw_only=True):
    """A game paddock can receive telemetry from."""

    id: str
    name: str
    protocol: str
    port: int
    transport: str
    live: bool
    simulated: bool


class UseCase(msgspec.Struct, kw_only=True):
    """An analysis use case a session can be created for."""

    id: str
    name: str
    description: str


class CanHealth(msgspec.Struct, kw_only=True):
    """The CAN reader in ``/api/health`` (Pitwall's ``can`` block)."""

    connected: bool
    fps: float
    frames_total: int


class Health(msgspec.Struct, kw_only=True):
    """``GET /api/health``."""

    status: str
    version: str
    build_profile: str
    uptime_s: float
    feeds: dict[str, str]
    recording: bool
    data_dir: str
    subscribers: int
    can: CanHealth | None = None
    """The CAN feed, when CAN is configured."""


class CarStanding(msgspec.Struct, kw_only=True):
    """One car of the field, as the feed's game reports it (ACC)."""

    car_index: int
    position: int
    cup_position: int
    track_position: int
    race_number: int | None
    team_name: str | None
    driver: str | None
    laps: int
    lap: int
    spline_position: float
    speed_kmh: float
    gear: int
    car_location: int
    delta_ms: int
    lap_time_s: float | None
    last_lap_s: float | None
    best_lap_s: float | None
    ts_ns: int
