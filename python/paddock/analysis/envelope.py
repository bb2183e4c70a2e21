"""The lap envelope: where each lap of a session starts and ends, whatever the source.

Strategies, tried in order until one finds a complete lap:

1. ``game``: the source's own lap counter (``lap`` with ``lap_time_s``), timed by
   :func:`paddock.analysis.laps.lap_table`.
2. ``gps``: returns to the start line. The line passes through the first position the car
   drives through (or ``start_xy``) across its direction of travel there; a lap ends when the car
   crosses it again, going the same way, within ``gate_m`` of the start point, after at least
   ``min_lap_m``. Positions are ``pos_x_m``/``pos_z_m`` (sim world) or ``lat_deg``/``lon_deg``
   (projected onto metres around the first fix). The crossing time is interpolated between the
   two samples either side of the line.
3. ``distance``: the source's distance from the line (``lap_distance_m``) wraps to zero; the
   crossing is interpolated on the distance driven.
4. ``stint``: no line at all: every stretch between stops (speed above ``moving_kmh`` for at least
   ``min_stint_s``) is one entry, never counted as a complete lap.

Out-laps and in-laps: a lap in which the car stands still (below ``moving_kmh``) for
``stop_s`` or more in its first half is an out-lap, in its second half an in-lap (a slow hairpin
is not a stop); a game lap counter's pit flag is not needed.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl

from paddock.analysis._frame import Frames, columns, interp, select_present, travelled_m
from paddock.analysis.laps import lap_table

ENVELOPE_SCHEMA: dict[str, pl.DataType] = {
    "lap": pl.Int32(),
    "name": pl.String(),
    "t_start": pl.Float64(),
    "t_end": pl.Float64(),
    "duration_s": pl.Float64(),
    "distance_m": pl.Float64(),
    "method": pl.String(),
    "complete": pl.Boolean(),
    "out_lap": pl.Boolean(),
    "in_lap": pl.Boolean(),
}
"""Columns of :func:`lap_envelope`."""

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius for projecting GPS fixes onto a local plane."""

ENVELOPE_CHANNELS = (
    "lap",
    "lap_time_s",
    "sector",
    "sector_time_s",
    "last_lap_s",
    "speed_kmh",
    "distance_m",
    "lap_distance_m",
    "pos_x_m",
    "pos_z_m",
    "lat_deg",
    "lon_deg",
)
"""The channels the lap strategies read."""

TAG_CHANNELS = ("speed_kmh", "distance_m", "lap_distance_m")
"""The channels :func:`tag_laps` reads and keeps besides those asked for."""


def _positions(df: pl.DataFrame) -> tuple[list[float], list[float]] | None:
    """Plane coordinates (m) of every row with a position, or ``None`` when there are none."""
    if {"pos_x_m", "pos_z_m"} <= set(df.columns) and df["pos_x_m"].null_count() < df.height:
        return (
            df["pos_x_m"].cast(pl.Float64).fill_null(strategy="forward").fill_null(0.0).to_list(),
            df["pos_z_m"].cast(pl.Float64).fill_null(strategy="forward").fill_null(0.0).to_list(),
        )
    if {"lat_deg", "lon_deg"} <= set(df.columns) and df["lat_deg"].null_count() < df.height:
        lat = (
            df["lat_deg"]
            .cast(pl.Float64)
            .fill_null(strategy="forward")
            .fill_null(strategy="backward")
        )
        lon = (
            df["lon_deg"]
            .cast(pl.Float64)
            .fill_null(strategy="forward")
            .fill_null(strategy="backward")
        )
        lat0, lon0 = float(lat[0]), float(lon[0])
        k = math.cos(math.radians(lat0))
        xs = [(v - lon0) * math.radians(1.0) * EARTH_RADIUS_M * k for v in lon.to_list()]
        ys = [(v - lat0) * math.radians(1.0) * EARTH_RADIUS_M for v in lat.to_list()]
        return xs, ys
    return None


