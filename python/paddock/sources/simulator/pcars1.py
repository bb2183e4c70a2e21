"""Turn simulated car states into Project CARS 1 UDP packets (JSON-like dicts, then bytes).

The dicts follow the codec contract shared with ``paddock.protocols.pcars1``: tagged by
``"packet"``, header fields at the top level, raw wire values (no scaling), fixed arrays as lists
of their exact wire length (wheel order FL, FR, RL, RR). PCARS1 has one telemetry packet that
carries the timing too, plus infrequent strings packets (car, class, track and driver names).

Per tick the sender emits ``participant_strings`` when due, then ``telemetry``. Every packet
carries a 6-bit sequence number in the high bits of byte 2, counting all packets sent.
"""

from __future__ import annotations

import math

from paddock.sources.simulator.car import GRAVITY_MS2, RPM_TO_RAD_S, Car
from paddock.sources.simulator.driver import CarState
from paddock.sources.simulator.pcars2_wire import (
    NO_TIME,
    Encode,
    Packet,
    i8,
    i16,
    kelvin,
    time_or_none,
    u8,
    u16,
)
from paddock.sources.simulator.track import Track

BUILD_VERSION = 1200
"""``sBuildVersionNumber`` sent (the build of the real capture)."""

PACKET_TYPES = {"telemetry": 0, "participant_strings": 1, "participant_strings_additional": 2}
"""Packet type (low two bits of byte 2) of each tag."""

GAME_PLAYING_PRACTICE = 2 | (1 << 4)
"""``sGameSessionState``: game state playing (bits 0–2), session practice (bits 4–6)."""

RACE_STATE_RACING = 2
"""``sRaceStateFlags`` race state of a car out on track."""

CAR_FLAG_ENGINE_ACTIVE = 2
"""``sCarFlags`` bit for a running engine."""

PARTICIPANT_SLOTS = 56
"""Participant records in every telemetry packet."""


def _empty_participant() -> Packet:
    return {
        "world_position": [0, 0, 0],
        "current_lap_distance": 0,
        "race_position": 0,
        "laps_completed": 0,
        "current_lap": 0,
        "sector": 0,
        "last_sector_time": 0.0,
    }


