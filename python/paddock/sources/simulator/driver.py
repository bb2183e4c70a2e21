"""Step a simulated clock along the speed profile and report the car's full state per tick.

The car starts on the start line at the profile's speed there (a rolling start) at simulated
time 0, so lap ``n`` begins exactly at ``(n - 1) * T`` where ``T`` is the profile's lap time.
Because the acceleration is constant between track samples, the position at any time is exact,
so lap and sector times are the true crossing times, not rounded to a tick.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paddock.sources.simulator.car import GRAVITY_MS2, RPM_TO_RAD_S
from paddock.sources.simulator.profile import SpeedProfile
from paddock.sources.simulator.systems import CarSystems

Quad = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class CarState:
    """Everything the simulated car reports at one tick (SI units, wheel order FL, FR, RL, RR).

    Attributes:
        tick: Tick number, 0 for the first state.
        time_s: Simulated time since the start, seconds.
        speed_ms: Speed, m/s.
        accel_long_ms2: Longitudinal acceleration dv/dt (positive = speeding up).
        accel_lat_ms2: Lateral acceleration ``v^2 k`` (positive = toward the right).
        accel_vert_ms2: Vertical specific force: ``g cos(slope) + v^2 d2y/ds2`` (1 g on the flat).
        yaw_rate_rad_s: Rate of change of heading (positive = turning left).
        heading_rad: Yaw in ``(-pi, pi]``.
        pitch_rad: Nose-up pitch from the track's slope.
        x_m: World x.
        y_m: World y (elevation).
        z_m: World z.
        vertical_speed_ms: Climb rate, m/s.
        curvature: Signed path curvature, 1/m (positive = right-hand bend).
        throttle: 0..1.
        brake: 0..1.
        clutch: 0..1 (1 = pedal down): during a gear change or while slipping below idle.
        steering: -1..1, positive = right.
        gear: 1..gear count.
        rpm: Engine speed.
        engine_torque_nm: Torque the engine delivers at this throttle.
        lap: Lap number, 1 for the lap started at time 0.
        lap_time_s: Time into the current lap.
        lap_distance_m: Distance from the start line.
        sector: 0-based sector index.
        sector_time_s: Time into the current sector.
        last_lap_time_s: Time of the previous lap, if one was completed.
        best_lap_time_s: Fastest completed lap, if any.
        last_sector_time_s: Time of the most recently completed sector, if any.
        last_lap_sector_times_s: Sector times of the previous lap, if any.
        best_sector_times_s: Fastest time of each sector so far (``None`` where not yet run).
        fuel_l: Fuel on board, litres (refilled at the line when it runs low).
        water_temp_c: Coolant temperature.
        oil_temp_c: Oil temperature.
        oil_pressure_kpa: Oil pressure.
        tyre_temps_c: Tread temperatures.
        brake_temps_c: Disc temperatures.
        tyre_wear: Worn tread fraction 0..1.
        odometer_km: Distance driven since the start, km.

    """

    tick: int
    time_s: float
    speed_ms: float
    accel_long_ms2: float
    accel_lat_ms2: float
    accel_vert_ms2: float
    yaw_rate_rad_s: float
    heading_rad: float
    pitch_rad: float
    x_m: float
    y_m: float
    z_m: float
    vertical_speed_ms: float
    curvature: float
    throttle: float
    brake: float
    clutch: float
    steering: float
    gear: int
    rpm: float
    engine_torque_nm: float
    lap: int
    lap_time_s: float
    lap_distance_m: float
    sector: int
    sector_time_s: float
    last_lap_time_s: float | None
    best_lap_time_s: float | None
    last_sector_time_s: float | None
    last_lap_sector_times_s: tuple[float, ...] | None
    best_sector_times_s: tuple[float | None, ...]
    fuel_l: float
    water_temp_c: float
    oil_temp_c: float
    oil_pressure_kpa: float
    tyre_temps_c: Quad
    brake_temps_c: Quad
    tyre_wear: float
    odometer_km: float


def _quad(values: list[float]) -> Quad:
    return values[0], values[1], values[2], values[3]


class Driver:
    """Drives the profile lap after lap, one tick of ``1 / rate_hz`` seconds per :meth:`step`.

    Args:
        profile: The lap's speed profile (its track and car come with it).
        rate_hz: Ticks per simulated second.
        ambient_c: Air temperature for the thermal models, °C.

    Raises:
        ValueError: If ``rate_hz`` is not positive.

    """

    def __init__(self, profile: SpeedProfile, *, rate_hz: float = 60.0, ambient_c: float = 22.0):
        if not (math.isfinite(rate_hz) and rate_hz > 0.0):
            raise ValueError(f"rate must be a positive number of Hz, got {rate_hz}")
        self.profile = profile
        self.track = profile.track
        self.car = profile.car
        self.rate_hz = rate_hz
        self._tick = 0
        self._gear = self.car.gear_for_speed(profile.speed[0])
        self._shift_left_s = 0.0
        self._systems = CarSystems.at_start(self.car, ambient_c)
        self._last_time_s: float | None = None
        self._last_lap: int | None = None
        self._sector_start_times = tuple(profile.time_at(s) for s in self.track.sector_starts_m)

    @property
    def time_s(self) -> float:
        """Simulated time of the next state, seconds."""
        return self._tick / self.rate_hz

    @property
    def completed_laps(self) -> int:
        """Laps completed by the last state produced."""
        if self._last_time_s is None:
            return 0
        return self._lap_and_time(self._last_time_s)[0] - 1

    def _lap_and_time(self, time_s: float) -> tuple[int, float]:
        period = self.profile.lap_time_s
        done = math.floor(time_s / period)
        into = time_s - done * period
        if into >= period:
            done, into = done + 1, into - period
        return done + 1, max(into, 0.0)

    def step(self) -> CarState:
        """Produce the state at the current tick, then advance the clock by one tick."""
        car, track, profile = self.car, self.track, self.profile
        time_s = self._tick / self.rate_hz
        dt = 0.0 if self._last_time_s is None else time_s - self._last_time_s
        lap, lap_time = self._lap_and_time(time_s)
        point = profile.at_time(lap_time)
        where = track.position_at(point.distance_m)
        speed = point.speed_ms

        gear = car.next_gear(speed, self._gear)
        if gear != self._gear:
            self._gear = gear
            self._shift_left_s = car.shift_time_s
        else:
            self._shift_left_s = max(self._shift_left_s - dt, 0.0)
        locked_rpm = car.engine_rpm(speed, gear)
        rpm = car.reported_rpm(speed, gear)
        slipping = max(0.0, 1.0 - locked_rpm / car.idle_rpm)
        clutch = 1.0 if self._shift_left_s > 0.0 else slipping
        torque = point.throttle * car.torque_nm(rpm)
        accel_lat = speed * speed * where.curvature
        if self._last_lap is not None and lap != self._last_lap:
            self._systems.refuel_if_low()
        self._last_lap = lap
        self._systems.update(
            dt,
            speed_ms=speed,
            throttle=point.throttle,
            brake=point.brake,
            engine_power_w=torque * rpm * RPM_TO_RAD_S,
            accel_lat_ms2=accel_lat,
            accel_long_ms2=point.accel_ms2,
        )

        sector = track.sector_at(point.distance_m)
        sector_times = profile.sector_times_s
        sector_start = self._sector_start_times[sector] if sector else 0.0
        laps_done = lap - 1
        last_sector: float | None = None
        if sector > 0:
            last_sector = sector_times[sector - 1]
        elif laps_done > 0:
            last_sector = sector_times[-1]
        best_sectors = tuple(
            t if laps_done > 0 or k < sector else None for k, t in enumerate(sector_times)
        )
        slope = math.atan(where.grade)
        systems = self._systems
        state = CarState(
            tick=self._tick,
            time_s=time_s,
            speed_ms=speed,
            accel_long_ms2=point.accel_ms2,
            accel_lat_ms2=accel_lat,
            accel_vert_ms2=GRAVITY_MS2 * math.cos(slope) + speed * speed * where.vertical_curvature,
            yaw_rate_rad_s=-speed * where.curvature,
            heading_rad=where.heading,
            pitch_rad=slope,
            x_m=where.x,
            y_m=where.y,
            z_m=where.z,
            vertical_speed_ms=speed * math.sin(slope),
            curvature=where.curvature,
            throttle=point.throttle,
            brake=point.brake,
            clutch=clutch,
            steering=car.steering(where.curvature),
            gear=gear,
            rpm=rpm,
            engine_torque_nm=torque,
            lap=lap,
            lap_time_s=lap_time,
            lap_distance_m=point.distance_m,
            sector=sector,
            sector_time_s=max(lap_time - sector_start, 0.0),
            last_lap_time_s=profile.lap_time_s if laps_done else None,
            best_lap_time_s=profile.lap_time_s if laps_done else None,
            last_sector_time_s=last_sector,
            last_lap_sector_times_s=sector_times if laps_done else None,
            best_sector_times_s=best_sectors,
            fuel_l=systems.fuel_l,
            water_temp_c=systems.water_c,
            oil_temp_c=systems.oil_c,
            oil_pressure_kpa=systems.oil_pressure_kpa(rpm),
            tyre_temps_c=_quad(systems.tyre_c),
            brake_temps_c=_quad(systems.brake_c),
            tyre_wear=systems.tyre_wear,
            odometer_km=(laps_done * track.length_m + point.distance_m) / 1000.0,
        )
        self._last_time_s = time_s
        self._tick += 1
        return state

    def ground_truth(self) -> dict[str, Any]:
        """Return what really happened so far: track, profile and every completed lap.

        Each lap has its number, start and end time (simulated seconds since the start), lap
        time, the three sector times and its brake points: where each braking zone starts
        (distance from the line, time into the lap and since the start), its entry and exit
        speeds and the corner it serves.
        """
        track, profile = self.track, self.profile
        period = profile.lap_time_s
        laps: list[dict[str, Any]] = []
        for number in range(1, self.completed_laps + 1):
            start = (number - 1) * period
            laps.append(
                {
                    "lap": number,
                    "start_time_s": start,
                    "end_time_s": number * period,
                    "lap_time_s": period,
                    "sector_times_s": list(profile.sector_times_s),
                    "brake_points": [
                        {
                            "corner": zone.corner_number,
                            "corner_name": zone.corner_name,
                            "distance_m": zone.start_m,
                            "end_distance_m": zone.end_m,
                            "time_in_lap_s": zone.start_time_s,
                            "time_s": start + zone.start_time_s,
                            "entry_speed_kmh": zone.entry_speed_ms * 3.6,
                            "exit_speed_kmh": zone.exit_speed_ms * 3.6,
                        }
                        for zone in profile.brake_zones
                    ],
                }
            )
        return {
            "track": {
                "name": track.name,
                "display_name": track.display_name,
                "length_m": track.length_m,
                "scale": track.scale,
                "sector_starts_m": list(track.sector_starts_m),
                "corners": [
                    {
                        "number": corner.number,
                        "name": corner.name,
                        "direction": corner.direction,
                        "start_m": corner.start_m,
                        "apex_m": corner.apex_m,
                        "end_m": corner.end_m,
                        "min_radius_m": corner.min_radius_m,
                    }
                    for corner in track.corners
                ],
            },
            "car": {"name": self.car.name, "class": self.car.class_name},
            "rate_hz": self.rate_hz,
            "ticks": self._tick,
            "sim_time_s": self._last_time_s or 0.0,
            "profile": {
                "lap_time_s": period,
                "sector_times_s": list(profile.sector_times_s),
                "top_speed_kmh": max(profile.speed) * 3.6,
                "min_speed_kmh": min(profile.speed) * 3.6,
            },
            "laps": laps,
            "best_lap_s": period if laps else None,
        }

    def write_ground_truth(self, path: str | Path) -> None:
        """Write :meth:`ground_truth` as indented JSON to ``path``."""
        Path(path).write_text(json.dumps(self.ground_truth(), indent=2) + "\n", encoding="utf-8")
