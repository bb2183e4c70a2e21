"""Assetto Corsa Competizione's side of the broadcasting protocol, for the simulator.

ACC listens on its ``updListenerPort`` (9000 by default) and streams to registered clients only
(spec §2): a REGISTER with the right connection password gets a REGISTRATION_RESULT with a
connection id, a wrong one a refusal with a message; REQUEST_ENTRY_LIST is answered with the
ENTRY_LIST and one ENTRY_LIST_CAR per car, REQUEST_TRACK_DATA with TRACK_DATA; while registered,
every update interval brings one REALTIME_UPDATE and one REALTIME_CAR_UPDATE per car, and a
completed lap a BROADCASTING_EVENT; UNREGISTER ends the stream.

The field has three cars: the simulated driver (the focused car) and two others driving the same
lap a fixed time ahead and behind, so standings and the focused-car rule are exercised.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from paddock.sources.simulator._server import answer_pending
from paddock.sources.simulator.car import Car
from paddock.sources.simulator.driver import CarState
from paddock.sources.simulator.profile import SpeedProfile
from paddock.sources.simulator.track import Track

Packet = dict[str, Any]
Encode = Callable[[Packet], bytes]
Decode = Callable[[bytes], Packet]
Address = tuple[str, int]

NO_TIME = 2147483647
"""ACC's "no time" for lap and split times."""

PROTOCOL_VERSION = 4
"""The broadcasting protocol version the simulator speaks."""

FOCUSED_CAR = 1
"""Car index of the simulated driver's car, the focused one."""

RIVALS: tuple[tuple[int, float, str, str], ...] = (
    (2, 2.0, "Ada", "Rival"),
    (3, -3.0, "Ben", "Chaser"),
)
"""The other cars: index, time offset from the driver in seconds (positive: ahead), names."""

SESSION_RACE, PHASE_SESSION = 10, 5
"""REALTIME_UPDATE's session type (race) and phase (session running)."""

EVENT_LAP_COMPLETED, EVENT_BEST_SESSION_LAP = 5, 6
"""BROADCASTING_EVENT types sent on a completed lap."""


def default_codec() -> tuple[Encode, Decode]:
    """Return the native ACC encoder and the decoder of client messages.

    The decoder raises ``ValueError`` for a datagram that is not a client message.
    """
    # Imported on demand: the simulator's pure-Python parts need no native extension.
    from paddock.exceptions import DecodeError
    from paddock.protocols import acc

    def decode(datagram: bytes) -> Packet:
        try:
            return acc.decode(datagram, outbound=True)
        except DecodeError as exc:
            raise ValueError(str(exc)) from exc

    return acc.encode, decode


def _ms(seconds: float | None) -> int:
    """Seconds as whole ms; ACC's "no time" for None or non-finite values."""
    if seconds is None or not math.isfinite(seconds):
        return NO_TIME
    return round(seconds * 1000)


def _lap(
    car_index: int, seconds: float | None, splits: tuple[float | None, ...] | None = None
) -> Packet:
    return {
        "laptime_ms": _ms(seconds),
        "car_index": car_index,
        "driver_index": 0,
        "splits": [_ms(s) for s in splits or ()],
        "is_invalid": 0,
        "is_valid_for_best": 1,
        "is_outlap": 0,
        "is_inlap": 0,
    }


@dataclass
class _Rival:
    index: int
    offset_s: float
    gear: int = 1


