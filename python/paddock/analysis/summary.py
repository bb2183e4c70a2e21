"""One session's analysis in a few plain figures: what lists, leaderboards and profiles show.

:func:`lap_summary` is the cheap part (laps from the lap detection, any strategy: the game's
counter, the start line, distance, and never stints); :func:`detail_summary` adds what needs
the corners and the pedals. Both return plain data, so a cache or the catalog can keep them.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from paddock.analysis.corners import corner_classification, corner_summary
from paddock.analysis.driving import PEDAL_STATES, pedal_behavior
from paddock.analysis.sectors import ideal_lap
from paddock.analysis.session_laps import LapAnalysis

CONSISTENCY_WINDOW = 1.07
"""Flying laps slower than this multiple of the best are left out of the consistency figures
(a lap behind traffic or with a mistake says nothing about how evenly the driver laps)."""


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def consistency(times: list[float]) -> dict[str, Any]:
    """Spread of lap times within :data:`CONSISTENCY_WINDOW` of the best.

    Returns:
        ``laps`` (how many counted), ``mean_s``, ``std_s`` (sample standard deviation),
        ``cv_pct`` (``std_s`` as a percentage of ``mean_s``); the figures are ``None`` below
        two laps.
    """
    valid = [t for t in times if t > 0 and math.isfinite(t)]
    if not valid:
        return {"laps": 0, "mean_s": None, "std_s": None, "cv_pct": None}
    best = min(valid)
    kept = [t for t in valid if t <= best * CONSISTENCY_WINDOW]
    if len(kept) < 2:
        return {"laps": len(kept), "mean_s": kept[0], "std_s": None, "cv_pct": None}
    mean = math.fsum(kept) / len(kept)
    std = math.sqrt(math.fsum((t - mean) ** 2 for t in kept) / (len(kept) - 1))
    return {"laps": len(kept), "mean_s": mean, "std_s": std, "cv_pct": 100.0 * std / mean}


def lap_summary(analysis: LapAnalysis) -> dict[str, Any]:
    """The session's laps: count, best, ideal lap, every lap's times, consistency.

    ``lap_count`` counts the complete laps of the lap detection (out- and in-laps included);
    ``best_lap_s`` is the fastest flying lap.
    """
    table = analysis.table
    flying = table.filter(~pl.col("out_lap") & ~pl.col("in_lap"))
    best = flying.sort("lap_time_s").head(1)
    times = [t for t in flying["lap_time_s"].to_list() if isinstance(t, float)]
    return {
        "frame_count": analysis.row_count,
        "lap_count": table.height,
        "lap_method": str(table["method"][0]) if table.height else None,
        "best_lap_s": _finite(best["lap_time_s"][0]) if best.height else None,
        "best_lap": int(best["lap"][0]) if best.height else None,
        "ideal_lap_s": ideal_lap(table).ideal_lap_s if table.height else None,
        "laps": [
            {k: (_finite(v) if isinstance(v, float) else v) for k, v in row.items()}
            for row in table.select(
                "lap", "lap_time_s", "s1_s", "s2_s", "s3_s", "out_lap", "in_lap"
            ).to_dicts()
        ],
        "consistency": consistency(times),
    }


def detail_summary(analysis: LapAnalysis) -> dict[str, Any]:
    """Corners (best time, grade, speed band, direction) and the pedal time shares.

    ``corners`` maps a corner's name to its best time (what the evolution compares);
    ``corner_grades`` lists every corner with its grade; ``pedal`` the share of driving time in
    each pedal state over all flying laps (empty without pedal channels).
    """
    summary = corner_summary(analysis.passes)
    bands = corner_classification(analysis.corners).select("number", "direction", "band")
    graded = summary.join(bands, left_on="corner", right_on="number", how="left")
    pedals = pedal_behavior(analysis.frame).filter(pl.col("lap").is_null())
    shares = dict(zip(pedals["state"].to_list(), pedals["share"].to_list(), strict=True))
    return {
        "corners": dict(zip(summary["name"], summary["best_time_s"], strict=True)),
        "corner_grades": [
            {
                "corner": row["corner"],
                "name": row["name"],
                "grade": row["grade"],
                "loss_pct": _finite(row["loss_pct"]),
                "band": row["band"],
                "direction": row["direction"],
            }
            for row in graded.iter_rows(named=True)
        ],
        "pedal": {s: _finite(shares.get(s)) or 0.0 for s in PEDAL_STATES} if shares else {},
    }
