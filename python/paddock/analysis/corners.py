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

from paddock.analysis._frame import GRAVITY_MS2, interp_within_many

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
    # Bin means by counting (the bins are small integers): one pass over the samples.
    d = frame["lap_dist_m"].cast(pl.Float64).to_numpy()
    kv = k.cast(pl.Float64).to_numpy()
    vv = speed.to_numpy()
    inside = np.isfinite(d) & (d >= 0)
    if not inside.all():
        d, kv, vv = d[inside], kv[inside], vv[inside]
    if d.size == 0:
        return pl.DataFrame(schema=schema)
    bins = (d / step_m).astype(np.int64)  # d >= 0: truncation is the floor
    size = int(bins.max()) + 1
    samples = np.bincount(bins, minlength=size)

    def bin_mean(values: np.ndarray) -> pl.Series:
        valid = np.isfinite(values)
        if valid.all():
            count, total = samples, np.bincount(bins, weights=values, minlength=size)
        else:
            count = np.bincount(bins[valid], minlength=size)
            total = np.bincount(bins[valid], weights=values[valid], minlength=size)
        with np.errstate(divide="ignore", invalid="ignore"):
            return pl.Series(np.where(count > 0, total / count, np.nan)).fill_nan(None)

    binned = pl.DataFrame(
        {
            "bin": np.arange(size, dtype=np.int64),
            "k": bin_mean(kv),
            "speed_kmh": bin_mean(vv),
        }
    )
    return binned.with_columns(
        pl.col("k").interpolate().fill_null(0.0),
        pl.col("speed_kmh").interpolate().fill_null(strategy="forward").fill_null(0.0),
        (pl.col("bin") * step_m).cast(pl.Float64).alias("dist_m"),
    ).select("bin", "dist_m", "k", "speed_kmh")


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
    Minimum speed, peak lateral g and mean throttle are over the samples inside the corner.
    Every lap and corner is computed at once (array reductions, one interpolation call).
    """
    if frame.is_empty() or corners.is_empty() or "speed_kmh" not in frame.columns:
        return pl.DataFrame(schema=PASS_SCHEMA)
    ordered = corners.sort("start_m")
    starts = ordered["start_m"].to_numpy().astype(float)
    ends = ordered["end_m"].to_numpy().astype(float)
    starts = np.where(ends <= starts, 0.0, starts)
    n = len(starts)
    lap_ids = frame["lap_no"].to_numpy()
    laps = np.unique(lap_ids[np.flatnonzero(np.r_[True, lap_ids[1:] != lap_ids[:-1]])])
    count = len(laps)
    d = frame["lap_dist_m"].cast(pl.Float64).to_numpy()
    v = frame["speed_kmh"].cast(pl.Float64).to_numpy()
    # Rows inside a corner (corners do not overlap), keyed by (lap, corner): inside a lap the
    # distance grows, so each key is one run of rows; reductions run over those runs and the
    # few runs a jittery distance splits are merged after.
    slot = np.searchsorted(starts, d, side="right") - 1
    within = (slot >= 0) & (d <= ends[np.clip(slot, 0, None)])
    key = np.searchsorted(laps, lap_ids[within]) * n + slot[within]
    size = count * n

    def reduce(values: np.ndarray, how: str) -> np.ndarray:
        """Per key: ``min``/``max`` ignoring NaN, or ``mean`` of the non-NaN values."""
        if key.size == 0:
            return np.full(size, np.nan)
        runs = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        at = key[runs]
        if how == "mean":
            valid = np.isfinite(values)
            total = np.zeros(size)
            seen = np.zeros(size)
            np.add.at(total, at, np.add.reduceat(np.where(valid, values, 0.0), runs))
            np.add.at(seen, at, np.add.reduceat(valid.astype(float), runs))
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(seen > 0, total / seen, np.nan)
        fn = np.fmin if how == "min" else np.fmax
        acc = np.full(size, np.nan)
        fn.at(acc, at, fn.reduceat(values, runs))
        return acc

    lowest = reduce(v[within], "min")
    peak_g = (
        reduce(np.abs(frame["g_lat"].cast(pl.Float64).to_numpy()[within]), "max")
        if "g_lat" in frame.columns
        else np.full(size, np.nan)
    )
    throttle = (
        reduce(frame["throttle"].cast(pl.Float64).to_numpy()[within], "mean")
        if "throttle" in frame.columns
        else np.full(size, np.nan)
    )
    # Time and speed at every corner's entry and exit on every lap: one interpolation call.
    t_edge, v_edge = interp_within_many(
        lap_ids,
        d,
        [frame["lap_t_s"].to_numpy(), v],
        np.repeat(laps, 2 * n),
        np.tile(np.concatenate([starts, ends]), count),
    )
    t_edge, v_edge = t_edge.reshape(count, 2 * n), v_edge.reshape(count, 2 * n)
    entry, exit_ = v_edge[:, :n].ravel(), v_edge[:, n:].ravel()
    table = pl.DataFrame(
        {
            "lap": np.repeat(laps, n),
            "corner": np.tile(ordered["number"].to_numpy(), count),
            "name": ordered["name"].to_list() * count,
            "entry_kmh": entry,
            "min_kmh": np.where(np.isnan(lowest), np.fmin(entry, exit_), lowest),
            "exit_kmh": exit_,
            "time_s": (t_edge[:, n:] - t_edge[:, :n]).ravel(),
            "max_lat_g": peak_g,
            "throttle_mean": throttle,
        },
        nan_to_null=True,
    )
    return table.select([pl.col(c).cast(t) for c, t in PASS_SCHEMA.items()]).sort("lap", "corner")


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
