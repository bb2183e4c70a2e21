"""A session's laps, analytics and synchronised signals, at ``/api/sessions/{id}/…``.

Pitwall's ``/session/<sid>/…`` paths are served by the same functions.

Status codes, as Pitwall documents them: 404 when the session does not exist or holds no
telemetry, 400 when an analytic needs a complete lap and there is none (or a parameter is bad).
"""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.types import ControllerRouterHandler

from paddock.analysis._frame import select_present, travelled_m
from paddock.analysis.analytics import ANALYTICS, compute
from paddock.analysis.compare import compare_laps
from paddock.analysis.envelope import lap_envelope
from paddock.analysis.session_laps import LapAnalysis
from paddock.analysis.signals import synchronise
from paddock.api.runtime import Runtime
from paddock.exceptions import InvalidArgument, NotFound

LAPLESS = {"stats"}
"""Analytics that answer without a complete lap."""


def _session_data(runtime: Runtime, session_id: str) -> LapAnalysis:
    """The session's lap analysis (cached); 404 for an unknown session or one without telemetry."""
    analysis = runtime.sessions.store.analyses.analysis(session_id)
    if analysis.row_count == 0:
        raise NotFound(f"session {session_id} has no telemetry")
    return analysis


def laps_envelope(runtime: Runtime, session_id: str, method: str | None) -> dict[str, Any]:
    """Pitwall's lap envelope: ``Full session`` first, then every lap or stint found."""
    analysis = _session_data(runtime, session_id)
    data = analysis.data
    try:
        env = analysis.envelope if method is None else lap_envelope(data, method=method)
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None
    span = data["t_s"]
    t0, t1 = float(span.min() or 0.0), float(span.max() or 0.0)  # type: ignore[arg-type]
    dist = travelled_m(select_present(data, ["speed_kmh", "distance_m"]))
    total = float(dist[-1] - dist[0]) if dist.len() else 0.0
    complete = env.filter(env["complete"])
    length = float(complete["distance_m"].median()) if complete.height else None  # type: ignore[arg-type]
    full = {
        "name": "Full session",
        "t_start": t0,
        "t_end": t1,
        "duration_s": t1 - t0,
        "distance_m": total,
        "method": "all",
    }
    return {"laps": [full, *env.to_dicts()], "track_length_m": length}


def analytic_query(
    throttle_th: Annotated[float | None, QueryParameter(ge=0.0, le=1.0)] = None,
    brake_th: Annotated[float | None, QueryParameter(ge=0.0, le=1.0)] = None,
    low_max: Annotated[float | None, QueryParameter(gt=0.0)] = None,
    med_max: Annotated[float | None, QueryParameter(gt=0.0)] = None,
    segment_m: Annotated[float | None, QueryParameter(ge=5.0)] = None,
    lap: FromQuery[int | None] = None,
) -> dict[str, Any]:
    """The analytics' tuning parameters, from the query (one declaration for every path)."""
    return {
        "throttle_th": throttle_th,
        "brake_th": brake_th,
        "low_max": low_max,
        "med_max": med_max,
        "segment_m": segment_m,
        "lap": lap,
    }


ANALYTIC_QUERY = {"analytic_params": Provide(analytic_query, sync_to_thread=False)}
"""The dependency both analytic handlers take their parameters from."""


def analytic(
    runtime: Runtime, session_id: str, name: str, params: dict[str, Any]
) -> dict[str, Any]:
    """Run one analytic on the session (404 unknown name or no telemetry, 400 no lap)."""
    if name not in ANALYTICS:
        raise NotFound(f"unknown analytic {name!r}; known: {', '.join(sorted(ANALYTICS))}")
    analysis = _session_data(runtime, session_id)
    if name not in LAPLESS and analysis.table.is_empty():
        raise InvalidArgument(f"session {session_id} has fewer than one complete lap")
    result = compute(name, analysis, **{k: v for k, v in params.items() if v is not None})
    return {"session_id": session_id, "analytic": name, **result}


def signals(
    runtime: Runtime,
    session_id: str,
    *,
    names: str,
    axis: str,
    rate_hz: float,
    interp: str,
    t_from: float | None,
    t_to: float | None,
) -> dict[str, Any]:
    """The synchroniser's answer: the axis and one array per channel."""
    store = runtime.sessions.store
    store.get(session_id)
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    if not wanted:
        raise InvalidArgument("names: give one or more channel names, comma-separated")
    try:
        table = synchronise(
            store.open_session(session_id, table="frames"),
            wanted,
            channels=store.open_session(session_id, table="channels"),
            axis=axis,  # type: ignore[arg-type]
            rate_hz=rate_hz,
            interp=interp,  # type: ignore[arg-type]
            t_from=t_from,
            t_to=t_to,
        )
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None
    label = table.columns[0]
    return {
        "session_id": session_id,
        "axis": axis,
        "rate_hz": rate_hz,
        "interp": interp,
        "count": table.height,
        label: table[label].to_list(),
        "signals": {n: table[n].to_list() for n in wanted},
    }


