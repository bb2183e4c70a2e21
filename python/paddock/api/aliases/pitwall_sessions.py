"""Pitwall's session routes at its root paths, over the same session store.

``/session/start``, ``/session/{sid}/end``, ``/sessions``, ``/session/{sid}``, ``/session/reset``
and the ingest routes ``/session/{sid}/frames``, ``/frame``, ``/signals``, ``/video_frames``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Annotated, Any

import msgspec
from litestar import Controller, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.api.runtime import Runtime
from paddock.api.schemas.sessions import Note, Session
from paddock.exceptions import Conflict, InvalidArgument
from paddock.store.ingest import sample_time_ns
from paddock.store.sessions import SessionStore


class SessionStart(msgspec.Struct, kw_only=True):
    """``POST /session/start``; ``session_id`` is generated when absent."""

    driver: str | None = None
    driver_level: str | None = None
    track: str | None = None
    car: str | None = None
    note: str | None = None
    name: str | None = None
    game: str | None = None
    session_id: str | None = None


class Started(msgspec.Struct, kw_only=True):
    """The answer to ``/session/start``."""

    started: bool
    session_id: str


class Ended(msgspec.Struct, kw_only=True):
    """The answer to ``/session/{sid}/end``."""

    ended: bool
    session_id: str
    ended_at: str | None


class PitwallSession(Session, kw_only=True):
    """A session row with Pitwall's derived ``lap_count`` and ``best_lap_s``."""

    lap_count: int
    best_lap_s: float | None


class SessionList(msgspec.Struct, kw_only=True):
    """``GET /sessions``."""

    sessions: list[PitwallSession]
    count: int


class SessionDetail(msgspec.Struct, kw_only=True):
    """``GET /session/{sid}``: the row, its laps and its last 50 notes."""

    session: PitwallSession
    laps: list[dict[str, Any]]
    coaching_notes: list[Note]


class FramesBody(msgspec.Struct, kw_only=True):
    """``{"frames": [...]}`` (a bare array is accepted too)."""

    frames: list[dict[str, Any]]


class SignalSample(msgspec.Struct, kw_only=True):
    """One tall sample: a name, ``t`` (seconds since the session's start) and a value."""

    value: float
    signal_name: str | None = None
    name: str | None = None
    t: float | None = None
    ts_ns: int | None = None
    unit: str | None = None


SignalItem = tuple[str, float, float] | SignalSample


class SignalsBody(msgspec.Struct, kw_only=True):
    """``{"signals": [...]}`` of ``[name, t, value]`` triples or objects (or a bare array)."""

    signals: list[SignalItem]


class Appended(msgspec.Struct, kw_only=True):
    """How many rows an ingest call appended."""

    session_id: str
    appended: int
    first_frame_idx: int | None = None
    last_frame_idx: int | None = None
    registered: list[str] = msgspec.field(default_factory=list)


class FrameIndex(msgspec.Struct, kw_only=True):
    """``/session/{sid}/frame``: the index assigned to the frame."""

    session_id: str
    frame_idx: int


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "session"


def _with_laps(store: SessionStore, session: dict[str, Any]) -> dict[str, Any]:
    """The row with ``lap_count`` and ``best_lap_s`` of the lap detection (cached summary)."""
    summary = store.analyses.summary(session["id"])
    return session | {"lap_count": summary["lap_count"], "best_lap_s": summary["best_lap_s"]}