def _gps_crossings(
    df: pl.DataFrame,
    *,
    start_xy: tuple[float, float] | None,
    gate_m: float,
    min_lap_m: float,
    moving_kmh: float,
) -> list[float]:
    """Times at which the car crosses the start line (the first one included)."""
    positions = _positions(df)
    if positions is None or df.height < 3:
        return []
    xs, ys = positions
    ts = df["t_s"].to_list()
    dist = travelled_m(df).to_list()
    speed = df["speed_kmh"].fill_null(0.0).to_list() if "speed_kmh" in df.columns else None
    first = 0
    if start_xy is None:
        while first + 1 < len(xs) and (
            math.dist((xs[first], ys[first]), (xs[first + 1], ys[first + 1])) < 1e-6
            or (speed is not None and speed[first] < moving_kmh)
        ):
            first += 1
        if first + 1 >= len(xs):
            return []
        x0, y0 = xs[first], ys[first]
    else:
        x0, y0 = start_xy
        first = min(range(len(xs)), key=lambda i: math.dist((xs[i], ys[i]), (x0, y0)))
        first = min(first, len(xs) - 2)
    # Direction of travel at the start point: over the next few metres.
    ahead = first + 1
    while ahead + 1 < len(xs) and math.dist((xs[ahead], ys[ahead]), (x0, y0)) < 5.0:
        ahead += 1
    dx, dy = xs[ahead] - xs[first], ys[ahead] - ys[first]
    norm = math.hypot(dx, dy)
    if norm == 0.0:
        return []
    dx, dy = dx / norm, dy / norm
    along = [(x - x0) * dx + (y - y0) * dy for x, y in zip(xs, ys, strict=True)]
    crossings: list[float] = []
    last_dist = -math.inf
    if start_xy is None:
        crossings.append(ts[first])
        last_dist = dist[first]
    for i in range(max(first, 1), len(xs)):
        a, b = along[i - 1], along[i]
        if not (a < 0.0 <= b):
            continue
        frac = -a / (b - a)
        cx = xs[i - 1] + frac * (xs[i] - xs[i - 1])
        cy = ys[i - 1] + frac * (ys[i] - ys[i - 1])
        if math.dist((cx, cy), (x0, y0)) > gate_m:
            continue
        at_dist = dist[i - 1] + frac * (dist[i] - dist[i - 1])
        if at_dist - last_dist < min_lap_m:
            continue
        crossings.append(ts[i - 1] + frac * (ts[i] - ts[i - 1]))
        last_dist = at_dist
    return crossings


def _distance_crossings(df: pl.DataFrame) -> list[float]:
    """Times at which ``lap_distance_m`` wraps back to the line."""
    if "lap_distance_m" not in df.columns:
        return []
    rows = df.filter(pl.col("lap_distance_m").is_not_null())
    if rows.height < 3:
        return []
    d = rows["lap_distance_m"].cast(pl.Float64).to_list()
    ts = rows["t_s"].to_list()
    length = max(d)
    if length <= 0.0:
        return []
    out: list[float] = []
    for i in range(1, len(d)):
        if d[i] < d[i - 1] - 0.5 * length:
            before = max(length - d[i - 1], 0.0)
            total = before + max(d[i], 0.0)
            frac = before / total if total > 0 else 0.0
            out.append(ts[i - 1] + frac * (ts[i] - ts[i - 1]))
    return out


def _stints(
    df: pl.DataFrame, *, moving_kmh: float, min_stint_s: float
) -> list[tuple[float, float]]:
    if "speed_kmh" not in df.columns or df.is_empty():
        return []
    moving = (df["speed_kmh"].fill_null(0.0) >= moving_kmh).to_list()
    ts = df["t_s"].to_list()
    out: list[tuple[float, float]] = []
    start: float | None = None
    for t, m in zip(ts, moving, strict=True):
        if m and start is None:
            start = t
        elif not m and start is not None:
            if t - start >= min_stint_s:
                out.append((start, t))
            start = None
    if start is not None and ts[-1] - start >= min_stint_s:
        out.append((start, ts[-1]))
    return out


