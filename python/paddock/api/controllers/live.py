"""Live state and metadata.

``/api/live``, ``/api/games``, ``/api/use-cases``, ``/api/health`` and ``/api/channels``.
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from paddock._native import __version__, build_profile
from paddock.api.frames import last_row
from paddock.api.runtime import Runtime
from paddock.api.schemas.live import (
    CanHealth,
    CarStanding,
    FeedLive,
    Game,
    Health,
    Inputs,
    Live,
    UseCase,
)
from paddock.channels import ChannelInfo, registry
from paddock.exceptions import InvalidArgument, NotFound
from paddock.games import GAMES, USE_CASES
from paddock.sources.can_bus import CanSource
from paddock.sources.standings import Standings


def _num(row: dict[str, Any], name: str) -> Any:
    return row.get(name)


def can_health(runtime: Runtime) -> CanHealth | None:
    """The CAN feed's connection, frame rate and total (None when CAN is off)."""
    feed = runtime.hub.feed("can")
    if not isinstance(feed, CanSource):
        return None
    counters = feed.counters()
    return CanHealth(
        connected=counters.connected_since_ns is not None,
        fps=round(feed.rate_hz(), 2),
        frames_total=counters.frames,
    )


class LiveController(Controller):
    """What is live now."""

    path = "/api"
    tags = ["live"]

    @get("/live", sync_to_thread=False)
    def live(self, runtime: NamedDependency[Runtime]) -> Live:
        """Every feed: health, frequency, counters, speed, rpm, gear, inputs and lap timing."""
        feeds = []
        for feed in runtime.hub.feeds.values():
            status = feed.status()
            row = last_row(feed.latest()) if status.ring_rows else {}
            feeds.append(
                FeedLive(
                    name=status.name,
                    kind=status.kind,
                    protocol=status.protocol,
                    health=status.state,
                    reason=status.reason,
                    frequency_hz=round(status.rate_hz, 2),
                    bind=status.bind,
                    port=status.port,
                    packets=status.packets,
                    bytes=status.bytes,
                    decode_errors=status.decode_errors,
                    last_error=status.last_error,
                    drops=status.drops,
                    last_packet_ns=status.last_packet_ns,
                    kernel_drops=status.kernel_drops,
                    ring_rows=status.ring_rows,
                    ring_capacity=status.ring_capacity,
                    ring_evicted=status.ring_dropped,
                    detected_format=status.detected_format,
                    speed_kmh=_num(row, "speed_kmh"),
                    rpm=_num(row, "rpm"),
                    gear=_num(row, "gear"),
                    inputs=Inputs(
                        throttle=_num(row, "throttle"),
                        brake=_num(row, "brake"),
                        clutch=_num(row, "clutch"),
                        steer=_num(row, "steer"),
                    ),
                    lap=_num(row, "lap"),
                    lap_time_s=_num(row, "lap_time_s"),
                    last_lap_s=_num(row, "last_lap_s"),
                    best_lap_s=_num(row, "best_lap_s"),
                    sector=_num(row, "sector"),
                )
            )
        active = runtime.recorder.active
        return Live(
            timestamp_ns=time.time_ns(),
            feeds=feeds,
            recording_id=active.id if active is not None else None,
        )

    @get("/live/{feed:str}/cars", sync_to_thread=False)
    def cars(self, runtime: NamedDependency[Runtime], feed: FromPath[str]) -> list[CarStanding]:
        """Every car of a feed that reports the whole field (ACC), in race order.

        Raises:
            NotFound: No feed ``feed``.
            InvalidArgument: The feed's protocol reports one car only.
        """
        source = runtime.hub.feed(feed)
        if source is None:
            raise NotFound(f"no feed {feed!r}")
        if source.protocol not in Standings.PROTOCOLS:
            raise InvalidArgument(
                f"feed {feed!r} speaks {source.protocol}, which reports one car only"
            )
        return [CarStanding(**car) for car in runtime.standings.cars(feed)]

    @get("/games", sync_to_thread=False)
    def games(self, runtime: NamedDependency[Runtime]) -> list[Game]:
        """The supported games, with the port each feed listens on."""
        return [
            Game(
                id=g.id,
                name=g.name,
                protocol=g.protocol,
                port={
                    "pcars": runtime.settings.pcars_port,
                    "ksudp": runtime.settings.ac_port,
                    "acc": runtime.settings.acc_port,
                }.get(g.feed, g.default_port),
                transport=g.transport,
                live=g.live,
                simulated=g.simulated,
            )
            for g in GAMES
        ]

    @get("/use-cases", sync_to_thread=False)
    def use_cases(self) -> list[UseCase]:
        """The analysis use cases a session can be created for."""
        return [UseCase(id=i, name=n, description=d) for i, n, d in USE_CASES]

    @get("/channels", sync_to_thread=False)
    def channels(self) -> list[ChannelInfo]:
        """The channel registry: every channel with unit, range and description."""
        return list(registry())

    @get("/health", sync_to_thread=False)
    def health(self, runtime: NamedDependency[Runtime]) -> Health:
        """Liveness and a summary of the feeds."""
        statuses = runtime.hub.statuses()
        return Health(
            status="ok",
            version=__version__,
            build_profile=build_profile,
            uptime_s=round(time.monotonic() - runtime.started_monotonic, 3),
            feeds={s.name: s.state for s in statuses},
            recording=runtime.recorder.active is not None,
            data_dir=str(runtime.settings.data_dir),
            subscribers=runtime.hub.subscriber_count,
            can=can_health(runtime),
        )
