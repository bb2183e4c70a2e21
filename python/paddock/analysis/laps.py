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

import math

import polars as pl

from paddock.analysis._frame import Frames, select_present

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


def lap_table(lf: Frames, *, start_slack_s: float = 1.0) -> pl.DataFrame:
    """One row per completed lap: lap number, lap time, S1–S3, start and end on the ``t_s`` axis.

    Args:
        lf: Canonical frames (lazy or collected) with at least ``t_s``, ``lap`` and
            ``lap_time_s``; ``sector``, ``sector_time_s`` and ``last_lap_s`` are used when present.
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
    frames = select_present(lf, ["lap", "lap_time_s", *optional])
    if frames["lap"].null_count() or frames["lap_time_s"].null_count():
        frames = frames.filter(pl.col("lap").is_not_null() & pl.col("lap_time_s").is_not_null())
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


#: Half the width of the line a lap split by return to the first point uses, metres.
FIRST_POINT_GATE_HALF_WIDTH_M = 15.0
_EARTH_RADIUS_M = 6_371_008.8


def gate_crossings(
    frames: pl.DataFrame,
    gate: tuple[float, float, float, float],
    *,
    min_lap_s: float = 10.0,
) -> pl.Series:
    """The times (``t_s``) at which the GNSS track crosses a start/finish line.

    The track (``t_s``, ``lat_deg``, ``lon_deg``, sorted by time) is projected onto a local plane
    around the line; each step between two samples that intersects the line segment is a crossing,
    placed by linear interpolation between the two samples. Only crossings in the direction most
    steps cross are kept (a car backing over the line does not count), and a crossing less than
    ``min_lap_s`` after the last kept one is GNSS jitter and dropped.

    Args:
        frames: ``t_s``, ``lat_deg`` and ``lon_deg`` sorted by ``t_s``.
        gate: ``(lat1_deg, lon1_deg, lat2_deg, lon2_deg)``, the line's two ends.
        min_lap_s: Shortest time between two counted crossings.

    Returns:
        Crossing times in seconds, ascending (empty when the track never crosses the line).
    """
    lat1, lon1, lat2, lon2 = gate
    lat0 = math.radians((lat1 + lat2) / 2)
    scale_x = math.cos(lat0) * _EARTH_RADIUS_M * math.pi / 180
    scale_y = _EARTH_RADIUS_M * math.pi / 180
    ax, ay = 0.0, 0.0
    bx, by = (lon2 - lon1) * scale_x, (lat2 - lat1) * scale_y
    px = (pl.col("lon_deg") - lon1) * scale_x
    py = (pl.col("lat_deg") - lat1) * scale_y
    dx, dy = px.shift(-1) - px, py.shift(-1) - py
    ex, ey = bx - ax, by - ay
    denom = dx * ey - dy * ex
    # Along the step (t) and along the line (u): both in [0, 1] where they intersect.
    t = ((ax - px) * ey - (ay - py) * ex) / denom
    u = ((ax - px) * dy - (ay - py) * dx) / denom
    steps = (
        frames.select(
            "t_s",
            (pl.col("t_s") + t * (pl.col("t_s").shift(-1) - pl.col("t_s"))).alias("at_s"),
            t.alias("t"),
            u.alias("u"),
            denom.sign().alias("direction"),
        )
        .filter(
            (pl.col("t") >= 0)
            & (pl.col("t") < 1)
            & (pl.col("u") >= 0)
            & (pl.col("u") <= 1)
            & pl.col("direction").is_finite()
            & (pl.col("direction") != 0)
        )
        .drop_nulls()
    )
    if steps.is_empty():
        return pl.Series("at_s", [], dtype=pl.Float64)
    direction = steps["direction"].mode().sort()[-1]
    times = steps.filter(pl.col("direction") == direction)["at_s"].to_list()
    kept: list[float] = []
    for at in times:  # Crossings, a handful per lap: not a per-sample loop.
        if not kept or at - kept[-1] >= min_lap_s:
            kept.append(at)
    return pl.Series("at_s", kept, dtype=pl.Float64)


def first_point_gate(
    frames: pl.DataFrame, *, half_width_m: float = FIRST_POINT_GATE_HALF_WIDTH_M
) -> tuple[float, float, float, float] | None:
    """A line through the first GNSS point, square to the direction of travel there.

    The direction is ``heading_deg`` of the first row when present, else the bearing to the first
    sample more than 2 m away. None when the track has no usable point or never moves.
    """
    track = frames.select(
        [c for c in ("lat_deg", "lon_deg", "heading_deg") if c in frames.columns]
    ).drop_nulls(["lat_deg", "lon_deg"])
    if track.is_empty():
        return None
    lat, lon = track["lat_deg"][0], track["lon_deg"][0]
    scale_x = math.cos(math.radians(lat)) * _EARTH_RADIUS_M * math.pi / 180
    scale_y = _EARTH_RADIUS_M * math.pi / 180
    heading = track["heading_deg"][0] if "heading_deg" in track.columns else None
    if heading is None or not math.isfinite(heading):
        moved = track.filter(
            ((pl.col("lon_deg") - lon) * scale_x).pow(2)
            + ((pl.col("lat_deg") - lat) * scale_y).pow(2)
            > 4.0
        )
        if moved.is_empty():
            return None
        heading = math.degrees(
            math.atan2((moved["lon_deg"][0] - lon) * scale_x, (moved["lat_deg"][0] - lat) * scale_y)
        )
    # Square to the heading (degrees from north, clockwise): the line runs east-west for north.
    across = math.radians(heading + 90)
    dlat = math.cos(across) * half_width_m / scale_y
    dlon = math.sin(across) * half_width_m / scale_x
    return (lat - dlat, lon - dlon, lat + dlat, lon + dlon)


def laps_from_crossings(frames: pl.DataFrame, crossings: pl.Series) -> pl.DataFrame:
    """``frames`` with ``lap`` and ``lap_time_s`` from start/finish crossing times.

    Rows after the ``k``-th crossing (1-based) are in lap ``k`` and their ``lap_time_s`` counts
    from it; rows before the first crossing are lap 0 with ``lap_time_s`` null, since the lap's
    start was not seen (so :func:`lap_table` never reports it).
    """
    if crossings.is_empty():
        return frames.with_columns(
            pl.lit(0, pl.Int32).alias("lap"), pl.lit(None, pl.Float64).alias("lap_time_s")
        )
    marks = pl.DataFrame(
        {"t_s": crossings, "lap": pl.int_range(1, crossings.len() + 1, dtype=pl.Int32, eager=True)}
    ).with_columns(pl.col("t_s").alias("crossed_s"))
    joined = frames.sort("t_s").join_asof(marks, on="t_s", strategy="backward")
    return joined.with_columns(
        pl.col("lap").fill_null(0),
        (pl.col("t_s") - pl.col("crossed_s")).alias("lap_time_s"),
    ).drop("crossed_s")
