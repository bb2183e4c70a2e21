"""Slow car systems integrated tick by tick: fuel, coolant, oil, tyre and brake temperatures."""

from __future__ import annotations

from dataclasses import dataclass, field

from paddock.sources.simulator.car import GRAVITY_MS2, Car

WATER_TAU_S = 40.0
"""Time constant of the coolant temperature, seconds."""

OIL_TAU_S = 60.0
"""Time constant of the oil temperature, seconds."""

TYRE_TAU_S = 15.0
"""Time constant of the tyre tread temperature, seconds."""

FRONT_DISC_HEAT_J_PER_K = 4000.0
"""Heat capacity of one front brake disc, J/K."""

REAR_DISC_HEAT_J_PER_K = 3000.0
"""Heat capacity of one rear brake disc, J/K."""

IDLE_FUEL_L_PER_S = 0.0003
"""Fuel burnt at idle, litres per second."""

TYRE_WEAR_PER_M = 1e-6
"""Tread worn per metre driven, as a fraction of a new tyre."""

FUEL_RESERVE_L = 5.0
"""Below this much fuel the tank is refilled at the next start-line crossing."""


def _relax(value: float, target: float, dt: float, tau: float) -> float:
    """Move ``value`` toward ``target`` as a first-order lag with time constant ``tau``."""
    return value + (target - value) * min(dt / tau, 1.0)


@dataclass(slots=True)
class CarSystems:
    """Fuel, temperatures and wear of the simulated car (wheel order FL, FR, RL, RR).

    Attributes:
        car: The car's parameters.
        ambient_c: Air temperature, °C.
        fuel_l: Fuel on board, litres (never below 0; see :meth:`refuel_if_low`).
        water_c: Coolant temperature, °C (about 85 to 95).
        oil_c: Oil temperature, °C (about 95 to 110).
        tyre_c: Tread temperatures, °C (about 75 to 100).
        brake_c: Disc temperatures, °C: rise under braking, cool with speed.
        tyre_wear: Worn fraction of the tread, 0..1.

    """

    car: Car
    ambient_c: float
    fuel_l: float
    water_c: float = 88.0
    oil_c: float = 98.0
    tyre_c: list[float] = field(default_factory=lambda: [85.0, 85.0, 85.0, 85.0])
    brake_c: list[float] = field(default_factory=lambda: [250.0, 250.0, 220.0, 220.0])
    tyre_wear: float = 0.0

    @classmethod
    def at_start(cls, car: Car, ambient_c: float) -> CarSystems:
        """Systems of a warmed-up car with its starting fuel load."""
        return cls(car=car, ambient_c=ambient_c, fuel_l=car.start_fuel_l)

    def refuel_if_low(self) -> bool:
        """Refill to the starting load when below ``FUEL_RESERVE_L`` (an instant pit stop).

        Returns:
            Whether the tank was refilled.

        """
        if self.fuel_l >= FUEL_RESERVE_L:
            return False
        self.fuel_l = self.car.start_fuel_l
        return True

    def oil_pressure_kpa(self, rpm: float) -> float:
        """Oil pressure for engine speed ``rpm``, kPa."""
        return 150.0 + 400.0 * min(rpm / self.car.max_rpm, 1.0)

    def update(
        self,
        dt: float,
        *,
        speed_ms: float,
        throttle: float,
        brake: float,
        engine_power_w: float,
        accel_lat_ms2: float,
        accel_long_ms2: float,
    ) -> None:
        """Advance every system by ``dt`` seconds given the car's current motion and controls."""
        if dt <= 0.0:
            return
        car = self.car
        burnt = (engine_power_w / 3.6e6 * car.fuel_l_per_kwh + IDLE_FUEL_L_PER_S) * dt
        self.fuel_l = max(self.fuel_l - burnt, 0.0)
        self.water_c = _relax(self.water_c, 85.0 + 10.0 * throttle, dt, WATER_TAU_S)
        self.oil_c = _relax(self.oil_c, 95.0 + 15.0 * throttle, dt, OIL_TAU_S)
        self.tyre_wear = min(self.tyre_wear + speed_ms * dt * TYRE_WEAR_PER_M, 1.0)

        lateral_g = accel_lat_ms2 / GRAVITY_MS2
        long_g = accel_long_ms2 / GRAVITY_MS2
        speed_heat = 8.0 * min(speed_ms / 50.0, 1.0)
        for wheel in range(4):
            on_left = wheel in (0, 2)
            front = wheel < 2
            # A right-hand bend (positive lateral acceleration) loads the left-hand tyres.
            outer = (lateral_g > 0.0) == on_left
            load = abs(lateral_g) * (1.0 if outer else 0.3)
            load += abs(long_g) * (0.6 if (long_g < 0.0) == front else 0.2)
            target = 75.0 + speed_heat + 10.0 * load
            self.tyre_c[wheel] = _relax(self.tyre_c[wheel], target, dt, TYRE_TAU_S)

        brake_power_w = brake * car.mass_kg * car.grip_brake * GRAVITY_MS2 * speed_ms
        cooling_w_per_k = 10.0 + 1.2 * speed_ms
        for wheel in range(4):
            front = wheel < 2
            share = car.brake_bias_front if front else 1.0 - car.brake_bias_front
            capacity = FRONT_DISC_HEAT_J_PER_K if front else REAR_DISC_HEAT_J_PER_K
            net_w = brake_power_w * share / 2.0 - cooling_w_per_k * (
                self.brake_c[wheel] - self.ambient_c
            )
            self.brake_c[wheel] = max(self.brake_c[wheel] + net_w * dt / capacity, self.ambient_c)
