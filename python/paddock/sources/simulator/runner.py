"""Run the simulator: drive laps and send the game's packets over UDP, paced in real time."""

from __future__ import annotations

import importlib
import json
import random
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from paddock.games import SIMULATED_GAMES
from paddock.sources.simulator import ac as ac_side
from paddock.sources.simulator import acc as acc_side
from paddock.sources.simulator.car import Car
from paddock.sources.simulator.driver import Driver
from paddock.sources.simulator.layouts import load_track
from paddock.sources.simulator.pacing import RunThread, paced_ticks, tick_limits
from paddock.sources.simulator.pcars1 import Pcars1Sender
from paddock.sources.simulator.pcars2 import Pcars2Sender
from paddock.sources.simulator.pcars2_wire import Encode, Packet
from paddock.sources.simulator.profile import SpeedProfile, compute_profile, fit_lap_time
from paddock.sources.simulator.track import Track

SUPPORTED_GAMES = SIMULATED_GAMES
"""Games the simulator can emit."""

SERVER_GAMES = ("assetto_corsa", "assetto_corsa_competizione")
"""Games that bind an address and stream to the clients that speak to them first."""


@dataclass(frozen=True, slots=True)
class RunStats:
    """What one :meth:`Simulator.run` sent.

    Attributes:
        ticks: Simulated ticks.
        datagrams: Datagrams sent successfully.
        bytes_sent: Bytes in those datagrams.
        send_errors: Datagrams the socket refused (e.g. no route); they are counted, not raised.
        laps_completed: Laps completed since the simulator was created.

    """

    ticks: int
    datagrams: int
    bytes_sent: int
    send_errors: int
    laps_completed: int


GAME_NAMES = {
    "project_cars_2": "Project CARS 2",
    "project_cars_1": "Project CARS 1",
    "assetto_corsa": "Assetto Corsa",
    "assetto_corsa_competizione": "Assetto Corsa Competizione",
}
"""Display name of each supported game."""


def _native_encoder(game: str) -> Encode:
    """Return ``encode`` of ``game``'s protocol module.

    Raises:
        ImportError: If the encoder module is not available (extension not built).

    """
    name = "paddock.protocols." + ("pcars1" if game == "project_cars_1" else "pcars2")
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"the {GAME_NAMES.get(game, game)} encoder ({name}) is not available; "
            "build the extension with `just dev` or pass encode="
        ) from exc
    return cast(Encode, module.encode)


def pcars1_encoder() -> Encode:
    """Return ``paddock.protocols.pcars1.encode``, the native Project CARS 1 encoder.

    Raises:
        ImportError: If the encoder module is not available (extension not built).

    """
    return _native_encoder("project_cars_1")


def default_encoder() -> Encode:
    """Return ``paddock.protocols.pcars2.encode``, the native Project CARS 2 encoder.

    Raises:
        ImportError: If the encoder module is not available (extension not built).

    """
    return _native_encoder("project_cars_2")


