"""End to end: the simulator's packets, decoded as a feed decodes them, analysed, against the
simulator's own ground truth, on the bundled track and on real circuits."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from paddock.analysis.analytics import compute
from paddock.analysis.session_laps import LapAnalysis

pytest.importorskip("paddock.protocols.pcars2")

from paddock.sources.simulator.frames import simulate_frames

RATE_HZ = 20.0
LAPS = 2.05


@pytest.fixture(scope="module", params=["paddock_park", "Monza", "Spa"])
def simulated(request: pytest.FixtureRequest) -> tuple[pl.DataFrame, dict[str, Any]]:
    if request.param == "paddock_park":
        track: str | Path = "paddock_park"
    else:
        testdata = request.getfixturevalue("testdata")
        track = testdata / "tracks" / "tumftm" / "tracks" / f"{request.param}.csv"
        if not track.is_file():
            pytest.skip(f"{track.name} not in the shared test data")
    return simulate_frames(laps=LAPS, rate_hz=RATE_HZ, track=track)


def _check_laps(table: pl.DataFrame, truth: dict[str, Any]) -> None:
    truth_laps = truth["laps"]
    assert table.height == len(truth_laps)
    for row, lap in zip(table.iter_rows(named=True), truth_laps, strict=True):
        assert row["lap_time_s"] == pytest.approx(lap["lap_time_s"], abs=0.05)
        got = [row["s1_s"], row["s2_s"], row["s3_s"]]
        assert got == pytest.approx(lap["sector_times_s"], abs=0.05)


def test_game_laps_and_sectors(simulated: tuple[pl.DataFrame, dict[str, Any]]) -> None:
    frames, truth = simulated
    analysis = LapAnalysis(frames.lazy())
    assert analysis.envelope["method"][0] == "game"
    _check_laps(analysis.table, truth)
    ideal = compute("ideal_lap", analysis)
    best = [min(r[f"s{k}_s"] for r in analysis.table.iter_rows(named=True)) for k in (1, 2, 3)]
    assert ideal["ideal_lap_s"] == pytest.approx(math.fsum(best), abs=1e-9)
    assert ideal["ideal_lap_s"] == pytest.approx(
        math.fsum(truth["laps"][0]["sector_times_s"]), abs=0.05
    )


def test_gps_laps_without_the_game_counter(simulated: tuple[pl.DataFrame, dict[str, Any]]) -> None:
    frames, truth = simulated
    positions = frames.select("ts_ns", "t_s", "speed_kmh", "pos_x_m", "pos_z_m")
    analysis = LapAnalysis(
        positions.lazy(), sector_starts_m=tuple(truth["track"]["sector_starts_m"])
    )
    assert analysis.envelope["method"][0] == "gps"
    _check_laps(analysis.table, truth)
    assert analysis.envelope["distance_m"].to_list() == pytest.approx(
        [truth["track"]["length_m"]] * len(truth["laps"]), rel=0.002
    )


def test_corners_and_brake_points(simulated: tuple[pl.DataFrame, dict[str, Any]]) -> None:
    frames, truth = simulated
    analysis = LapAnalysis(frames.lazy())
    corners = analysis.corners
    expected = truth["track"]["corners"]
    assert corners.height == len(expected)
    for got, want in zip(corners.iter_rows(named=True), expected, strict=True):
        assert got["direction"] == want["direction"]
        assert want["start_m"] - 15.0 <= got["apex_m"] <= want["end_m"] + 15.0
    zones = analysis.zones
    for lap in truth["laps"]:
        found = zones.filter(pl.col("lap") == lap["lap"])["brake_point_m"].to_list()
        for point in lap["brake_points"]:
            nearest = min(abs(f - point["distance_m"]) for f in found)
            assert nearest <= 10.0, f"lap {lap['lap']} brake point {point['distance_m']:.1f} m"
        # Every zone found is one the simulator drove (none invented).
        for f in found:
            assert min(abs(f - p["distance_m"]) for p in lap["brake_points"]) <= 10.0 or any(
                p["distance_m"] <= f <= p["end_distance_m"] + 30.0 for p in lap["brake_points"]
            )
