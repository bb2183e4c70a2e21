"""A hand-built circuit for the analysis tests: two straights joined by two right-hand hairpins.

The car runs 40 m/s on the straights and 20 m/s through the hairpins, braking at a constant
rate over the ``BRAKE_M`` metres before each and accelerating out of it. Everything is known in
closed form: lap length, lap time (integrated on a 0.05 m grid), brake points, corners.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

STRAIGHT_M = 400.0
RADIUS_M = 50.0
BRAKE_M = 60.0
ACCEL_M = 120.0
FAST_MS = 40.0
SLOW_MS = 20.0
G = 9.80665
LENGTH_M = 2 * STRAIGHT_M + 2 * math.pi * RADIUS_M
TURN1_START = STRAIGHT_M
TURN2_START = 2 * STRAIGHT_M + math.pi * RADIUS_M
BRAKE_POINTS = (TURN1_START - BRAKE_M, TURN2_START - BRAKE_M)


def _state(s: np.ndarray) -> dict[str, np.ndarray]:
    """Geometry and driving at lap distance ``s``."""
    s = np.mod(s, LENGTH_M)
    arc = math.pi * RADIUS_M
    x = np.empty_like(s)
    y = np.empty_like(s)
    turning = np.zeros_like(s, dtype=bool)
    # Straight 1 along +x, hairpin 1 (right-hand, clockwise seen from above), straight 2, hairpin 2.
    a = s < STRAIGHT_M
    x[a], y[a] = s[a], 0.0
    b = (s >= STRAIGHT_M) & (s < STRAIGHT_M + arc)
    th = (s[b] - STRAIGHT_M) / RADIUS_M
    x[b], y[b] = STRAIGHT_M + RADIUS_M * np.sin(th), -RADIUS_M + RADIUS_M * np.cos(th)
    turning |= b
    c = (s >= STRAIGHT_M + arc) & (s < 2 * STRAIGHT_M + arc)
    x[c], y[c] = STRAIGHT_M - (s[c] - STRAIGHT_M - arc), -2 * RADIUS_M
    d = s >= 2 * STRAIGHT_M + arc
    th = (s[d] - 2 * STRAIGHT_M - arc) / RADIUS_M
    x[d], y[d] = -RADIUS_M * np.sin(th), -RADIUS_M - RADIUS_M * np.cos(th)
    turning |= d
    # Speed: slow in the turns, braking before, accelerating after (v² linear in distance).
    v2 = np.full_like(s, FAST_MS**2)
    for start in (TURN1_START, TURN2_START):
        end = start + arc
        into = (s >= start - BRAKE_M) & (s < start)
        v2[into] = FAST_MS**2 + (SLOW_MS**2 - FAST_MS**2) * (s[into] - start + BRAKE_M) / BRAKE_M
        v2[(s >= start) & (s < end)] = SLOW_MS**2
        after = np.mod(s - end, LENGTH_M)  # the second exit runs over the line
        out = after < ACCEL_M
        v2[out] = SLOW_MS**2 + (FAST_MS**2 - SLOW_MS**2) * after[out] / ACCEL_M
    v = np.sqrt(v2)
    brake = np.zeros_like(s)
    throttle = np.ones_like(s)
    for start in (TURN1_START, TURN2_START):
        zone = (s >= start - BRAKE_M) & (s < start)
        brake[zone], throttle[zone] = 0.8, 0.0
        throttle[(s >= start) & (s < start + arc)] = 0.3
    g_lat = np.where(turning, v2 / RADIUS_M / G, 0.0)
    return {"x": x, "y": y, "v": v, "brake": brake, "throttle": throttle, "g_lat": g_lat}


def lap_time_s() -> float:
    """The exact lap time (trapezoid on a fine grid)."""
    s = np.arange(0.0, LENGTH_M + 0.05, 0.05)
    return float(np.trapezoid(1.0 / _state(s)["v"], s))


def frames(
    laps: float = 3.0,
    rate_hz: float = 50.0,
    *,
    standing_s: float = 0.0,
    slow_lap: int | None = None,
) -> pl.DataFrame:
    """Canonical frames of ``laps`` laps, optionally after ``standing_s`` seconds parked on the
    line, with lap ``slow_lap`` driven 10 % slower throughout."""
    fine = np.arange(0.0, laps * LENGTH_M, 0.05)
    st = _state(fine)
    speed = st["v"].copy()
    if slow_lap is not None:
        on = (fine >= (slow_lap - 1) * LENGTH_M) & (fine < slow_lap * LENGTH_M)
        speed[on] *= 0.9
    dt = np.diff(fine) / (0.5 * (speed[1:] + speed[:-1]))
    t_fine = np.concatenate([[0.0], np.cumsum(dt)]) + standing_s
    t = np.arange(0.0, t_fine[-1], 1.0 / rate_hz)
    dist = np.interp(t, t_fine, fine, left=0.0)
    out = _state(dist)
    v = np.interp(t, t_fine, speed)
    parked = t < standing_s
    v[parked] = 0.0
    g_long = np.gradient(v, t) / G
    # Gear from speed: 3rd below 25 m/s, 4th below 35, 5th above; rpm from the gear ratio.
    gear = np.where(v < 25.0, 3, np.where(v < 35.0, 4, 5))
    rpm = np.maximum(v * np.array([0, 0, 0, 280.0, 200.0, 160.0])[gear], 900.0)
    return pl.DataFrame(
        {
            "ts_ns": (t * 1e9).astype(np.int64) + 1_700_000_000_000_000_000,
            "t_s": t,
            "speed_kmh": v * 3.6,
            "pos_x_m": out["x"],
            "pos_z_m": -out["y"],
            "throttle": np.where(parked, 0.0, out["throttle"]),
            "brake": np.where(parked, 0.0, out["brake"]),
            "g_lat": np.where(parked, 0.0, out["g_lat"]),
            "g_long": g_long,
            "gear": gear.astype(np.int32),
            "rpm": rpm,
        }
    )
