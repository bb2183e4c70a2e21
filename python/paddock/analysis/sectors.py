"""Lap and sector times: the lap time table with best flags, the ideal lap, the distribution.

Sector times come from the source's own sector channel when it has one (see
:func:`paddock.analysis.laps.lap_table`). Otherwise each lap of the envelope is split where the
car passes the sector boundaries on the lap-distance axis (``sector_starts_m``, default thirds
of the median lap distance), the time at each boundary interpolated between the two samples
either side.

The ideal lap is the sum of the best S1, S2 and S3 over the flying laps.
"""

from __future__ import annotations

import math

import msgspec
import numpy as np
import polars as pl

from paddock.analysis._frame import Frames, interp_within, num
from paddock.analysis.envelope import flying_laps, lap_envelope, tag_laps
from paddock.analysis.laps import lap_table

TIME_TABLE_SCHEMA: dict[str, pl.DataType] = {
    "lap": pl.Int32(),
    "lap_time_s": pl.Float64(),
    "s1_s": pl.Float64(),
    "s2_s": pl.Float64(),
    "s3_s": pl.Float64(),
    "t_start": pl.Float64(),
    "t_end": pl.Float64(),
    "method": pl.String(),
    "out_lap": pl.Boolean(),
    "in_lap": pl.Boolean(),
    "best_lap": pl.Boolean(),
    "best_s1": pl.Boolean(),
    "best_s2": pl.Boolean(),
    "best_s3": pl.Boolean(),
}
"""Columns of :func:`lap_time_table`."""


def _distance_sectors(
    lf: Frames, envelope: pl.DataFrame, sector_starts_m: tuple[float, ...] | None
) -> pl.DataFrame:
    """``lap, c1, c2``: time into each lap at which sectors 2 and 3 begin, by distance."""
    frame = tag_laps(lf, envelope, ["speed_kmh"])
    schema = {"lap": pl.Int32(), "c1": pl.Float64(), "c2": pl.Float64()}
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    if sector_starts_m is None:
        length = num(envelope.filter(pl.col("complete"))["distance_m"].median()) or 0.0
        sector_starts_m = (0.0, length / 3.0, 2.0 * length / 3.0)
    laps = frame["lap_no"].unique(maintain_order=True)
    cuts = np.asarray(sector_starts_m[1:3], dtype=float)
    at = interp_within(
        frame["lap_no"].to_numpy(),
        frame["lap_dist_m"].to_numpy(),
        frame["lap_t_s"].to_numpy(),
        np.repeat(laps.to_numpy(), 2),
        np.tile(cuts, laps.len()),
    ).reshape(-1, 2)
    return pl.DataFrame({"lap": laps, "c1": at[:, 0], "c2": at[:, 1]}, schema=schema)


