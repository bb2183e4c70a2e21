"""A point-mass GT car: engine torque curve, gearbox, aerodynamic drag, tyre and brake limits."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

GRAVITY_MS2 = 9.80665
"""Standard gravity, m/s²."""

RPM_TO_RAD_S = math.tau / 60.0
"""Multiply revolutions per minute by this to get radians per second."""


@dataclass(frozen=True, slots=True)
class Car:
    """Parameters of the simulated car; the defaults describe a ~400 kW, 1300 kg GT car.

    Attributes:
        name: Vehicle name sent to the game feed.
        class_name: Vehicle class name.
        mass_kg: Mass with driver and fuel.
        torque_curve: ``(rpm, N·m)`` points of full-throttle engine torque, rpm increasing;
            linear in between, flat below the first point, zero above ``max_rpm``.
        idle_rpm: Engine speed at idle; the clutch slips below it.
        redline_rpm: Where the rev limiter cuts drive.
        max_rpm: Highest engine speed reported (the rev counter's end).
        upshift_rpm: Engine speed at which the driver changes up.
        downshift_rpm: The driver changes down once the lower gear would run at or below this.
        gear_ratios: Forward gear ratios, first gear first.
        final_drive: Final drive ratio.
        wheel_radius_m: Rolling radius of the driven wheels.
        drivetrain_efficiency: Share of engine torque reaching the wheels.
        drag_area_m2: Drag coefficient times frontal area (Cd·A).
        air_density_kg_m3: Air density.
        rolling_resistance: Rolling resistance coefficient.
        grip_lateral: Tyre friction coefficient for cornering (peak lateral acceleration in g).
        grip_drive: Friction coefficient available for traction (rear-wheel drive).
        grip_brake: Friction coefficient available under braking (peak deceleration in g).
        wheelbase_m: Wheelbase, used for the steering angle.
        max_steer_angle_rad: Road-wheel angle at full steering lock.
        fuel_capacity_l: Tank size.
        start_fuel_l: Fuel on board at the start.
        fuel_l_per_kwh: Fuel used per kWh of engine work.
        shift_time_s: How long the clutch is held during a gear change.
        brake_bias_front: Share of braking on the front axle.

    """

    name: str = "Paddock GT"
    class_name: str = "GT"
    mass_kg: float = 1300.0
    torque_curve: tuple[tuple[float, float], ...] = (
        (1000.0, 320.0),
        (2500.0, 450.0),
        (4500.0, 590.0),
        (6000.0, 600.0),
        (7000.0, 546.0),
        (7800.0, 470.0),
    )
    idle_rpm: float = 900.0
    redline_rpm: float = 7800.0
    max_rpm: float = 8000.0
    upshift_rpm: float = 7600.0
    downshift_rpm: float = 6800.0
    gear_ratios: tuple[float, ...] = (3.10, 2.25, 1.75, 1.42, 1.19, 1.02)
    final_drive: float = 3.40
    wheel_radius_m: float = 0.34
    drivetrain_efficiency: float = 0.92
    drag_area_m2: float = 1.2
    air_density_kg_m3: float = 1.225
    rolling_resistance: float = 0.012
    grip_lateral: float = 1.6
    grip_drive: float = 1.2
    grip_brake: float = 1.5
    wheelbase_m: float = 2.6
    max_steer_angle_rad: float = math.radians(20.0)
    fuel_capacity_l: float = 100.0
    start_fuel_l: float = 60.0
    fuel_l_per_kwh: float = 0.33
    shift_time_s: float = 0.08
    brake_bias_front: float = 0.58

    @property
    def gear_count(self) -> int:
        """Number of forward gears."""
        return len(self.gear_ratios)

    def torque_nm(self, rpm: float) -> float:
        """Full-throttle engine torque at ``rpm`` (0 at and above the redline)."""
        if rpm >= self.redline_rpm:
            return 0.0
        curve = self.torque_curve
        if rpm <= curve[0][0]:
            return curve[0][1]
        for (rpm_a, torque_a), (rpm_b, torque_b) in itertools.pairwise(curve):
            if rpm <= rpm_b:
                return torque_a + (torque_b - torque_a) * (rpm - rpm_a) / (rpm_b - rpm_a)
        return curve[-1][1]

    def wheel_rpm_to_engine(self, gear: int) -> float:
        """Overall ratio (engine revolutions per wheel revolution) in ``gear`` (1-based)."""
        return self.gear_ratios[gear - 1] * self.final_drive

    def engine_rpm(self, speed_ms: float, gear: int) -> float:
        """Engine speed locked to the wheels at ``speed_ms`` in ``gear`` (no idle clamp)."""
        wheel_rad_s = speed_ms / self.wheel_radius_m
        return wheel_rad_s * self.wheel_rpm_to_engine(gear) / RPM_TO_RAD_S

    def gear_for_speed(self, speed_ms: float) -> int:
        """Return the lowest gear whose engine speed stays at or below the upshift point."""
        for gear in range(1, self.gear_count + 1):
            if self.engine_rpm(speed_ms, gear) <= self.upshift_rpm:
                return gear
        return self.gear_count

    def next_gear(self, speed_ms: float, gear: int) -> int:
        """Choose the gear one step after ``gear``: at most one change per call.

        Changes up at ``upshift_rpm``; changes down as soon as the lower gear would turn at or
        below ``downshift_rpm`` (the band in between is the hysteresis that stops hunting).
        """
        if gear < self.gear_count and self.engine_rpm(speed_ms, gear) >= self.upshift_rpm:
            return gear + 1
        if gear > 1 and self.engine_rpm(speed_ms, gear - 1) <= self.downshift_rpm:
            return gear - 1
        return gear

    def reported_rpm(self, speed_ms: float, gear: int) -> float:
        """Engine speed a tachometer shows: wheel-locked, but never below idle or above max."""
        return min(max(self.engine_rpm(speed_ms, gear), self.idle_rpm), self.max_rpm)

    def drive_force_n(self, speed_ms: float, gear: int | None = None) -> float:
        """Largest tractive force (N) the engine gives at ``speed_ms`` in ``gear``.

        ``gear=None`` uses :meth:`gear_for_speed`. Below idle the clutch slips and the engine
        delivers its idle torque.
        """
        chosen = self.gear_for_speed(speed_ms) if gear is None else gear
        rpm = max(self.engine_rpm(speed_ms, chosen), self.idle_rpm)
        torque = self.torque_nm(rpm)
        return (
            torque
            * self.wheel_rpm_to_engine(chosen)
            * self.drivetrain_efficiency
            / self.wheel_radius_m
        )

    def resistance_force_n(self, speed_ms: float) -> float:
        """Aerodynamic drag plus rolling resistance (N) at ``speed_ms``."""
        drag = 0.5 * self.air_density_kg_m3 * self.drag_area_m2 * speed_ms * speed_ms
        return drag + self.rolling_resistance * self.mass_kg * GRAVITY_MS2

    def corner_speed_limit(self, curvature: float) -> float:
        """Highest steady speed (m/s) on curvature ``curvature``: ``sqrt(mu g / |k|)``.

        Returns ``math.inf`` on a straight.
        """
        if curvature == 0.0:
            return math.inf
        return math.sqrt(self.grip_lateral * GRAVITY_MS2 / abs(curvature))

    def limiter_speed_ms(self) -> float:
        """Speed at the redline in top gear."""
        return (
            self.redline_rpm
            * RPM_TO_RAD_S
            * self.wheel_radius_m
            / self.wheel_rpm_to_engine(self.gear_count)
        )

    def steering(self, curvature: float) -> float:
        """Normalised steering (-1..1, positive = right) for a path of ``curvature``."""
        angle = math.atan(self.wheelbase_m * curvature)
        return max(-1.0, min(1.0, angle / self.max_steer_angle_rad))
