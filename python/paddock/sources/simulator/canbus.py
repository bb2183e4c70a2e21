"""The simulated car on a CAN bus: its values encoded with a car config's DBC, frame by frame.

The same car, driver and track as the UDP simulator; instead of game packets, every frame of
the car config's inventory is encoded with its DBC (cantools) and sent on a python-can bus at
the frame's own rate. Run it in-process beside a server (:meth:`CanSimulator.start` /
:meth:`CanSimulator.stop`) or as ``paddock simulate --can``.

Frame timestamps carry the simulated clock: the wall-clock time the run started plus the
simulated seconds since, so at ``speed`` 10 they advance ten times faster than the wall clock.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import can

from paddock.can.cars import CarChannel, CarConfig, load_car
from paddock.sources.simulator.car import GRAVITY_MS2, Car
from paddock.sources.simulator.driver import CarState, Driver
from paddock.sources.simulator.layouts import load_track
from paddock.sources.simulator.pacing import RunThread, paced_ticks, tick_limits
from paddock.sources.simulator.profile import fit_lap_time
from paddock.sources.simulator.track import Track

DEFAULT_CAR = "bmw_e46_m3"
"""The car config the CAN simulator drives unless told otherwise."""

DEFAULT_LAP_SECONDS = 60.0
"""One simulated lap, seconds (the seed's ``--simulate-lap-seconds`` default)."""

DEFAULT_ORIGIN = (50.3326, 6.9411, 620.0)
"""Latitude, longitude (degrees) and altitude (m) of the track's origin for the GPS channels."""

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius, for turning track metres into GPS degrees."""

HALF_TRACK_M = 0.75
"""Half the car's track width: the wheels' distance from the centre line, for wheel speeds."""

FULL_BRAKE_BAR = 100.0
"""Front brake pressure at full pedal."""

REAR_BRAKE_SHARE = 0.62
"""Rear circuit pressure as a share of the front (the proportioning valve)."""

STEERING_LOCK_DEG = 400.0
"""Steering-wheel angle at full lock."""

BusFactory = Callable[[], can.BusABC]
"""Opens the bus the simulator sends on (it is shut down when the run ends)."""


@dataclass(frozen=True, slots=True)
class CanRunStats:
    """What one :meth:`CanSimulator.run` sent.

    Attributes:
        ticks: Simulated ticks.
        frames: Frames sent.
        send_errors: Frames the bus refused (counted, not raised).
        laps_completed: Laps completed since the simulator was created.
        sim_time_s: Simulated time of the last tick.
        frames_by_id: Frames sent per frame id.

    """

    ticks: int
    frames: int
    send_errors: int
    laps_completed: int
    sim_time_s: float
    frames_by_id: dict[int, int]


@dataclass(slots=True)
class _Context:
    """What a tick's values depend on beyond the state: the previous state, the laps so far."""

    ambient_c: float
    start_fuel_l: float
    track_length_m: float
    fuel_refilled_l: float = 0.0
    previous: CarState | None = None
    steering_deg: float = 0.0
    steering_rate_deg_s: float = 0.0
    beacon_until_s: float = -1.0


def canonical_values(
    state: CarState, origin: tuple[float, float, float], ambient_c: float | None = None
) -> dict[str, float]:
    """The simulated state as paddock's canonical channels (registry names and units)."""
    kmh = state.speed_ms * 3.6
    k = state.curvature  # positive: right-hand bend, so the right wheels run on the inside
    inner = max(kmh * (1.0 - k * HALF_TRACK_M), 0.0)
    outer = max(kmh * (1.0 + k * HALF_TRACK_M), 0.0)
    lat0, lon0, alt0 = origin
    # Travel along (-sin h, -cos h) in (x, z): north is -z, east is +x, compass heading is -h.
    north_m, east_m = -state.z_m, state.x_m
    lat = lat0 + math.degrees(north_m / EARTH_RADIUS_M)
    lon = lon0 + math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(lat0))))
    values = {
        "speed_kmh": kmh,
        "rpm": state.rpm,
        "gear": float(state.gear),
        "throttle": state.throttle,
        "brake": state.brake,
        "clutch": state.clutch,
        "steer": state.steering,
        "g_lat": state.accel_lat_ms2 / GRAVITY_MS2,
        "g_long": state.accel_long_ms2 / GRAVITY_MS2,
        "g_vert": state.accel_vert_ms2 / GRAVITY_MS2,
        "lat_deg": lat,
        "lon_deg": lon,
        "alt_m": alt0 + state.y_m,
        "heading_deg": math.degrees(-state.heading_rad) % 360.0,
        "pos_x_m": state.x_m,
        "pos_y_m": state.y_m,
        "pos_z_m": state.z_m,
        "lap": float(state.lap),
        "lap_time_s": state.lap_time_s,
        "lap_distance_m": state.lap_distance_m,
        "distance_m": state.odometer_km * 1000.0,
        "sector": float(state.sector),
        "sector_time_s": state.sector_time_s,
        "wheel_speed_fl_kmh": outer,
        "wheel_speed_fr_kmh": inner,
        "wheel_speed_rl_kmh": outer,
        "wheel_speed_rr_kmh": inner,
        "water_temp_c": state.water_temp_c,
        "oil_temp_c": state.oil_temp_c,
        "oil_press_kpa": state.oil_pressure_kpa,
        "fuel_l": state.fuel_l,
    }
    if ambient_c is not None:
        values["air_temp_c"] = ambient_c
    if state.last_lap_time_s is not None:
        values["last_lap_s"] = state.last_lap_time_s
    if state.best_lap_time_s is not None:
        values["best_lap_s"] = state.best_lap_time_s
    for i, corner in enumerate(("fl", "fr", "rl", "rr")):
        values[f"tyre_temp_{corner}_c"] = state.tyre_temps_c[i]
        values[f"brake_temp_{corner}_c"] = state.brake_temps_c[i]
        # Hot pressure from a 1.9 bar cold setting, by the gas law.
        cold_k = 273.15 + 20.0
        values[f"tyre_press_{corner}_kpa"] = 190.0 * (273.15 + state.tyre_temps_c[i]) / cold_k
    return values