def _flags(
    df: pl.DataFrame, bounds: list[tuple[float, float]], moving_kmh: float, stop_s: float
) -> list[tuple[bool, bool, float]]:
    """Per ``(t_start, t_end)``: out-lap, in-lap and the distance driven."""
    t = df["t_s"].cast(pl.Float64).to_numpy()
    dist = travelled_m(df).to_numpy()
    starts = np.array([b[0] for b in bounds])
    ends = np.array([b[1] for b in bounds])
    driven = np.interp(ends, t, dist) - np.interp(starts, t, dist)
    if "speed_kmh" not in df.columns:
        return [(False, False, float(d)) for d in driven]
    # Each stopped sample, placed in its lap and half, weighted by its duration.
    v = df["speed_kmh"].cast(pl.Float64).fill_null(0.0).to_numpy()
    dt = np.clip(np.diff(t, append=t[-1]), 0.0, 1.0)
    stopped = v < moving_kmh
    stopped_t, weight = t[stopped], dt[stopped]
    lap = np.searchsorted(starts, stopped_t, side="right") - 1
    valid = (lap >= 0) & (stopped_t <= ends[np.clip(lap, 0, None)])
    lap, stopped_t, weight = lap[valid], stopped_t[valid], weight[valid]
    second = (stopped_t >= 0.5 * (starts[lap] + ends[lap])).astype(int)
    standing = np.bincount(2 * lap + second, weights=weight, minlength=2 * len(bounds))
    out_laps = {i for i in range(len(bounds)) if standing[2 * i] >= stop_s}
    in_laps = {i for i in range(len(bounds)) if standing[2 * i + 1] >= stop_s}
    return [(i in out_laps, i in in_laps, float(driven[i])) for i in range(len(bounds))]


