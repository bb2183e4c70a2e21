"""What the analysis modules share: column checks, distance along the lap, lap tagging.

A *lap frame* is a :class:`polars.DataFrame` of telemetry rows that belong to complete laps,
sorted by time, with three columns added: ``lap_no`` (the lap number of the envelope),
``lap_t_s`` (seconds into the lap) and ``lap_dist_m`` (metres from the lap's start). Every
per-lap analytic is computed on one.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

GRAVITY_MS2 = 9.80665
"""Standard gravity, m/s²."""


def columns(lf: pl.LazyFrame | pl.DataFrame) -> set[str]:
    """The column names of a frame, lazy or not."""
    return set(lf.collect_schema().names())


def select_present(lf: pl.LazyFrame, wanted: Iterable[str]) -> pl.DataFrame:
    """The wanted columns that ``lf`` has (with ``t_s``), rows sorted by ``t_s``.

    Rows where every wanted column is null are dropped; other nulls are kept.
    """
    have = columns(lf)
    names = ["t_s", *[c for c in dict.fromkeys(wanted) if c in have and c != "t_s"]]
    if "t_s" not in have:
        return pl.DataFrame(schema={"t_s": pl.Float64()})
    rows = lf.select(names).filter(pl.col("t_s").is_not_null())
    if len(names) > 1:
        # Rows holding none of the wanted channels (another channel's tall sample) are left out.
        rows = rows.filter(pl.any_horizontal(pl.col(n).is_not_null() for n in names[1:]))
    return rows.sort("t_s").collect()


def travelled_m(df: pl.DataFrame) -> pl.Series:
    """Cumulative distance driven at each row: ``distance_m`` when present, else ∫ speed dt.

    The integral uses the trapezoid rule on ``speed_kmh`` over ``t_s`` (nulls count as 0).
    """
    if "distance_m" in df.columns and df["distance_m"].null_count() == 0 and df.height:
        return df["distance_m"].cast(pl.Float64)
    if "speed_kmh" not in df.columns or df.is_empty():
        return pl.Series("travelled_m", [0.0] * df.height, dtype=pl.Float64)
    speed = df["speed_kmh"].cast(pl.Float64).fill_null(0.0) / 3.6
    dt = df["t_s"].diff().fill_null(0.0).clip(lower_bound=0.0)
    step = (speed + speed.shift(1).fill_null(speed)) * 0.5 * dt
    return step.cum_sum().alias("travelled_m")


def interp(x: pl.Series, xp: pl.Series, fp: pl.Series) -> pl.Series:
    """Linear interpolation of ``fp(xp)`` at ``x`` (``xp`` ascending), clamped at the ends."""
    import numpy as np

    values = np.interp(
        x.cast(pl.Float64).to_numpy(),
        xp.cast(pl.Float64).to_numpy(),
        fp.cast(pl.Float64).to_numpy(),
    )
    return pl.Series(x.name, values, dtype=pl.Float64)


def num(value: object) -> float | None:
    """A scalar from a polars aggregate as a float (``None`` when null or not numeric)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
