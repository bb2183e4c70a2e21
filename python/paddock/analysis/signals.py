"""The synchroniser: several channels resampled onto one time or distance axis.

Wide channels (columns of the frames) and tall ones (rows of the ``channels`` table, one
``channel``/``value`` pair each) are resampled alike: ``linear`` interpolates between the two
neighbouring samples, ``previous`` holds the last value (for gears, flags and counters). Points
before a channel's first sample are null.

On the ``distance`` axis the grid is the distance driven since the first sample (``distance_m``
or the integral of ``speed_kmh``), every ``1 / rate_hz`` metres.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl

from paddock.analysis._frame import select_present, travelled_m

Axis = Literal["time", "distance"]
Interp = Literal["linear", "previous"]

MAX_POINTS = 200_000
"""Most grid points one call returns."""


def _resample(x: np.ndarray, xs: np.ndarray, ys: np.ndarray, how: Interp) -> np.ndarray:
    keep = ~np.isnan(ys) & ~np.isnan(xs)
    xs, ys = xs[keep], ys[keep]
    out = np.full(x.shape, np.nan)
    if xs.size == 0:
        return out
    order = np.argsort(xs, kind="stable")
    xs, ys = xs[order], ys[order]
    inside = x >= xs[0]
    if how == "linear":
        out[inside] = np.interp(x[inside], xs, ys)
        out[x > xs[-1]] = np.nan
    else:
        idx = np.searchsorted(xs, x[inside], side="right") - 1
        out[inside] = ys[idx]
    return out


def synchronise(
    frames: pl.LazyFrame,
    names: list[str],
    *,
    channels: pl.LazyFrame | None = None,
    axis: Axis = "time",
    rate_hz: float = 10.0,
    interp: Interp = "linear",
    t_from: float | None = None,
    t_to: float | None = None,
) -> pl.DataFrame:
    """The named channels on a common axis.

    Args:
        frames: Wide frames (``t_s`` and channel columns).
        names: Channels to resample; a name neither table has comes back all null.
        channels: Tall samples (``t_s``, ``channel``, ``value``), if the session has any.
        axis: ``time`` (seconds, column ``t_s``) or ``distance`` (metres, column ``distance_m``).
        rate_hz: Points per second, or per metre on the distance axis.
        interp: ``linear`` or ``previous``.
        t_from: First time (seconds since the session start) to include.
        t_to: Last time to include.

    Returns:
        The axis column then one Float64 column per name.

    Raises:
        ValueError: A bad axis, interpolation or rate, ``t_from`` after ``t_to``, or a grid of
            more than :data:`MAX_POINTS` points.
    """
    if axis not in ("time", "distance"):
        raise ValueError(f"axis must be 'time' or 'distance', got {axis!r}")
    if interp not in ("linear", "previous"):
        raise ValueError(f"interp must be 'linear' or 'previous', got {interp!r}")
    if not (rate_hz > 0.0 and np.isfinite(rate_hz)):
        raise ValueError(f"rate_hz must be a positive number, got {rate_hz}")
    if t_from is not None and t_to is not None and t_from > t_to:
        raise ValueError(f"t_from ({t_from}) is after t_to ({t_to})")
    wide = select_present(frames, [*names, "speed_kmh", "distance_m"])
    tall = (
        channels.filter(pl.col("channel").is_in(names)).select("t_s", "channel", "value").collect()
        if channels is not None
        else pl.DataFrame(schema={"t_s": pl.Float64, "channel": pl.String, "value": pl.Float64})
    )
    starts = [
        s
        for s in (
            wide["t_s"].min() if wide.height else None,
            tall["t_s"].min() if tall.height else None,
        )
        if s is not None
    ]
    ends = [
        s
        for s in (
            wide["t_s"].max() if wide.height else None,
            tall["t_s"].max() if tall.height else None,
        )
        if s is not None
    ]
    label = "t_s" if axis == "time" else "distance_m"
    if not starts:
        return pl.DataFrame(schema={label: pl.Float64, **{n: pl.Float64 for n in names}})
    lo = max(float(min(starts)), t_from) if t_from is not None else float(min(starts))  # type: ignore[arg-type]
    hi = min(float(max(ends)), t_to) if t_to is not None else float(max(ends))  # type: ignore[arg-type]
    wide_t = wide["t_s"].to_numpy().astype(float)
    if axis == "time":
        count = int(np.floor((hi - lo) * rate_hz + 1e-9)) + 1 if hi >= lo else 0
        if count > MAX_POINTS:
            raise ValueError(f"{count} points asked for; at most {MAX_POINTS}: lower rate_hz")
        grid_t = lo + np.arange(count) / rate_hz
        grid = grid_t
    else:
        if wide.is_empty():
            return pl.DataFrame(schema={label: pl.Float64, **{n: pl.Float64 for n in names}})
        dist = travelled_m(wide).to_numpy().astype(float)
        d_lo = float(np.interp(lo, wide_t, dist))
        d_hi = float(np.interp(hi, wide_t, dist))
        count = int(np.floor((d_hi - d_lo) * rate_hz + 1e-9)) + 1 if d_hi >= d_lo else 0
        if count > MAX_POINTS:
            raise ValueError(f"{count} points asked for; at most {MAX_POINTS}: lower rate_hz")
        grid = d_lo + np.arange(count) / rate_hz
        # Time at each distance point (distance never decreases).
        grid_t = np.interp(grid, np.maximum.accumulate(dist), wide_t)
    out: dict[str, np.ndarray] = {label: grid}
    for name in names:
        if name in wide.columns and name not in ("t_s",):
            ys = wide[name].cast(pl.Float64).to_numpy().astype(float)
            out[name] = _resample(grid_t, wide_t, ys, interp)
        else:
            part = tall.filter(pl.col("channel") == name)
            out[name] = _resample(
                grid_t,
                part["t_s"].to_numpy().astype(float),
                part["value"].to_numpy().astype(float),
                interp,
            )
    return pl.DataFrame(out).with_columns(pl.all().fill_nan(None))