class AccSender:
    """Builds ACC's messages for the simulated field.

    Args:
        encode: Turns one message dict into its datagram (``paddock.protocols.acc.encode``).
        track: The track being driven.
        car: The car every entrant drives.
        profile: The lap's speed profile (the rivals drive it too).
        driver_name: The focused driver's name (first and last name split at the first space).
        ambient_c: Air temperature.
        track_temp_c: Track temperature.

    """

    def __init__(
        self,
        encode: Encode,
        *,
        track: Track,
        car: Car,
        profile: SpeedProfile,
        driver_name: str,
        ambient_c: float,
        track_temp_c: float,
    ) -> None:
        self.encode = encode
        self.track = track
        self.car = car
        self.profile = profile
        self.driver_name = driver_name
        self.ambient_c = ambient_c
        self.track_temp_c = track_temp_c
        self.rivals = [_Rival(index, offset) for index, offset, _, _ in RIVALS]

    def registration_result(self, connection_id: int, error: str | None) -> bytes:
        """REGISTRATION_RESULT: success with ``connection_id``, or the refusal ``error``."""
        return self.encode(
            {
                "packet": "registration_result",
                "connection_id": connection_id if error is None else -1,
                "connection_success": 1 if error is None else 0,
                "writable": 0,
                "error_message": error or "",
            }
        )

    def entry_list(self, connection_id: int) -> list[bytes]:
        """ENTRY_LIST, then one ENTRY_LIST_CAR per car."""
        first, _, last = self.driver_name.partition(" ")
        entrants = [(FOCUSED_CAR, first, last or first)] + [(i, f, la) for i, _, f, la in RIVALS]
        out = [
            self.encode(
                {
                    "packet": "entry_list",
                    "connection_id": connection_id,
                    "car_indices": [index for index, _, _ in entrants],
                }
            )
        ]
        for index, first_name, last_name in entrants:
            out.append(
                self.encode(
                    {
                        "packet": "entry_list_car",
                        "car_index": index,
                        "car_model_type": 0,
                        "team_name": "paddock",
                        "race_number": 10 + index,
                        "cup_category": 0,
                        "current_driver_index": 0,
                        "nationality": 0,
                        "drivers": [
                            {
                                "first_name": first_name,
                                "last_name": last_name,
                                "short_name": last_name[:3].upper(),
                                "category": 2,
                                "nationality": 0,
                            }
                        ],
                    }
                )
            )
        return out

    def track_data(self, connection_id: int) -> bytes:
        """TRACK_DATA: name and length of the simulated track."""
        return self.encode(
            {
                "packet": "track_data",
                "connection_id": connection_id,
                "track_name": self.track.display_name,
                "track_id": 0,
                "track_meters": round(self.track.length_m),
                "camera_sets": [],
                "hud_pages": [],
            }
        )

    def _position_of(self, state: CarState) -> float:
        return (state.lap - 1) * self.track.length_m + state.lap_distance_m

    def updates(self, state: CarState) -> list[bytes]:
        """REALTIME_UPDATE and one REALTIME_CAR_UPDATE per car for the tick ``state``."""
        period = self.profile.lap_time_s
        length = self.track.length_m
        best = _lap(FOCUSED_CAR, state.best_lap_time_s)
        cars: list[tuple[float, Packet]] = []
        cars.append((self._position_of(state), self._driver_update(state)))
        for rival in self.rivals:
            t = max(state.time_s + rival.offset_s, 0.0)
            done = math.floor(t / period)
            lap_time = t - done * period
            point = self.profile.at_time(lap_time)
            where = self.track.position_at(point.distance_m)
            rival.gear = self.car.next_gear(point.speed_ms, rival.gear)
            last = period if done > 0 else None
            cars.append(
                (
                    done * length + point.distance_m,
                    {
                        "car_index": rival.index,
                        "gear": rival.gear + 2,
                        "world_pos_x": where.x,
                        "world_pos_y": where.z,
                        "yaw": where.heading,
                        "kmh": round(point.speed_ms * 3.6),
                        "spline_position": point.distance_m / length,
                        "laps": done,
                        "best_session_lap": _lap(rival.index, last),
                        "last_lap": _lap(rival.index, last),
                        "current_lap": _lap(rival.index, lap_time),
                    },
                )
            )
        cars.sort(key=lambda c: c[0], reverse=True)
        out = [
            self.encode(
                {
                    "packet": "realtime_update",
                    "session_type": SESSION_RACE,
                    "phase": PHASE_SESSION,
                    "session_time": state.time_s * 1000.0,
                    "session_end_time": 3_600_000.0,
                    "focused_car_index": FOCUSED_CAR,
                    "active_camera_set": "Drivable",
                    "active_camera": "Cockpit",
                    "current_hud_page": "Basic HUD",
                    "time_of_day": 14 * 3600.0 + state.time_s,
                    "ambient_temp": round(self.ambient_c),
                    "track_temp": round(self.track_temp_c),
                    "best_session_lap": best,
                }
            )
        ]
        for position, (_, update) in enumerate(cars, start=1):
            update.update(
                packet="realtime_car_update",
                driver_count=1,
                car_location=1,
                position=position,
                cup_position=position,
                track_position=position,
            )
            out.append(self.encode(update))
        return out

    def _driver_update(self, state: CarState) -> Packet:
        return {
            "car_index": FOCUSED_CAR,
            "gear": state.gear + 2,
            "world_pos_x": state.x_m,
            "world_pos_y": state.z_m,
            "yaw": state.heading_rad,
            "kmh": round(state.speed_ms * 3.6),
            "spline_position": state.lap_distance_m / self.track.length_m,
            "laps": state.lap - 1,
            "delta_ms": 0,
            "best_session_lap": _lap(FOCUSED_CAR, state.best_lap_time_s),
            "last_lap": _lap(FOCUSED_CAR, state.last_lap_time_s, state.last_lap_sector_times_s),
            "current_lap": _lap(FOCUSED_CAR, state.lap_time_s),
        }

    def lap_events(self, state: CarState) -> list[bytes]:
        """BROADCASTING_EVENTs for the lap ``state`` just completed (and a session best)."""
        last = state.last_lap_time_s
        events = [(EVENT_LAP_COMPLETED, "lap completed")]
        if last is not None and state.best_lap_time_s == last:
            events.append((EVENT_BEST_SESSION_LAP, "best session lap"))
        return [
            self.encode(
                {
                    "packet": "broadcasting_event",
                    "event_type": kind,
                    "message": message,
                    "time_ms": _ms(last) if last is not None else 0,
                    "car_id": FOCUSED_CAR,
                }
            )
            for kind, message in events
        ]


