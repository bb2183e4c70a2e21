"""Every named analytic of a session as plain data, for the API and notebooks alike.

:func:`compute` runs one analytic (``lap_time_table``, ``ideal_lap``, ``pedal_behavior`` …, see
:data:`ANALYTICS`) on a :class:`~paddock.analysis.session_laps.LapAnalysis` and returns a dict
ready for JSON. Parameters are keyword arguments with the names the API takes as query
parameters. The rules behind each figure are in the module that computes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import msgspec
import polars as pl

from paddock.analysis.braking import brake_acceleration, eob_summary
from paddock.analysis.corners import corner_classification, corner_summary
from paddock.analysis.driving import (
    friction_circle,
    hustle_map,
    pedal_behavior,
    session_stats,
    straight_line_speed,
)
from paddock.analysis.sectors import box_stats, ideal_lap, lap_time_distribution, sector_times
from paddock.analysis.session_laps import LapAnalysis
from paddock.analysis.shifts import shift_points, upshifts

HIGHLIGHT_LIMIT = 8
"""How many moments :func:`highlights` returns."""

IMPACT_G = 3.0
"""Combined acceleration above which :func:`incidents` flags an impact or spin."""

SLOW_LAP_RATIO = 1.07
"""A flying lap slower than this multiple of the best is flagged as a slow lap."""


def _rows(df: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
        for r in df.to_dicts()
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value)
    return value


def lap_time_table(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """Per lap: time, S1–S3 and best flags."""
    return {"laps": _rows(a.table), "best_lap": a.best_lap()}


def lap_time_distribution_(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """Tukey box-plot statistics of the flying laps' times."""
    return msgspec.to_builtins(lap_time_distribution(a.table))  # type: ignore[no-any-return]