def lap_time_table(
    lf: Frames,
    *,
    envelope: pl.DataFrame | None = None,
    sector_starts_m: tuple[float, ...] | None = None,
    game_laps: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every complete lap with its time, S1–S3, out/in flags and best-lap/best-sector flags.

    Bests are taken over the flying laps only (neither out- nor in-laps).

    Args:
        lf: Canonical frames.
        envelope: The laps, when already computed (:func:`lap_envelope`).
        sector_starts_m: Sector boundaries on the lap-distance axis, when the source has no
            sector channel.
        game_laps: :func:`~paddock.analysis.laps.lap_table` of ``lf``, when already computed.

    Returns:
        Rows of :data:`TIME_TABLE_SCHEMA` by lap; empty without a complete lap.
    """
    env = lap_envelope(lf, game_laps=game_laps) if envelope is None else envelope
    env = env.filter(pl.col("complete"))
    if env.is_empty():
        return pl.DataFrame(schema=TIME_TABLE_SCHEMA)
    if env["method"][0] == "game":
        game = (lap_table(lf) if game_laps is None else game_laps).select(
            "lap", "lap_time_s", "s1_s", "s2_s", "s3_s"
        )
        table = env.join(game, on="lap", how="left")
    else:
        cuts = _distance_sectors(lf, env, sector_starts_m)
        table = env.join(cuts, on="lap", how="left").with_columns(
            pl.col("duration_s").alias("lap_time_s"),
            pl.col("c1").alias("s1_s"),
            (pl.col("c2") - pl.col("c1")).alias("s2_s"),
            (pl.col("duration_s") - pl.col("c2")).alias("s3_s"),
        )
    flying = ~pl.col("out_lap") & ~pl.col("in_lap")

    def best(name: str) -> pl.Expr:
        low = pl.col(name).filter(flying).min()
        return (flying & (pl.col(name) == low)).fill_null(False)

    table = table.with_columns(
        best("lap_time_s").alias("best_lap"),
        best("s1_s").alias("best_s1"),
        best("s2_s").alias("best_s2"),
        best("s3_s").alias("best_s3"),
    )
    return table.select(
        [pl.col(name).cast(dtype) for name, dtype in TIME_TABLE_SCHEMA.items()]
    ).sort("lap")


def sector_times(table: pl.DataFrame) -> pl.DataFrame:
    """The thin S1/S2/S3 view of a lap time table: ``lap, s1_s, s2_s, s3_s``."""
    return table.select("lap", "s1_s", "s2_s", "s3_s")


class IdealLap(msgspec.Struct, kw_only=True):
    """The sum of the best sectors.

    Attributes:
        ideal_lap_s: Best S1 + best S2 + best S3 (``None`` without sector times).
        best_lap_s: The fastest flying lap.
        gain_s: ``best_lap_s - ideal_lap_s``: what a lap of the best sectors would save.
        best_sectors_s: The best time of each sector.
        best_sector_laps: The lap on which each best sector was set.
    """

    ideal_lap_s: float | None
    best_lap_s: float | None
    gain_s: float | None
    best_sectors_s: list[float | None]
    best_sector_laps: list[int | None]


def ideal_lap(table: pl.DataFrame) -> IdealLap:
    """The ideal lap of a lap time table (flying laps only)."""
    flying = table.filter(~pl.col("out_lap") & ~pl.col("in_lap"))
    bests: list[float | None] = []
    laps: list[int | None] = []
    for name in ("s1_s", "s2_s", "s3_s"):
        rows = flying.filter(pl.col(name).is_not_null()).sort(name)
        bests.append(None if rows.is_empty() else float(rows[name][0]))
        laps.append(None if rows.is_empty() else int(rows["lap"][0]))
    best_lap = None if flying.is_empty() else float(flying["lap_time_s"].min())  # type: ignore[arg-type]
    ideal = None if any(b is None for b in bests) else math.fsum(b for b in bests if b is not None)
    gain = None if ideal is None or best_lap is None else best_lap - ideal
    return IdealLap(
        ideal_lap_s=ideal,
        best_lap_s=best_lap,
        gain_s=gain,
        best_sectors_s=bests,
        best_sector_laps=laps,
    )


class BoxStats(msgspec.Struct, kw_only=True):
    """Tukey box-plot statistics of a set of values.

    Attributes:
        count: How many values.
        min: Smallest value.
        q1: First quartile.
        median: Median.
        q3: Third quartile.
        max: Largest value.
        mean: Mean.
        iqr: ``q3 - q1``.
        whisker_low: Smallest value not below ``q1 - 1.5 iqr``.
        whisker_high: Largest value not above ``q3 + 1.5 iqr``.
        outliers: Values beyond the whiskers.
    """

    count: int
    min: float | None
    q1: float | None
    median: float | None
    q3: float | None
    max: float | None
    mean: float | None
    iqr: float | None
    whisker_low: float | None
    whisker_high: float | None
    outliers: list[float]


def box_stats(values: pl.Series) -> BoxStats:
    """Tukey box-plot statistics (quartiles by linear interpolation) of ``values``."""
    v = values.drop_nulls().drop_nans().cast(pl.Float64).sort()
    if v.is_empty():
        return BoxStats(
            count=0,
            min=None,
            q1=None,
            median=None,
            q3=None,
            max=None,
            mean=None,
            iqr=None,
            whisker_low=None,
            whisker_high=None,
            outliers=[],
        )
    q1 = float(v.quantile(0.25, "linear") or 0.0)
    q3 = float(v.quantile(0.75, "linear") or 0.0)
    iqr = q3 - q1
    low, high = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    inside = v.filter((v >= low) & (v <= high))
    return BoxStats(
        count=v.len(),
        min=float(v.min()),  # type: ignore[arg-type]
        q1=q1,
        median=float(v.median()),  # type: ignore[arg-type]
        q3=q3,
        max=float(v.max()),  # type: ignore[arg-type]
        mean=float(v.mean()),  # type: ignore[arg-type]
        iqr=iqr,
        whisker_low=float(inside.min()),  # type: ignore[arg-type]
        whisker_high=float(inside.max()),  # type: ignore[arg-type]
        outliers=v.filter((v < low) | (v > high)).to_list(),
    )


def lap_time_distribution(table: pl.DataFrame) -> BoxStats:
    """Tukey box-plot statistics of the flying laps' times."""
    return box_stats(flying_laps_of(table)["lap_time_s"])


def flying_laps_of(table: pl.DataFrame) -> pl.DataFrame:
    """The rows of a lap time table that are neither out- nor in-laps."""
    return table.filter(~pl.col("out_lap") & ~pl.col("in_lap"))


__all__ = [
    "TIME_TABLE_SCHEMA",
    "BoxStats",
    "IdealLap",
    "box_stats",
    "flying_laps",
    "ideal_lap",
    "lap_time_distribution",
    "lap_time_table",
    "sector_times",
]
