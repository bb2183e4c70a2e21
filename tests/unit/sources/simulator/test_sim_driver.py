"""Stepping the simulated clock: per-tick state, lap and sector timing, ground truth."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from paddock.sources.simulator import CarState, Driver, SpeedProfile
from paddock.sources.simulator.car import GRAVITY_MS2

RATE_HZ = 60.0


@pytest.fixture(scope="module")
def full_lap(park_profile: SpeedProfile) -> tuple[Driver, list[CarState]]:
    """A lap and a bit of the full-size track at 30 Hz (every gear is used)."""
    driver = Driver(park_profile, rate_hz=30.0)
    ticks = math.ceil(park_profile.lap_time_s * 30.0) + 30
    return driver, [driver.step() for _ in range(ticks)]


@pytest.fixture(scope="module")
def three_laps(short_lap: SpeedProfile) -> tuple[Driver, list[CarState]]:
    """Three laps and a bit of the 12 s track at 60 Hz."""
    driver = Driver(short_lap, rate_hz=RATE_HZ)
    ticks = math.ceil(3 * short_lap.lap_time_s * RATE_HZ) + 30
    return driver, [driver.step() for _ in range(ticks)]


def test_first_state_is_a_rolling_start(short_lap: SpeedProfile) -> None:
    state = Driver(short_lap, rate_hz=RATE_HZ).step()
    assert state.tick == 0
    assert state.time_s == 0.0
    assert (state.lap, state.lap_time_s, state.lap_distance_m, state.sector) == (1, 0.0, 0.0, 0)
    assert state.speed_ms == pytest.approx(short_lap.speed[0])
    assert state.speed_ms > 0.0
    assert state.last_lap_time_s is None
    assert state.best_lap_time_s is None
    assert state.last_sector_time_s is None
    assert state.best_sector_times_s == (None, None, None)


def test_lap_crossings_are_not_quantised(three_laps: tuple[Driver, list[CarState]]) -> None:
    driver, states = three_laps
    period = driver.profile.lap_time_s
    crossings = [s.time_s - s.lap_time_s for a, s in itertools.pairwise(states) if s.lap != a.lap]
    assert len(crossings) == 3
    lap_times = [b - a for a, b in zip([0.0, *crossings], crossings, strict=False)]
    # Identical lap after lap, and not a multiple of the tick.
    assert lap_times == pytest.approx([period] * 3, abs=1e-9)
    assert (period * RATE_HZ) % 1.0 > 1e-6
    for a, s in itertools.pairwise(states):
        if s.lap != a.lap:
            assert s.lap == a.lap + 1
            assert s.last_lap_time_s == pytest.approx(period)
            assert s.last_lap_sector_times_s == driver.profile.sector_times_s
            assert s.lap_time_s < 1.0 / RATE_HZ


def test_sector_times_add_up(three_laps: tuple[Driver, list[CarState]]) -> None:
    driver, states = three_laps
    profile = driver.profile
    assert sum(profile.sector_times_s) == pytest.approx(profile.lap_time_s, abs=1e-3)
    # Sector starts seen in the stream: time of the tick less the time already in the sector.
    starts = [
        s.time_s - s.sector_time_s for a, s in itertools.pairwise(states) if s.sector != a.sector
    ]
    observed = [b - a for a, b in itertools.pairwise(starts)]
    s1, s2, s3 = profile.sector_times_s
    expected = [s2, s3, s1] * 3
    assert len(observed) >= 6
    assert observed == pytest.approx(expected[: len(observed)], abs=1e-6)
    for a, s in itertools.pairwise(states):
        if s.sector != a.sector:
            assert s.last_sector_time_s == pytest.approx(profile.sector_times_s[a.sector])
    assert all(s.sector in (0, 1, 2) for s in states)


def test_mean_speed_matches_lap_time(three_laps: tuple[Driver, list[CarState]]) -> None:
    driver, states = three_laps
    lap_two = [s.speed_ms for s in states if s.lap == 2]
    mean_speed = sum(lap_two) / len(lap_two)
    assert driver.track.length_m / mean_speed == pytest.approx(driver.profile.lap_time_s, rel=0.01)


def test_accelerations_follow_the_path(three_laps: tuple[Driver, list[CarState]]) -> None:
    driver, states = three_laps
    car = driver.car
    for state in states:
        assert state.accel_lat_ms2 == pytest.approx(state.speed_ms**2 * state.curvature)
        limit = car.corner_speed_limit(state.curvature)
        assert state.speed_ms <= limit * 1.02
        assert abs(state.accel_lat_ms2) <= car.grip_lateral * GRAVITY_MS2 * 1.04
        assert state.accel_vert_ms2 / GRAVITY_MS2 == pytest.approx(1.0, abs=0.1)
        assert state.yaw_rate_rad_s == pytest.approx(-state.speed_ms * state.curvature)
        assert math.copysign(1.0, state.steering) == math.copysign(1.0, state.curvature) or (
            state.steering == 0.0
        )
        assert -1.0 <= state.steering <= 1.0
    assert any(s.accel_long_ms2 < -GRAVITY_MS2 for s in states)
    assert any(s.accel_long_ms2 > 0.3 * GRAVITY_MS2 for s in states)


def test_controls_match_the_motion(full_lap: tuple[Driver, list[CarState]]) -> None:
    _, states = full_lap
    for state in states:
        assert 0.0 <= state.throttle <= 1.0
        assert 0.0 <= state.brake <= 1.0
        assert 0.0 <= state.clutch <= 1.0
        if state.brake > 0.0:
            assert state.throttle == 0.0
            assert state.accel_long_ms2 < 0.0
        if state.throttle == 1.0:
            assert state.accel_long_ms2 > 0.0
    assert any(s.clutch == 1.0 for s in states)  # gear changes


def test_gear_and_rpm_follow_the_gearbox(full_lap: tuple[Driver, list[CarState]]) -> None:
    driver, states = full_lap
    car = driver.car
    for state in states:
        assert 1 <= state.gear <= car.gear_count
        assert car.idle_rpm <= state.rpm <= car.redline_rpm
        wheel_rpm = state.speed_ms / car.wheel_radius_m * 60.0 / math.tau
        locked = wheel_rpm * car.gear_ratios[state.gear - 1] * car.final_drive
        assert state.rpm == pytest.approx(max(locked, car.idle_rpm))
    gears = [s.gear for s in states]
    assert all(abs(b - a) <= 1 for a, b in itertools.pairwise(gears))
    assert set(gears) == set(range(1, car.gear_count + 1))


def test_position_and_odometer(three_laps: tuple[Driver, list[CarState]]) -> None:
    driver, states = three_laps
    track = driver.track
    for state in states[:: len(states) // 50]:
        where = track.position_at(state.lap_distance_m)
        assert (state.x_m, state.y_m, state.z_m) == pytest.approx((where.x, where.y, where.z))
        assert state.heading_rad == pytest.approx(where.heading)
        driven = (state.lap - 1) * track.length_m + state.lap_distance_m
        assert state.odometer_km * 1000.0 == pytest.approx(driven)
    odometer = [s.odometer_km for s in states]
    assert odometer == sorted(odometer)


def test_car_systems_stay_plausible(full_lap: tuple[Driver, list[CarState]]) -> None:
    _, states = full_lap
    fuel = [s.fuel_l for s in states]
    assert fuel[-1] < fuel[0]
    assert all(b <= a for a, b in itertools.pairwise(fuel))
    for state in states:
        assert 80.0 <= state.water_temp_c <= 100.0
        assert 90.0 <= state.oil_temp_c <= 115.0
        assert all(60.0 <= t <= 110.0 for t in state.tyre_temps_c)
        assert all(0.0 < t < 1000.0 for t in state.brake_temps_c)
    braking = [(a, s) for a, s in itertools.pairwise(states) if s.brake > 0.5]
    assert braking
    assert all(s.brake_temps_c[0] > a.brake_temps_c[0] for a, s in braking)


def test_ground_truth(three_laps: tuple[Driver, list[CarState]], tmp_path: Path) -> None:
    driver, _ = three_laps
    truth = driver.ground_truth()
    period = driver.profile.lap_time_s
    assert [lap["lap"] for lap in truth["laps"]] == [1, 2, 3]
    assert truth["best_lap_s"] == pytest.approx(period)
    for lap in truth["laps"]:
        assert lap["lap_time_s"] == pytest.approx(period)
        assert lap["end_time_s"] - lap["start_time_s"] == pytest.approx(period)
        assert sum(lap["sector_times_s"]) == pytest.approx(lap["lap_time_s"], abs=1e-3)
        hairpin = [b for b in lap["brake_points"] if b["corner_name"] == "Hairpin"]
        assert len(hairpin) == 1
        point = hairpin[0]
        assert point["time_s"] == pytest.approx(lap["start_time_s"] + point["time_in_lap_s"])
        assert point["entry_speed_kmh"] > point["exit_speed_kmh"]
    assert truth["track"]["name"] == "paddock_park"
    assert truth["track"]["length_m"] == pytest.approx(driver.track.length_m)
    assert len(truth["track"]["corners"]) == len(driver.track.corners)
    path = tmp_path / "truth.json"
    driver.write_ground_truth(path)
    assert json.loads(path.read_text()) == json.loads(json.dumps(truth))


def test_rate_must_be_positive(short_lap: SpeedProfile) -> None:
    with pytest.raises(ValueError, match="rate"):
        Driver(short_lap, rate_hz=0.0)
