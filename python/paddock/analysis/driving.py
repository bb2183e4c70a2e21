"""How the car was driven: pedal states, full-throttle map, friction circle, straights, stats.

Time shares are weighted by each sample's duration (the gap to the next sample), so a source
with an uneven rate is not biased toward its denser stretches.
"""

from __future__ import annotations

from typing import Any

import msgspec
import polars as pl

PEDAL_STATES = ("throttle_only", "brake_only", "trail_brake", "coast")
"""The four pedal states of :func:`pedal_behavior`."""


def _weights(frame: pl.DataFrame) -> pl.Expr:
    """Each row's duration: the time to the next row of the same lap (0 for the last)."""
    return (pl.col("t_s").shift(-1).over("lap_no") - pl.col("t_s")).fill_null(0.0).clip(0.0, 1.0)


def pedal_behavior(
    frame: pl.DataFrame,
    *,
    throttle_th: float = 0.05,
    brake_th: float = 0.05,
    trail_lat_g: float = 0.3,
) -> pl.DataFrame:
    """Share of time in each pedal state, per lap and over all laps (``lap`` null).

    States: ``brake_only`` (brake at or above ``brake_th`` while the car runs straight),
    ``trail_brake`` (braking while cornering: ``|g_lat| >= trail_lat_g``, or while steering
    more than 5 % when the source has no lateral acceleration), ``throttle_only`` (throttle at
    or above ``throttle_th``, no brake), ``coast`` (neither pedal). Braking wins over throttle
    when both are pressed.

    Returns:
        ``lap``, ``state``, ``time_s``, ``share`` (0..1 of the lap's time).
    """
    schema = {
        "lap": pl.Int32(),
        "state": pl.String(),
        "time_s": pl.Float64(),
        "share": pl.Float64(),
    }
    if frame.is_empty() or not {"throttle", "brake"} <= set(frame.columns):
        return pl.DataFrame(schema=schema)
    if "g_lat" in frame.columns:
        cornering = pl.col("g_lat").abs().fill_null(0.0) >= trail_lat_g
    elif "steer" in frame.columns:
        cornering = pl.col("steer").abs().fill_null(0.0) >= 0.05
    else:
        cornering = pl.lit(False)
    braking = pl.col("brake").fill_null(0.0) >= brake_th
    state = (
        pl.when(braking & cornering)
        .then(pl.lit("trail_brake"))
        .when(braking)
        .then(pl.lit("brake_only"))
        .when(pl.col("throttle").fill_null(0.0) >= throttle_th)
        .then(pl.lit("throttle_only"))
        .otherwise(pl.lit("coast"))
    )
    tagged = frame.sort("t_s").with_columns(state.alias("state"), _weights(frame).alias("w"))
    per_lap = tagged.group_by("lap_no", "state").agg(pl.col("w").sum().alias("time_s"))
    total = tagged.group_by("state").agg(pl.col("w").sum().alias("time_s"))
    grid = pl.DataFrame({"state": list(PEDAL_STATES)})
    out = []
    for lap in tagged["lap_no"].unique().sort().to_list():
        part = grid.join(per_lap.filter(pl.col("lap_no") == lap), on="state", how="left")
        out.append(part.select(pl.lit(lap).alias("lap"), "state", pl.col("time_s").fill_null(0.0)))
    out.append(
        grid.join(total, on="state", how="left").select(
            pl.lit(None).alias("lap"), "state", pl.col("time_s").fill_null(0.0)
        )
    )
    result = pl.concat([o.cast({"lap": pl.Int32}) for o in out])
    return result.with_columns(
        (pl.col("time_s") / pl.col("time_s").sum().over("lap")).fill_nan(0.0).alias("share")
    ).select(list(schema))


