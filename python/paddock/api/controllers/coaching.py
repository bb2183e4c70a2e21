"""Pitwall's coach without a language model: rule-based ``/analyze``, concepts, brief, debrief.

The endpoints that need an external language model answer as Pitwall documents for a bridge
without one: ``/coach/ask`` (and its stream and end) and ``/score`` with 503 and a body naming
what is missing; ``/coach/agents`` and ``/coach/traces`` with 200 and ``available: false``.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import polars as pl
from litestar import Controller, MediaType, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from paddock.analysis.analytics import compute
from paddock.analysis.coaching import CONCEPTS, brief, burst_coaching, debrief
from paddock.analysis.session_laps import LapAnalysis
from paddock.api.runtime import Runtime
from paddock.exceptions import InvalidArgument

NO_LLM = "no language model is configured: paddock's coach runs on rules"
_BURSTS = itertools.count(1)


def _unavailable(error: str) -> Response[dict[str, str]]:
    return Response(
        {"error": error, "detail": f"{error}: {NO_LLM}"},
        status_code=HTTP_503_SERVICE_UNAVAILABLE,
        media_type=MediaType.JSON,
    )


class CoachingController(Controller):
    """``/analyze`` and ``/coach/…``."""

    path = "/"
    tags = ["coaching"]

    @post("/analyze", status_code=HTTP_200_OK, sync_to_thread=True)
    def analyze(
        self, runtime: NamedDependency[Runtime], data: JSONBody[dict[str, Any]]
    ) -> dict[str, Any]:
        """Burst coaching from a telemetry summary.

        The body is ``{"summary": {...}}`` or the figures at the top level; with ``session_id``
        the coaching is kept as a note of the session.
        """
        summary = data.get("summary") or data.get("telemetry") or data
        if not isinstance(summary, dict):
            raise InvalidArgument("summary: expected an object of telemetry figures")
        result = burst_coaching(summary)
        burst_id = next(_BURSTS)
        session_id = data.get("session_id")
        if isinstance(session_id, str) and session_id:
            runtime.sessions.notes.create_note(
                session_id,
                {
                    "content": result["coaching"],
                    "type": "coaching",
                    "speaker": "coach",
                    "tags": [c["concept"] for c in result["cues"]],
                    "telemetry_snapshot": summary,
                },
                time.time_ns(),
            )
        return result | {"burst_id": burst_id, "source": "paddock"}

    @get("/coach/concepts", sync_to_thread=False)
    def concepts(self) -> dict[str, Any]:
        """The concepts the rules can fire, with description and ``fires_when``."""
        return {"concepts": CONCEPTS, "count": len(CONCEPTS)}

    @get("/coach/brief", sync_to_thread=True)
    def brief(
        self,
        runtime: NamedDependency[Runtime],
        driver_id: FromQuery[str | None] = None,
        track: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        """A templated pre-session brief from the driver's sessions on the track."""
        best: float | None = None
        for s in runtime.sessions.store.list_sessions():
            if driver_id and (s.get("driver") or "").lower() != driver_id.lower():
                continue
            if track and (s.get("track") or "").lower() != track.lower():
                continue
            lap = (s.get("analysis") or {}).get("best_lap_s")
            if isinstance(lap, int | float) and (best is None or lap < best):
                best = float(lap)
        text = brief(driver=driver_id, track=track, best_lap_s=best, focus=[])
        return {"brief": text, "source": "template", "best_lap_s": best}

    @post("/coach/debrief", status_code=HTTP_200_OK, sync_to_thread=True)
    def debrief(
        self, runtime: NamedDependency[Runtime], data: JSONBody[dict[str, Any]]
    ) -> dict[str, Any]:
        """Markdown debrief, emotion tag and the fragments it was built from (``session_id``)."""
        session_id = data.get("session_id")
        if not isinstance(session_id, str) or not session_id:
            raise InvalidArgument("session_id: required")
        runtime.sessions.store.get(session_id)
        analysis = LapAnalysis(runtime.sessions.store.open_session(session_id))
        parts: dict[str, Any] = {"laps": [], "ideal": {}, "scorecard": [], "highlights": []}
        if analysis.row_count and not analysis.table.is_empty():
            flying = analysis.table.filter(~pl.col("out_lap") & ~pl.col("in_lap"))
            parts = {
                "laps": flying.to_dicts(),
                "ideal": compute("ideal_lap", analysis),
                "scorecard": compute("scorecard", analysis)["corners"],
                "highlights": compute("highlights", analysis)["highlights"],
            }
        return {"session_id": session_id, "source": "template", **debrief(parts)}

    @post("/coach/ask", sync_to_thread=False)
    def ask(self, data: JSONBody[dict[str, Any] | None] = None) -> Response[dict[str, str]]:
        """503: answering questions needs a language model."""
        return _unavailable("ADK not available")

    @post("/coach/ask/stream", sync_to_thread=False)
    def ask_stream(self, data: JSONBody[dict[str, Any] | None] = None) -> Response[dict[str, str]]:
        """503, as ``/coach/ask``."""
        return _unavailable("ADK not available")

    @post("/coach/ask/end", sync_to_thread=False)
    def ask_end(self, data: JSONBody[dict[str, Any] | None] = None) -> Response[dict[str, str]]:
        """503, as ``/coach/ask``."""
        return _unavailable("ADK not available")

    @post("/score", sync_to_thread=False)
    def score(self, data: JSONBody[dict[str, Any] | None] = None) -> Response[dict[str, str]]:
        """503: the graded score needs an external model (``GEMINI_API_KEY`` is not set)."""
        return _unavailable("GEMINI_API_KEY not set")

    @get("/coach/agents", sync_to_thread=False)
    def agents(self) -> dict[str, Any]:
        """Always 200: no agent registry without a language model."""
        return {"available": False, "reason": NO_LLM, "agents": []}

    @get("/coach/traces", sync_to_thread=False)
    def traces(
        self,
        session_id: FromQuery[str | None] = None,
        limit: FromQuery[int] = 200,
        since_ts: FromQuery[float | None] = None,
    ) -> dict[str, Any]:
        """Always 200: no agent traces without a language model."""
        return {"available": False, "reason": NO_LLM, "traces": []}
