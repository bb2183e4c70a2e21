"""Drivers and progress: the leaderboard and a driver's evolution, native and Pitwall paths.

``GET /api/leaderboard`` (``/leaderboard``) and ``GET /api/drivers/{id}/evolution``
(``/driver/{id}/evolution``). A session's best lap is its flying laps' best, from its stored
analysis when it has one, else analysed on the spot.
"""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from paddock.analysis.corners import corner_summary
from paddock.analysis.progress import EVOLUTION_MIN_SESSIONS, evolution, leaderboard
from paddock.analysis.sectors import ideal_lap
from paddock.analysis.session_laps import LapAnalysis
from paddock.api.runtime import Runtime


def _summary(runtime: Runtime, session: dict[str, Any], *, detail: bool) -> dict[str, Any]:
    """One session's driver, car, track, best lap (and, with ``detail``, ideal lap, corners)."""
    out = {
        "session_id": session["id"],
        "driver": session.get("driver"),
        "car": session.get("car"),
        "track": session.get("track"),
        "started_at": session.get("started_at"),
    }
    stored = session.get("analysis") or {}
    if not detail and stored.get("best_lap_s") is not None:
        return out | {"best_lap_s": stored["best_lap_s"]}
    analysis = LapAnalysis(runtime.sessions.store.open_session(session["id"]))
    flying = analysis.table.filter(~pl.col("out_lap") & ~pl.col("in_lap"))
    best = float(flying["lap_time_s"].min()) if flying.height else None  # type: ignore[arg-type]
    out["best_lap_s"] = best
    if detail and best is not None:
        out["ideal_lap_s"] = ideal_lap(analysis.table).ideal_lap_s
        corners = corner_summary(analysis.passes)
        out["corners"] = dict(zip(corners["name"], corners["best_time_s"], strict=True))
    return out


def leaderboard_body(runtime: Runtime, track: str | None, limit: int) -> dict[str, Any]:
    """``{"entries": [...], "count"}``: best lap per driver, car and track."""
    sessions = runtime.sessions.store.list_sessions()
    summaries = [_summary(runtime, s, detail=False) for s in sessions]
    entries = leaderboard(summaries, track=track, limit=limit)
    return {"entries": entries, "count": len(entries)}


def evolution_body(runtime: Runtime, driver_id: str, track: str | None) -> Response[Any]:
    """The driver's evolution on ``track``; 204 below :data:`EVOLUTION_MIN_SESSIONS`."""
    sessions = [
        s
        for s in runtime.sessions.store.list_sessions()
        if (s.get("driver") or "").lower() == driver_id.lower()
        and (track is None or (s.get("track") or "").lower() == track.lower())
    ]
    if len(sessions) < EVOLUTION_MIN_SESSIONS:
        return Response(None, status_code=HTTP_204_NO_CONTENT)
    body = evolution([_summary(runtime, s, detail=True) for s in sessions])
    return Response({"driver_id": driver_id, "track": track, **body})


Limit = Annotated[int, QueryParameter(ge=1, le=500)]


class ProgressController(Controller):
    """``/api/leaderboard`` and ``/api/drivers/{id}/evolution``."""

    path = "/api"
    tags = ["drivers"]

    @get("/leaderboard", sync_to_thread=True)
    def leaderboard(
        self,
        runtime: NamedDependency[Runtime],
        track: FromQuery[str | None] = None,
        limit: Limit = 20,
    ) -> dict[str, Any]:
        """Best lap per (driver, car, track); ``{"entries": [], "count": 0}`` when none."""
        return leaderboard_body(runtime, track, limit)

    @get("/drivers/{driver_id:str}/evolution", sync_to_thread=True)
    def evolution(
        self,
        runtime: NamedDependency[Runtime],
        driver_id: FromPath[str],
        track: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """Best and ideal lap per session in time order, deltas, biggest corner gain.

        204 below five sessions of the driver on the track.
        """
        return evolution_body(runtime, driver_id, track)


class PitwallProgress(Controller):
    """Pitwall's ``/leaderboard`` and ``/driver/<id>/evolution``."""

    path = "/"
    tags = ["pitwall"]

    @get("/leaderboard", sync_to_thread=True)
    def leaderboard(
        self,
        runtime: NamedDependency[Runtime],
        track: FromQuery[str | None] = None,
        limit: Limit = 20,
    ) -> dict[str, Any]:
        """As ``/api/leaderboard``."""
        return leaderboard_body(runtime, track, limit)

    @get("/driver/{driver_id:str}/evolution", sync_to_thread=True)
    def evolution(
        self,
        runtime: NamedDependency[Runtime],
        driver_id: FromPath[str],
        track: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """As ``/api/drivers/{id}/evolution``."""
        return evolution_body(runtime, driver_id, track)


PROGRESS_ROUTES = [ProgressController, PitwallProgress]