class PitwallSessions(Controller):
    """Pitwall's session CRUD and ingest."""

    path = "/"
    tags = ["pitwall"]
    exception_handlers = UNPROCESSABLE

    @post("/session/start", status_code=HTTP_200_OK, sync_to_thread=True)
    def start(
        self, runtime: NamedDependency[Runtime], data: JSONBody[SessionStart | None] = None
    ) -> Started:
        """Opens a session; its id is ``<track-slug>-<UTC>`` unless ``session_id`` is given."""
        body = data or SessionStart()
        fields = msgspec.structs.asdict(body)
        store = runtime.sessions.store
        if body.session_id is not None:
            try:
                session = store.create(fields, session_id=body.session_id)
            except InvalidArgument as exc:
                raise InvalidArgument(f"session_id: {exc}") from None
            return Started(started=True, session_id=session["id"])
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        base = f"{_slug(body.track or 'session')}-{stamp}"
        for attempt in range(1, 100):
            candidate = base if attempt == 1 else f"{base}-{attempt}"
            try:
                return Started(
                    started=True, session_id=store.create(fields, session_id=candidate)["id"]
                )
            except Conflict:
                continue
        raise Conflict(f"could not allocate a session id from {base!r}")

    @post("/session/reset", status_code=HTTP_200_OK, sync_to_thread=True)
    def reset(self, runtime: NamedDependency[Runtime]) -> dict[str, Any]:
        """Writes the in-memory ingest buffers to disk (no recorded data is touched)."""
        flushed = runtime.sessions.store.data.flush()
        return {"reset": True, "flushed_buffers": flushed}

    @post("/session/{session_id:str}/end", status_code=HTTP_200_OK, sync_to_thread=True)
    def end(self, runtime: NamedDependency[Runtime], session_id: FromPath[str]) -> Ended:
        """Stamps ``ended_at`` once; calling it again changes nothing."""
        session = runtime.sessions.store.end(session_id)
        return Ended(ended=True, session_id=session_id, ended_at=session["ended_at"])

    @get("/sessions", sync_to_thread=True)
    def list_sessions(
        self,
        runtime: NamedDependency[Runtime],
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=10_000)] = 50,
        active_only: FromQuery[bool] = False,
    ) -> SessionList:
        """Sessions newest first, each with its ``lap_count`` and ``best_lap_s``."""
        store = runtime.sessions.store
        rows = [
            _with_laps(store, s) for s in store.list_sessions(limit=limit, active_only=active_only)
        ]
        return SessionList(
            sessions=msgspec.convert(rows, list[PitwallSession], strict=False), count=len(rows)
        )

    @get("/session/{session_id:str}", sync_to_thread=True)
    def detail(self, runtime: NamedDependency[Runtime], session_id: FromPath[str]) -> SessionDetail:
        """The session row, its laps and its last 50 notes."""
        store = runtime.sessions.store
        session = _with_laps(store, store.get(session_id))
        laps = store.analyses.analysis(session_id).table.to_dicts()
        notes = runtime.sessions.notes.list_notes(session_id, last=50)
        return SessionDetail(
            session=msgspec.convert(session, PitwallSession, strict=False),
            laps=laps,
            coaching_notes=msgspec.convert(notes, list[Note]),
        )

    @post("/session/{session_id:str}/frames", status_code=HTTP_200_OK, sync_to_thread=True)
    def frames(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        data: JSONBody[FramesBody | list[dict[str, Any]]],
    ) -> Appended:
        """Appends a batch of wide frames (canonical channel names)."""
        frames = data.frames if isinstance(data, FramesBody) else data
        first, count = runtime.sessions.ingest.add_frames(session_id, frames)
        return Appended(
            session_id=session_id,
            appended=count,
            first_frame_idx=first if count else None,
            last_frame_idx=first + count - 1 if count else None,
        )

    @post("/session/{session_id:str}/frame", status_code=HTTP_200_OK, sync_to_thread=True)
    def frame(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        data: JSONBody[dict[str, Any]],
    ) -> FrameIndex:
        """Appends one frame; returns its ``frame_idx``."""
        first, _ = runtime.sessions.ingest.add_frames(session_id, [data])
        return FrameIndex(session_id=session_id, frame_idx=first)

    @post("/session/{session_id:str}/signals", status_code=HTTP_200_OK, sync_to_thread=True)
    def signals(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        data: JSONBody[SignalsBody | list[SignalItem]],
    ) -> Appended:
        """Appends ``(signal_name, t, value)`` samples; unknown names join the signal registry."""
        items = data.signals if isinstance(data, SignalsBody) else data
        ingest = runtime.sessions.ingest
        started = runtime.sessions.store.get(session_id)["started_ns"]
        now = time.time_ns()
        ts, names, values, units = [], [], [], []
        for index, item in enumerate(items):
            t: float | None
            if isinstance(item, tuple):
                name, t, value, unit, ts_ns = item[0], item[1], item[2], None, None
            else:
                name = item.signal_name or item.name or ""
                t, value, unit, ts_ns = item.t, item.value, item.unit, item.ts_ns
            if not name:
                raise InvalidArgument(f"signals[{index}].signal_name: missing signal name")
            ts.append(
                sample_time_ns(
                    ts_ns=ts_ns,
                    seconds=t,
                    started_ns=started,
                    now_ns=now,
                    where=f"signals[{index}]",
                )
            )
            names.append(name)
            values.append(value)
            units.append(unit)
        appended = ingest.add_samples(
            session_id, ts_ns=ts, channels=names, values=values, units=units, source="signals"
        )
        registry = dict(zip(names, units, strict=True))
        registered = ingest.register_signals(registry, source=f"session:{session_id}")
        return Appended(session_id=session_id, appended=appended, registered=registered)

    @post("/session/{session_id:str}/video_frames", status_code=HTTP_200_OK, sync_to_thread=True)
    def video_frames(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        data: JSONBody[FramesBody | list[dict[str, Any]]],
    ) -> Appended:
        """Appends video frame metadata for the post-session sync view."""
        frames = data.frames if isinstance(data, FramesBody) else data
        count = runtime.sessions.ingest.add_video_frames(session_id, frames)
        return Appended(session_id=session_id, appended=count)


pitwall_sessions_router = Router(path="/", route_handlers=[PitwallSessions])
