"""Pitwall's lap rows (``GET /laps``, ``POST /lap``) and the video views (``/sync``, ``/clips``).

- ``GET /laps?session_id=&limit=20``: lap rows newest first: the laps detected in the
  telemetry (``source: "detected"``) and the laps clients posted (``source: "posted"``).
- ``POST /lap``: stores one posted lap (404 unknown session, 422 invalid body).
- ``GET /session/<sid>/sync`` (and ``/api/sessions/{id}/video/sync``): every video frame
  registered through ``/video_frames`` with the telemetry sample within ±50 ms.
- ``GET /session/<sid>/clips`` (and ``/api/sessions/{id}/video/clips``): clip time ranges
  for laps, corner passes and incidents, with the video frames each spans.

``sync`` needs telemetry (404 without) but no complete lap; ``clips`` needs a complete lap
(400 without), as Pitwall's analytics do.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from paddock.analysis.analytics import compute
from paddock.analysis.progress import lap_clock
from paddock.analysis.session_laps import LapAnalysis
from paddock.analysis.video import CLIP_KINDS, SYNC_TOLERANCE_S, clip_cuts, sync_video, video_table
from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.api.runtime import Runtime
from paddock.exceptions import InvalidArgument, NotFound
from paddock.store.laps import LapStore

SYNC_CHANNELS = "speed_kmh,throttle,brake,gear,rpm,steer,g_lat,g_long,lap_distance_m"
"""Channels ``/sync`` attaches unless ``names`` says otherwise."""


class LapIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /lap``: one lap row. ``lap`` defaults to the session's next posted number."""

    session_id: str
    lap_time_s: Annotated[float, msgspec.Meta(gt=0.0, le=86_400.0)]
    lap: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None = None
    s1_s: Annotated[float, msgspec.Meta(ge=0.0)] | None = None
    s2_s: Annotated[float, msgspec.Meta(ge=0.0)] | None = None
    s3_s: Annotated[float, msgspec.Meta(ge=0.0)] | None = None
    t_start: float | None = None
    t_end: float | None = None
    valid: bool | None = None
    driver: str | None = None
    note: str | None = None


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def detected_laps(runtime: Runtime, session: dict[str, Any]) -> list[dict[str, Any]]:
    """The session's detected laps (cached summary), newest first, as lap rows."""
    summary = runtime.sessions.store.analyses.summary(session["id"])
    rows = []
    for lap in reversed(summary["laps"]):
        time_s = lap.get("lap_time_s")
        rows.append(
            {
                "id": None,
                "session_id": session["id"],
                **{k: _finite(v) for k, v in lap.items()},
                "time": lap_clock(time_s) if isinstance(time_s, float) else None,
                "best": lap["lap"] == summary["best_lap"],
                "method": summary["lap_method"],
                "source": "detected",
                "created_at": None,
            }
        )
    return rows


def lap_rows(runtime: Runtime, session_id: str | None, limit: int) -> dict[str, Any]:
    """``{"laps": [...], "count"}``: detected and posted laps, newest first."""
    store = runtime.sessions.store
    if session_id is not None:
        sessions = [store.get(session_id)]
    else:
        sessions = store.list_sessions(limit=limit)
    posted = LapStore(runtime.catalog).list_laps(session_id, limit=limit)
    for row in posted:
        row["time"] = lap_clock(row["lap_time_s"])
    rows: list[dict[str, Any]] = []
    for session in sessions:  # newest session first
        rows.extend(r for r in posted if r["session_id"] == session["id"])
        rows.extend(detected_laps(runtime, session))
        if len(rows) >= limit:
            break
    return {"laps": rows[:limit], "count": min(len(rows), limit)}


def _analysis(runtime: Runtime, session_id: str) -> LapAnalysis:
    analysis = runtime.sessions.store.analyses.analysis(session_id)
    if analysis.row_count == 0:
        raise NotFound(f"session {session_id} has no telemetry")
    return analysis


def sync_body(
    runtime: Runtime, session_id: str, names: str | None, tolerance_ms: float, limit: int
) -> dict[str, Any]:
    """Video frames against telemetry (see :func:`paddock.analysis.video.sync_video`)."""
    analysis = _analysis(runtime, session_id)
    video = video_table(runtime.sessions.store.open_session(session_id, table="video_frames"))
    wanted = [n.strip() for n in (names or SYNC_CHANNELS).split(",") if n.strip()]
    synced = sync_video(analysis, video, wanted, tolerance_s=tolerance_ms / 1000.0)
    matched = int(synced["matched"].sum()) if synced.height else 0
    rows = [{k: _finite(v) for k, v in r.items()} for r in synced.head(limit).to_dicts()]
    return {
        "session_id": session_id,
        "tolerance_ms": tolerance_ms,
        "video_frames": synced.height,
        "matched": matched,
        "unmatched": synced.height - matched,
        "channels": [c for c in wanted if c in analysis.data.columns],
        "frames": rows,
        "count": len(rows),
    }


