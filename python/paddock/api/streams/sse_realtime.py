"""Pitwall's SSE streams: ``/telemetry/stream``, ``/cues/stream`` and ``/notifications``.

- ``/telemetry/stream`` is ``/api/stream/telemetry`` at Pitwall's path (same events, same
  ``Last-Event-ID`` resume from the ring buffers).
- ``/cues/stream`` sends heartbeats only: live coaching cues arrive with the coaching rules.
- ``/notifications`` sends ``event: risk`` (a risk log entry: a notable cycle or a boundary
  crossing) and ``event: control`` (a runtime transition), each with ``id:`` its number; a
  client reconnecting with ``Last-Event-ID`` first gets those it missed that are still held.

Every stream sends a comment line every 15 s (``PADDOCK_SSE_HEARTBEAT_S``) while nothing else is
sent; a client that falls behind gets ``event: lagged`` with how many messages it lost.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import ServerSentEvent, ServerSentEventMessage

from paddock.api.controllers.cycles import REALTIME_DEPENDENCIES
from paddock.api.runtime import Runtime
from paddock.api.streams.sse import telemetry_events
from paddock.hub import Lagged
from paddock.realtime.notifications import Notification
from paddock.realtime.state import Realtime


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _last_id(request: Request[Any, Any, Any]) -> int | None:
    raw = (request.headers.get("last-event-id") or "").strip()
    return int(raw) if raw.isdigit() else None


def _message(note: Notification) -> ServerSentEventMessage:
    return ServerSentEventMessage(
        data=msgspec.json.encode(note).decode(), event=note.kind, id=note.id
    )


async def notification_events(
    realtime: Realtime, *, last_event_id: int | None, heartbeat_s: float
) -> AsyncIterator[ServerSentEventMessage]:
    """One client's notification stream; ends when the server closes the bus."""
    missed, sub = realtime.notifications.connect(last_event_id)
    try:
        yield ServerSentEventMessage(comment="paddock notifications", retry=2000)
        for note in missed:
            yield _message(note)
        last_sent = time.monotonic()
        while not sub.closed:
            wait = max(0.0, heartbeat_s - (time.monotonic() - last_sent))
            item = await sub.get(timeout_s=wait)
            if item is None:
                if sub.closed:
                    return
                yield ServerSentEventMessage(comment="heartbeat")
            elif isinstance(item, Lagged):
                yield ServerSentEventMessage(
                    data=json.dumps({"dropped": item.dropped}), event="lagged"
                )
            else:
                yield _message(msgspec.json.decode(item, type=Notification))
            last_sent = time.monotonic()
    finally:
        sub.close()


async def heartbeat_events(
    realtime: Realtime, *, heartbeat_s: float
) -> AsyncIterator[ServerSentEventMessage]:
    """Heartbeats until the server shuts down (the cue stream before coaching rules exist)."""
    sub = realtime.bus.subscribe("cues")
    try:
        yield ServerSentEventMessage(comment="paddock cues", retry=2000)
        while not sub.closed:
            item = await sub.get(timeout_s=heartbeat_s)
            if item is None and not sub.closed:
                yield ServerSentEventMessage(comment="heartbeat")
    finally:
        sub.close()


class RealtimeStreamController(Controller):
    """Pitwall's SSE paths."""

    path = "/"
    tags = ["streams"]
    dependencies = REALTIME_DEPENDENCIES

    @get("/telemetry/stream", sync_to_thread=False)
    def telemetry(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        realtime: NamedDependency[Realtime],
        feeds: FromQuery[str | None] = None,
        channels: FromQuery[str | None] = None,
    ) -> ServerSentEvent:
        """Decoded frames as they arrive (``/api/stream/telemetry`` at Pitwall's path)."""
        return ServerSentEvent(
            telemetry_events(
                runtime,
                feeds=_split(feeds),
                channels=_split(channels),
                last_event_id=request.headers.get("last-event-id"),
                heartbeat_s=realtime.config.sse_heartbeat_s,
            )
        )

    @get("/cues/stream", sync_to_thread=False)
    def cues(self, realtime: NamedDependency[Realtime]) -> ServerSentEvent:
        """Live coaching cues; heartbeats only until coaching rules exist."""
        return ServerSentEvent(
            heartbeat_events(realtime, heartbeat_s=realtime.config.sse_heartbeat_s)
        )

    @get("/notifications", sync_to_thread=False)
    def notifications(
        self, request: Request[Any, Any, Any], realtime: NamedDependency[Realtime]
    ) -> ServerSentEvent:
        """Risk log entries and runtime transitions; ``Last-Event-ID`` resumes."""
        return ServerSentEvent(
            notification_events(
                realtime,
                last_event_id=_last_id(request),
                heartbeat_s=realtime.config.sse_heartbeat_s,
            )
        )
