"""Bodies of the session, run, note, telemetry-channel and STT endpoints (every seed's shapes)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

NonEmpty = Annotated[str, Meta(min_length=1)]
# Times are kept as int64 ns since 1970: 1677-09-21 to 2262-04-11.
_FIRST = dt.datetime(1677, 9, 22, tzinfo=dt.UTC)
_LAST = dt.datetime(2262, 4, 11, tzinfo=dt.UTC)


def check_timestamp(stamp: dt.datetime | None) -> None:
    """Refuses a time that int64 nanoseconds cannot hold.

    Raises:
        ValueError: ``timestamp`` outside 1677-09-22 to 2262-04-11 (msgspec reports it as a
            validation error of the body).
    """
    if stamp is None:
        return
    aware = stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=dt.UTC)
    if not _FIRST <= aware <= _LAST:
        raise ValueError(f"timestamp {stamp.isoformat()} is outside 1677-09-22..2262-04-11")


NoteType = Literal["observation", "command", "system"]


class SessionCreate(msgspec.Struct, kw_only=True):
    """``POST /api/sessions``: any seed's body, every field optional.

    rusty-telemetry sends ``use_case`` and ``label``, ASTRA ``name`` and ``description``, Pitwall
    ``driver``, ``driver_level``, ``track``, ``car`` and ``note``.
    """

    name: str | None = None
    label: str | None = None
    description: str | None = None
    use_case: str | None = None
    driver: str | None = None
    driver_level: str | None = None
    track: str | None = None
    car: str | None = None
    game: str | None = None
    note: str | None = None
    recording_id: str | None = None


class SessionPatch(SessionCreate, kw_only=True):
    """``PATCH /api/sessions/{id}``: fields to change; ``status: "ended"`` stamps ``ended_at``."""

    status: Literal["active", "ended"] | None = None


class Run(msgspec.Struct, kw_only=True):
    """A span of a live feed inside a session."""

    id: str
    session_id: str
    label: str
    feed_name: str
    merge_feeds: list[str] = msgspec.field(default_factory=list)
    status: str
    start_marker: int
    end_marker: int | None = None
    frame_count: int = 0
    data_truncated: bool = False
    rows_saved: int = 0
    started_at: str
    stopped_at: str | None = None


class RunStart(msgspec.Struct, kw_only=True):
    """``POST /api/sessions/{id}/runs``."""

    feed_name: NonEmpty
    label: str | None = None
    merge_feeds: list[str] = msgspec.field(default_factory=list)


class Session(msgspec.Struct, kw_only=True):
    """The one session object: the union of every seed's session fields."""

    id: str
    session_id: str
    name: str | None
    label: str | None
    description: str | None
    use_case: str | None
    driver: str | None
    driver_level: str | None
    track: str | None
    car: str | None
    game: str | None
    note: str | None
    status: str
    started_at: str
    created_at: str
    ended_at: str | None
    completed_at: str | None
    recording_id: str | None
    frame_count: int
    runs: list[Run]
    analysis: dict[str, Any] | None
    guidance: str | None


class SessionAnalysis(msgspec.Struct, kw_only=True):
    """``GET /api/sessions/{id}/analysis``."""

    session_id: str
    status: str
    use_case: str | None
    analysis: dict[str, Any]
    guidance: str | None


class NoteCreate(msgspec.Struct, kw_only=True):
    """``POST /api/sessions/{sid}/notes``."""

    timestamp: dt.datetime
    content: NonEmpty
    speaker: str | None = None
    type: NoteType = "observation"
    tags: list[str] = msgspec.field(default_factory=list)
    telemetry_snapshot: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        check_timestamp(self.timestamp)


class NoteUpdate(msgspec.Struct, kw_only=True):
    """``PUT /api/sessions/{sid}/notes/{note_id}``: every field optional."""

    content: NonEmpty | None = None
    speaker: str | None = None
    type: NoteType | None = None
    tags: list[str] | None = None
    timestamp: dt.datetime | None = None
    telemetry_snapshot: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        check_timestamp(self.timestamp)


class Note(msgspec.Struct, kw_only=True):
    """A note of a session."""

    id: str
    session_id: str
    timestamp: str
    speaker: str | None
    content: str
    type: str
    tags: list[str]
    telemetry_snapshot: dict[str, Any] | None
    created_at: str
    updated_at: str


class Message(msgspec.Struct, kw_only=True):
    """A one-line confirmation."""

    message: str


class TelemetryIn(msgspec.Struct, kw_only=True):
    """One tall telemetry sample."""

    timestamp: dt.datetime
    channel: NonEmpty
    value: float
    unit: str | None = None

    def __post_init__(self) -> None:
        check_timestamp(self.timestamp)


class TelemetryBatch(msgspec.Struct, kw_only=True):
    """``POST /api/sessions/{sid}/telemetry/batch``."""

    data: list[TelemetryIn]


class TelemetryPoint(msgspec.Struct, kw_only=True):
    """A stored sample."""

    session_id: str
    timestamp: str
    channel: str
    value: float
    unit: str | None


class Created(msgspec.Struct, kw_only=True):
    """How many rows a batch created."""

    created: int


class Channels(msgspec.Struct, kw_only=True):
    """The channels of a session."""

    channels: list[str]


class SttTaskCreate(msgspec.Struct, kw_only=True):
    """``POST /api/sessions/{sid}/stt/tasks``."""

    audio_chunk_id: NonEmpty
    duration_seconds: Annotated[float, Meta(ge=0)] | None = None


class SttTaskUpdate(msgspec.Struct, kw_only=True):
    """``PUT /api/sessions/{sid}/stt/tasks/{tid}``."""

    status: Literal["processing", "done", "failed"]
    transcript: str | None = None
    error: str | None = None


class SttTask(msgspec.Struct, kw_only=True):
    """A speech-to-text task of one audio chunk."""

    id: str
    session_id: str
    audio_chunk_id: str
    duration_seconds: float | None
    status: str
    transcript: str | None
    error: str | None
    created_at: str
    updated_at: str