def ideal_lap_(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """The sum of the best sectors."""
    return msgspec.to_builtins(ideal_lap(a.table))  # type: ignore[no-any-return]


def sector_times_(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """The thin S1/S2/S3 view."""
    return {"sectors": _rows(sector_times(a.table))}


def pedal_behavior_(
    a: LapAnalysis, *, throttle_th: float = 0.05, brake_th: float = 0.05, **_: Any
) -> dict[str, Any]:
    """Time share of throttle_only, brake_only, trail_brake and coast."""
    table = pedal_behavior(a.frame, throttle_th=throttle_th, brake_th=brake_th)
    overall = table.filter(pl.col("lap").is_null())
    return {
        "throttle_th": throttle_th,
        "brake_th": brake_th,
        "distribution": {r["state"]: r["share"] for r in overall.iter_rows(named=True)},
        "laps": _rows(table.filter(pl.col("lap").is_not_null())),
    }


def throttle_corner_box(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """Per corner: box-plot statistics of the throttle through it, over every pass."""
    out = []
    if "throttle" in a.frame.columns:
        for corner in a.corners.iter_rows(named=True):
            inside = a.frame.filter(
                (pl.col("lap_dist_m") >= corner["start_m"])
                & (pl.col("lap_dist_m") <= corner["end_m"])
            )
            out.append(
                {"corner": corner["number"], "name": corner["name"]}
                | msgspec.to_builtins(box_stats(inside["throttle"]))
            )
    return {"corners": out}


def corner_classification_(
    a: LapAnalysis, *, low_max: float = 100.0, med_max: float = 160.0, **_: Any
) -> dict[str, Any]:
    """Corners in low/medium/high speed bands."""
    table = corner_classification(a.corners, low_max=low_max, med_max=med_max)
    counts = {b: int((table["band"] == b).sum()) for b in ("low", "medium", "high")}
    return {"low_max": low_max, "med_max": med_max, "counts": counts, "corners": _rows(table)}


def straight_line_speed_(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """Top speed per straight."""
    return {"straights": _rows(straight_line_speed(a.frame, a.corners, a.lap_length_m))}


def brake_acceleration_(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """Deceleration into and acceleration out of each corner."""
    return {"corners": _rows(brake_acceleration(a.frame, a.zones, a.corners))}


def eob(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """Brake points and end of braking per corner, and every zone."""
    return {"summary": _rows(eob_summary(a.zones)), "zones": _rows(a.zones)}


def friction_circle_(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """g_lat × g_long scatter and its envelope."""
    return msgspec.to_builtins(friction_circle(a.frame))  # type: ignore[no-any-return]


def hustle_map_(a: LapAnalysis, *, segment_m: float = 100.0, **_: Any) -> dict[str, Any]:
    """Full-throttle share per segment of the lap."""
    return {"segment_m": segment_m, "segments": _rows(hustle_map(a.frame, segment_m=segment_m))}


def scorecard(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """A–F per corner (see :data:`paddock.analysis.corners.GRADE_STEPS_PCT`)."""
    summary = corner_summary(a.passes)
    return {
        "rule": (
            "Mean time through the corner over every flying lap, against the best pass: "
            "loss up to 0.5 % is A, 1 % B, 2 % C, 4 % D, more F."
        ),
        "corners": _rows(summary.select("corner", "name", "grade", "loss_s", "loss_pct", "passes")),
    }


def corners(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """Per corner: geometry, best pass, averages and grade."""
    summary = corner_summary(a.passes)
    table = a.corners.join(summary.drop("name"), left_on="number", right_on="corner", how="left")
    return {"corners": _rows(table), "count": a.corners.height}


def stats(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """Session aggregates."""
    best = a.table.filter(pl.col("best_lap"))
    return session_stats(a.lf) | {
        "lap_count": a.table.height,
        "best_lap_s": float(best["lap_time_s"][0]) if best.height else None,
        "corner_count": a.corners.height,
        "lap_length_m": a.lap_length_m,
    }


def shift_points_(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """Optimal against observed upshift rpm per gear."""
    return {"gears": _rows(shift_points(a.frame)), "upshifts": upshifts(a.frame).height}


def _xy(frame: pl.DataFrame) -> tuple[str, str] | None:
    if {"pos_x_m", "pos_z_m"} <= set(frame.columns) and frame[
        "pos_x_m"
    ].null_count() < frame.height:
        return "pos_x_m", "pos_z_m"
    if {"lon_deg", "lat_deg"} <= set(frame.columns) and frame[
        "lat_deg"
    ].null_count() < frame.height:
        return "lon_deg", "lat_deg"
    return None


def map_(
    a: LapAnalysis, *, lap: int | None = None, max_points: int = 1000, **_: Any
) -> dict[str, Any]:
    """The track (the best lap's line) and one lap's line with its speed."""
    xy = _xy(a.all_laps_frame)
    best = a.best_lap()
    if xy is None or best is None:
        return {"track": [], "lap": None, "overlay": [], "axes": None}
    x, y = xy

    def line(number: int) -> list[list[float]]:
        part = a.all_laps_frame.filter(pl.col("lap_no") == number)
        every = max(part.height // max(max_points, 1), 1)
        cols = [x, y, "lap_dist_m"] + (["speed_kmh"] if "speed_kmh" in part.columns else [])
        return [list(r) for r in part.select(cols).gather_every(every).iter_rows()]

    chosen = lap if lap is not None else best
    return {
        "axes": [x, y, "lap_dist_m", "speed_kmh"],
        "track": [p[:2] for p in line(best)],
        "lap": chosen,
        "overlay": line(chosen),
        "corners": _rows(a.corners.select("number", "name", "apex_m")),
    }


def highlights(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """The session's top moments: best lap and sectors, top speed, hardest braking, most grip."""
    out: list[dict[str, Any]] = []
    table = a.table
    best = table.filter(pl.col("best_lap"))
    if best.height:
        row = best.row(0, named=True)
        out.append(
            {
                "kind": "best_lap",
                "lap": row["lap"],
                "value": row["lap_time_s"],
                "text": f"Best lap {row['lap']}: {row['lap_time_s']:.3f} s",
            }
        )
    for k in (1, 2, 3):
        rows = table.filter(pl.col(f"best_s{k}"))
        if rows.height:
            row = rows.row(0, named=True)
            out.append(
                {
                    "kind": f"best_s{k}",
                    "lap": row["lap"],
                    "value": row[f"s{k}_s"],
                    "text": f"Best sector {k} on lap {row['lap']}: {row[f's{k}_s']:.3f} s",
                }
            )
    frame = a.frame
    if "speed_kmh" in frame.columns and frame.height:
        row = frame.sort("speed_kmh", descending=True).row(0, named=True)
        out.append(
            {
                "kind": "top_speed",
                "lap": row["lap_no"],
                "value": row["speed_kmh"],
                "t_s": row["t_s"],
                "text": f"Top speed {row['speed_kmh']:.1f} km/h",
            }
        )
    if a.zones.height:
        row = a.zones.sort("peak_decel_g", descending=True).row(0, named=True)
        out.append(
            {
                "kind": "hardest_braking",
                "lap": row["lap"],
                "value": row["peak_decel_g"],
                "text": f"Hardest braking {row['peak_decel_g']:.2f} g into T{row['corner']}",
            }
        )
    if "g_lat" in frame.columns and frame.height:
        row = (
            frame.with_columns(pl.col("g_lat").abs().alias("_g"))
            .sort("_g", descending=True)
            .row(0, named=True)
        )
        out.append(
            {
                "kind": "max_lateral_g",
                "lap": row["lap_no"],
                "value": abs(row["g_lat"]),
                "t_s": row["t_s"],
                "text": f"Most lateral grip {abs(row['g_lat']):.2f} g",
            }
        )
    summary = corner_summary(a.passes)
    if summary.height:
        row = summary.sort("best_min_kmh", descending=True).row(0, named=True)
        out.append(
            {
                "kind": "fastest_corner",
                "lap": row["best_lap"],
                "value": row["best_min_kmh"],
                "text": f"Fastest through {row['name']}: {row['best_min_kmh']:.1f} km/h minimum",
            }
        )
    return {"highlights": out[:HIGHLIGHT_LIMIT]}


def incidents(a: LapAnalysis, **_: Any) -> dict[str, Any]:
    """Flagged events: stops, impacts or spins, and slow laps.

    A stop is speed under 5 km/h during a lap; an impact or spin a combined acceleration above
    :data:`IMPACT_G`; a slow lap a flying lap slower than :data:`SLOW_LAP_RATIO` times the best.
    """
    out: list[dict[str, Any]] = []
    frame = a.all_laps_frame
    if "speed_kmh" in frame.columns:
        stops = (
            frame.filter(pl.col("speed_kmh") < 5.0).group_by("lap_no").agg(pl.col("t_s").first())
        )
        for row in stops.sort("t_s").iter_rows(named=True):
            out.append({"kind": "stop", "lap": row["lap_no"], "t_s": row["t_s"]})
    if {"g_lat", "g_long"} <= set(frame.columns):
        hits = frame.filter((pl.col("g_lat") ** 2 + pl.col("g_long") ** 2).sqrt() > IMPACT_G)
        for row in (
            hits.group_by("lap_no").agg(pl.col("t_s").first()).sort("t_s").iter_rows(named=True)
        ):
            out.append({"kind": "impact", "lap": row["lap_no"], "t_s": row["t_s"]})
    flying = a.table.filter(~pl.col("out_lap") & ~pl.col("in_lap"))
    if flying.height:
        best = float(flying["lap_time_s"].min())  # type: ignore[arg-type]
        for row in flying.filter(pl.col("lap_time_s") > best * SLOW_LAP_RATIO).iter_rows(
            named=True
        ):
            out.append(
                {
                    "kind": "slow_lap",
                    "lap": row["lap"],
                    "t_s": row["t_start"],
                    "value": row["lap_time_s"],
                }
            )
    return {"incidents": out, "count": len(out)}


ANALYTICS: dict[str, Callable[..., dict[str, Any]]] = {
    "lap_time_table": lap_time_table,
    "lap_time_distribution": lap_time_distribution_,
    "ideal_lap": ideal_lap_,
    "sector_times": sector_times_,
    "pedal_behavior": pedal_behavior_,
    "throttle_corner_box": throttle_corner_box,
    "corner_classification": corner_classification_,
    "straight_line_speed": straight_line_speed_,
    "brake_acceleration": brake_acceleration_,
    "eob": eob,
    "friction_circle": friction_circle_,
    "hustle_map": hustle_map_,
    "scorecard": scorecard,
    "highlights": highlights,
    "incidents": incidents,
    "stats": stats,
    "map": map_,
    "corners": corners,
    "shift_points": shift_points_,
}
"""Every analytic by name."""


def compute(name: str, analysis: LapAnalysis, **params: Any) -> dict[str, Any]:
    """Run the analytic ``name`` with ``params``.

    Raises:
        KeyError: No analytic of that name.
    """
    return ANALYTICS[name](analysis, **params)
