"""Bodies of the recordings endpoints."""

from __future__ import annotations

from typing import Any

import msgspec

from paddock.store.recordings import RecordingRequest


class RecordingFeed(msgspec.Struct, kw_only=True):
    """One feed's share of a recording."""

    name: str
    protocol: str
    packets: int
    bytes: int
    frames: int
    raw_file: str
    raw_format: str
    parquet_parts: list[str] = msgspec.field(default_factory=list)


class Recording(msgspec.Struct, kw_only=True):
    """A recording's manifest."""

    id: str
    name: str
    status: str
    started_at: str
    started_ns: int
    stopped_at: str | None = None
    stopped_ns: int | None = None
    duration_s: float = 0.0
    game: str | None = None
    track: str | None = None
    car: str | None = None
    use_case: str | None = None
    notes: str | None = None
    feeds: list[RecordingFeed] = msgspec.field(default_factory=list)
    files: dict[str, str] = msgspec.field(default_factory=dict)
    size_bytes: int = 0
    recovered: bool = False
    mcap_segments: list[str] = msgspec.field(default_factory=list)
    integrity: dict[str, Any] | None = None
    stop_result: dict[str, Any] | None = None
    recovery: dict[str, Any] | None = None


class Lap(msgspec.Struct, kw_only=True):
    """One completed lap of a recording."""

    lap: int
    lap_time_s: float
    s1_s: float | None
    s2_s: float | None
    s3_s: float | None
    start_t_s: float
    end_t_s: float
    lap_time_source: str


__all__ = ["Lap", "Recording", "RecordingFeed", "RecordingRequest"]
