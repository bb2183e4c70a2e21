"""The real captures, decoded to canonical frames, are physically consistent.

The captures carry no receive times, but both games stamp every packet with the current lap
time, which serves as the clock. Over windows of 30 packets (about half a second for AC, a second
for Project CARS 1) the distance travelled must agree with the reported speed:

- Assetto Corsa: the path along ``carCoordinates`` (float world position).
- Project CARS 1: the change of ``sCurrentLapDistance``. Its world position is whole metres
  (``s16``), whose jitter makes the path about 7 % too long, so it is not the reference here.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from paddock.protocols import ac, pcars1
from tests.core.test_pcars1 import split_capture

WINDOW = 30
"""Packets per window."""


def _frames(testdata: Path, relative: str) -> pl.DataFrame:
    path = testdata / relative
    if not path.is_file():
        pytest.skip(f"capture not found at {path} (set PADDOCK_TESTDATA)")
    data = path.read_bytes()
    if "pcars1" in relative:
        datagrams = split_capture(data)
        batch = pcars1.frames(datagrams, ts_ns=list(range(len(datagrams))))
    else:
        datagrams = [data[i : i + 328] for i in range(0, len(data), 328)]
        batch = ac.frames(datagrams, ts_ns=list(range(len(datagrams))))
    return pl.DataFrame(batch)


def _speed_ratios(frames: pl.DataFrame, distance: pl.Expr) -> pl.Series:
    """Per window: distance travelled / (mean speed x elapsed lap time), one lap per window."""
    steps = frames.select(
        dt=pl.col("lap_time_s").diff(),
        ds=distance,
        v=pl.col("speed_kmh") / 3.6,
        lap=pl.col("lap"),
    ).with_row_index()
    windows = (
        steps.group_by(pl.col("index") // WINDOW)
        .agg(pl.col("dt").sum(), pl.col("ds").sum(), pl.col("v").mean(), pl.col("lap").n_unique())
        .filter((pl.col("lap") == 1) & (pl.col("v") > 10) & (pl.col("dt") > 0))
    )
    assert windows.height > 50
    return windows.select(pl.col("ds") / pl.col("dt") / pl.col("v")).to_series()


def _lap_clock_is_sane(frames: pl.DataFrame) -> None:
    """Lap time only grows within a lap, restarts near 0 when the lap counter steps by one."""
    laps = frames.drop_nulls("lap")
    steps = laps.select(lap_step=pl.col("lap").diff(), dt=pl.col("lap_time_s").diff()).drop_nulls()
    assert set(steps["lap_step"].unique().to_list()) <= {0, 1}
    assert (steps.filter(pl.col("lap_step") == 0)["dt"] >= 0).all()
    new_lap = laps.filter(pl.col("lap").diff() == 1)
    assert (new_lap["lap_time_s"] < 1.0).all()


def test_assetto_corsa_speed_matches_the_driven_path(testdata: Path) -> None:
    frames = _frames(testdata, "udp/assetto_corsa/AssettoCorsa_monza_A8LMS.raw")
    path = (
        pl.col("pos_x_m").diff() ** 2
        + pl.col("pos_y_m").diff() ** 2
        + pl.col("pos_z_m").diff() ** 2
    ).sqrt()
    ratios = _speed_ratios(frames, path)
    assert ratios.median() == pytest.approx(1.0, abs=0.01)
    assert (ratios.is_between(0.95, 1.05)).mean() > 0.95  # type: ignore[operator]
    # The whole capture drives one lap of Monza (5.79 km) in total.
    total = frames.select(path.sum()).item()
    assert 5_600 < total < 6_000
    _lap_clock_is_sane(frames)
    assert frames["gear"].is_between(-1, 7).all()
    assert frames["rpm"].is_between(0, 12_000).all()
    assert frames.select(pl.col("lap").max()).item() == 2


def test_project_cars_1_speed_matches_the_lap_distance(testdata: Path) -> None:
    frames = _frames(testdata, "udp/pcars1/pcars.bin.raw")
    ratios = _speed_ratios(frames, pl.col("lap_distance_m").diff())
    assert ratios.median() == pytest.approx(1.0, abs=0.02)
    assert (ratios.is_between(0.85, 1.15)).mean() > 0.9  # type: ignore[operator]
    _lap_clock_is_sane(frames)
    assert frames["gear"].drop_nulls().is_between(-1, 7).all()
    assert frames["rpm"].drop_nulls().is_between(0, 12_000).all()