class Pcars1Sender:
    """Builds the Project CARS 1 packets for each simulated tick and encodes them.

    Args:
        encode: Turns one packet dict into its datagram (``paddock.protocols.pcars1.encode``).
        track: The track being driven (name, length).
        car: The car being driven (name, class, gear count, max rpm, fuel tank).
        driver_name: Participant name.
        ambient_c: Air temperature, °C.
        track_temp_c: Track temperature, °C.
        laps_in_event: Lap count of the event (0 = not a lap race).
        strings_interval_s: Gap between two ``participant_strings`` packets.

    """

    def __init__(
        self,
        encode: Encode,
        *,
        track: Track,
        car: Car,
        driver_name: str = "Paddock Driver",
        ambient_c: float = 22.0,
        track_temp_c: float = 30.0,
        laps_in_event: int = 0,
        strings_interval_s: float = 5.0,
    ) -> None:
        self.encode = encode
        self.track = track
        self.car = car
        self.driver_name = driver_name
        self.ambient_c = ambient_c
        self.track_temp_c = track_temp_c
        self.laps_in_event = laps_in_event
        self.strings_interval_s = strings_interval_s
        self.sequence = 0
        self._last_strings_s: float | None = None
        self._lap_sector: tuple[int, int] | None = None
        self._current_sectors = [NO_TIME, NO_TIME, NO_TIME]

    def datagrams(self, state: CarState) -> list[bytes]:
        """Encode the packets of one tick (see :meth:`packets`)."""
        return [self.encode(packet) for packet in self.packets(state)]

    def packets(self, state: CarState) -> list[Packet]:
        """Build the packets to send for ``state``, in sending order, with headers filled in."""
        now = state.time_s
        out: list[Packet] = []
        if self._last_strings_s is None or now - self._last_strings_s >= self.strings_interval_s:
            self._last_strings_s = now
            out.append(self.participant_strings())
        out.append(self.telemetry(state))
        return [self._stamp(packet) for packet in out]

    def _stamp(self, packet: Packet) -> Packet:
        """Fill the header: build number, type bits and the 6-bit sequence number."""
        header: Packet = {
            "packet": packet["packet"],
            "build_version_number": BUILD_VERSION,
            "packet_type_sequence": (self.sequence << 2) | PACKET_TYPES[packet["packet"]],
        }
        self.sequence = (self.sequence + 1) & 0x3F
        header.update(packet)
        return header

    def _sector_times(self, state: CarState) -> list[float]:
        """This lap's sector times: completed ones, the running one, −1 for those ahead."""
        key = (state.lap, state.sector)
        if key != self._lap_sector:
            if self._lap_sector is None or state.lap != self._lap_sector[0]:
                self._current_sectors = [NO_TIME, NO_TIME, NO_TIME]
            elif 0 < state.sector <= 2:
                self._current_sectors[state.sector - 1] = time_or_none(state.last_sector_time_s)
            self._lap_sector = key
        if 0 <= state.sector <= 2:
            self._current_sectors[state.sector] = state.sector_time_s
        return list(self._current_sectors)

    def telemetry(self, state: CarState) -> Packet:
        """Build the ``telemetry`` packet (type 0) of ``state``: the car is participant 0."""
        car = self.car
        heading, pitch = state.heading_rad, state.pitch_rad
        sin_h, cos_h = math.sin(heading), math.cos(heading)
        flat = state.speed_ms * math.cos(pitch)
        # Local frame: x right, y up, z backwards. World = yaw rotation of the local vector.
        lateral, forward_accel = state.accel_lat_ms2, state.accel_long_ms2
        world_ax = lateral * cos_h - forward_accel * sin_h
        world_az = -lateral * sin_h - forward_accel * cos_h
        throttle, brake = u8(state.throttle * 255), u8(state.brake * 255)
        steering, clutch = i8(state.steering * 127), u8(state.clutch * 255)
        tyre_k = [kelvin(t) for t in state.tyre_temps_c]
        wheel_rps = -state.speed_ms / car.wheel_radius_m
        ride_m = [
            0.06 + 0.004 * (state.accel_long_ms2 / GRAVITY_MS2) * (1 if w < 2 else -1)
            for w in range(4)
        ]
        sectors = self._sector_times(state)
        best = state.best_sector_times_s
        best_lap = time_or_none(state.best_lap_time_s)
        me: Packet = {
            "world_position": [i16(state.x_m), i16(state.y_m), i16(state.z_m)],
            "current_lap_distance": u16(state.lap_distance_m),
            "race_position": 0x80 | 1,
            "laps_completed": (state.lap - 1) & 0x7F,
            "current_lap": state.lap & 0xFF,
            "sector": (state.sector + 1) & 0x07,
            "last_sector_time": time_or_none(state.last_sector_time_s),
        }
        return {
            "packet": "telemetry",
            "game_session_state": GAME_PLAYING_PRACTICE,
            "viewed_participant_index": 0,
            "num_participants": 1,
            "unfiltered_throttle": throttle,
            "unfiltered_brake": brake,
            "unfiltered_steering": steering,
            "unfiltered_clutch": clutch,
            "race_state_flags": RACE_STATE_RACING,
            "laps_in_event": u8(self.laps_in_event),
            "best_lap_time": best_lap,
            "last_lap_time": time_or_none(state.last_lap_time_s),
            "current_time": state.lap_time_s,
            "split_time_ahead": NO_TIME,
            "split_time_behind": NO_TIME,
            "split_time": 0.0,
            # No timed events: −1 (lap-based or open practice).
            "event_time_remaining": NO_TIME,
            "personal_fastest_lap_time": best_lap,
            "world_fastest_lap_time": best_lap,
            "current_sector1_time": sectors[0],
            "current_sector2_time": sectors[1],
            "current_sector3_time": sectors[2],
            "fastest_sector1_time": time_or_none(best[0]),
            "fastest_sector2_time": time_or_none(best[1]),
            "fastest_sector3_time": time_or_none(best[2]),
            "personal_fastest_sector1_time": time_or_none(best[0]),
            "personal_fastest_sector2_time": time_or_none(best[1]),
            "personal_fastest_sector3_time": time_or_none(best[2]),
            "world_fastest_sector1_time": time_or_none(best[0]),
            "world_fastest_sector2_time": time_or_none(best[1]),
            "world_fastest_sector3_time": time_or_none(best[2]),
            "joy_pad": 0,
            "highest_flag": 0,
            "pit_mode_schedule": 0,
            "oil_temp_celsius": i16(state.oil_temp_c),
            "oil_pressure_kpa": u16(state.oil_pressure_kpa),
            "water_temp_celsius": i16(state.water_temp_c),
            "water_pressure_kpa": u16(120.0 + 60.0 * state.rpm / car.max_rpm),
            "fuel_pressure_kpa": u16(400.0),
            "car_flags": CAR_FLAG_ENGINE_ACTIVE,
            "fuel_capacity": u8(car.fuel_capacity_l),
            "brake": brake,
            "throttle": throttle,
            "clutch": clutch,
            "steering": steering,
            "fuel_level": state.fuel_l / car.fuel_capacity_l,
            "speed": state.speed_ms,
            "rpm": u16(state.rpm),
            "max_rpm": u16(car.max_rpm),
            "gear_num_gears": (state.gear & 0x0F) | ((car.gear_count & 0x0F) << 4),
            "boost_amount": 0,
            "enforced_pit_stop_lap": -1,
            "crash_state": 0,
            "odometer_km": state.odometer_km,
            "orientation": [pitch, heading, 0.0],
            "local_velocity": [0.0, 0.0, -state.speed_ms],
            "world_velocity": [-flat * sin_h, state.vertical_speed_ms, -flat * cos_h],
            "angular_velocity": [0.0, state.yaw_rate_rad_s, 0.0],
            "local_acceleration": [lateral, state.accel_vert_ms2, -forward_accel],
            "world_acceleration": [world_ax, state.accel_vert_ms2 - GRAVITY_MS2, world_az],
            "extents_centre": [0.0, 0.55, 0.0],
            "tyre_flags": [7, 7, 7, 7],
            "terrain": [0, 0, 0, 0],
            "tyre_y": [state.y_m + 0.34] * 4,
            "tyre_rps": [wheel_rps] * 4,
            "tyre_slip_speed": [0.0] * 4,
            "tyre_temp": [u8(t) for t in state.tyre_temps_c],
            "tyre_grip": [255] * 4,
            "tyre_height_above_ground": [0.0] * 4,
            "tyre_lateral_stiffness": [200000.0] * 4,
            "tyre_wear": [u8(state.tyre_wear * 255)] * 4,
            "brake_damage": [0] * 4,
            "suspension_damage": [0] * 4,
            "brake_temp_celsius": [i16(t) for t in state.brake_temps_c],
            "tyre_tread_temp": tyre_k,
            "tyre_layer_temp": [k - 3 for k in tyre_k],
            "tyre_carcass_temp": [k - 6 for k in tyre_k],
            "tyre_rim_temp": [kelvin(40.0 + 0.3 * t) for t in state.tyre_temps_c],
            "tyre_internal_air_temp": [kelvin(20.0 + 0.6 * t) for t in state.tyre_temps_c],
            "wheel_local_position_y": [-0.3 + r for r in ride_m],
            "ride_height": ride_m,
            "suspension_travel": [0.05 - (r - 0.06) for r in ride_m],
            "suspension_velocity": [0.0] * 4,
            "air_pressure": [u16(175.0 + 0.2 * (t - 85.0)) for t in state.tyre_temps_c],
            "engine_speed": state.rpm * RPM_TO_RAD_S,
            "engine_torque": state.engine_torque_nm,
            "aero_damage": 0,
            "engine_damage": 0,
            "ambient_temperature": i8(self.ambient_c),
            "track_temperature": i8(self.track_temp_c),
            "rain_density": 0,
            "wind_speed": 2,
            "wind_direction_x": 1,
            "wind_direction_y": 0,
            "participants": [me] + [_empty_participant() for _ in range(PARTICIPANT_SLOTS - 1)],
            "track_length": self.track.length_m,
            "wings": [0, 0],
            "d_pad": 0,
        }

    def participant_strings(self) -> Packet:
        """Build the ``participant_strings`` packet (type 1): car, class, track, driver name."""
        return {
            "packet": "participant_strings",
            "car_name": self.car.name,
            "car_class_name": self.car.class_name,
            "track_location": self.track.name,
            "track_variation": "GP",
            "name": [self.driver_name] + [""] * 15,
            "fastest_lap_time": [0.0] * 16,
        }
