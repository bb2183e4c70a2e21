"""A session's automatic analysis: the lap table with a short guidance text.

``complete`` and ``analyze`` call :func:`analyze_session` on everything recorded for the session
(runs, HTTP frames and channels). The result is plain data so the catalog can keep it as JSON.
"""

from __future__ import annotations

import logging
from typing import Any

import polars as pl

from paddock.analysis.laps import lap_table

log = logging.getLogger(__name__)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60.0)
    return f"{int(minutes)}:{rest:06.3f}"


def analyze_session(lf: pl.LazyFrame, *, use_case: str | None = None) -> tuple[dict[str, Any], str]:
    """The analysis of a session's data and a one-paragraph guidance for the driver or engineer.

    Args:
        lf: Everything recorded for the session (``open_session``).
        use_case: The session's use case, echoed in the result and the guidance.

    Returns:
        ``(analysis, guidance)``. ``analysis`` holds ``frame_count``, ``lap_count``,
        ``best_lap_s``, ``best_lap``, ``laps`` (rows of the lap table) and ``use_case``.
    """
    frame_count = int(lf.select(pl.len()).collect().item())
    laps = lap_table(lf)
    rows = laps.to_dicts()
    best = laps.sort("lap_time_s").row(0, named=True) if laps.height else None
    analysis: dict[str, Any] = {
        "kind": "laps",
        "use_case": use_case,
        "frame_count": frame_count,
        "lap_count": laps.height,
        "best_lap_s": None if best is None else best["lap_time_s"],
        "best_lap": None if best is None else best["lap"],
        "laps": rows,
    }
    if frame_count == 0:
        guidance = (
            "No telemetry in this session yet: start a run on a live feed (or post frames), "
            "drive at least one full lap, then complete the session again."
        )
    elif best is None:
        guidance = (
            f"{frame_count} frames recorded but no complete lap: a lap counts once it is seen "
            "from the start line to the next crossing. Record a longer run and analyze again."
        )
    else:
        spread = laps["lap_time_s"].max() - best["lap_time_s"]
        sectors = [best.get(k) for k in ("s1_s", "s2_s", "s3_s")]
        sector_text = (
            " Best lap sectors: " + " / ".join(f"{s:.3f}" for s in sectors) + " s."
            if all(isinstance(s, float) for s in sectors)
            else ""
        )
        guidance = (
            f"{laps.height} complete lap(s); best {_clock(best['lap_time_s'])} on lap "
            f"{best['lap']}, slowest {spread:.3f} s off it.{sector_text}"
        )
    outcome = _use_case(lf, use_case) if frame_count else None
    if outcome is not None:
        analysis["use_case_result"], use_case_guidance = outcome
        guidance += " " + use_case_guidance
    if use_case:
        guidance += f" Use case: {use_case}."
    return analysis, guidance


def _use_case(lf: pl.LazyFrame, use_case: str | None) -> tuple[dict[str, Any], str] | None:
    """The use case's result and guidance (see :mod:`paddock.analysis.use_cases`)."""
    from paddock.analysis.session_laps import LapAnalysis
    from paddock.analysis.use_cases import run_use_case

    try:
        return run_use_case(LapAnalysis(lf), use_case)
    except Exception:  # an analytic's failure must not stop the session from completing
        log.exception("use case %s failed", use_case)
        return None
