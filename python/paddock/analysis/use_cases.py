"""rusty-telemetry's use cases: a structured result and a short plain-language guidance each.

``shift_points``, ``racing_line``, ``braking_analysis``, ``lap_times``, ``sector_analysis``,
``track_map`` and ``general`` (:data:`USE_CASES`). Each takes a
:class:`~paddock.analysis.session_laps.LapAnalysis` with at least one complete lap and returns
``(result, guidance)``; the result is plain data for the session's stored analysis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from paddock.analysis.analytics import compute
from paddock.analysis.braking import eob_summary
from paddock.analysis.corners import corner_summary
from paddock.analysis.session_laps import LapAnalysis

USE_CASES = (
    "shift_points",
    "racing_line",
    "braking_analysis",
    "lap_times",
    "sector_analysis",
    "track_map",
    "general",
)
"""The use cases a session can name."""

Outcome = tuple[dict[str, Any], str]


def _shift_points(a: LapAnalysis) -> Outcome:
    result = compute("shift_points", a)
    gears = result["gears"]
    if not gears:
        return result, "No full-throttle upshifts to measure: the data needs gear, rpm and g_long."
    parts = []
    for g in gears:
        text = f"{g['gear']}→{g['gear'] + 1} at {g['optimal_rpm']:.0f} rpm"
        if g["rpm_delta"] is not None and abs(g["rpm_delta"]) >= 100:
            when = "late" if g["rpm_delta"] > 0 else "early"
            text += f" (you shift {abs(g['rpm_delta']):.0f} rpm {when})"
        parts.append(text)
    return result, "Upshift for the most acceleration: " + "; ".join(parts) + "."


def _racing_line(a: LapAnalysis) -> Outcome:
    summary = corner_summary(a.passes)
    spread = (
        a.passes.group_by("corner")
        .agg(pl.col("min_kmh").std().fill_null(0.0).alias("min_kmh_std"))
        .sort("corner")
    )
    table = summary.join(spread, on="corner", how="left")
    result = {"corners": compute("corners", a)["corners"], "consistency": table.to_dicts()}
    if table.is_empty():
        return result, "No corners found on the driven line."
    worst = table.sort("loss_s", descending=True).row(0, named=True)
    return result, (
        f"{a.corners.height} corners. Most time left in {worst['name']}: "
        f"{worst['loss_s']:.3f} s a lap on average against your best pass there "
        f"(minimum speed {worst['mean_min_kmh']:.0f} km/h vs {worst['best_min_kmh']:.0f})."
    )


def _braking(a: LapAnalysis) -> Outcome:
    summary = eob_summary(a.zones)
    result = {
        "summary": summary.to_dicts(),
        "brake_acceleration": compute("brake_acceleration", a)["corners"],
    }
    if summary.is_empty():
        return result, "No braking zones found (the data needs a brake channel)."
    loose = summary.sort("brake_point_std_m", descending=True).row(0, named=True)
    return result, (
        f"{a.zones.height} braking zones over {a.flying.height} lap(s). Least consistent brake "
        f"point: T{loose['corner']} (spread {loose['brake_point_std_m']:.1f} m around "
        f"{loose['brake_point_mean_m']:.0f} m); end of braking there varies over "
        f"{loose['eob_latest_m'] - loose['eob_earliest_m']:.1f} m."
    )


def _lap_times(a: LapAnalysis) -> Outcome:
    dist = compute("lap_time_distribution", a)
    table = compute("lap_time_table", a)
    result = {"laps": table["laps"], "distribution": dist}
    spread = (dist["q3"] or 0.0) - (dist["q1"] or 0.0)
    return result, (
        f"{dist['count']} flying lap(s), best {dist['min']:.3f} s, median {dist['median']:.3f} s; "
        f"the middle half of your laps are within {spread:.3f} s of each other."
    )


def _sectors(a: LapAnalysis) -> Outcome:
    ideal = compute("ideal_lap", a)
    result = {"ideal_lap": ideal, "sectors": compute("sector_times", a)["sectors"]}
    if ideal["ideal_lap_s"] is None:
        return result, "No sector times in this session."
    best_lap = a.table.filter(pl.col("best_lap")).row(0, named=True)
    losses = [best_lap[f"s{k}_s"] - ideal["best_sectors_s"][k - 1] for k in (1, 2, 3)]
    worst = max(range(3), key=lambda k: losses[k])
    return result, (
        f"Ideal lap {ideal['ideal_lap_s']:.3f} s, {ideal['gain_s']:.3f} s under your best. "
        f"Your best lap gives away most in sector {worst + 1} ({losses[worst]:.3f} s)."
    )


def _track_map(a: LapAnalysis) -> Outcome:
    result = compute("map", a) | {"lap_length_m": a.lap_length_m}
    bands = compute("corner_classification", a)["counts"]
    return result, (
        f"Lap of {a.lap_length_m:.0f} m with {a.corners.height} corners: {bands['low']} slow, "
        f"{bands['medium']} medium and {bands['high']} fast."
    )


def _general(a: LapAnalysis) -> Outcome:
    result = {"stats": compute("stats", a), "highlights": compute("highlights", a)["highlights"]}
    top = result["stats"].get("top_speed_kmh")
    text = f"{a.table.height} complete lap(s), {a.corners.height} corners"
    if top is not None:
        text += f", top speed {top:.0f} km/h"
    return result, text + "."


HANDLERS: dict[str, Callable[[LapAnalysis], Outcome]] = {
    "shift_points": _shift_points,
    "racing_line": _racing_line,
    "braking_analysis": _braking,
    "lap_times": _lap_times,
    "sector_analysis": _sectors,
    "track_map": _track_map,
    "general": _general,
}


def run_use_case(analysis: LapAnalysis, use_case: str | None) -> Outcome | None:
    """The use case's result and guidance, or ``None`` for no or an unknown use case, or no lap."""
    handler = HANDLERS.get(use_case or "")
    if handler is None or analysis.table.is_empty():
        return None
    if analysis.flying.is_empty():
        return {"laps": analysis.table.to_dicts()}, (
            "Every complete lap is an out- or in-lap (the car stood still in it): "
            "drive a flying lap for this use case."
        )
    return handler(analysis)
