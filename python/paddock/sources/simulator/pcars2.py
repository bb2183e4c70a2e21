"""Turn simulated car states into Project CARS 2 UDP packets (JSON-like dicts, then bytes).

The dicts follow the codec contract shared with ``paddock.protocols.pcars2``: tagged by
``"packet"``, header fields at the top level, raw wire values (no scaling), fixed arrays as lists
of their exact wire length (wheel order FL, FR, RL, RR). Every field is written explicitly.

Per tick the sender emits, in this order: the periodic session packets when due (race,
participants, vehicle and class names, game state), then ``timings``, ``time_stats`` when due,
and ``telemetry`` last, so a receiver that pairs each telemetry packet with the latest timings
and time stats always sees the values of the same tick.
"""

from __future__ import annotations

import math

from paddock.sources.simulator.car import GRAVITY_MS2, RPM_TO_RAD_S, Car
from paddock.sources.simulator.driver import CarState
from paddock.sources.simulator.pcars2_wire import (
    NO_TIME,
    PACKET_TYPES,
    Encode,
    Packet,
    empty_participant_info,
    empty_stats,
    i8,
    i16,
    kelvin,
    time_or_none,
    u8,
    u16,
)
from paddock.sources.simulator.track import Track

PARTICIPANTS_TIMESTAMP = 1
"""``participants_changed_timestamp``: the field of one car never changes."""

GAME_STATE_PLAYING = 2
"""Game state ``INGAME_PLAYING`` (low 3 bits of the game-state byte)."""

SESSION_PRACTICE = 1
"""Session state ``PRACTICE`` (high nibble of the game-state byte)."""

RACE_STATE_RACING = 2
"""``sRaceState`` value for a car that is out on track."""

CAR_FLAG_ENGINE_ACTIVE = 2
"""``sCarFlags`` bit for a running engine."""


