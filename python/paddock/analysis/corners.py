"""Corners found from the driven line, each lap's pass through them, grades and speed bands.

Detection, on the flying laps of a session:

1. The path curvature of every sample: lateral acceleration over speed squared
   (``g_lat · g / v²``) when the source has both, else the change of ``heading_deg`` over the
   distance driven, else the turn of the ``pos_x_m``/``pos_z_m`` track over distance. Positive
   is a right-hand bend (``g_lat`` positive to the right, as the canonical channel is defined).
2. Averaged over all flying laps in ``step_m`` bins of lap distance, so one lap's noise or a
   lap off line does not add or remove a corner, and the numbering holds across laps.
3. A corner is a run of bins curving one way with ``|curvature| >= min_curvature`` that turns
   through at least ``min_angle_deg`` (14°) in total. A line sampled in bins loses a little of
   the turn where it crosses the curvature threshold, so the default sits a degree under the
   15° a track's own centre line is numbered with (see ``paddock.sources.simulator.tumftm``).
   Corners are numbered T1, T2… in lap order; the apex is the slowest point of the run (the
   middle of the speed minimum, averaged over laps), ``min_radius_m`` the tightest curvature.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from paddock.analysis._frame import GRAVITY_MS2, interp_within

CORNER_SCHEMA: dict[str, pl.DataType] = {
    "number": pl.Int32(),
    "name": pl.String(),
    "direction": pl.String(),
    "start_m": pl.Float64(),
    "apex_m": pl.Float64(),
    "end_m": pl.Float64(),
    "min_radius_m": pl.Float64(),
    "angle_deg": pl.Float64(),
    "apex_speed_kmh": pl.Float64(),
}
"""Columns of :func:`detect_corners`."""

PASS_SCHEMA: dict[str, pl.DataType] = {
    "lap": pl.Int32(),
    "corner": pl.Int32(),
    "name": pl.String(),
    "entry_kmh": pl.Float64(),
    "min_kmh": pl.Float64(),
    "exit_kmh": pl.Float64(),
    "time_s": pl.Float64(),
    "max_lat_g": pl.Float64(),
    "throttle_mean": pl.Float64(),
}
"""Columns of :func:`corner_passes`."""


def _sample_curvature(frame: pl.DataFrame) -> pl.Series | None:
    """Signed curvature (1/m) at every row of a lap frame, or ``None`` without the channels."""
    cols = set(frame.columns)
    speed = frame["speed_kmh"].cast(pl.Float64) / 3.6 if "speed_kmh" in cols else None
    if speed is not None and "g_lat" in cols and frame["g_lat"].null_count() < frame.height:
        v2 = (speed * speed).to_numpy()
        lat = frame["g_lat"].cast(pl.Float64).fill_null(0.0).to_numpy() * GRAVITY_MS2
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.where(v2 > 25.0, lat / v2, 0.0)
        return pl.Series("k", k)
    if {"pos_x_m", "pos_z_m"} <= cols and frame["pos_x_m"].null_count() < frame.height:
        x = frame["pos_x_m"].cast(pl.Float64).fill_null(0.0).to_numpy()
        z = frame["pos_z_m"].cast(pl.Float64).fill_null(0.0).to_numpy()
        # Heading in the ground plane seen from above (x east, z south): clockwise positive.
        heading = np.unwrap(np.arctan2(np.gradient(x), -np.gradient(z)))
    elif "heading_deg" in cols and frame["heading_deg"].null_count() < frame.height:
        # Yaw grows turning left: the right-positive curvature is its negative rate.
        yaw = frame["heading_deg"].cast(pl.Float64).fill_null(0.0).to_numpy()
        heading = -np.unwrap(np.radians(yaw))
    else:
        return None
    d = frame["lap_dist_m"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.gradient(heading) / np.gradient(d)
    return pl.Series("k", np.nan_to_num(k, nan=0.0, posinf=0.0, neginf=0.0))


def curvature_profile(frame: pl.DataFrame, *, step_m: float = 5.0) -> pl.DataFrame:
    """Mean curvature and speed per ``step_m`` bin of lap distance over the laps of a lap frame.

    Returns:
        ``bin``, ``dist_m`` (bin start), ``k`` (1/m), ``speed_kmh``; bins without samples are
        filled by interpolation.
    """
    schema = {
        "bin": pl.Int64(),
        "dist_m": pl.Float64(),
        "k": pl.Float64(),
        "speed_kmh": pl.Float64(),
    }
    k = _sample_curvature(frame) if not frame.is_empty() else None
    if k is None:
        return pl.DataFrame(schema=schema)
    speed = frame["speed_kmh"].cast(pl.Float64) if "speed_kmh" in frame.columns else k * 0.0
    binned = (
        pl.DataFrame({"d": frame["lap_dist_m"], "k": k, "v": speed})
        .filter(pl.col("d") >= 0)
        .with_columns((pl.col("d") / step_m).floor().cast(pl.Int64).alias("bin"))
        .group_by("bin")
        .agg(pl.col("k").mean(), pl.col("v").mean().alias("speed_kmh"))
        .sort("bin")
    )
    if binned.is_empty():
        return pl.DataFrame(schema=schema)
    full = pl.DataFrame({"bin": pl.arange(0, int(binned["bin"].max()) + 1, eager=True)})  # type: ignore[arg-type]
    return (
        full.join(binned, on="bin", how="left")
        .with_columns(
            pl.col("k").interpolate().fill_null(0.0),
            pl.col("speed_kmh").interpolate().fill_null(strategy="forward").fill_null(0.0),
            (pl.col("bin") * step_m).cast(pl.Float64).alias("dist_m"),
        )
        .select("bin", "dist_m", "k", "speed_kmh")
    )


def detect_corners(
    frame: pl.DataFrame,
    *,
    step_m: float = 2.0,
    min_curvature: float = 1.0 / 350.0,
    min_angle_deg: float = 14.0,
) -> pl.DataFrame:
    """The corners of the laps in a lap frame (see the module notes).

    Args:
        frame: A lap frame of flying laps (:func:`paddock.analysis.envelope.tag_laps`) with
            ``speed_kmh`` and ``g_lat``, ``heading_deg`` or positions.
        step_m: Distance bin, metres.
        min_curvature: Curvature (1/m) from which the line counts as turning.
        min_angle_deg: Smallest total turn of a corner.

    Returns:
        Rows of :data:`CORNER_SCHEMA` in lap order.
    """
    profile = curvature_profile(frame, step_m=step_m)
    if profile.height < 3:
        return pl.DataFrame(schema=CORNER_SCHEMA)
    k = profile["k"].to_list()
    v = profile["speed_kmh"].to_list()
    runs: list[list[int]] = []
    for i, value in enumerate(k):
        if abs(value) < min_curvature:
            continue
        if runs and runs[-1][-1] == i - 1 and (k[i - 1] > 0) == (value > 0):
            runs[-1].append(i)
        else:
            runs.append([i])
    # A corner through the start line: join the last run to the first.
    last = len(k) - 1
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == last and (k[0] > 0) == (k[last] > 0):
        runs[0] = runs.pop() + runs[0]
    rows: list[dict[str, Any]] = []
    for run in runs:
        angle = math.degrees(sum(abs(k[i]) * step_m for i in run))
        if angle < min_angle_deg:
            continue
        slowest = min(v[i] for i in run)
        plateau = [i for i in run if v[i] <= slowest + 0.5]
        apex = plateau[len(plateau) // 2]
        tightest = max(run, key=lambda i: abs(k[i]))
        rows.append(
            {
                "direction": "right" if k[tightest] > 0 else "left",
                "start_m": run[0] * step_m,
                "apex_m": (apex + 0.5) * step_m,
                "end_m": (run[-1] + 1) * step_m,
                "min_radius_m": 1.0 / abs(k[tightest]),
                "angle_deg": angle,
                "apex_speed_kmh": v[apex],
            }
        )
    rows.sort(key=lambda r: r["apex_m"])
    for number, row in enumerate(rows, start=1):
        row["number"] = number
        row["name"] = f"T{number}"
    return pl.DataFrame(rows, schema=CORNER_SCHEMA).select(list(CORNER_SCHEMA))


def corner_passes(frame: pl.DataFrame, corners: pl.DataFrame) -> pl.DataFrame:
    """Each lap's pass through each corner: entry, minimum and exit speed, time, grip, throttle.

    Entry and exit are the corner's start and end on the lap-distance axis; times and speeds
    there are interpolated. A corner running through the line is measured from the line.
    """
    if frame.is_empty() or corners.is_empty() or "speed_kmh" not in frame.columns:
        return pl.DataFrame(schema=PASS_SCHEMA)
    ordered = corners.sort("start_m")
    starts = ordered["start_m"].to_numpy().astype(float)
    ends = ordered["end_m"].to_numpy().astype(float)
    starts = np.where(ends <= starts, 0.0, starts)
    numbers = ordered["number"].to_list()
    names = ordered["name"].to_list()
    # Rows inside a corner, tagged with it (corners do not overlap).
    inside = frame.select(
        "lap_no",
        "lap_dist_m",
        pl.col("speed_kmh").cast(pl.Float64),
        *[c for c in ("g_lat", "throttle") if c in frame.columns],
    )
    d = inside["lap_dist_m"].to_numpy()
    slot = np.searchsorted(starts, d, side="right") - 1
    within = (slot >= 0) & (d <= ends[np.clip(slot, 0, None)])
    inside = inside.with_columns(pl.Series("_slot", slot)).filter(pl.Series(within))
    aggs = [pl.col("speed_kmh").min().alias("min_kmh")]
    aggs.append(
        pl.col("g_lat").abs().max().alias("max_lat_g")
        if "g_lat" in frame.columns
        else pl.lit(None, pl.Float64).alias("max_lat_g")
    )
    aggs.append(
        pl.col("throttle").mean().alias("throttle_mean")
        if "throttle" in frame.columns
        else pl.lit(None, pl.Float64).alias("throttle_mean")
    )
    stats = inside.group_by("lap_no", "_slot").agg(aggs)
    # Time and speed at every corner's entry and exit on every lap: one interpolation call.
    laps = frame["lap_no"].unique(maintain_order=True).cast(pl.Int32)
    n, count = len(starts), laps.len()
    lap_ids = frame["lap_no"].to_numpy()
    at_laps = np.repeat(laps.to_numpy(), 2 * n)
    at_d = np.tile(np.concatenate([starts, ends]), count)
    t_edge = interp_within(lap_ids, d, frame["lap_t_s"].to_numpy(), at_laps, at_d).reshape(
        count, 2 * n
    )
    v_edge = interp_within(
        lap_ids, d, frame["speed_kmh"].cast(pl.Float64).to_numpy(), at_laps, at_d
    ).reshape(count, 2 * n)
    edges_table = pl.DataFrame(
        {
            "lap": laps.gather(np.repeat(np.arange(count), n)),
            "_slot": np.tile(np.arange(n, dtype=np.int64), count),
            "corner": np.tile(np.asarray(numbers, dtype=np.int32), count),
            "name": np.tile(np.asarray(names, dtype=object), count).tolist(),
            "entry_kmh": v_edge[:, :n].ravel(),
            "exit_kmh": v_edge[:, n:].ravel(),
            "time_s": (t_edge[:, n:] - t_edge[:, :n]).ravel(),
        },
        schema={
            "lap": pl.Int32(),
            "_slot": pl.Int64(),
            "corner": pl.Int32(),
            "name": pl.String(),
            "entry_kmh": pl.Float64(),
            "exit_kmh": pl.Float64(),
            "time_s": pl.Float64(),
        },
    )
    joined = edges_table.join(
        stats.with_columns(pl.col("lap_no").cast(pl.Int32), pl.col("_slot").cast(pl.Int64)),
        left_on=["lap", "_slot"],
        right_on=["lap_no", "_slot"],
        how="left",
    ).with_columns(
        pl.col("min_kmh").fill_null(pl.min_horizontal("entry_kmh", "exit_kmh")),
    )
    return joined.select([pl.col(n).cast(t) for n, t in PASS_SCHEMA.items()]).sort("lap", "corner")


def corner_classification(
    corners: pl.DataFrame, *, low_max: float = 100.0, med_max: float = 160.0
) -> pl.DataFrame:
    """Each corner in a speed band by its apex speed.

    Bands: ``low`` up to ``low_max``, ``medium`` up to ``med_max``, ``high`` above (km/h).
    """
    return corners.select(
        "number",
        "name",
        "direction",
        "apex_speed_kmh",
        pl.when(pl.col("apex_speed_kmh") <= low_max)
        .then(pl.lit("low"))
        .when(pl.col("apex_speed_kmh") <= med_max)
        .then(pl.lit("medium"))
        .otherwise(pl.lit("high"))
        .alias("band"),
    )


GRADE_STEPS_PCT = ((0.5, "A"), (1.0, "B"), (2.0, "C"), (4.0, "D"))
"""Scorecard grading: a corner's mean time loss to its best pass, as a percentage of the best
pass, up to each bound earns the letter; anything above the last bound is an ``F``."""


def grade(loss_pct: float) -> str:
    """The letter for a mean time loss of ``loss_pct`` percent (see :data:`GRADE_STEPS_PCT`)."""
    for bound, letter in GRADE_STEPS_PCT:
        if loss_pct <= bound:
            return letter
    return "F"


def corner_summary(passes: pl.DataFrame) -> pl.DataFrame:
    """Per corner: best pass, averages over all passes, time loss and A–F grade.

    Columns: ``corner``, ``name``, ``passes``, ``best_time_s``, ``best_lap``, ``mean_time_s``,
    ``mean_entry_kmh``, ``mean_min_kmh``, ``mean_exit_kmh``, ``best_min_kmh``, ``loss_s``,
    ``loss_pct``, ``grade``.
    """
    if passes.is_empty():
        return pl.DataFrame(
            schema={
                "corner": pl.Int32(),
                "name": pl.String(),
                "passes": pl.UInt32(),
                "best_time_s": pl.Float64(),
                "best_lap": pl.Int32(),
                "mean_time_s": pl.Float64(),
                "mean_entry_kmh": pl.Float64(),
                "mean_min_kmh": pl.Float64(),
                "mean_exit_kmh": pl.Float64(),
                "best_min_kmh": pl.Float64(),
                "loss_s": pl.Float64(),
                "loss_pct": pl.Float64(),
                "grade": pl.String(),
            }
        )
    summary = (
        passes.sort("time_s")
        .group_by("corner", maintain_order=False)
        .agg(
            pl.col("name").first(),
            pl.len().alias("passes"),
            pl.col("time_s").first().alias("best_time_s"),
            pl.col("lap").first().alias("best_lap"),
            pl.col("time_s").mean().alias("mean_time_s"),
            pl.col("entry_kmh").mean().alias("mean_entry_kmh"),
            pl.col("min_kmh").mean().alias("mean_min_kmh"),
            pl.col("exit_kmh").mean().alias("mean_exit_kmh"),
            pl.col("min_kmh").first().alias("best_min_kmh"),
        )
        .sort("corner")
        .with_columns((pl.col("mean_time_s") - pl.col("best_time_s")).alias("loss_s"))
        .with_columns((100.0 * pl.col("loss_s") / pl.col("best_time_s")).alias("loss_pct"))
    )
    return summary.with_columns(
        pl.col("loss_pct").map_elements(grade, return_dtype=pl.String).alias("grade")
    )
