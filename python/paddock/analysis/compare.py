"""Lap comparison: two or more laps, from one session or several, on one distance axis.

Each lap is resampled every ``step_m`` metres of its own lap distance (linear for analogue
channels, the last value for ``gear``). Distances are scaled so every lap spans the reference
lap's length, which absorbs the few metres a different line adds or saves. The delta time at a
point is the lap's elapsed time there minus the reference's (positive = behind).
"""

from __future__ import annotations

import numpy as np
import polars as pl

STEPPED = {"gear", "lap", "sector"}
"""Channels held at their last value rather than interpolated."""


def lap_trace(frame: pl.DataFrame, lap: int) -> pl.DataFrame:
    """One lap of a lap frame (``lap_no == lap``), sorted by time."""
    return frame.filter(pl.col("lap_no") == lap).sort("t_s")


def compare_laps(
    laps: list[tuple[str, pl.DataFrame]],
    *,
    channels: list[str] | None = None,
    step_m: float = 5.0,
) -> pl.DataFrame:
    """Laps aligned on distance with delta time against the first (the reference).

    Args:
        laps: ``(label, trace)`` pairs; a trace is one lap of a lap frame (``lap_t_s``,
            ``lap_dist_m`` and channels), e.g. from :func:`lap_trace`.
        channels: Channels to overlay (default speed, throttle, brake, gear, steer; those a lap
            lacks come back null).
        step_m: Spacing of the distance grid, metres.

    Returns:
        ``distance_m``, then per lap ``<label>.time_s``, ``<label>.delta_s`` and
        ``<label>.<channel>`` for each channel.

    Raises:
        ValueError: Fewer than two laps, a duplicate label, a lap with fewer than two samples, or
            a step that is not positive.
    """
    if len(laps) < 2:
        raise ValueError("compare needs at least two laps")
    labels = [label for label, _ in laps]
    if len(set(labels)) != len(labels):
        raise ValueError(f"lap labels must be unique, got {labels}")
    if not step_m > 0:
        raise ValueError(f"step_m must be positive, got {step_m}")
    wanted = (
        channels if channels is not None else ["speed_kmh", "throttle", "brake", "gear", "steer"]
    )
    for label, trace in laps:
        if trace.height < 2:
            raise ValueError(f"lap {label} has fewer than two samples")
    ref = laps[0][1]
    length = float(ref["lap_dist_m"].max())  # type: ignore[arg-type]
    grid = np.arange(0.0, length + 1e-9, step_m)
    out: dict[str, np.ndarray] = {"distance_m": grid}
    ref_time: np.ndarray | None = None
    for label, trace in laps:
        d = trace["lap_dist_m"].cast(pl.Float64).to_numpy()
        d = np.maximum.accumulate(d)
        scale = length / d[-1] if d[-1] > 0 else 1.0
        d = d * scale
        t = trace["lap_t_s"].cast(pl.Float64).to_numpy()
        time_s = np.interp(grid, d, t)
        if ref_time is None:
            ref_time = time_s
        out[f"{label}.time_s"] = time_s
        out[f"{label}.delta_s"] = time_s - ref_time
        for name in wanted:
            if name not in trace.columns:
                out[f"{label}.{name}"] = np.full(grid.shape, np.nan)
                continue
            values = trace[name].cast(pl.Float64).fill_null(np.nan).to_numpy()
            if name in STEPPED:
                idx = np.clip(np.searchsorted(d, grid, side="right") - 1, 0, len(values) - 1)
                out[f"{label}.{name}"] = values[idx]
            else:
                out[f"{label}.{name}"] = np.interp(grid, d, values)
    return pl.DataFrame(out).with_columns(pl.all().fill_nan(None))
