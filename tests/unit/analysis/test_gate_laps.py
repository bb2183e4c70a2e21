"""Laps from start/finish line crossings of a GNSS track."""

from __future__ import annotations

import math

import polars as pl
import pytest

from paddock.analysis.laps import (
    first_point_gate,
    gate_crossings,
    lap_table,
    laps_from_crossings,
)

LAT0, LON0 = 45.0, 9.0
R_M = 200.0  # circle radius
M_PER_DEG = 6_371_008.8 * math.pi / 180


def circle(
    laps: float, lap_s: float = 40.0, hz: float = 10.0, start_deg: float = 0.0
) -> pl.DataFrame:
    """A car going round a circle anticlockwise, starting at angle ``start_deg`` (east = 0)."""
    n = int(laps * lap_s * hz)
    t = [i / hz for i in range(n)]
    angle = [math.radians(start_deg) + 2 * math.pi * s / lap_s for s in t]
    return pl.DataFrame(
        {
            "t_s": t,
            "lat_deg": [LAT0 + R_M * math.sin(a) / M_PER_DEG for a in angle],
            "lon_deg": [
                LON0 + R_M * math.cos(a) / (M_PER_DEG * math.cos(math.radians(LAT0))) for a in angle
            ],
        }
    )


def east_gate() -> tuple[float, float, float, float]:
    """A line across the circle's east side (angle 0), 20 m either side of the track."""
    dlon = 1 / (M_PER_DEG * math.cos(math.radians(LAT0)))
    return (LAT0, LON0 + (R_M - 20) * dlon, LAT0, LON0 + (R_M + 20) * dlon)


def test_crossings_of_a_line_are_interpolated() -> None:
    # Start a quarter lap before the line: crossings at 10 s, 50 s, 90 s.
    frames = circle(3.1, start_deg=-90)
    crossings = gate_crossings(frames, east_gate())
    assert crossings.to_list() == pytest.approx([10.0, 50.0, 90.0], abs=1e-3)


def test_lap_table_from_crossings() -> None:
    frames = circle(3.1, start_deg=-90)
    laps = lap_table(laps_from_crossings(frames, gate_crossings(frames, east_gate())).lazy())
    # Lap 0 (before the first crossing) was not seen from its start; laps 1 and 2 are complete.
    assert laps["lap"].to_list() == [1, 2]
    assert laps["lap_time_s"].to_list() == pytest.approx([40.0, 40.0], abs=0.1)


def test_backing_over_the_line_does_not_count() -> None:
    forward = circle(1.4, start_deg=-90)  # crosses at 10 s and 50 s, ends at 55.9 s
    end = forward["t_s"].max()
    # Then back the same way over the line once.
    back = forward.filter(pl.col("t_s") >= 45).reverse()
    back = back.with_columns((end + 0.1 + pl.int_range(pl.len()) / 10).alias("t_s"))
    frames = pl.concat([forward, back])
    assert gate_crossings(frames, east_gate()).to_list() == pytest.approx([10.0, 50.0], abs=1e-3)


def test_first_point_gate_gives_laps_from_the_start() -> None:
    frames = circle(2.5).with_columns(pl.lit(0.0).alias("heading_deg"))
    gate = first_point_gate(frames)
    assert gate is not None
    crossings = gate_crossings(frames, gate)
    assert crossings.to_list() == pytest.approx([0.0, 40.0, 80.0], abs=0.1)


def test_no_crossing_leaves_lap_zero() -> None:
    frames = circle(0.5, start_deg=10)
    crossings = gate_crossings(frames, east_gate())
    assert crossings.is_empty()
    out = laps_from_crossings(frames, crossings)
    assert out["lap"].unique().to_list() == [0]
    assert lap_table(out.lazy()).is_empty()