class Simulator:
    """A car lapping a track that emits a game's UDP telemetry.

    Args:
        game: Wire format to emit: ``"project_cars_2"``, ``"project_cars_1"``,
            ``"assetto_corsa"`` or ``"assetto_corsa_competizione"`` (for the last two the
            simulator binds ``to`` and answers handshakes or registrations, as the games do).
        to: ``(host, port)`` to send the datagrams to (the address to bind, for AC and ACC).
        rate_hz: Ticks per second (telemetry and timings packets are sent every tick).
        lap_seconds: Scale the track so a lap takes about this long; ``None`` keeps its size.
        track: A :class:`Track`, a bundled track name, a TUM FTM CSV path, or ``None`` for
            ``paddock_park``.
        seed: Seeds the weather (air and track temperature); laps are deterministic.
        encode: Packet encoder; defaults to ``paddock.protocols.pcars2.encode``.
        realtime: Pace ticks with the wall clock; ``False`` sends as fast as possible.
        car: The car; defaults to the built-in GT car.
        driver_name: Name sent in the participants packet.
        password: ACC's connection password registrations must carry (empty: none).

    Raises:
        ValueError: For an unknown game, a bad rate, lap time or track.
        ImportError: If no encoder is given and the native encoder is not built.

    """

    def __init__(
        self,
        game: str = "project_cars_2",
        to: tuple[str, int] = ("127.0.0.1", 5606),
        rate_hz: float = 60.0,
        lap_seconds: float | None = None,
        track: Track | str | Path | None = None,
        seed: int = 0,
        encode: Callable[[Packet], bytes] | None = None,
        *,
        realtime: bool = True,
        car: Car | None = None,
        driver_name: str = "Paddock Driver",
        password: str = "",
    ) -> None:
        if game not in SUPPORTED_GAMES:
            known = ", ".join(SUPPORTED_GAMES)
            raise ValueError(f"unknown game {game!r}; known games: {known}")
        if not (0.0 < rate_hz <= 1000.0):
            raise ValueError(f"rate must be in (0, 1000] Hz, got {rate_hz}")
        self.game = game
        self.to = to
        self.rate_hz = rate_hz
        self.realtime = realtime
        self.lap_seconds = lap_seconds
        self.car = car or Car()
        base = load_track(track)
        if lap_seconds is None:
            self.track = base
            self.profile: SpeedProfile = compute_profile(base, self.car)
        else:
            self.track, self.profile = fit_lap_time(base, self.car, lap_seconds)
        weather = random.Random(seed)
        self.ambient_c = float(weather.randint(15, 28))
        self.track_temp_c = self.ambient_c + float(weather.randint(4, 14))
        self.driver = Driver(self.profile, rate_hz=rate_hz, ambient_c=self.ambient_c)
        # Assetto Corsa and ACC are servers: they bind ``to`` and stream to whoever subscribes
        # or registers; the Project CARS sender then only steps the car (its packets are not
        # sent).
        self.ac_sender: ac_side.AcSender | None = None
        self.ac_session = ac_side.AcSession()
        self.acc_sender: acc_side.AccSender | None = None
        self.acc_session = acc_side.AccSession(password=password)
        self._acc_decode: acc_side.Decode | None = None
        self._acc_next_update_s = 0.0
        sender: type[Pcars1Sender] | type[Pcars2Sender] = Pcars2Sender
        if game == "assetto_corsa_competizione":
            acc_encode, self._acc_decode = acc_side.default_codec()
            self.acc_sender = acc_side.AccSender(
                encode or acc_encode,
                track=self.track,
                car=self.car,
                profile=self.profile,
                driver_name=driver_name,
                ambient_c=self.ambient_c,
                track_temp_c=self.track_temp_c,
            )
            pcars_encode: Callable[[Packet], bytes] = lambda packet: b""  # noqa: E731
        elif game == "assetto_corsa":
            self.ac_sender = ac_side.AcSender(
                encode or ac_side.default_encoder(),
                track=self.track,
                car=self.car,
                driver_name=driver_name,
            )
            pcars_encode = lambda packet: b""  # noqa: E731
        elif game == "project_cars_1":
            sender = Pcars1Sender
            pcars_encode = encode or pcars1_encoder()
        else:
            pcars_encode = encode or default_encoder()
        self.sender: Pcars1Sender | Pcars2Sender = sender(
            pcars_encode,
            track=self.track,
            car=self.car,
            driver_name=driver_name,
            ambient_c=self.ambient_c,
            track_temp_c=self.track_temp_c,
        )
        self._stop = threading.Event()
        self._thread = RunThread("paddock-simulator")
        self.last_stats: RunStats | None = None

    @property
    def lap_time_s(self) -> float:
        """The simulated lap time, seconds."""
        return self.profile.lap_time_s

    def describe(self) -> str:
        """One line saying what is sent where."""
        host, port = self.to
        name = GAME_NAMES[self.game]
        where = {
            "assetto_corsa": f"{name} (answering handshakes on {host}:{port})",
            "assetto_corsa_competizione": f"{name} (answering registrations on {host}:{port})",
        }.get(self.game, f"{name} UDP to {host}:{port}")
        return (
            f"simulating {where} at {self.rate_hz:g} Hz: "
            f"{self.track.display_name} ({self.track.length_m:.0f} m, "
            f"lap {self.lap_time_s:.2f} s, scale {self.track.scale:.3g})"
        )

    def run(
        self,
        *,
        duration_s: float | None = None,
        laps: int | None = None,
        stop: threading.Event | None = None,
    ) -> RunStats:
        """Send ticks until ``duration_s`` of simulated time, ``laps`` more laps, or a stop.

        With neither ``duration_s`` nor ``laps`` it runs until :meth:`stop` is called or
        ``stop`` is set (a :meth:`stop` holds until the next :meth:`start_thread`). Real-time
        pacing sends at most ``MAX_BURST_TICKS`` ticks back to back when late and skips the rest
        of the backlog, so a stall never becomes a burst.

        Raises:
            ValueError: If ``duration_s`` or ``laps`` is negative.

        """
        max_ticks, lap_goal = tick_limits(
            duration_s, laps, rate_hz=self.rate_hz, completed_laps=self.driver.completed_laps
        )
        ticks = datagrams = sent_bytes = errors = 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            if self.game in SERVER_GAMES:
                sock.bind(self.to)
                sock.setblocking(False)
            for _ in paced_ticks(
                max_ticks=max_ticks,
                lap_goal=lap_goal,
                completed_laps=lambda: self.driver.completed_laps,
                period_s=1.0 / self.rate_hz,
                realtime=self.realtime,
                stopping=self._stop,
                stop=stop,
            ):
                for datagram, to in self._tick(sock):
                    try:
                        sock.sendto(datagram, to)
                    except OSError:
                        errors += 1
                        continue
                    datagrams += 1
                    sent_bytes += len(datagram)
                ticks += 1
        self.last_stats = RunStats(ticks, datagrams, sent_bytes, errors, self.driver.completed_laps)
        return self.last_stats

    def _tick(self, sock: socket.socket) -> list[tuple[bytes, tuple[str, int]]]:
        """Step the car once; the datagrams of the tick and where each goes."""
        if self.acc_sender is not None:
            return self._acc_tick(sock, self.acc_sender)
        if self.ac_sender is None:
            return [(d, self.to) for d in self.sender.datagrams(self.driver.step())]
        ac_side.serve_pending(sock, self.ac_session, self.ac_sender)
        laps_before = self.driver.completed_laps
        state = self.driver.step()
        session = self.ac_session
        if session.client is None:
            return []
        out = []
        if session.update:
            out.append((self.ac_sender.car_info(state), session.client))
        if session.spot and self.driver.completed_laps > laps_before:
            out.append((self.ac_sender.lap(state), session.client))
        return out

    def _acc_tick(
        self, sock: socket.socket, acc: acc_side.AccSender
    ) -> list[tuple[bytes, tuple[str, int]]]:
        """ACC: answer registrations, step, and stream at the interval the client asked for."""
        session = self.acc_session
        if self._acc_decode is not None:
            acc_side.serve_pending(sock, session, acc, self._acc_decode)
        laps_before = self.driver.completed_laps
        state = self.driver.step()
        client = session.client
        if client is None:
            return []
        out = []
        if state.time_s + 1e-9 >= self._acc_next_update_s:
            self._acc_next_update_s = state.time_s + session.interval_s
            out.extend(acc.updates(state))
        if self.driver.completed_laps > laps_before:
            out.extend(acc.lap_events(state))
        return [(d, client) for d in out]

    def start_thread(
        self, *, duration_s: float | None = None, laps: int | None = None
    ) -> threading.Thread:
        """Run in a daemon thread beside a server; :meth:`stop` ends and joins it.

        Raises:
            RuntimeError: If the simulator is already running in a thread.

        """
        if self._thread.alive:
            raise RuntimeError("the simulator is already running")
        self._stop.clear()
        return self._thread.start(lambda: self.run(duration_s=duration_s, laps=laps))

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop a running :meth:`run` (thread or not) and join the thread if there is one.

        Raises:
            BaseException: Whatever ended the simulator thread with an error.

        """
        self._stop.set()
        self._thread.join(timeout_s)

    def ground_truth(self) -> dict[str, Any]:
        """Return the driver's ground truth (see :meth:`Driver.ground_truth`), game and target."""
        truth = {"game": self.game, "target_lap_seconds": self.lap_seconds}
        truth.update(self.driver.ground_truth())
        return truth

    def write_ground_truth(self, path: str | Path) -> None:
        """Write :meth:`ground_truth` as indented JSON to ``path``."""
        Path(path).write_text(json.dumps(self.ground_truth(), indent=2) + "\n", encoding="utf-8")
