"""Drivers and progress: the leaderboard and a driver's evolution, native and Pitwall paths.

``GET /api/leaderboard`` (``/leaderboard``), ``GET /api/drivers/{id}/evolution``
(``/driver/{id}/evolution``) and ``GET /api/drivers/{id}/profile`` (``/driver/{id}/profile``).
A session's best lap is its flying laps' best, from the session's cached analysis summary
(analysed once per change of its data).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from paddock.analysis.progress import (
    EVOLUTION_MIN_SESSIONS,
    compute_profile,
    evolution,
    leaderboard,
)
from paddock.api.runtime import Runtime
from paddock.exceptions import NotFound


def _summary(runtime: Runtime, session: dict[str, Any], *, detail: bool) -> dict[str, Any]:
    """One session's driver, car, track and analysis summary (cached until its data changes).

    With ``detail`` the summary includes the corners, grades and pedal shares.
    """
    out = {
        "session_id": session["id"],
        "driver": session.get("driver"),
        "car": session.get("car"),
        "track": session.get("track"),
        "started_at": session.get("started_at"),
    }
    return out | runtime.sessions.store.analyses.summary(session["id"], detail=detail)


def leaderboard_body(runtime: Runtime, track: str | None, limit: int) -> dict[str, Any]:
    """``{"entries": [...], "count"}``: best lap per driver, car and track."""
    sessions = runtime.sessions.store.list_sessions()
    summaries = [_summary(runtime, s, detail=False) for s in sessions]
    entries = leaderboard(summaries, track=track, limit=limit)
    return {"entries": entries, "count": len(entries)}


def _driver_sessions(runtime: Runtime, driver_id: str, track: str | None) -> list[dict[str, Any]]:
    """The driver's sessions (names compared case-insensitively), on ``track`` when given."""
    return [
        s
        for s in runtime.sessions.store.list_sessions()
        if (s.get("driver") or "").lower() == driver_id.lower()
        and (track is None or (s.get("track") or "").lower() == track.lower())
    ]


def profile_body(runtime: Runtime, driver_id: str, track: str | None) -> dict[str, Any]:
    """The driver's profile (:func:`compute_profile`); 404 when they have no session."""
    sessions = _driver_sessions(runtime, driver_id, track)
    if not sessions:
        where = "" if track is None else f" on {track}"
        raise NotFound(f"driver {driver_id} has no sessions{where}")
    return compute_profile(driver_id, [_summary(runtime, s, detail=True) for s in sessions])


def evolution_body(runtime: Runtime, driver_id: str, track: str | None) -> Response[Any]:
    """The driver's evolution on ``track``; 204 below :data:`EVOLUTION_MIN_SESSIONS`."""
    sessions = _driver_sessions(runtime, driver_id, track)
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

    @get("/drivers/{driver_id:str}/profile", sync_to_thread=True)
    def profile(
        self,
        runtime: NamedDependency[Runtime],
        driver_id: FromPath[str],
        track: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        """Sessions, tracks, best laps, consistency, strengths and weaknesses, progression.

        404 when the driver has no session (on ``track``, when given).
        """
        return profile_body(runtime, driver_id, track)


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

    @get("/driver/{driver_id:str}/profile", sync_to_thread=True)
    def profile(
        self,
        runtime: NamedDependency[Runtime],
        driver_id: FromPath[str],
        track: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        """As ``/api/drivers/{id}/profile``: the profile from ``compute_profile()``."""
        return profile_body(runtime, driver_id, track)


PROGRESS_ROUTES = [ProgressController, PitwallProgress]
