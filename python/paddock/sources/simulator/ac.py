"""Assetto Corsa's side of the remote telemetry session, for the simulator.

AC listens on UDP 9996 and speaks only when spoken to (spec §1): a client's HANDSHAKE gets the
408-byte handshake response (car, driver, track); SUBSCRIBE_UPDATE starts an ``RTCarInfo`` stream
at the simulator's rate to the address the subscription came from; SUBSCRIBE_SPOT adds an
``RTLap`` on each completed lap; DISMISS stops both. :class:`AcSession` holds that state and
:class:`AcSender` builds the packets; :meth:`Simulator.run` binds the address and drives them.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from paddock.sources.simulator._server import answer_pending
from paddock.sources.simulator.car import GRAVITY_MS2, Car
from paddock.sources.simulator.driver import CarState
from paddock.sources.simulator.track import Track

Packet = dict[str, Any]
Encode = Callable[[Packet], bytes]
Address = tuple[str, int]

HANDSHAKE, SUBSCRIBE_UPDATE, SUBSCRIBE_SPOT, DISMISS = 0, 1, 2, 3
"""The handshaker's operation ids."""

STEER_LOCK_DEG = 270.0
"""Steering-wheel angle at full lock the simulator reports, degrees."""


def default_encoder() -> Encode:
    """Return ``paddock.protocols.ac.encode``, the native Assetto Corsa encoder."""
    # Imported on demand: the simulator's pure-Python parts need no native extension.
    from paddock.protocols import ac

    return ac.encode


def operation(datagram: bytes) -> int | None:
    """The operation id of a 12-byte handshaker, or None for anything else."""
    if len(datagram) != 12:
        return None
    return int.from_bytes(datagram[8:12], "little", signed=True)


class AcSender:
    """Builds AC's packets for the simulated car.

    Args:
        encode: Turns one packet dict into its datagram (``paddock.protocols.ac.encode``).
        track: The track being driven (its short name is sent as track name and config).
        car: The car being driven.
        driver_name: Player name in the handshake response and laps.

    """

    def __init__(self, encode: Encode, *, track: Track, car: Car, driver_name: str) -> None:
        self.encode = encode
        self.track = track
        self.car = car
        self.driver_name = driver_name

    def response(self) -> bytes:
        """The 408-byte handshake response."""
        return self.encode(
            {
                "packet": "handshake_response",
                "car_name": self.car.name,
                "driver_name": self.driver_name,
                "track_name": self.track.name,
                "track_config": self.track.name,
            }
        )

    def car_info(self, state: CarState) -> bytes:
        """The 328-byte ``RTCarInfo`` of one tick, in AC's units and encodings."""
        car = self.car
        wheel_rad_s = state.speed_ms / car.wheel_radius_m
        return self.encode(
            {
                "packet": "car_info",
                "speed_kmh": state.speed_ms * 3.6,
                "speed_mph": state.speed_ms * 2.236_936,
                "speed_ms": state.speed_ms,
                "is_abs_enabled": 1,
                "is_tc_enabled": 1,
                "acc_g_vertical": state.accel_lat_ms2 / GRAVITY_MS2,
                "acc_g_horizontal": state.accel_vert_ms2 / GRAVITY_MS2,
                "acc_g_frontal": state.accel_long_ms2 / GRAVITY_MS2,
                "lap_time": round(state.lap_time_s * 1000),
                "last_lap": _ms(state.last_lap_time_s),
                "best_lap": _ms(state.best_lap_time_s),
                "lap_count": state.lap - 1,
                "gas": state.throttle,
                "brake": state.brake,
                "clutch": 1.0 - state.clutch,
                "engine_rpm": state.rpm,
                "steer": state.steering * STEER_LOCK_DEG,
                "gear": state.gear + 1,
                "cg_height": 0.3,
                "wheel_angular_speed": [wheel_rad_s] * 4,
                "tyre_radius": [car.wheel_radius_m] * 4,
                "tyre_loaded_radius": [car.wheel_radius_m - 0.005] * 4,
                "load": [car.mass_kg * GRAVITY_MS2 / 4.0] * 4,
                "car_position_normalized": state.lap_distance_m / self.track.length_m,
                "car_coordinates": [state.x_m, state.y_m, state.z_m],
            }
        )

    def lap(self, state: CarState) -> bytes:
        """The 212-byte ``RTLap`` for the lap ``state`` just completed."""
        return self.encode(
            {
                "packet": "lap",
                "car_identifier_number": 0,
                "lap": state.lap - 1,
                "driver_name": self.driver_name,
                "car_name": self.car.name,
                "time": _ms(state.last_lap_time_s),
            }
        )


def _ms(seconds: float | None) -> int:
    """Seconds as whole ms; 0 (AC's "none") for None or non-finite values."""
    if seconds is None or not math.isfinite(seconds):
        return 0
    return round(seconds * 1000)


@dataclass
class AcSession:
    """The client AC talks to: where it is and what it subscribed to."""

    client: Address | None = None
    """Where the stream goes: the source of the last subscription."""
    update: bool = False
    """SUBSCRIBE_UPDATE received: stream ``RTCarInfo``."""
    spot: bool = False
    """SUBSCRIBE_SPOT received: send ``RTLap`` on lap completion."""
    handshakes: int = 0
    """Handshakes answered."""
    log: list[int] = field(default_factory=list)
    """Operation ids received, in order."""

    def handle(self, datagram: bytes, sender: Address, reply: Callable[[], bytes]) -> bytes | None:
        """Apply one datagram from ``sender``; returns the reply to send back, if any."""
        op = operation(datagram)
        if op is None:
            return None
        self.log.append(op)
        if op == HANDSHAKE:
            self.handshakes += 1
            return reply()
        if op in (SUBSCRIBE_UPDATE, SUBSCRIBE_SPOT):
            self.client = sender
            if op == SUBSCRIBE_UPDATE:
                self.update = True
            else:
                self.spot = True
        elif op == DISMISS:
            self.client, self.update, self.spot = None, False, False
        return None


def serve_pending(sock: socket.socket, session: AcSession, sender: AcSender) -> int:
    """Answer every datagram waiting on the non-blocking ``sock``; returns replies sent."""

    def respond(data: bytes, addr: Address) -> list[bytes]:
        answer = session.handle(data, addr, sender.response)
        return [] if answer is None else [answer]

    return answer_pending(sock, respond)


__all__ = [
    "DISMISS",
    "HANDSHAKE",
    "SUBSCRIBE_SPOT",
    "SUBSCRIBE_UPDATE",
    "AcSender",
    "AcSession",
    "default_encoder",
    "operation",
    "serve_pending",
]