class Pcars2Sender:
    """Builds the Project CARS 2 packets for each simulated tick and encodes them.

    Args:
        encode: Turns one packet dict into its datagram (``paddock.protocols.pcars2.encode``).
        track: The track being driven (name, length).
        car: The car being driven (name, class, gear count, max rpm, fuel tank).
        driver_name: Participant name.
        ambient_c: Air temperature sent in the game state, °C.
        track_temp_c: Track temperature sent in the game state, °C.
        laps_in_event: Lap count of the event (0 = not a lap race).
        time_stats_interval_s: Longest gap between two time-stats packets.
        session_interval_s: Gap between race, participants and game-state packets.
        names_interval_s: Gap between vehicle/class name packets.

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
        time_stats_interval_s: float = 2.0,
        session_interval_s: float = 5.0,
        names_interval_s: float = 10.0,
    ) -> None:
        self.encode = encode
        self.track = track
        self.car = car
        self.driver_name = driver_name
        self.ambient_c = ambient_c
        self.track_temp_c = track_temp_c
        self.laps_in_event = laps_in_event
        self.time_stats_interval_s = time_stats_interval_s
        self.session_interval_s = session_interval_s
        self.names_interval_s = names_interval_s
        self.packet_number = 0
        self._category_numbers: dict[int, int] = {}
        self._last_session_s: float | None = None
        self._last_names_s: float | None = None
        self._last_stats_s: float | None = None
        self._last_stats_key: tuple[int, int] | None = None

    def datagrams(self, state: CarState) -> list[bytes]:
        """Encode the packets of one tick (see :meth:`packets`)."""
        return [self.encode(packet) for packet in self.packets(state)]

    def packets(self, state: CarState) -> list[Packet]:
        """Build the packets to send for ``state``, in sending order, with headers filled in."""
        now = state.time_s
        out: list[Packet] = []
        if self._last_session_s is None or now - self._last_session_s >= self.session_interval_s:
            self._last_session_s = now
            out += [self.race(state), self.participants()]
            if self._last_names_s is None or now - self._last_names_s >= self.names_interval_s:
                self._last_names_s = now
                out += [self.vehicle_names(), self.class_names()]
            out.append(self.game_state())
        out.append(self.timings(state))
        key = (state.lap, state.sector)
        stale = self._last_stats_s is None or now - self._last_stats_s >= self.time_stats_interval_s
        if stale or key != self._last_stats_key:
            self._last_stats_s = now
            self._last_stats_key = key
            out.append(self.time_stats(state))
        out.append(self.telemetry(state))
        return [self._stamp(packet) for packet in out]

    def _stamp(self, packet: Packet) -> Packet:
        """Fill the header: global and per-type counters (u32, wrapping)."""
        wire_type = PACKET_TYPES[packet["packet"]]
        category = self._category_numbers.get(wire_type, 0)
        self._category_numbers[wire_type] = (category + 1) & 0xFFFFFFFF
        header: Packet = {
            "packet": packet["packet"],
            "packet_number": self.packet_number,
            "category_packet_number": category,
            "partial_packet_index": packet.pop("partial_packet_index", 1),
            "partial_packet_number": packet.pop("partial_packet_number", 1),
            "packet_version": 1,
        }
        self.packet_number = (self.packet_number + 1) & 0xFFFFFFFF
        header.update(packet)
        return header

    def telemetry(self, state: CarState) -> Packet:
        """Build the ``telemetry`` packet (type 0) of ``state``."""
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
        return {
            "packet": "telemetry",
            "viewed_participant_index": 0,
            "unfiltered_throttle": throttle,
            "unfiltered_brake": brake,
            "unfiltered_steering": steering,
            "unfiltered_clutch": clutch,
            "car_flags": CAR_FLAG_ENGINE_ACTIVE,
            "oil_temp_celsius": i16(state.oil_temp_c),
            "oil_pressure_kpa": u16(state.oil_pressure_kpa),
            "water_temp_celsius": i16(state.water_temp_c),
            "water_pressure_kpa": u16(120.0 + 60.0 * state.rpm / car.max_rpm),
            "fuel_pressure_kpa": u16(400.0),
            "fuel_capacity": u8(car.fuel_capacity_l),
            "brake": brake,
            "throttle": throttle,
            "clutch": clutch,
            "fuel_level": state.fuel_l / car.fuel_capacity_l,
            "speed": state.speed_ms,
            "rpm": u16(state.rpm),
            "max_rpm": u16(car.max_rpm),
            "steering": steering,
            "gear_num_gears": (state.gear & 0x0F) | ((car.gear_count & 0x0F) << 4),
            "boost_amount": 0,
            "crash_state": 0,
            "odometer_km": state.odometer_km,
            "orientation": [pitch, heading, 0.0],
            "local_velocity": [0.0, 0.0, -state.speed_ms],
            "world_velocity": [-flat * sin_h, state.vertical_speed_ms, -flat * cos_h],
            "angular_velocity": [0.0, state.yaw_rate_rad_s, 0.0],
            "local_acceleration": [lateral, state.accel_vert_ms2, -forward_accel],
            "world_acceleration": [world_ax, state.accel_vert_ms2 - GRAVITY_MS2, world_az],
            "extents_centre": [0.0, 0.55, 0.0],
            "tyre_flags": [1, 1, 1, 1],
            "terrain": [0, 0, 0, 0],
            "tyre_y": [state.y_m + 0.34] * 4,
            "tyre_rps": [wheel_rps] * 4,
            "tyre_temp": [u8(t) for t in state.tyre_temps_c],
            "tyre_height_above_ground": [0.0] * 4,
            "tyre_wear": [u8(state.tyre_wear * 255)] * 4,
            "brake_damage": [0] * 4,
            "suspension_damage": [0] * 4,
            "brake_temp_celsius": [i16(t) for t in state.brake_temps_c],
            "tyre_tread_temp": tyre_k,
            "tyre_layer_temp": [k - 3 for k in tyre_k],
            "tyre_carcass_temp": [k - 6 for k in tyre_k],
            "tyre_rim_temp": [kelvin(40.0 + 0.3 * t) for t in state.tyre_temps_c],
            "tyre_internal_air_temp": [kelvin(20.0 + 0.6 * t) for t in state.tyre_temps_c],
            "tyre_temp_left": [k + 2 for k in tyre_k],
            "tyre_temp_center": tyre_k,
            "tyre_temp_right": [k - 2 for k in tyre_k],
            "wheel_local_position_y": [-0.3 + r for r in ride_m],
            "ride_height": ride_m,
            "suspension_travel": [0.05 - (r - 0.06) for r in ride_m],
            "suspension_velocity": [0.0] * 4,
            "suspension_ride_height": [u16(r * 1000.0) for r in ride_m],
            "air_pressure": [u16(175.0 + 0.2 * (t - 85.0)) for t in state.tyre_temps_c],
            "engine_speed": state.rpm * RPM_TO_RAD_S,
            "engine_torque": state.engine_torque_nm,
            "wings": [0, 0],
            "hand_brake": 0,
            "aero_damage": 0,
            "engine_damage": 0,
            "joy_pad0": 0,
            "d_pad": 0,
            "tyre_compound": ["Slick Medium"] * 4,
            "turbo_boost_pressure": 0.0,
            "full_position": [state.x_m, state.y_m, state.z_m],
            "brake_bias": u8(car.brake_bias_front * 255),
            "tick_count": state.tick & 0xFFFFFFFF,
        }

    def timings(self, state: CarState) -> Packet:
        """Build the ``timings`` packet (type 3): the one car is participant 0, the player."""
        laps_left = max(self.laps_in_event - (state.lap - 1), 0)
        remaining = -1.0 - laps_left if self.laps_in_event else NO_TIME
        me: Packet = {
            "world_position": [i16(state.x_m), i16(state.y_m), i16(state.z_m)],
            "orientation": [
                i16(state.heading_rad / math.pi * 32767),
                i16(state.pitch_rad / (math.pi / 2) * 32767),
                0,
            ],
            "current_lap_distance": u16(state.lap_distance_m),
            "race_position": 0x80 | 1,
            "sector": state.sector & 0x07,
            "highest_flag": 0,
            "pit_mode_schedule": 0,
            "car_index": 0x8000,
            "race_state": RACE_STATE_RACING,
            "current_lap": state.lap & 0xFF,
            "current_time": state.lap_time_s,
            "current_sector_time": state.sector_time_s,
            "mp_participant_index": 0,
        }
        return {
            "packet": "timings",
            "num_participants": 1,
            "participants_changed_timestamp": PARTICIPANTS_TIMESTAMP,
            "event_time_remaining": remaining,
            "split_time_ahead": NO_TIME,
            "split_time_behind": NO_TIME,
            "split_time": 0.0,
            "participants": [me] + [empty_participant_info() for _ in range(31)],
            "local_participant_index": 0,
            "tick_count": state.tick & 0xFFFFFFFF,
        }

    def time_stats(self, state: CarState) -> Packet:
        """Build the ``time_stats`` packet (type 7): last and best lap and sector times."""
        best = state.best_sector_times_s
        me: Packet = {
            "fastest_lap_time": time_or_none(state.best_lap_time_s),
            "last_lap_time": time_or_none(state.last_lap_time_s),
            "last_sector_time": time_or_none(state.last_sector_time_s),
            "fastest_sector1_time": time_or_none(best[0]),
            "fastest_sector2_time": time_or_none(best[1]),
            "fastest_sector3_time": time_or_none(best[2]),
            "participant_online_rep": 0,
            "mp_participant_index": 0,
        }
        return {
            "packet": "time_stats",
            "participants_changed_timestamp": PARTICIPANTS_TIMESTAMP,
            "stats": [me] + [empty_stats() for _ in range(31)],
        }

    def race(self, state: CarState) -> Packet:
        """Build the ``race`` packet (type 1): track, its length and the personal bests."""
        best = state.best_sector_times_s
        best_lap = time_or_none(state.best_lap_time_s)
        return {
            "packet": "race",
            "world_fastest_lap_time": best_lap,
            "personal_fastest_lap_time": best_lap,
            "personal_fastest_sector1_time": time_or_none(best[0]),
            "personal_fastest_sector2_time": time_or_none(best[1]),
            "personal_fastest_sector3_time": time_or_none(best[2]),
            "world_fastest_sector1_time": time_or_none(best[0]),
            "world_fastest_sector2_time": time_or_none(best[1]),
            "world_fastest_sector3_time": time_or_none(best[2]),
            "track_length": self.track.length_m,
            "track_location": self.track.name,
            "track_variation": "GP",
            "translated_track_location": self.track.display_name,
            "translated_track_variation": "Grand Prix",
            "laps_time_in_event": u16(self.laps_in_event),
            "enforced_pit_stop_lap": 0,
        }

    def participants(self) -> Packet:
        """Build the ``participants`` packet (type 2, part 1 of 1): the driver's name."""
        return {
            "packet": "participants",
            "participants_changed_timestamp": PARTICIPANTS_TIMESTAMP,
            "name": [self.driver_name] + [""] * 15,
            "nationality": [0] * 16,
            "index": [0] * 16,
        }

    def game_state(self) -> Packet:
        """Build the ``game_state`` packet (type 4): a practice session, dry, light wind."""
        return {
            "packet": "game_state",
            "build_version_number": 1,
            "game_state": GAME_STATE_PLAYING | (SESSION_PRACTICE << 4),
            "ambient_temperature": i8(self.ambient_c),
            "track_temperature": i8(self.track_temp_c),
            "rain_density": 0,
            "snow_density": 0,
            "wind_speed": 2,
            "wind_direction_x": 1,
            "wind_direction_y": 0,
        }

    def vehicle_names(self) -> Packet:
        """Build the ``vehicle_names`` packet (type 8, part 1 of 2): the car's name."""
        vehicles = [{"index": 0, "class": 0, "name": self.car.name}]
        vehicles += [{"index": 0, "class": 0, "name": ""} for _ in range(15)]
        return {
            "packet": "vehicle_names",
            "partial_packet_index": 1,
            "partial_packet_number": 2,
            "vehicles": vehicles,
        }

    def class_names(self) -> Packet:
        """Build the ``class_names`` packet (type 8, the last part, 2 of 2): the car's class."""
        classes = [{"class_index": 0, "name": self.car.class_name}]
        classes += [{"class_index": 0, "name": ""} for _ in range(59)]
        return {
            "packet": "class_names",
            "partial_packet_index": 2,
            "partial_packet_number": 2,
            "classes": classes,
        }