Extra = Callable[[CarState, _Context, Mapping[str, float]], float]


def _predicted(s: CarState, c: _Context, v: Mapping[str, float]) -> float:
    best = s.best_lap_time_s
    return s.lap_time_s if best is None else best + _delta(s, c, v)


def _delta(s: CarState, c: _Context, v: Mapping[str, float]) -> float:
    """Time lost against the best lap, pro rata to the distance run."""
    best = s.best_lap_time_s
    if best is None:
        return 0.0
    return s.lap_time_s - best * s.lap_distance_m / max(c.track_length_m, 1e-9)


EXTRAS: dict[str, Extra] = {
    "pedal_pos": lambda s, c, v: 100.0 * s.throttle,
    "engine_load": lambda s, c, v: 100.0 * min(s.engine_torque_nm / 600.0, 1.0),
    "brake_switch": lambda s, c, v: float(s.brake > 0.02),
    "brake_press_rear": lambda s, c, v: FULL_BRAKE_BAR * REAR_BRAKE_SHARE * s.brake,
    "brake_bias": lambda s, c, v: 100.0 / (1.0 + REAR_BRAKE_SHARE),
    "steering_rate": lambda s, c, v: c.steering_rate_deg_s,
    "yaw_rate": lambda s, c, v: math.degrees(s.yaw_rate_rad_s),
    "intake_temp": lambda s, c, v: c.ambient_c + 6.0 + 6.0 * (1.0 - s.throttle),
    "gearbox_temp": lambda s, c, v: c.ambient_c + 0.8 * (s.oil_temp_c - c.ambient_c),
    "fuel_press": lambda s, c, v: 5.0 - 0.15 * s.throttle,
    "manifold_press": lambda s, c, v: 30.0 + 68.0 * s.throttle,
    "lambda": lambda s, c, v: 0.88 if s.throttle > 0.9 else (1.0 if s.throttle > 0.02 else 1.6),
    "ignition_angle": lambda s, c, v: 12.0 + 22.0 * (s.rpm / 8000.0) - 8.0 * s.throttle,
    "battery_voltage": lambda s, c, v: 14.2 - 0.3 * s.brake,
    "fuel_used": lambda s, c, v: c.start_fuel_l + c.fuel_refilled_l - s.fuel_l,
    "gps_speed": lambda s, c, v: v["speed_kmh"],
    "gps_satellites": lambda s, c, v: 14.0,
    "gps_fix": lambda s, c, v: 2.0,
    "beacon": lambda s, c, v: float(s.time_s <= c.beacon_until_s),
    "predicted_lap_time": _predicted,
    "delta_best": _delta,
    "shift_light": lambda s, c, v: float(s.rpm >= 7400.0),
    "dsc_active": lambda s, c, v: 0.0,
    "abs_active": lambda s, c, v: float(s.brake > 0.95 and s.speed_ms > 5.0),
}
"""How the simulator makes the channels paddock has no canonical channel for, by signal name.

A DBC signal that neither feeds a canonical channel nor is named here is sent as the value
nearest to zero its range allows.
"""


