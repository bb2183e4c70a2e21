"""Braking: every braking zone of every lap, its brake point and end of braking.

A braking zone is a run of samples with ``brake >= brake_th``; runs less than ``merge_s`` apart
are one zone (a driver re-pressing the pedal), and zones shorter than ``min_zone_s`` are
ignored (a brush of the pedal). The brake point is where the pedal passes ``brake_th``,
interpolated on the lap-distance axis between the last sample below and the first above; the end
of braking (EOB) where it falls back below. Each zone serves the first corner whose apex lies
at or after its brake point.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from paddock.analysis._frame import GRAVITY_MS2

ZONE_SCHEMA: dict[str, pl.DataType] = {
    "lap": pl.Int32(),
    "zone": pl.Int32(),
    "corner": pl.Int32(),
    "brake_point_m": pl.Float64(),
    "eob_m": pl.Float64(),
    "brake_t_s": pl.Float64(),
    "eob_t_s": pl.Float64(),
    "duration_s": pl.Float64(),
    "length_m": pl.Float64(),
    "entry_kmh": pl.Float64(),
    "min_kmh": pl.Float64(),
    "exit_kmh": pl.Float64(),
    "peak_brake": pl.Float64(),
    "peak_decel_g": pl.Float64(),
    "mean_decel_g": pl.Float64(),
}
"""Columns of :func:`brake_zones`."""


def _cross(a: float, b: float, th: float) -> float:
    """Fraction of the way from ``a`` to ``b`` at which the value passes ``th``."""
    return 0.0 if b == a else min(max((th - a) / (b - a), 0.0), 1.0)


def brake_zones(
    frame: pl.DataFrame,
    corners: pl.DataFrame | None = None,
    *,
    brake_th: float = 0.05,
    merge_s: float = 0.05,
    min_zone_s: float = 0.2,
) -> pl.DataFrame:
    """Every braking zone of every lap of a lap frame.

    Args:
        frame: A lap frame with ``brake`` and ``speed_kmh`` (``g_long`` used when present).
        corners: The session's corners (:func:`paddock.analysis.corners.detect_corners`).
        brake_th: Brake pedal (0..1) from which the car is braking.
        merge_s: Zones closer than this are one.
        min_zone_s: Shortest zone kept.

    Returns:
        Rows of :data:`ZONE_SCHEMA` by lap and zone; ``corner`` is null without corners.
    """
    if frame.is_empty() or "brake" not in frame.columns:
        return pl.DataFrame(schema=ZONE_SCHEMA)
    apexes = [] if corners is None or corners.is_empty() else corners["apex_m"].to_list()
    numbers = [] if corners is None or corners.is_empty() else corners["number"].to_list()
    has_g = "g_long" in frame.columns
    rows: list[dict[str, Any]] = []
    for (lap,), part in frame.sort("t_s").group_by("lap_no", maintain_order=True):
        brake = part["brake"].cast(pl.Float64).fill_null(0.0).to_list()
        d = part["lap_dist_m"].to_list()
        t = part["lap_t_s"].to_list()
        v = part["speed_kmh"].cast(pl.Float64).fill_null(0.0).to_list()
        g = part["g_long"].cast(pl.Float64).fill_null(0.0).to_list() if has_g else None
        spans: list[list[int]] = []
        for i, b in enumerate(brake):
            if b < brake_th:
                continue
            if spans and (spans[-1][1] == i - 1 or t[i] - t[spans[-1][1]] < merge_s):
                spans[-1][1] = i
            else:
                spans.append([i, i])
        zone = 0
        for first, last in spans:
            if first > 0:
                f = _cross(brake[first - 1], brake[first], brake_th)
                start_d = d[first - 1] + f * (d[first] - d[first - 1])
                start_t = t[first - 1] + f * (t[first] - t[first - 1])
                entry = v[first - 1] + f * (v[first] - v[first - 1])
            else:
                start_d, start_t, entry = d[first], t[first], v[first]
            if last + 1 < len(brake):
                f = _cross(brake[last], brake[last + 1], brake_th)
                end_d = d[last] + f * (d[last + 1] - d[last])
                end_t = t[last] + f * (t[last + 1] - t[last])
                exit_v = v[last] + f * (v[last + 1] - v[last])
            else:
                end_d, end_t, exit_v = d[last], t[last], v[last]
            if end_t - start_t < min_zone_s:
                continue
            zone += 1
            ahead = [n for a, n in zip(apexes, numbers, strict=True) if a >= start_d]
            corner = ahead[0] if ahead else (numbers[0] if numbers else None)
            window = slice(first, last + 1)
            decel = [-x for x in g[window]] if g is not None else None
            speed_drop_ms = (entry - exit_v) / 3.6
            mean_decel = speed_drop_ms / (end_t - start_t) / GRAVITY_MS2
            rows.append(
                {
                    "lap": lap,
                    "zone": zone,
                    "corner": corner,
                    "brake_point_m": start_d,
                    "eob_m": end_d,
                    "brake_t_s": start_t,
                    "eob_t_s": end_t,
                    "duration_s": end_t - start_t,
                    "length_m": end_d - start_d,
                    "entry_kmh": entry,
                    "min_kmh": min(v[window]),
                    "exit_kmh": exit_v,
                    "peak_brake": max(brake[window]),
                    "peak_decel_g": max(decel) if decel else mean_decel,
                    "mean_decel_g": mean_decel,
                }
            )
    return pl.DataFrame(rows, schema=ZONE_SCHEMA)


def eob_summary(zones: pl.DataFrame) -> pl.DataFrame:
    """Per corner: mean and spread of the brake point and end of braking, and the mean length.

    Columns: ``corner``, ``passes``, ``brake_point_mean_m``, ``brake_point_std_m``,
    ``eob_mean_m``, ``eob_std_m``, ``eob_earliest_m``, ``eob_latest_m``, ``length_mean_m``,
    ``min_kmh_mean``.
    """
    return (
        zones.filter(pl.col("corner").is_not_null())
        .group_by("corner")
        .agg(
            pl.len().alias("passes"),
            pl.col("brake_point_m").mean().alias("brake_point_mean_m"),
            pl.col("brake_point_m").std().fill_null(0.0).alias("brake_point_std_m"),
            pl.col("eob_m").mean().alias("eob_mean_m"),
            pl.col("eob_m").std().fill_null(0.0).alias("eob_std_m"),
            pl.col("eob_m").min().alias("eob_earliest_m"),
            pl.col("eob_m").max().alias("eob_latest_m"),
            pl.col("length_m").mean().alias("length_mean_m"),
            pl.col("min_kmh").mean().alias("min_kmh_mean"),
        )
        .sort("corner")
    )


def brake_acceleration(
    frame: pl.DataFrame, zones: pl.DataFrame, corners: pl.DataFrame, *, exit_m: float = 100.0
) -> pl.DataFrame:
    """Per corner: the deceleration braking into it and the acceleration out of it.

    Deceleration is the mean over the braking zones serving the corner (speed lost over time);
    exit acceleration is the mean ``dv/dt`` over the ``exit_m`` metres after the corner's end.

    Columns: ``corner``, ``name``, ``decel_g``, ``peak_decel_g``, ``exit_accel_g``.
    """
    schema = {
        "corner": pl.Int32(),
        "name": pl.String(),
        "decel_g": pl.Float64(),
        "peak_decel_g": pl.Float64(),
        "exit_accel_g": pl.Float64(),
    }
    if corners.is_empty() or frame.is_empty():
        return pl.DataFrame(schema=schema)
    decel = zones.group_by("corner").agg(
        pl.col("mean_decel_g").mean().alias("decel_g"),
        pl.col("peak_decel_g").max(),
    )
    rows = []
    for corner in corners.iter_rows(named=True):
        start, end = corner["end_m"], corner["end_m"] + exit_m
        values = []
        for _, part in frame.group_by("lap_no"):
            seg = part.filter((pl.col("lap_dist_m") >= start) & (pl.col("lap_dist_m") <= end)).sort(
                "t_s"
            )
            if seg.height >= 2:
                dv = (float(seg["speed_kmh"][-1]) - float(seg["speed_kmh"][0])) / 3.6
                dt = float(seg["t_s"][-1]) - float(seg["t_s"][0])
                if dt > 0:
                    values.append(dv / dt / GRAVITY_MS2)
        rows.append(
            {
                "corner": corner["number"],
                "name": corner["name"],
                "exit_accel_g": sum(values) / len(values) if values else None,
            }
        )
    exits = pl.DataFrame(rows, schema={k: schema[k] for k in ("corner", "name", "exit_accel_g")})
    return (
        exits.join(decel.with_columns(pl.col("corner").cast(pl.Int32)), on="corner", how="left")
        .select(list(schema))
        .sort("corner")
    )
