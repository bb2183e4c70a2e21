"""What the analysis modules share: column checks, distance along the lap, lap tagging.

A *lap frame* is a :class:`polars.DataFrame` of telemetry rows that belong to complete laps,
sorted by time, with three columns added: ``lap_no`` (the lap number of the envelope),
``lap_t_s`` (seconds into the lap) and ``lap_dist_m`` (metres from the lap's start). Every
per-lap analytic is computed on one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import polars as pl

GRAVITY_MS2 = 9.80665
"""Standard gravity, m/s²."""


def columns(lf: pl.LazyFrame | pl.DataFrame) -> set[str]:
    """The column names of a frame, lazy or not."""
    return set(lf.collect_schema().names())


Frames = pl.LazyFrame | pl.DataFrame
"""A session's telemetry: lazy (a plan over its files) or already collected."""


def select_present(lf: Frames, wanted: Iterable[str]) -> pl.DataFrame:
    """The wanted columns that ``lf`` has (with ``t_s``), rows sorted by ``t_s``.

    Rows where every wanted column is null are dropped; other nulls are kept. A collected frame
    (a :class:`polars.DataFrame`) is not copied when it needs no filtering and is already sorted:
    the columns are selected, the null counts and the sorted flag tell the rest.
    """
    have = columns(lf)
    names = ["t_s", *[c for c in dict.fromkeys(wanted) if c in have and c != "t_s"]]
    if "t_s" not in have:
        return pl.DataFrame(schema={"t_s": pl.Float64()})
    # One collection of the columns (zero-copy from a collected frame); rows are filtered and
    # sorted only when the null counts and the time order ask for it.
    df = lf.select(names) if isinstance(lf, pl.DataFrame) else lf.select(names).collect()
    if df["t_s"].null_count():
        df = df.filter(pl.col("t_s").is_not_null())
    if len(names) > 1 and all(df[n].null_count() for n in names[1:]):
        # Rows holding none of the wanted channels (another channel's tall sample) are left out.
        df = df.filter(pl.any_horizontal(pl.col(n).is_not_null() for n in names[1:]))
    if df["t_s"].flags["SORTED_ASC"]:
        return df
    if df["t_s"].is_sorted():
        return df.with_columns(pl.col("t_s").set_sorted())
    return df.sort("t_s")


def collect_sorted(lf: Frames, wanted: Iterable[str]) -> pl.DataFrame:
    """One collection of every wanted column ``lf`` has, sorted by ``t_s`` (flagged sorted).

    The frame every stage of a session's analysis then reads (see :func:`select_present`):
    the session's files are scanned and sorted once, not once per stage.
    """
    # One contiguous buffer per column (a Parquet scan gives one chunk per row group), so the
    # stages' array views and joins copy nothing.
    df = select_present(lf, wanted).rechunk()
    return df.with_columns(pl.col("t_s").set_sorted())


def travelled_m(df: pl.DataFrame, *, use_distance: bool = True) -> pl.Series:
    """Cumulative distance driven at each row: ``distance_m`` when present, else ∫ speed dt.

    The integral uses the trapezoid rule on ``speed_kmh`` over ``t_s`` (nulls count as 0).

    Args:
        df: Rows sorted by ``t_s``.
        use_distance: False integrates the speed even where ``distance_m`` has no gap (for a
            slice of a frame whose ``distance_m`` has gaps elsewhere).
    """
    if (
        use_distance
        and "distance_m" in df.columns
        and df["distance_m"].null_count() == 0
        and df.height
    ):
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


def interp_within(
    groups: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    at_groups: np.ndarray,
    at_x: np.ndarray,
) -> np.ndarray:
    """Linear interpolation of ``y(x)`` inside each group, for many groups in one call.

    The rows of a group (a lap) are contiguous and ascending in ``x`` (its lap distance or
    time); each query ``(at_groups[i], at_x[i])`` is answered from its own group's rows only,
    clamped at that group's ends. One :func:`numpy.interp` over the whole frame: each group's
    ``x`` is shifted onto its own stretch of one ascending axis, so no Python loop runs per group.
    Queries naming a group that has no rows are NaN.
    """
    return interp_within_many(groups, x, [y], at_groups, at_x)[0]


def interp_within_many(
    groups: np.ndarray,
    x: np.ndarray,
    ys: Sequence[np.ndarray],
    at_groups: np.ndarray,
    at_x: np.ndarray,
) -> list[np.ndarray]:
    """:func:`interp_within` of several ``ys`` over the same rows and queries."""
    if len(x) == 0 or len(at_x) == 0:
        return [np.full(len(at_x), np.nan) for _ in ys]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ids = groups[starts]
    lo = np.minimum.reduceat(x, starts)
    hi = np.maximum.reduceat(x, starts)
    span = float(np.max(hi - lo)) + 1.0
    run = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(x)]))
    key = x - lo[run] + run * span
    # The first run of each group id answers its queries.
    unique, first = np.unique(ids, return_index=True)
    where = np.clip(np.searchsorted(unique, at_groups), 0, len(unique) - 1)
    known = unique[where] == at_groups
    qr = first[where[known]]
    qkey = np.clip(at_x[known], lo[qr], hi[qr]) - lo[qr] + qr * span
    out = []
    for y in ys:
        values = np.full(len(at_x), np.nan)
        values[known] = np.interp(qkey, key, y)
        out.append(values)
    return out
