"""``GET /api/stream/telemetry``: decoded frames as Server-Sent Events.

Each event is ``event: telemetry`` with ``data: {"feed": ..., "frames": [...]}`` (every frame the
hub drained in one pass, as row objects) and ``id:`` the newest ``ts_ns`` in it; each batch is
encoded once for every client asking for the same channels. A comment line is sent every
``heartbeat_s`` (15 s, ``--sse-heartbeat-s``) while nothing else is. A client that reconnects
with ``Last-Event-ID`` first gets the frames after that ``ts_ns`` that the ring buffers still
hold. A client that falls behind gets ``event: lagged`` with the number of batches it lost.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import ServerSentEvent, ServerSentEventMessage

from paddock._native import Batch
from paddock.api.frames import frame_frame, rows_json
from paddock.api.runtime import Runtime
from paddock.hub import Lagged
from paddock.sources.base import FeedBatch

HEARTBEAT_S = 15.0


def _event(feed: str, batch: Batch, channels: Sequence[str] | None) -> ServerSentEventMessage:
    df = frame_frame(batch, channels)
    last_ts = int(df["ts_ns"][-1]) if df.height else 0
    data = f'{{"feed":{json.dumps(feed)},"frames":{rows_json(df)}}}'
    return ServerSentEventMessage(data=data, event="telemetry", id=last_ts)


def _shared_event(batch: FeedBatch, channels: Sequence[str] | None) -> ServerSentEventMessage:
    """The batch's event, encoded once for every client asking for the same channels."""
    key = ("sse", tuple(channels) if channels else None)
    return batch.encoded(key, lambda b: _event(b.feed, b.frames, channels))


async def telemetry_events(
    runtime: Runtime,
    *,
    feeds: Sequence[str] | None,
    channels: Sequence[str] | None,
    last_event_id: str | None,
    heartbeat_s: float = HEARTBEAT_S,
) -> AsyncIterator[ServerSentEventMessage]:
    """The event stream of one client; ends when the hub closes the subscription."""
    wanted = set(feeds) if feeds else None
    sub = runtime.hub.subscribe()
    try:
        yield ServerSentEventMessage(comment="paddock telemetry stream", retry=2000)
        if last_event_id and last_event_id.strip().lstrip("-").isdigit():
            since_ns = int(last_event_id)
            for name, feed in runtime.hub.feeds.items():
                if wanted is None or name in wanted:
                    missed = feed.since(since_ns)
                    if missed.num_rows:
                        yield _event(name, missed, channels)
        last_sent = time.monotonic()
        while not sub.closed:
            wait = max(0.0, heartbeat_s - (time.monotonic() - last_sent))
            item = await sub.get(timeout_s=wait)
            if item is None:
                if not sub.closed:
                    yield ServerSentEventMessage(comment="heartbeat")
                    last_sent = time.monotonic()
                continue
            if isinstance(item, Lagged):
                yield ServerSentEventMessage(
                    data=json.dumps({"dropped_batches": item.dropped}), event="lagged"
                )
            elif (wanted is None or item.feed in wanted) and item.frames.num_rows:
                yield _shared_event(item, channels)
            else:
                continue
            last_sent = time.monotonic()
    finally:
        sub.close()


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


class StreamController(Controller):
    """Server-Sent Event streams."""

    path = "/api/stream"
    tags = ["streams"]

    @get("/telemetry", sync_to_thread=False)
    def telemetry(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        feeds: FromQuery[str | None] = None,
        channels: FromQuery[str | None] = None,
    ) -> ServerSentEvent:
        """Decoded frames as they arrive.

        ``feeds`` and ``channels`` (comma-separated) narrow the stream; ``Last-Event-ID``
        resumes from the ring buffer.
        """
        return ServerSentEvent(
            telemetry_events(
                runtime,
                feeds=_split(feeds),
                channels=_split(channels),
                last_event_id=request.headers.get("last-event-id"),
                heartbeat_s=runtime.settings.sse_heartbeat_s,
            )
        )
