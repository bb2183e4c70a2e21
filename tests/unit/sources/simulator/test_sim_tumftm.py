"""Tracks from the TUM FTM racetrack database (read from PADDOCK_TESTDATA, never copied)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from paddock.sources.simulator import (
    Car,
    Driver,
    Simulator,
    compute_profile,
    load_track,
    load_tumftm_csv,
)


def test_monza_loads_and_closes(tumftm_tracks: Path) -> None:
    monza = load_tumftm_csv(tumftm_tracks / "Monza.csv")
    assert monza.name == "monza"
    assert monza.length_m == pytest.approx(5790.0, abs=20.0)
    assert monza.closure_gap_m() < 0.5
    assert monza.sector_starts_m == pytest.approx((0.0, monza.length_m / 3, 2 * monza.length_m / 3))
    assert set(monza.y) == {0.0}
    # The map's handedness is kept: Monza runs clockwise, so the yaw falls by one turn.
    last = monza.sample_count - 1
    turned = monza.heading[last] - monza.heading[0]
    assert turned == pytest.approx(-math.tau, abs=0.1)
    # Curvature is smoothed: no spikes tighter than a 10 m radius.
    assert max(abs(k) for k in monza.curvature) < 0.1
    assert len(monza.corners) >= 8
    chicane = monza.corners[0]
    assert chicane.start_m > 800.0  # the long start-finish straight comes first
    assert chicane.min_radius_m < 40.0


def test_the_car_laps_monza(tumftm_tracks: Path, car: Car) -> None:
    monza = load_track(tumftm_tracks / "Monza.csv")
    profile = compute_profile(monza, car)
    assert 95.0 < profile.lap_time_s < 140.0
    assert max(profile.speed) * 3.6 > 250.0
    for speed, curvature in zip(profile.speed, monza.curvature, strict=True):
        assert speed <= car.corner_speed_limit(curvature) + 1e-9
    assert sum(profile.sector_times_s) == pytest.approx(profile.lap_time_s)
    assert {zone.corner_name for zone in profile.brake_zones} >= {"T1"}
    driver = Driver(profile, rate_hz=10.0)
    states = [driver.step() for _ in range(math.ceil(profile.lap_time_s * 10.0) + 2)]
    assert states[-1].lap == 2
    assert driver.ground_truth()["laps"][0]["lap_time_s"] == pytest.approx(profile.lap_time_s)


@pytest.mark.parametrize("name", ["Spa.csv", "Suzuka.csv", "Norisring.csv", "IMS.csv"])
def test_other_tumftm_tracks_load(tumftm_tracks: Path, car: Car, name: str) -> None:
    track = load_tumftm_csv(tumftm_tracks / name)
    profile = compute_profile(track, car)
    assert track.closure_gap_m() < 0.5
    assert track.length_m / profile.lap_time_s > 30.0  # mean speed above 108 km/h


def test_simulator_takes_a_csv_path(tumftm_tracks: Path) -> None:
    sim = Simulator(
        track=str(tumftm_tracks / "Monza.csv"),
        lap_seconds=20.0,
        encode=lambda _: b"",
        realtime=False,
    )
    assert sim.track.name == "monza"
    assert sim.lap_time_s == pytest.approx(20.0, rel=0.03)
    assert "Monza" in sim.describe()


def test_malformed_csv(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("# x_m,y_m,w_tr_right_m,w_tr_left_m\n1.0,2.0,3,3\nnot,numbers\n")
    with pytest.raises(ValueError, match=r"bad\.csv:3"):
        load_tumftm_csv(bad)
    short = tmp_path / "short.csv"
    short.write_text("0,0,1,1\n1,0,1,1\n")
    with pytest.raises(ValueError, match="at least 8"):
        load_tumftm_csv(short)