def clips_body(runtime: Runtime, session_id: str, kind: str | None, pad_s: float) -> dict[str, Any]:
    """Clip cuts (see :func:`paddock.analysis.video.clip_cuts`); 400 without a complete lap."""
    analysis = _analysis(runtime, session_id)
    if analysis.table.is_empty():
        raise InvalidArgument(f"session {session_id} has fewer than one complete lap")
    kinds = CLIP_KINDS if kind is None else tuple(k.strip() for k in kind.split(",") if k.strip())
    unknown = [k for k in kinds if k not in CLIP_KINDS]
    if unknown or not kinds:
        raise InvalidArgument(f"kind: expected some of {', '.join(CLIP_KINDS)}, got {kind!r}")
    video = video_table(runtime.sessions.store.open_session(session_id, table="video_frames"))
    incidents = compute("incidents", analysis)["incidents"] if "incident" in kinds else []
    clips = clip_cuts(analysis, video, incidents, kinds=kinds, pad_s=pad_s)
    return {
        "session_id": session_id,
        "video_frames": video.height,
        "pad_s": pad_s,
        "clips": clips,
        "count": len(clips),
    }


Limit = Annotated[int, QueryParameter(ge=1, le=500)]
ToleranceMs = Annotated[float, QueryParameter(gt=0.0, le=5_000.0)]
FrameLimit = Annotated[int, QueryParameter(ge=1, le=100_000)]
Pad = Annotated[float, QueryParameter(ge=0.0, le=60.0)]


class PitwallLaps(Controller):
    """Pitwall's ``/laps``, ``/lap``, ``/session/<sid>/sync`` and ``/session/<sid>/clips``."""

    path = "/"
    tags = ["pitwall"]

    @get("/laps", sync_to_thread=True)
    def laps(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromQuery[str | None] = None,
        limit: Limit = 20,
    ) -> dict[str, Any]:
        """Lap rows newest first, detected and posted; 404 for an unknown ``session_id``."""
        return lap_rows(runtime, session_id, limit)

    @post("/lap", status_code=HTTP_200_OK, sync_to_thread=True, exception_handlers=UNPROCESSABLE)
    def add_lap(self, runtime: NamedDependency[Runtime], data: JSONBody[LapIn]) -> dict[str, Any]:
        """Stores a lap row; 404 for an unknown session, 422 naming a bad field."""
        runtime.sessions.store.get(data.session_id)
        fields = msgspec.structs.asdict(data)
        row = LapStore(runtime.catalog).add(
            fields.pop("session_id"), fields.pop("lap"), fields.pop("lap_time_s"), **fields
        )
        return {"saved": True, "lap": row | {"time": lap_clock(row["lap_time_s"])}}

    @get("/session/{session_id:str}/sync", sync_to_thread=True)
    def sync(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        names: FromQuery[str | None] = None,
        tolerance_ms: ToleranceMs = SYNC_TOLERANCE_S * 1000.0,
        limit: FrameLimit = 10_000,
    ) -> dict[str, Any]:
        """Each video frame with the telemetry sample within ±``tolerance_ms`` (50 ms)."""
        return sync_body(runtime, session_id, names, tolerance_ms, limit)

    @get("/session/{session_id:str}/clips", sync_to_thread=True)
    def clips(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        kind: FromQuery[str | None] = None,
        pad_s: Pad = 2.0,
    ) -> dict[str, Any]:
        """Clip cuts for laps, corner passes and incidents on the session's video."""
        return clips_body(runtime, session_id, kind, pad_s)


class VideoController(Controller):
    """``/api/sessions/{id}/video/sync`` and ``/video/clips`` (as Pitwall's paths)."""

    path = "/api/sessions/{session_id:str}/video"
    tags = ["analysis"]

    @get("/sync", sync_to_thread=True)
    def sync(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        names: FromQuery[str | None] = None,
        tolerance_ms: ToleranceMs = SYNC_TOLERANCE_S * 1000.0,
        limit: FrameLimit = 10_000,
    ) -> dict[str, Any]:
        """As ``/session/<sid>/sync``."""
        return sync_body(runtime, session_id, names, tolerance_ms, limit)

    @get("/clips", sync_to_thread=True)
    def clips(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        kind: FromQuery[str | None] = None,
        pad_s: Pad = 2.0,
    ) -> dict[str, Any]:
        """As ``/session/<sid>/clips``."""
        return clips_body(runtime, session_id, kind, pad_s)


LAP_VIDEO_ROUTES = [PitwallLaps, VideoController]
"""Every route handler of this module, for ``create_app``."""