@dataclass
class AccSession:
    """ACC's registration state: who is registered, how often they want updates.

    Args:
        password: The connection password clients must register with (empty: none).

    """

    password: str = ""
    client: Address | None = None
    """Where the stream goes: the last client that registered successfully."""
    connection_id: int = 0
    """Id of the current registration (each REGISTER that succeeds gets a new one)."""
    interval_s: float = 0.1
    """Update interval the client asked for, seconds."""
    registrations: int = 0
    """REGISTERs answered successfully."""
    refusals: int = 0
    """REGISTERs refused (wrong password or protocol version)."""
    log: list[str] = field(default_factory=list)
    """Message names received, in order."""

    def handle(self, message: Packet, sender: Address, acc: AccSender) -> list[bytes]:
        """Apply one client message from ``sender``; returns the replies to send back."""
        kind = str(message.get("packet"))
        self.log.append(kind)
        if kind == "register_command_application":
            if message.get("protocol_version") != PROTOCOL_VERSION:
                self.refusals += 1
                version = message.get("protocol_version")
                return [acc.registration_result(-1, f"protocol version {version} not supported")]
            if message.get("connection_password", "") != self.password:
                self.refusals += 1
                return [acc.registration_result(-1, "wrong connection password")]
            self.registrations += 1
            self.connection_id += 1
            self.client = sender
            interval_ms = int(message.get("update_interval_ms", 100))
            self.interval_s = min(max(interval_ms, 10), 10_000) / 1000.0
            return [acc.registration_result(self.connection_id, None)]
        registered = self.client == sender and message.get("connection_id") == self.connection_id
        if kind == "request_entry_list" and registered:
            return acc.entry_list(self.connection_id)
        if kind == "request_track_data" and registered:
            return [acc.track_data(self.connection_id)]
        if kind == "unregister_command_application" and self.client == sender:
            self.client = None
        return []


def serve_pending(sock: socket.socket, session: AccSession, acc: AccSender, decode: Decode) -> int:
    """Answer every datagram waiting on the non-blocking ``sock``; returns replies sent.

    Datagrams that are not client messages are ignored, as ACC ignores them.
    """

    def respond(data: bytes, addr: Address) -> list[bytes]:
        try:
            message = decode(data)
        except ValueError:
            return []
        return session.handle(message, addr, acc)

    return answer_pending(sock, respond)


__all__ = [
    "FOCUSED_CAR",
    "NO_TIME",
    "RIVALS",
    "AccSender",
    "AccSession",
    "default_codec",
    "serve_pending",
]
