"""What a running server holds: settings, catalog, recorder, hub, feeds and the simulator."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar

from paddock.api.session_services import SessionServices
from paddock.config import Settings
from paddock.hub import Hub
from paddock.sources.base import Feed
from paddock.sources.can_bus import can_feed
from paddock.sources.standings import Standings
from paddock.sources.udp import UdpSource
from paddock.store import registry
from paddock.store.catalog import Catalog
from paddock.store.recordings import Recorder

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """The live objects behind the API."""

    settings: Settings
    catalog: Catalog
    recorder: Recorder
    hub: Hub
    sessions: SessionServices
    simulator: Any = None
    standings: Standings = field(default_factory=Standings)
    started_monotonic: float = field(default_factory=time.monotonic)


def build_feeds(settings: Settings) -> list[Feed]:
    """The feeds ``settings`` configure.

    ``pcars`` binds ``listen:pcars_port`` and tells Project CARS 1 and 2 packets apart by length;
    ``ksudp`` binds a free port on ``listen`` and handshakes with Assetto Corsa at
    ``game_host:ac_port``; ``acc`` binds a free port on ``listen`` and registers with ACC's
    broadcasting interface at ``game_host:acc_port`` with ``acc_password``; ``ttool`` binds
    ``listen:ttool_port`` for the Telemetry Tool plugin, whose layout is not public: it counts
    every datagram undecodable and records it raw. ``can`` reads a python-can bus when a CAN
    channel, DBC or car is configured (see :func:`paddock.sources.can_bus.can_feed`).
    """
    feeds: list[Feed] = [
        UdpSource(
            "pcars",
            "project_cars",
            settings.listen,
            settings.pcars_port,
            ring_capacity=settings.ring_capacity,
        ),
        UdpSource(
            "ksudp",
            "assetto_corsa",
            settings.listen,
            0,
            ring_capacity=settings.ring_capacity,
            peer=(settings.game_host, settings.ac_port),
        ),
        UdpSource(
            "acc",
            "assetto_corsa_competizione",
            settings.listen,
            0,
            ring_capacity=settings.ring_capacity,
            peer=(settings.game_host, settings.acc_port),
            password=settings.acc_password,
        ),
        UdpSource(
            "ttool",
            "telemetry_tool",
            settings.listen,
            settings.ttool_port,
            ring_capacity=settings.ring_capacity,
        ),
    ]
    can = can_feed(settings)
    if can is not None:
        feeds.append(can)
    return feeds


def _start_simulator(settings: Settings, hub: Hub) -> Any:
    """Starts the simulator playing ``settings.sim_game`` against this server's own feed.

    Project CARS sends to the ``pcars`` feed's port; Assetto Corsa binds ``game_host:ac_port``,
    where the ``ksudp`` feed handshakes with it, and ACC ``game_host:acc_port``, where the
    ``acc`` feed registers with ``acc_password``, exactly as with the games.
    """
    from paddock.sources.simulator.runner import Simulator

    if settings.car:
        return _start_can_simulator(settings, hub)
    if settings.sim_game == "assetto_corsa":
        to = (settings.game_host, settings.ac_port)
    elif settings.sim_game == "assetto_corsa_competizione":
        to = (settings.game_host, settings.acc_port)
    else:
        feed = hub.feed("pcars")
        port = getattr(feed, "port", None)
        if feed is None or port is None:
            log.warning("simulator not started: the pcars feed is not listening")
            return None
        host = "127.0.0.1" if settings.listen in ("0.0.0.0", "") else settings.listen
        to = ("::1" if settings.listen == "::" else host, port)
    simulator = Simulator(
        game=settings.sim_game,
        to=to,
        rate_hz=settings.sim_rate_hz,
        lap_seconds=settings.sim_lap_seconds,
        password=settings.acc_password,
    )
    simulator.start_thread()
    log.info("simulator playing %s at %s:%d", settings.sim_game, *to)
    return simulator


def _start_can_simulator(settings: Settings, hub: Hub) -> Any:
    """Starts the CAN simulator: the car ``settings.car`` on the ``can`` feed's bus.

    The simulated car's frames, encoded with the car's DBC, go onto the same python-can
    interface and channel the feed reads (in-process with ``virtual``).
    """
    from paddock.sources.simulator.canbus import DEFAULT_LAP_SECONDS, CanSimulator, bus_factory

    feed = hub.feed("can")
    channel = getattr(feed, "channel", None)
    if feed is None or getattr(feed, "config_error", None):
        log.warning("CAN simulator not started: the can feed is not running")
        return None
    simulator = CanSimulator(
        settings.car or "",
        bus_factory(settings.can_interface, channel, settings.can_bitrate),
        speed=settings.sim_speed,
        lap_seconds=settings.sim_lap_seconds or DEFAULT_LAP_SECONDS,
        data_dir=settings.data_dir,
    )
    simulator.start()
    log.info("CAN simulator: %s on %s %s", settings.car, settings.can_interface, channel)
    return simulator


SUPERVISOR_POLL_S = 0.5
"""How often a server worker checks that the ``paddock serve`` process that started it lives."""


def _watch_supervisor() -> threading.Event | None:
    """Stops this worker gracefully (SIGTERM to itself) once ``paddock serve`` is gone.

    ``paddock serve`` runs the app in a worker process; if the serving process dies without
    stopping it (SIGKILL), the worker would go on serving and recording as an orphan. Active only
    when ``PADDOCK_SUPERVISOR_PID`` names another process than this one. Returns the event that
    ends the watch, or None when there is nothing to watch.
    """
    raw = os.environ.get("PADDOCK_SUPERVISOR_PID", "")
    if not raw.isdigit() or int(raw) == os.getpid() or os.getppid() != int(raw):
        return None
    supervisor = int(raw)
    done = threading.Event()

    def watch() -> None:
        while not done.wait(SUPERVISOR_POLL_S):
            if os.getppid() != supervisor:
                log.warning("paddock serve (pid %d) is gone: stopping this worker", supervisor)
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="paddock-supervisor-watch", daemon=True).start()
    return done


@asynccontextmanager
async def runtime_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Runs the server's live objects for the app's lifetime.

    Opens the catalog, recovers unfinished recordings, starts feeds, hub and simulator; on
    shutdown stops them in reverse and finalises a running recording.
    """
    settings: Settings = app.state.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(settings.catalog_path)
    recorder = Recorder(
        catalog,
        settings.recordings_dir,
        segment_bytes=(
            int(settings.recording_segment_mb * (1 << 20))
            if settings.recording_segment_mb
            else None
        ),
        segment_s=settings.recording_segment_s,
        protection_s=settings.recording_protection_s,
    )
    recovered = recorder.recover_unfinished()
    if recovered:
        log.warning("recovered %d unfinished recording(s): %s", len(recovered), recovered)
    registry.seed(catalog)
    hub = Hub(build_feeds(settings))
    standings = Standings()
    hub.add_sink(recorder.on_batch)
    hub.add_sink(standings.on_batch)
    feed_units = {f.name: units for f in hub.feeds.values() if (units := getattr(f, "units", None))}
    hub.add_sink(registry.SeenSignals(catalog, feed_units).on_batch)
    await hub.start()
    sessions = SessionServices.open(
        catalog,
        settings.data_dir,
        hub.feeds,
        active_recording=lambda: active.id if (active := recorder.active) else None,
    )
    await sessions.start()
    runtime = Runtime(
        settings=settings,
        catalog=catalog,
        recorder=recorder,
        hub=hub,
        sessions=sessions,
        standings=standings,
    )
    app.state.runtime = runtime
    if settings.simulate:
        runtime.simulator = _start_simulator(settings, hub)
    watch = _watch_supervisor()
    try:
        yield
    finally:
        if watch is not None:
            watch.set()
        if runtime.simulator is not None:
            try:
                runtime.simulator.stop()
            except Exception:
                log.exception("the simulator ended with an error")
        await sessions.stop()
        await hub.stop()
        if recorder.active is not None:
            recorder.stop()
        catalog.close()
