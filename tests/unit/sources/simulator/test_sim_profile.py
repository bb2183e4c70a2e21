"""The car model and the lap's speed profile: limits, braking zones, lap-time scaling."""

from __future__ import annotations

import math

import pytest

from paddock.sources.simulator import Car, SpeedProfile, Track, compute_profile, fit_lap_time
from paddock.sources.simulator.car import GRAVITY_MS2


def test_car_is_a_plausible_gt_car(car: Car, park_profile: SpeedProfile) -> None:
    peak_kw = max(car.torque_nm(rpm) * rpm * math.tau / 60.0 for rpm in range(1000, 7800, 50))
    assert 370.0 <= peak_kw / 1000.0 <= 430.0
    assert car.mass_kg == 1300.0
    top_kmh = max(park_profile.speed) * 3.6
    assert 240.0 <= top_kmh <= 290.0
    assert car.limiter_speed_ms() * 3.6 == pytest.approx(288.0, abs=5.0)
    assert car.torque_nm(car.redline_rpm) == 0.0


def test_gearbox(car: Car) -> None:
    assert car.gear_for_speed(5.0) == 1
    assert car.gear_for_speed(70.0) == car.gear_count
    for speed in (10.0, 25.0, 40.0, 60.0):
        gear = car.gear_for_speed(speed)
        assert car.engine_rpm(speed, gear) <= car.upshift_rpm
        if gear > 1:
            assert car.engine_rpm(speed, gear - 1) > car.upshift_rpm
    # Hysteresis: no hunting between the up- and downshift points.
    speed = 30.0
    gear = car.gear_for_speed(speed)
    assert car.next_gear(speed, gear) == gear
    assert car.next_gear(speed, car.gear_count) == car.gear_count - 1
    assert car.reported_rpm(0.1, 1) == car.idle_rpm


def test_speed_never_exceeds_cornering_limit(park: Track, park_profile: SpeedProfile) -> None:
    car = park_profile.car
    for speed, curvature in zip(park_profile.speed, park.curvature, strict=True):
        assert speed <= car.corner_speed_limit(curvature) + 1e-9
    hairpin = next(c for c in park.corners if c.name == "Hairpin")
    apex_index = park.locate(hairpin.apex_m)[0]
    apex_speed = park_profile.speed[apex_index]
    limit = math.sqrt(car.grip_lateral * GRAVITY_MS2 * hairpin.min_radius_m)
    assert apex_speed == pytest.approx(limit, rel=1e-6)


def test_profile_is_consistent(park: Track, park_profile: SpeedProfile) -> None:
    profile = park_profile
    assert sum(profile.sector_times_s) == pytest.approx(profile.lap_time_s, abs=1e-9)
    assert 60.0 < profile.lap_time_s < 100.0
    assert all(0.0 <= t <= 1.0 for t in profile.throttle)
    assert all(0.0 <= b <= 1.0 for b in profile.brake)
    assert all(t == 0.0 or b == 0.0 for t, b in zip(profile.throttle, profile.brake, strict=True))
    assert max(profile.accel) / GRAVITY_MS2 < 1.3
    assert min(profile.accel) / GRAVITY_MS2 > -2.0
    # Time and distance are inverse functions of each other.
    for distance in (0.0, 500.0, 1234.5, park.length_m - 1.0):
        point = profile.at_time(profile.time_at(distance))
        assert point.distance_m == pytest.approx(distance, abs=1e-6)
    assert profile.at_time(profile.lap_time_s).distance_m == pytest.approx(park.length_m)
    mean_speed = park.length_m / profile.lap_time_s
    assert min(profile.speed) < mean_speed < max(profile.speed)


def test_brake_points_before_the_hairpin(park: Track, park_profile: SpeedProfile) -> None:
    hairpin = next(c for c in park.corners if c.name == "Hairpin")
    zones = [z for z in park_profile.brake_zones if z.corner_name == "Hairpin"]
    assert len(zones) == 1
    zone = zones[0]
    assert zone.corner_number == hairpin.number
    assert hairpin.start_m - 250.0 < zone.start_m < hairpin.start_m
    assert zone.end_m == pytest.approx(hairpin.start_m, abs=2.0)
    assert zone.entry_speed_ms * 3.6 > 200.0
    assert zone.exit_speed_ms == pytest.approx(
        park_profile.car.corner_speed_limit(1.0 / hairpin.min_radius_m), rel=0.01
    )
    assert zone.start_time_s == pytest.approx(park_profile.time_at(zone.start_m))
    braked = {z.corner_name for z in park_profile.brake_zones}
    assert {"Turn One", "Hairpin", "Esses", "Last Corner"} <= braked


@pytest.mark.parametrize("seconds", [12.0, 45.0])
def test_fit_lap_time(park: Track, car: Car, seconds: float) -> None:
    scaled, profile = fit_lap_time(park, car, seconds)
    assert profile.lap_time_s == pytest.approx(seconds, rel=0.03)
    assert profile.track is scaled
    hairpin = next(c for c in scaled.corners if c.name == "Hairpin")
    assert hairpin.min_radius_m / scaled.length_m == pytest.approx(17.0 / park.length_m)
    assert compute_profile(scaled, car).lap_time_s == profile.lap_time_s


def test_fit_lap_time_rejects_bad_targets(park: Track, car: Car) -> None:
    with pytest.raises(ValueError, match="positive"):
        fit_lap_time(park, car, 0.0)
    with pytest.raises(ValueError, match=r"out of reach|could not"):
        fit_lap_time(park, car, 1e6)