@dataclass(frozen=True, slots=True)
class _SignalPlan:
    name: str
    channel: CarChannel | None
    lo: float
    hi: float
    pages: tuple[int, ...] | None
    is_multiplexer: bool


@dataclass(slots=True)
class _FramePlan:
    frame_id: int
    extended: bool
    message: Any  # cantools Message
    period_s: float
    signals: tuple[_SignalPlan, ...]
    pages: tuple[int, ...]
    due_s: float = 0.0
    sent: int = 0


def _limits(signal: Any) -> tuple[float, float]:
    """The values ``signal`` can carry: its DBC range within what its bits hold."""
    bits = signal.length
    if signal.is_float:
        lo, hi = -math.inf, math.inf
    else:
        if signal.is_signed:
            raw_lo, raw_hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        else:
            raw_lo, raw_hi = 0, (1 << bits) - 1
        lo, hi = sorted(
            (raw_lo * signal.scale + signal.offset, raw_hi * signal.scale + signal.offset)
        )
    if signal.minimum is not None:
        lo = max(lo, float(signal.minimum))
    if signal.maximum is not None:
        hi = min(hi, float(signal.maximum))
    return float(lo), float(hi)


class CanSimulator:
    """A car lapping a track whose channels go out as CAN frames encoded with its DBC.

    Args:
        car: A car config, its id (``bmw_e46_m3``) or its ``.yaml`` path.
        bus_factory: Opens the python-can bus to send on, e.g.
            ``lambda: can.Bus(interface="virtual", channel="paddock")``.
        speed: Time multiplier: simulated seconds per wall-clock second.
        lap_seconds: Scale the track so a lap takes about this long; ``None`` keeps its size.
        track: A :class:`Track`, a bundled track name, a TUM FTM CSV path, or ``None``.
        seed: Seeds the weather.
        realtime: Pace the ticks with the wall clock (times ``speed``); ``False`` sends as fast
            as possible.
        sim_car: The simulated car's physics; defaults to the UDP simulator's car.
        origin: Latitude, longitude and altitude of the track's origin for the GPS channels.
        data_dir: Where a user's own car configs are (when ``car`` is an id).

    Raises:
        CarConfigError: The car config cannot be loaded.
        ValueError: A bad speed, lap time or track.

    """

    def __init__(
        self,
        car: CarConfig | str | Path,
        bus_factory: BusFactory,
        speed: float = 1.0,
        lap_seconds: float | None = DEFAULT_LAP_SECONDS,
        *,
        track: Track | str | Path | None = None,
        seed: int = 0,
        realtime: bool = True,
        sim_car: Car | None = None,
        origin: tuple[float, float, float] = DEFAULT_ORIGIN,
        data_dir: Path | None = None,
    ) -> None:
        if not (math.isfinite(speed) and 0.0 < speed <= 1000.0):
            raise ValueError(f"speed must be in (0, 1000], got {speed}")
        self.car = car if isinstance(car, CarConfig) else load_car(car, data_dir)
        self.bus_factory = bus_factory
        self.speed = speed
        self.realtime = realtime
        self.origin = origin
        self.sim_car = sim_car or Car()
        base = load_track(track)
        if lap_seconds is None:
            from paddock.sources.simulator.profile import compute_profile

            self.track, self.profile = base, compute_profile(base, self.sim_car)
        else:
            self.track, self.profile = fit_lap_time(base, self.sim_car, lap_seconds)
        self.lap_seconds = lap_seconds
        self.tick_hz = max(self.car.frame_rates().values())
        weather = random.Random(seed)
        self.ambient_c = float(weather.randint(15, 28))
        self.driver = Driver(self.profile, rate_hz=self.tick_hz, ambient_c=self.ambient_c)
        self._context = _Context(
            ambient_c=self.ambient_c,
            start_fuel_l=self.sim_car.start_fuel_l,
            track_length_m=self.track.length_m,
        )
        self._plans = self._plan()
        self._stop = threading.Event()
        self._thread = RunThread("paddock-can-simulator")
        self._lock = threading.Lock()
        self.last_stats: CanRunStats | None = None
        self.epoch_s = time.time()

    @property
    def lap_time_s(self) -> float:
        """The simulated lap time, seconds."""
        return self.profile.lap_time_s

    @property
    def wall_seconds_per_tick(self) -> float:
        """Wall-clock seconds between ticks when paced: one tick of simulated time / speed."""
        return 1.0 / (self.tick_hz * self.speed)

    @property
    def frames(self) -> dict[int, float]:
        """Each frame id sent and its rate, Hz."""
        return {p.frame_id: 1.0 / p.period_s for p in self._plans}

    def describe(self) -> str:
        """One line saying what is sent."""
        return (
            f"simulating {self.car.display_name} on CAN: {len(self._plans)} frames, "
            f"{self.car.channel_count} channels, {self.track.display_name} "
            f"({self.track.length_m:.0f} m, lap {self.lap_time_s:.2f} s) at {self.speed:g}x"
        )

    def _plan(self) -> list[_FramePlan]:
        decoder = self.car.decoder()
        databases = decoder.databases
        rates = self.car.frame_rates()
        by_signal = {(c.frame_id, c.name): c for c in self.car.channels}
        plans: list[_FramePlan] = []
        for frame_id, rate in rates.items():
            extended = any(c.extended for c in self.car.channels if c.frame_id == frame_id)
            message = None
            for db in databases:
                try:
                    found = db.get_message_by_frame_id(frame_id)
                except KeyError:
                    continue
                if bool(found.is_extended_frame) == extended:
                    message = found
                    break
            if message is None:  # parse_car checked every frame exists
                raise ValueError(f"frame 0x{frame_id:X} is not in {self.car.id}'s DBC")
            signals = []
            pages: set[int] = set()
            for s in message.signals:
                lo, hi = _limits(s)
                page_ids = tuple(s.multiplexer_ids) if s.multiplexer_ids else None
                if page_ids:
                    pages.update(page_ids)
                signals.append(
                    _SignalPlan(
                        name=s.name,
                        channel=by_signal.get((frame_id, s.name)),
                        lo=lo,
                        hi=hi,
                        pages=page_ids,
                        is_multiplexer=bool(s.is_multiplexer),
                    )
                )
            plans.append(
                _FramePlan(
                    frame_id=frame_id,
                    extended=extended,
                    message=message,
                    period_s=1.0 / rate,
                    signals=tuple(signals),
                    pages=tuple(sorted(pages)),
                )
            )
        return plans

    def _signal_value(
        self, plan: _SignalPlan, state: CarState, canonical: Mapping[str, float]
    ) -> float:
        channel = plan.channel
        value: float | None = None
        if channel is not None and channel.canonical is not None:
            target = canonical.get(channel.canonical)
            if target is not None:
                value = channel.from_canonical(target)
        if value is None:
            extra = EXTRAS.get(plan.name)
            if extra is not None:
                value = extra(state, self._context, canonical)
        if value is None or not math.isfinite(value):
            value = 0.0
        return min(max(value, plan.lo), plan.hi)

    def _encode(self, plan: _FramePlan, state: CarState, canonical: Mapping[str, float]) -> bytes:
        page = plan.pages[plan.sent % len(plan.pages)] if plan.pages else None
        values: dict[str, float] = {}
        for s in plan.signals:
            if s.is_multiplexer and page is not None:
                values[s.name] = page
            elif s.pages is None or page in s.pages:
                values[s.name] = self._signal_value(s, state, canonical)
        data: bytes = plan.message.encode(values, scaling=True, strict=False)
        return data

    def _update_context(self, state: CarState) -> None:
        c = self._context
        steering_deg = -state.steering * STEERING_LOCK_DEG  # positive left, as the DBC has it
        prev = c.previous
        if prev is not None:
            dt = state.time_s - prev.time_s
            if dt > 0:
                c.steering_rate_deg_s = (steering_deg - c.steering_deg) / dt
            if state.fuel_l > prev.fuel_l + 0.5:  # refilled at the line
                c.fuel_refilled_l += state.fuel_l - prev.fuel_l
            if state.lap != prev.lap:
                c.beacon_until_s = state.time_s + 0.1
        c.steering_deg = steering_deg
        c.previous = state

    def tick_frames(self) -> tuple[CarState, list[can.Message]]:
        """Step the car one tick; the state and the frames due at it (timestamped)."""
        state = self.driver.step()
        self._update_context(state)
        canonical = canonical_values(state, self.origin, self.ambient_c)
        out: list[can.Message] = []
        for plan in self._plans:
            if state.time_s + 1e-9 < plan.due_s:
                continue
            plan.due_s += plan.period_s
            if plan.due_s <= state.time_s:  # never fall behind the schedule after a skip
                plan.due_s = state.time_s + plan.period_s
            data = self._encode(plan, state, canonical)
            plan.sent += 1
            out.append(
                can.Message(
                    timestamp=self.epoch_s + state.time_s,
                    arbitration_id=plan.frame_id,
                    is_extended_id=plan.extended,
                    is_fd=self.car.bus.frame_format == "fd",
                    data=data,
                )
            )
        return state, out

    def run(
        self,
        *,
        duration_s: float | None = None,
        laps: int | None = None,
        stop: threading.Event | None = None,
    ) -> CanRunStats:
        """Send frames until ``duration_s`` simulated seconds, ``laps`` more laps, or a stop.

        Raises:
            ValueError: If ``duration_s`` or ``laps`` is negative.

        """
        max_ticks, lap_goal = tick_limits(
            duration_s, laps, rate_hz=self.tick_hz, completed_laps=self.driver.completed_laps
        )
        ticks = frames = errors = 0
        by_id: dict[int, int] = {}
        sim_time = 0.0
        bus = self.bus_factory()
        try:
            for _ in paced_ticks(
                max_ticks=max_ticks,
                lap_goal=lap_goal,
                completed_laps=lambda: self.driver.completed_laps,
                period_s=self.wall_seconds_per_tick,
                realtime=self.realtime,
                stopping=self._stop,
                stop=stop,
            ):
                state, messages = self.tick_frames()
                sim_time = state.time_s
                for message in messages:
                    try:
                        bus.send(message)
                    except can.CanError:
                        errors += 1
                        continue
                    frames += 1
                    by_id[message.arbitration_id] = by_id.get(message.arbitration_id, 0) + 1
                ticks += 1
        finally:
            bus.shutdown()
        self.last_stats = CanRunStats(
            ticks, frames, errors, self.driver.completed_laps, sim_time, by_id
        )
        return self.last_stats

    def start(self, *, duration_s: float | None = None, laps: int | None = None) -> None:
        """Run in a daemon thread (beside a server); :meth:`stop` ends and joins it.

        Raises:
            RuntimeError: If it is already running.

        """
        with self._lock:
            if self._thread.alive:
                raise RuntimeError("the CAN simulator is already running")
            self._stop.clear()
            self._thread.start(lambda: self.run(duration_s=duration_s, laps=laps))

    @property
    def running(self) -> bool:
        """Whether the simulator thread is running."""
        return self._thread.alive

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop a running :meth:`run` and join the thread if there is one.

        Raises:
            BaseException: Whatever ended the simulator thread with an error.

        """
        self._stop.set()
        with self._lock:
            self._thread.join(timeout_s)


def bus_factory(interface: str, channel: str | None, bitrate: int | None = None) -> BusFactory:
    """A factory opening ``can.Bus(interface=..., channel=..., bitrate=...)``.

    On ``virtual`` the bus keeps the frames' simulated timestamps.
    """

    def open_bus() -> can.BusABC:
        kwargs: dict[str, Any] = {"interface": interface}
        if channel is not None:
            kwargs["channel"] = channel
        if bitrate is not None and interface not in ("virtual", "udp_multicast"):
            kwargs["bitrate"] = bitrate
        if interface == "virtual":
            kwargs["preserve_timestamps"] = True
        return can.Bus(**kwargs)

    return open_bus