def lap_envelope(
    lf: Frames,
    *,
    start_xy: tuple[float, float] | None = None,
    gate_m: float = 30.0,
    min_lap_m: float = 300.0,
    moving_kmh: float = 5.0,
    min_stint_s: float = 10.0,
    stop_s: float = 1.0,
    method: str | None = None,
    game_laps: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The laps of a session, one row each, by the first strategy that finds any.

    Args:
        lf: Canonical frames (``t_s`` and whichever of the channels the strategies use).
        start_xy: The start line's position on the ``gps`` plane; default the first position.
        gate_m: How close to the start point a crossing must be to count.
        min_lap_m: Shortest distance between two crossings.
        moving_kmh: Below this speed the car is standing.
        min_stint_s: Shortest stint the ``stint`` fallback reports.
        stop_s: How long the car must stand in one half of a lap to make it an out- or in-lap.
        method: Force one strategy (``game``, ``gps``, ``distance``, ``stint``).
        game_laps: :func:`~paddock.analysis.laps.lap_table` of ``lf``, when already computed.

    Returns:
        Rows of :data:`ENVELOPE_SCHEMA` in time order. ``complete`` is false for stints; laps are
        numbered from 1 (the game's own numbers with ``game``).

    Raises:
        ValueError: For an unknown ``method``.
    """
    if method not in (None, "game", "gps", "distance", "stint"):
        raise ValueError(f"unknown lap method {method!r}: expected game, gps, distance or stint")
    df = select_present(lf, ENVELOPE_CHANNELS)
    if df.is_empty():
        return pl.DataFrame(schema=ENVELOPE_SCHEMA)
    numbers: list[int] = []
    bounds: list[tuple[float, float]] = []
    used = ""
    if method in (None, "game") and {"lap", "lap_time_s"} <= columns(df):
        table = lap_table(df) if game_laps is None else game_laps
        if table.height:
            numbers = table["lap"].to_list()
            bounds = list(
                zip(table["start_t_s"].to_list(), table["end_t_s"].to_list(), strict=True)
            )
            used = "game"
    if not bounds and method in (None, "gps"):
        crossings = _gps_crossings(
            df, start_xy=start_xy, gate_m=gate_m, min_lap_m=min_lap_m, moving_kmh=moving_kmh
        )
        bounds = list(itertools.pairwise(crossings))
        used = "gps"
    if not bounds and method in (None, "distance"):
        bounds = list(itertools.pairwise(_distance_crossings(df)))
        used = "distance"
    complete = True
    if not bounds and method in (None, "stint"):
        bounds = _stints(df, moving_kmh=moving_kmh, min_stint_s=min_stint_s)
        used, complete = "stint", False
    if not bounds:
        return pl.DataFrame(schema=ENVELOPE_SCHEMA)
    if not numbers:
        numbers = list(range(1, len(bounds) + 1))
    flags = _flags(df, bounds, moving_kmh, stop_s)
    label = "Stint" if used == "stint" else "Lap"
    return pl.DataFrame(
        {
            "lap": numbers,
            "name": [f"{label} {n}" for n in numbers],
            "t_start": [b[0] for b in bounds],
            "t_end": [b[1] for b in bounds],
            "duration_s": [b[1] - b[0] for b in bounds],
            "distance_m": [f[2] for f in flags],
            "method": [used] * len(bounds),
            "complete": [complete] * len(bounds),
            "out_lap": [f[0] for f in flags],
            "in_lap": [f[1] for f in flags],
        },
        schema=ENVELOPE_SCHEMA,
    )


def flying_laps(envelope: pl.DataFrame) -> pl.DataFrame:
    """The complete laps that are neither out- nor in-laps."""
    return envelope.filter(pl.col("complete") & ~pl.col("out_lap") & ~pl.col("in_lap"))


def tag_laps(
    lf: Frames, envelope: pl.DataFrame, channels: list[str], *, use_distance: bool = True
) -> pl.DataFrame:
    """The rows of complete laps with ``lap_no``, ``lap_t_s`` and ``lap_dist_m`` (a lap frame).

    ``lap_dist_m`` is the distance driven since the lap's start, interpolated at the start time,
    so laps of one session share one distance axis up to their small differences in line.

    Args:
        lf: Canonical frames.
        envelope: The laps (:func:`lap_envelope`); incomplete entries are skipped.
        channels: Channels to keep (those missing from ``lf`` are left out).
        use_distance: False measures the distance by integrating the speed even where
            ``distance_m`` has no gap (see :func:`~paddock.analysis._frame.travelled_m`): for a
            slice of a session whose ``distance_m`` has gaps outside it, so the slice is tagged
            as the whole session would be.
    """
    wanted = list(dict.fromkeys([*channels, *TAG_CHANNELS]))
    df = select_present(lf, wanted)
    laps = envelope.filter(pl.col("complete"))
    if df.is_empty() or laps.is_empty():
        schema = dict(df.schema) | {
            "lap_no": pl.Int32(),
            "lap_t_s": pl.Float64(),
            "lap_dist_m": pl.Float64(),
        }
        return pl.DataFrame(schema=schema)
    df = df.with_columns(travelled_m(df, use_distance=use_distance).alias("_d"))
    starts = laps.select(
        pl.col("lap").alias("lap_no"),
        pl.col("t_start"),
        pl.col("t_end"),
    ).sort("t_start")
    d_start = interp(starts["t_start"], df["t_s"], df["_d"])
    starts = starts.with_columns(d_start.alias("_d0"))
    game_distance = "lap_distance_m" in df.columns and str(laps["method"][0]) in (
        "game",
        "distance",
    )
    tagged = (
        df.join_asof(starts, left_on="t_s", right_on="t_start", strategy="backward")
        .filter(pl.col("lap_no").is_not_null() & (pl.col("t_s") < pl.col("t_end")))
        .with_columns(
            (pl.col("t_s") - pl.col("t_start")).alias("lap_t_s"),
            (pl.col("_d") - pl.col("_d0")).alias("lap_dist_m"),
        )
        .drop("t_start", "t_end", "_d0", "_d")
    )
    if game_distance:
        # The source's own distance from the line: the same axis on every lap.
        tagged = tagged.with_columns(
            pl.col("lap_distance_m")
            .cast(pl.Float64)
            .fill_null(pl.col("lap_dist_m"))
            .alias("lap_dist_m")
        )
    return tagged
