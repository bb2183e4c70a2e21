"""Laps: one row per completed lap with lap and sector times.

Rules, for a frame of canonical channels sorted by time:

- A lap is the run of rows with one value of ``lap``. Lap ``n`` is complete when a later lap
  appears and its own start was seen (its first row is less than ``start_slack_s`` into the lap),
  so a recording that begins mid-lap does not report a partial lap.
- Lap time: the source's own figure when it reports one (``last_lap_s`` as it stands at the end of
  lap ``n + 1``); otherwise the difference of the two start-line crossings, each placed at
  ``t_s - lap_time_s`` of the first row of its lap.
- Sector times: the crossing into sector ``k + 1`` sits at ``lap_time_s - sector_time_s`` of the
  first row in that sector (``sector_time_s`` is the time already spent in the new sector; taken as
  0 when the source lacks it, which costs up to one sample period). The last sector is the lap time
  minus the earlier crossings.
"""

from __future__ import annotations

import polars as pl

LAP_TABLE_SCHEMA: dict[str, pl.DataType] = {
    "lap": pl.Int32(),
    "lap_time_s": pl.Float64(),
    "s1_s": pl.Float64(),
    "s2_s": pl.Float64(),
    "s3_s": pl.Float64(),
    "start_t_s": pl.Float64(),
    "end_t_s": pl.Float64(),
    "lap_time_source": pl.String(),
}


def lap_table(lf: pl.LazyFrame, *, start_slack_s: float = 1.0) -> pl.DataFrame:
    """One row per completed lap: lap number, lap time, S1–S3, start and end on the ``t_s`` axis.

    Args:
        lf: Canonical frames with at least ``t_s``, ``lap`` and ``lap_time_s``; ``sector``,
            ``sector_time_s`` and ``last_lap_s`` are used when present.
        start_slack_s: How far into a lap its first row may be for the lap to count as seen from
            its start.

    Returns:
        A frame with the columns of :data:`LAP_TABLE_SCHEMA`, ordered by lap; empty when no lap
        is complete.
    """
    names = lf.collect_schema().names()
    if not {"t_s", "lap", "lap_time_s"} <= set(names):
        return pl.DataFrame(schema=LAP_TABLE_SCHEMA)
    optional = [c for c in ("sector", "sector_time_s", "last_lap_s") if c in names]
    frames = (
        lf.select("t_s", "lap", "lap_time_s", *optional)
        .filter(pl.col("lap").is_not_null() & pl.col("lap_time_s").is_not_null())
        .sort("t_s")
        .collect()
    )
    if frames.is_empty():
        return pl.DataFrame(schema=LAP_TABLE_SCHEMA)
    if "last_lap_s" not in frames.columns:
        frames = frames.with_columns(pl.lit(None, pl.Float64).alias("last_lap_s"))

    per_lap = (
        frames.group_by("lap", maintain_order=True)
        .agg(
            pl.col("t_s").first().alias("first_t_s"),
            pl.col("lap_time_s").first().alias("first_lap_time_s"),
            pl.col("last_lap_s").drop_nulls().last().alias("reported_prev_lap_s"),
        )
        .sort("lap")
        .with_columns((pl.col("first_t_s") - pl.col("first_lap_time_s")).alias("start_t_s"))
        .with_columns(
            pl.col("lap").shift(-1).alias("next_lap"),
            pl.col("start_t_s").shift(-1).alias("end_t_s"),
            pl.col("reported_prev_lap_s").shift(-1).alias("reported_lap_s"),
        )
        .filter(
            (pl.col("next_lap") == pl.col("lap") + 1) & (pl.col("first_lap_time_s") < start_slack_s)
        )
    )
    timed = per_lap.with_columns(
        pl.when(pl.col("reported_lap_s") > 0)
        .then(pl.col("reported_lap_s"))
        .otherwise(pl.col("end_t_s") - pl.col("start_t_s"))
        .alias("lap_time_s"),
        pl.when(pl.col("reported_lap_s") > 0)
        .then(pl.lit("source"))
        .otherwise(pl.lit("crossings"))
        .alias("lap_time_source"),
    )
    crossings = _sector_crossings(frames)
    table = timed.join(crossings, on="lap", how="left").with_columns(
        pl.col("c1").alias("s1_s"),
        (pl.col("c2") - pl.col("c1")).alias("s2_s"),
        (pl.col("lap_time_s") - pl.col("c2")).alias("s3_s"),
    )
    return table.select(
        [pl.col(name).cast(dtype) for name, dtype in LAP_TABLE_SCHEMA.items()]
    ).sort("lap")


def _sector_crossings(frames: pl.DataFrame) -> pl.DataFrame:
    """Per lap, the lap time at which sectors 2 and 3 began (columns ``c1``, ``c2``)."""
    if "sector" not in frames.columns:
        schema: dict[str, pl.DataType] = {
            "lap": frames.schema["lap"],
            "c1": pl.Float64(),
            "c2": pl.Float64(),
        }
        return pl.DataFrame(schema=schema)
    spent = pl.col("sector_time_s") if "sector_time_s" in frames.columns else pl.lit(0.0)
    entries = (
        frames.filter(pl.col("sector").is_not_null())
        .with_columns((pl.col("lap_time_s") - spent.fill_null(0.0)).alias("crossing"))
        .group_by("lap", "sector")
        .agg(pl.col("crossing").first())
    )
    return (
        entries.filter(pl.col("sector").is_in([2, 3]))
        .pivot(on="sector", index="lap", values="crossing")
        .rename({"2": "c1", "3": "c2"}, strict=False)
        .pipe(_ensure_columns, ("c1", "c2"))
    )


def _ensure_columns(df: pl.DataFrame, names: tuple[str, ...]) -> pl.DataFrame:
    missing = [pl.lit(None, pl.Float64).alias(n) for n in names if n not in df.columns]
    return df.with_columns(missing) if missing else df