def hustle_map(
    frame: pl.DataFrame, *, segment_m: float = 100.0, full_th: float = 0.98
) -> pl.DataFrame:
    """Per segment of lap distance, the share of time at full throttle (over all laps).

    Returns:
        ``segment``, ``start_m``, ``end_m``, ``full_throttle_share``, ``mean_speed_kmh``.
    """
    schema = {
        "segment": pl.Int32(),
        "start_m": pl.Float64(),
        "end_m": pl.Float64(),
        "full_throttle_share": pl.Float64(),
        "mean_speed_kmh": pl.Float64(),
    }
    if frame.is_empty() or "throttle" not in frame.columns:
        return pl.DataFrame(schema=schema)
    speed = pl.col("speed_kmh") if "speed_kmh" in frame.columns else pl.lit(None, pl.Float64)
    return (
        frame.sort("t_s")
        .with_columns(
            _weights(frame).alias("w"),
            (pl.col("lap_dist_m") / segment_m).floor().cast(pl.Int32).alias("segment"),
        )
        .filter(pl.col("segment") >= 0)
        .group_by("segment")
        .agg(
            ((pl.col("throttle") >= full_th).cast(pl.Float64) * pl.col("w")).sum().alias("full"),
            pl.col("w").sum().alias("total"),
            speed.mean().alias("mean_speed_kmh"),
        )
        .sort("segment")
        .select(
            "segment",
            (pl.col("segment") * segment_m).cast(pl.Float64).alias("start_m"),
            ((pl.col("segment") + 1) * segment_m).cast(pl.Float64).alias("end_m"),
            (pl.col("full") / pl.col("total")).fill_nan(0.0).alias("full_throttle_share"),
            pl.col("mean_speed_kmh").cast(pl.Float64),
        )
    )


class FrictionCircle(msgspec.Struct, kw_only=True):
    """Lateral against longitudinal acceleration.

    Attributes:
        points: Up to ``max_points`` ``[g_lat, g_long]`` pairs, evenly thinned.
        max_combined_g: Largest ``sqrt(g_lat² + g_long²)``.
        p95_combined_g: Its 95th percentile.
        max_lat_g: Largest ``|g_lat|``.
        max_brake_g: Largest deceleration (positive).
        max_accel_g: Largest forward acceleration.
        mean_utilisation: Mean combined g over the 95th percentile, while above 0.2 g.
    """

    points: list[list[float]]
    max_combined_g: float | None
    p95_combined_g: float | None
    max_lat_g: float | None
    max_brake_g: float | None
    max_accel_g: float | None
    mean_utilisation: float | None


