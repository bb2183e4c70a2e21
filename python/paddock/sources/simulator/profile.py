"""The car's speed over a lap: the classic forward/backward pass, and lap-time scaling.

The forward pass accelerates out of every corner with the engine's force in the gear the driver
would use (capped by traction), the backward pass brakes into every corner at the braking limit,
and both respect the cornering limit ``sqrt(mu g / |k|)``. A friction circle shares the tyre's
grip between cornering and braking/driving. Between two samples the acceleration is constant,
which makes speed, distance and time along the lap exact functions of one another.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from typing import NamedTuple

from paddock.sources.simulator.car import GRAVITY_MS2, Car
from paddock.sources.simulator.track import Track

BRAKE_ZONE_THRESHOLD = 0.05
"""Brake demand (0..1) above which an interval counts as part of a braking zone."""


class ProfilePoint(NamedTuple):
    """The car's place on the speed profile at one moment of the lap.

    Attributes:
        distance_m: Distance from the start line.
        speed_ms: Speed, m/s.
        accel_ms2: Longitudinal acceleration (dv/dt), m/s².
        throttle: Throttle demand 0..1.
        brake: Brake demand 0..1.
        interval: The sample interval the car is in.

    """

    distance_m: float
    speed_ms: float
    accel_ms2: float
    throttle: float
    brake: float
    interval: int


@dataclass(frozen=True, slots=True)
class BrakeZone:
    """One braking zone of the lap.

    Attributes:
        start_m: Distance from the start line where braking begins.
        end_m: Distance where braking ends.
        start_time_s: Time into the lap at which braking begins.
        entry_speed_ms: Speed when braking begins.
        exit_speed_ms: Speed when braking ends.
        corner_number: The corner being braked for (the next apex ahead), if the track has any.
        corner_name: That corner's name.

    """

    start_m: float
    end_m: float
    start_time_s: float
    entry_speed_ms: float
    exit_speed_ms: float
    corner_number: int | None
    corner_name: str | None


@dataclass(frozen=True, slots=True)
class SpeedProfile:
    """Speed, time, throttle and brake over one lap of ``track`` in ``car``.

    ``speed`` and ``time`` are per sample (``time[0] == 0``); ``accel``, ``throttle`` and
    ``brake`` hold for the interval after each sample.
    """

    track: Track
    car: Car
    speed: tuple[float, ...]
    time: tuple[float, ...]
    accel: tuple[float, ...]
    throttle: tuple[float, ...]
    brake: tuple[float, ...]
    lap_time_s: float
    sector_times_s: tuple[float, ...]
    brake_zones: tuple[BrakeZone, ...]

    def at_time(self, lap_time_s: float) -> ProfilePoint:
        """Where the car is ``lap_time_s`` seconds after crossing the start line."""
        t = min(max(lap_time_s, 0.0), self.lap_time_s)
        index = min(max(bisect.bisect_right(self.time, t) - 1, 0), len(self.time) - 1)
        dt = t - self.time[index]
        v0 = self.speed[index]
        accel = self.accel[index]
        step = self.track.interval_length(index)
        travelled = min(max(v0 * dt + 0.5 * accel * dt * dt, 0.0), step)
        speed = math.sqrt(max(v0 * v0 + 2.0 * accel * travelled, 0.0))
        return ProfilePoint(
            distance_m=self.track.s[index] + travelled,
            speed_ms=speed,
            accel_ms2=accel,
            throttle=self.throttle[index],
            brake=self.brake[index],
            interval=index,
        )

    def time_at(self, distance_m: float) -> float:
        """Time into the lap at which the car passes ``distance_m`` (wrapped onto the lap)."""
        index, frac = self.track.locate(distance_m)
        travelled = frac * self.track.interval_length(index)
        v0 = self.speed[index]
        v1 = math.sqrt(max(v0 * v0 + 2.0 * self.accel[index] * travelled, 0.0))
        return self.time[index] + 2.0 * travelled / (v0 + v1)


def _friction_share(speed: float, curvature: float, car: Car) -> float:
    """Fraction of longitudinal grip left after cornering at ``speed`` (friction circle)."""
    used = speed * speed * abs(curvature) / (car.grip_lateral * GRAVITY_MS2)
    return math.sqrt(max(0.0, 1.0 - used * used))


def _accel_limit(speed: float, curvature: float, car: Car) -> float:
    """Net acceleration: engine force less drag, capped by the grip left for traction.

    The cap applies to the net acceleration, so a car at the cornering limit can still hold
    its speed against drag (constant speed through a constant-radius arc).
    """
    share = _friction_share(speed, curvature, car)
    engine = (car.drive_force_n(speed) - car.resistance_force_n(speed)) / car.mass_kg
    return min(engine, car.grip_drive * GRAVITY_MS2 * share)


def _decel_limit(speed: float, curvature: float, car: Car) -> float:
    share = _friction_share(speed, curvature, car)
    return car.grip_brake * GRAVITY_MS2 * share + car.resistance_force_n(speed) / car.mass_kg


def compute_profile(track: Track, car: Car) -> SpeedProfile:
    """Compute the lap's speed profile with a forward and a backward pass.

    Both passes start at the tightest point of the lap, where the speed is the cornering limit,
    and go once round the closed lap.
    """
    count = track.sample_count
    cap = car.limiter_speed_ms()
    limit = [min(car.corner_speed_limit(k), cap) for k in track.curvature]
    steps = [track.interval_length(i) for i in range(count)]
    start = min(range(count), key=limit.__getitem__)

    speed = list(limit)
    for offset in range(count):
        i = (start + offset) % count
        j = (i + 1) % count
        v_sq = speed[i] ** 2 + 2.0 * _accel_limit(speed[i], track.curvature[i], car) * steps[i]
        speed[j] = min(speed[j], math.sqrt(max(v_sq, 0.0)))
    for offset in range(count):
        j = (start - offset) % count
        i = (j - 1) % count
        v_sq = speed[j] ** 2 + 2.0 * _decel_limit(speed[j], track.curvature[i], car) * steps[i]
        speed[i] = min(speed[i], math.sqrt(v_sq))

    accel: list[float] = []
    throttle: list[float] = []
    brake: list[float] = []
    time = [0.0]
    for i in range(count):
        v0, v1 = speed[i], speed[(i + 1) % count]
        a = (v1 * v1 - v0 * v0) / (2.0 * steps[i])
        accel.append(a)
        time.append(time[-1] + 2.0 * steps[i] / (v0 + v1))
        needed = car.mass_kg * a + car.resistance_force_n(v0)
        if needed >= 0.0:
            throttle.append(min(needed / car.drive_force_n(v0), 1.0))
            brake.append(0.0)
        else:
            throttle.append(0.0)
            brake.append(min(-needed / (car.mass_kg * car.grip_brake * GRAVITY_MS2), 1.0))
    lap_time = time.pop()

    partial = SpeedProfile(
        track=track,
        car=car,
        speed=tuple(speed),
        time=tuple(time),
        accel=tuple(accel),
        throttle=tuple(throttle),
        brake=tuple(brake),
        lap_time_s=lap_time,
        sector_times_s=(),
        brake_zones=(),
    )
    boundaries = [partial.time_at(start_m) for start_m in track.sector_starts_m] + [lap_time]
    sectors = tuple(b - a for a, b in itertools.pairwise(boundaries))
    return SpeedProfile(
        track=track,
        car=car,
        speed=partial.speed,
        time=partial.time,
        accel=partial.accel,
        throttle=partial.throttle,
        brake=partial.brake,
        lap_time_s=lap_time,
        sector_times_s=sectors,
        brake_zones=_brake_zones(partial),
    )


def _brake_zones(profile: SpeedProfile) -> tuple[BrakeZone, ...]:
    """Group consecutive braking intervals into zones, each starting where braking begins."""
    track = profile.track
    count = track.sample_count
    braking = [b > BRAKE_ZONE_THRESHOLD for b in profile.brake]
    if all(braking) or not any(braking):
        return ()
    origin = braking.index(False)
    zones: list[BrakeZone] = []
    first: int | None = None
    for offset in range(1, count + 1):
        i = (origin + offset) % count
        if braking[i] and first is None:
            first = i
        elif not braking[i] and first is not None:
            entry, exit_speed = profile.speed[first], profile.speed[i]
            if entry - exit_speed > 0.02 * entry:
                corner = track.corner_ahead(track.s[first])
                zones.append(
                    BrakeZone(
                        start_m=track.s[first],
                        end_m=track.s[i],
                        start_time_s=profile.time[first],
                        entry_speed_ms=entry,
                        exit_speed_ms=exit_speed,
                        corner_number=corner.number if corner else None,
                        corner_name=corner.name if corner else None,
                    )
                )
            first = None
    return tuple(sorted(zones, key=lambda zone: zone.start_m))


def fit_lap_time(
    track: Track, car: Car, lap_time_s: float, *, tolerance: float = 0.005
) -> tuple[Track, SpeedProfile]:
    """Scale ``track`` so that ``car`` laps it in about ``lap_time_s`` seconds.

    Lap time grows with the scale factor, so the factor is bracketed and then found by regula
    falsi on log(lap time) against log(factor) (Illinois variant), at most 64 profile runs.

    Returns:
        The scaled track and its profile, whose lap time is within ``tolerance`` (relative).

    Raises:
        ValueError: If ``lap_time_s`` is not positive or cannot be reached with a scale factor
            between 1e-4 and 1e4.

    """
    if not (math.isfinite(lap_time_s) and lap_time_s > 0.0):
        raise ValueError(f"lap time must be a positive number of seconds, got {lap_time_s}")
    target = math.log(lap_time_s)
    reach = math.log(1e4)

    def attempt(log_factor: float) -> tuple[float, Track, SpeedProfile]:
        scaled = track.scaled(math.exp(log_factor))
        profile = compute_profile(scaled, car)
        return math.log(profile.lap_time_s) - target, scaled, profile

    # Lap time grows between sqrt(factor) (all corners) and factor (all straights), so a step of
    # -2 * error in log(factor) overshoots: two or three probes bracket the answer.
    below: tuple[float, float] | None = None
    above: tuple[float, float] | None = None
    log_factor = 0.0
    for _ in range(16):
        err, scaled, profile = attempt(log_factor)
        if abs(err) <= tolerance:
            return scaled, profile
        if err < 0.0:
            below = (log_factor, err)
        else:
            above = (log_factor, err)
        if below is not None and above is not None:
            break
        log_factor -= 2.0 * err
        if abs(log_factor) > reach:
            raise ValueError(f"a lap of {lap_time_s} s is out of reach by scaling the track")
    if below is None or above is None:
        raise ValueError(f"could not bracket a lap of {lap_time_s} s")
    (x_lo, err_lo), (x_hi, err_hi) = below, above
    side = 0
    for _ in range(48):
        log_factor = x_lo - err_lo * (x_hi - x_lo) / (err_hi - err_lo)
        err, scaled, profile = attempt(log_factor)
        if abs(err) <= tolerance:
            return scaled, profile
        if err < 0.0:
            x_lo, err_lo = log_factor, err
            err_hi = err_hi / 2.0 if side < 0 else err_hi
            side = -1
        else:
            x_hi, err_hi = log_factor, err
            err_lo = err_lo / 2.0 if side > 0 else err_lo
            side = 1
    raise ValueError(f"could not scale the track to a lap of {lap_time_s} s")