class AnalysisController(Controller):
    """``/api/sessions/{id}/laps``, ``/analytics/{name}`` and ``/signals``."""

    path = "/api/sessions/{session_id:str}"
    tags = ["analysis"]

    @get("/laps", sync_to_thread=True)
    def laps(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        method: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        """The lap envelope: ``Full session`` first, then each lap with its method and flags."""
        return laps_envelope(runtime, session_id, method)

    @get("/analytics/{name:str}", sync_to_thread=True, dependencies=ANALYTIC_QUERY)
    def analytic(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        name: FromPath[str],
        analytic_params: NamedDependency[dict[str, Any]],
    ) -> dict[str, Any]:
        """One analytic by name (``lap_time_table``, ``ideal_lap``, ``pedal_behavior`` …)."""
        return analytic(runtime, session_id, name, analytic_params)

    @get("/signals", sync_to_thread=True)
    def signals(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        names: FromQuery[str],
        axis: FromQuery[str] = "time",
        rate_hz: Annotated[float, QueryParameter(gt=0.0, le=1000.0)] = 10.0,
        interp: FromQuery[str] = "linear",
        t_from: FromQuery[float | None] = None,
        t_to: FromQuery[float | None] = None,
    ) -> dict[str, Any]:
        """Channels resampled onto one time or distance axis (the synchroniser)."""
        return signals(
            runtime,
            session_id,
            names=names,
            axis=axis,
            rate_hz=rate_hz,
            interp=interp,
            t_from=t_from,
            t_to=t_to,
        )


def compare(runtime: Runtime, laps: str, channels: str | None, step_m: float) -> dict[str, Any]:
    """Laps given as ``<session>:<lap>`` pairs, aligned on distance against the first.

    Each lap comes from the analysis cache (:meth:`AnalysisCache.lap_frame`): from the session's
    full analysis when one is kept, else read alone after the session's lap envelope.
    """
    chosen: list[tuple[str, pl.DataFrame]] = []
    analyses = runtime.sessions.store.analyses
    for item in [p.strip() for p in laps.split(",") if p.strip()]:
        session_id, _, number = item.rpartition(":")
        if not session_id or not number.isdigit():
            raise InvalidArgument(f"laps: expected <session_id>:<lap>, got {item!r}")
        trace = analyses.lap_frame(session_id, int(number))
        if trace.is_empty():
            raise NotFound(f"session {session_id} has no complete lap {number}")
        chosen.append((item, trace))
    names = None if channels is None else [c.strip() for c in channels.split(",") if c.strip()]
    try:
        table = compare_laps(chosen, channels=names, step_m=step_m)
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None
    reference = chosen[0][0]
    return {
        "reference": reference,
        "laps": [label for label, _ in chosen],
        "step_m": step_m,
        "columns": {name: table[name].to_list() for name in table.columns},
        "final_delta_s": {
            label: table[f"{label}.delta_s"][-1] for label, _ in chosen if table.height
        },
    }


class CompareController(Controller):
    """``/api/compare``: laps of any sessions on one distance axis with delta time."""

    path = "/api/compare"
    tags = ["analysis"]

    @get("/", sync_to_thread=True)
    def compare(
        self,
        runtime: NamedDependency[Runtime],
        laps: FromQuery[str],
        channels: FromQuery[str | None] = None,
        step_m: Annotated[float, QueryParameter(ge=0.5, le=100.0)] = 5.0,
    ) -> dict[str, Any]:
        """``laps=<session>:<lap>,<session>:<lap>…``; the first is the reference."""
        return compare(runtime, laps, channels, step_m)


PITWALL_ANALYTICS = sorted(ANALYTICS)
"""Analytics served at ``/session/<sid>/<name>`` as well."""


class PitwallAnalysis(Controller):
    """Pitwall's ``/session/<sid>/laps``."""

    path = "/session/{session_id:str}"
    tags = ["pitwall"]

    @get("/laps", sync_to_thread=True)
    def laps(self, runtime: NamedDependency[Runtime], session_id: FromPath[str]) -> dict[str, Any]:
        """The lap envelope (as ``/api/sessions/{id}/laps``)."""
        return laps_envelope(runtime, session_id, None)


def _pitwall_analytic(name: str) -> HTTPRouteHandler:
    """The handler of ``GET /session/<sid>/<name>``."""

    def handler(
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        analytic_params: NamedDependency[dict[str, Any]],
    ) -> dict[str, Any]:
        return analytic(runtime, session_id, name, analytic_params)

    handler.__doc__ = f"Pitwall's ``/session/<sid>/{name}``: {ANALYTICS[name].__doc__}"
    handler.__name__ = f"pitwall_{name}"
    return get(
        f"/session/{{session_id:str}}/{name}",
        tags=["pitwall"],
        sync_to_thread=True,
        name=f"pitwall_{name}",
        dependencies=ANALYTIC_QUERY,
    )(handler)


PITWALL_HANDLERS = [_pitwall_analytic(name) for name in PITWALL_ANALYTICS]
"""One handler per analytic at Pitwall's path."""


@get("/session/{session_id:str}/signals", tags=["pitwall"], sync_to_thread=True)
def pitwall_signals(
    runtime: NamedDependency[Runtime],
    session_id: FromPath[str],
    names: FromQuery[str],
    axis: FromQuery[str] = "time",
    rate_hz: Annotated[float, QueryParameter(gt=0.0, le=1000.0)] = 10.0,
    interp: FromQuery[str] = "linear",
    t_from: FromQuery[float | None] = None,
    t_to: FromQuery[float | None] = None,
) -> dict[str, Any]:
    """The synchroniser at Pitwall's path."""
    return signals(
        runtime,
        session_id,
        names=names,
        axis=axis,
        rate_hz=rate_hz,
        interp=interp,
        t_from=t_from,
        t_to=t_to,
    )


ANALYSIS_ROUTES: list[ControllerRouterHandler] = [
    AnalysisController,
    CompareController,
    PitwallAnalysis,
    *PITWALL_HANDLERS,
    pitwall_signals,
]
"""Every route handler of this module, for ``create_app``, registered after the session routes.

``pitwall_signals`` shares ``/session/{sid}/signals`` with the ingest ``POST``: a bare handler
registered on the app after that router joins the existing route (a controller would bring an
``OPTIONS`` handler of its own and collide).
"""


__all__ = ["ANALYSIS_ROUTES"]