def friction_circle(frame: pl.DataFrame, *, max_points: int = 2000) -> FrictionCircle:
    """The friction circle of a lap frame (``g_lat`` and ``g_long``)."""
    if frame.is_empty() or not {"g_lat", "g_long"} <= set(frame.columns):
        return FrictionCircle(
            points=[],
            max_combined_g=None,
            p95_combined_g=None,
            max_lat_g=None,
            max_brake_g=None,
            max_accel_g=None,
            mean_utilisation=None,
        )
    g = frame.select(
        pl.col("g_lat").cast(pl.Float64), pl.col("g_long").cast(pl.Float64)
    ).drop_nulls()
    combined = (g["g_lat"] ** 2 + g["g_long"] ** 2).sqrt()
    every = max(g.height // max(max_points, 1), 1)
    thin = g.gather_every(every)
    p95 = float(combined.quantile(0.95, "linear") or 0.0) if combined.len() else None
    loaded = combined.filter(combined > 0.2)
    return FrictionCircle(
        points=[[a, b] for a, b in thin.iter_rows()],
        max_combined_g=float(combined.max()) if combined.len() else None,  # type: ignore[arg-type]
        p95_combined_g=p95,
        max_lat_g=float(g["g_lat"].abs().max()) if g.height else None,  # type: ignore[arg-type]
        max_brake_g=float(-g["g_long"].min()) if g.height else None,  # type: ignore[operator,arg-type]
        max_accel_g=float(g["g_long"].max()) if g.height else None,  # type: ignore[arg-type]
        mean_utilisation=float(loaded.mean()) / p95 if p95 and loaded.len() else None,  # type: ignore[arg-type]
    )


def straights(corners: pl.DataFrame, lap_length_m: float) -> pl.DataFrame:
    """The stretches between corners: ``name``, ``start_m``, ``end_m`` (through the line too).

    The straight ending at T1 is the ``Main straight``; the others are named after the corner
    they leave (``After T3``).
    """
    schema = {"name": pl.String(), "start_m": pl.Float64(), "end_m": pl.Float64()}
    if corners.is_empty():
        return pl.DataFrame(schema=schema)
    rows = corners.sort("number").iter_rows(named=True)
    items = list(rows)
    out: list[dict[str, Any]] = []
    for i, corner in enumerate(items):
        nxt = items[(i + 1) % len(items)]
        start = corner["end_m"]
        end = nxt["start_m"] if i + 1 < len(items) else nxt["start_m"] + lap_length_m
        if end - start <= 0:
            continue
        name = "Main straight" if i + 1 == len(items) else f"After {corner['name']}"
        out.append({"name": name, "start_m": start, "end_m": end})
    return pl.DataFrame(out, schema=schema)


def straight_line_speed(
    frame: pl.DataFrame, corners: pl.DataFrame, lap_length_m: float
) -> pl.DataFrame:
    """Top speed on each straight: per lap, best and mean.

    Returns:
        ``name``, ``start_m``, ``end_m``, ``top_kmh`` (best over laps), ``mean_top_kmh``,
        ``best_lap``.
    """
    schema = {
        "name": pl.String(),
        "start_m": pl.Float64(),
        "end_m": pl.Float64(),
        "top_kmh": pl.Float64(),
        "mean_top_kmh": pl.Float64(),
        "best_lap": pl.Int32(),
    }
    rows = []
    if frame.is_empty() or "speed_kmh" not in frame.columns:
        return pl.DataFrame(schema=schema)
    for straight in straights(corners, lap_length_m).iter_rows(named=True):
        start, end = straight["start_m"], straight["end_m"]
        d = pl.col("lap_dist_m")
        inside = (d >= start) & (d <= end)
        if end > lap_length_m:
            inside = inside | (d <= end - lap_length_m)
        tops = (
            frame.filter(inside)
            .group_by("lap_no")
            .agg(pl.col("speed_kmh").max().alias("top"))
            .sort("top", descending=True)
        )
        if tops.is_empty():
            continue
        rows.append(
            {
                **straight,
                "top_kmh": float(tops["top"][0]),
                "mean_top_kmh": float(tops["top"].mean()),  # type: ignore[arg-type]
                "best_lap": int(tops["lap_no"][0]),
            }
        )
    return pl.DataFrame(rows, schema=schema)


def session_stats(lf: pl.LazyFrame) -> dict[str, Any]:
    """Aggregates over everything recorded: duration, rows, speeds, g, pedals, gears, distance."""
    names = set(lf.collect_schema().names())
    exprs: list[pl.Expr] = [pl.len().alias("rows")]
    if "t_s" in names:
        exprs.append((pl.col("t_s").max() - pl.col("t_s").min()).alias("duration_s"))
    for name, agg, alias in (
        ("speed_kmh", "max", "top_speed_kmh"),
        ("speed_kmh", "mean", "mean_speed_kmh"),
        ("rpm", "max", "max_rpm"),
        ("gear", "max", "top_gear"),
        ("g_lat", "abs_max", "max_lat_g"),
        ("g_long", "min", "max_brake_g"),
        ("g_long", "max", "max_accel_g"),
        ("throttle", "full", "full_throttle_share"),
        ("brake", "on", "braking_share"),
        ("fuel_l", "used", "fuel_used_l"),
    ):
        if name not in names:
            continue
        col = pl.col(name).cast(pl.Float64)
        expr = {
            "max": col.max(),
            "mean": col.mean(),
            "abs_max": col.abs().max(),
            "min": -col.min(),
            "full": (col >= 0.98).mean(),
            "on": (col >= 0.05).mean(),
            "used": col.drop_nulls().first() - col.drop_nulls().last(),
        }[agg]
        exprs.append(expr.alias(alias))
    row = lf.select(exprs).collect().row(0, named=True)
    return {k: (float(v) if isinstance(v, float) else v) for k, v in row.items()}
