"""``WS /ws/live``: every feed's frames as Arrow IPC stream messages, for live charts.

The first message (binary) is the schema: ``feed``, ``ts_ns``, ``t_s`` and the canonical channels
(or those named in ``channels``). Then record batches as frames arrive, at most ``rate_hz`` a
second (20 by default, ``PADDOCK_LIVE_RATE_HZ``): the first frames after a quiet spell go at
once, later ones are gathered into one batch until the next send is due; nothing is sent while
nothing arrives. Each hub batch is encoded once for every client with the same columns.
With ``history_s``, the frames of the last ``history_s`` seconds still in each feed's ring buffer
come first (one batch per feed), followed by the notice ``{"type": "history", "rows": n}``; live
batches then start after the newest of them, with no row sent twice.
Concatenated, the binary messages are one valid Arrow IPC stream. Text messages are notices:
``{"type": "lagged", "dropped": n}`` when the client fell behind and lost ``n`` of the hub's
batches. A bad query closes the socket with code 1008 and the reason.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import polars as pl
from litestar import WebSocket, websocket
from litestar.di import NamedDependency
from litestar.params import FromQuery

from paddock.api.arrow_ipc import (
    LiveEncoder,
    batch_message,
    conform,
    live_schema,
    schema_message,
)
from paddock.api.controllers.cycles import REALTIME_DEPENDENCIES
from paddock.api.runtime import Runtime
from paddock.api.streams._tasks import close_going_away, until_first_done
from paddock.hub import Lagged
from paddock.realtime.state import Realtime
from paddock.sources.base import FeedBatch

CLOSE_POLICY = 1008
MAX_HISTORY_S = 3600.0
"""The longest history a client may ask for (the ring buffers hold less by default)."""


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


@websocket("/ws/live", dependencies=REALTIME_DEPENDENCIES)
async def live_socket(
    socket: WebSocket[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    realtime: NamedDependency[Realtime],
    feeds: FromQuery[str | None] = None,
    channels: FromQuery[str | None] = None,
    rate_hz: FromQuery[float | None] = None,
    history_s: FromQuery[float | None] = None,
) -> None:
    """Streams the schema, the ring buffers' last ``history_s`` seconds, then record batches."""
    await socket.accept()
    rate = realtime.config.live_rate_hz if rate_hz is None else rate_hz
    if not 0 < rate <= 1000:
        await socket.close(code=CLOSE_POLICY, reason=f"rate_hz must be in (0, 1000], got {rate}")
        return
    if history_s is not None and not 0 < history_s <= MAX_HISTORY_S:
        await socket.close(
            code=CLOSE_POLICY, reason=f"history_s must be in (0, {MAX_HISTORY_S}], got {history_s}"
        )
        return
    try:
        schema = live_schema(_split(channels))
    except ValueError as exc:
        await socket.close(code=CLOSE_POLICY, reason=str(exc)[:120])
        return
    wanted = set(_split(feeds) or runtime.hub.feeds)
    subscription = runtime.hub.subscribe(maxsize=realtime.config.client_queue)

    key = tuple(schema)
    loop = asyncio.get_running_loop()

    def conformed(batch: FeedBatch) -> pl.DataFrame:
        return batch.encoded(("arrow", key), lambda b: conform(b.feed, b.frames, schema))

    encoder = LiveEncoder(schema)

    def message(batch: FeedBatch) -> bytes:
        return batch.encoded(("arrow-ipc", key), lambda b: encoder.message([(b.feed, b.frames)]))

    # Per feed, the newest row the history sent: live rows up to it were sent already.
    sent_until: dict[str, int] = {}

    async def send_history(seconds: float) -> None:
        since = time.time_ns() - int(seconds * 1e9)
        rows = 0
        for name in sorted(wanted):
            feed = runtime.hub.feed(name)
            if feed is None:
                continue
            frames = conform(name, feed.since(since), schema)
            if frames.height:
                rows += frames.height
                sent_until[name] = int(frames["ts_ns"].max())  # type: ignore[arg-type]
                await socket.send_bytes(batch_message(frames))
        await socket.send_text(json.dumps({"type": "history", "rows": rows}))

    def unsent(batch: FeedBatch) -> pl.DataFrame:
        frames = conformed(batch)
        until = sent_until.get(batch.feed)
        if until is None:
            return frames
        fresh = frames.filter(pl.col("ts_ns") > until)
        if fresh.height == frames.height:
            del sent_until[batch.feed]
        return fresh

    async def forward() -> None:
        await socket.send_bytes(schema_message(schema))
        if history_s is not None:
            await send_history(history_s)
        next_send = 0.0
        while not subscription.closed:
            first = await subscription.get()
            if first is None:
                continue
            # At most ``rate`` messages a second; the first after a quiet spell goes at once.
            if (wait := next_send - loop.time()) > 0:
                await asyncio.sleep(wait)
            batches: list[FeedBatch] = []
            dropped = 0
            item: FeedBatch | Lagged | None = first
            while item is not None:
                if isinstance(item, Lagged):
                    dropped += item.dropped
                elif item.feed in wanted and item.frames.num_rows:
                    batches.append(item)
                item = await subscription.get(timeout_s=0)
            if dropped:
                await socket.send_text(json.dumps({"type": "lagged", "dropped": dropped}))
            if len(batches) == 1 and batches[0].feed not in sent_until:
                await socket.send_bytes(message(batches[0]))
            elif batches and not any(b.feed in sent_until for b in batches):
                await socket.send_bytes(encoder.message([(b.feed, b.frames) for b in batches]))
            elif batches:
                frames = pl.concat([unsent(b) for b in batches], how="vertical")
                if frames.height:
                    await socket.send_bytes(batch_message(frames))
            if batches or dropped:
                next_send = loop.time() + 1.0 / rate

    async def receive() -> None:
        while True:
            await socket.receive_data(mode="text")

    tasks = [asyncio.create_task(forward()), asyncio.create_task(receive())]
    try:
        await until_first_done(tasks)
        if subscription.closed:
            await close_going_away(socket)
    finally:
        subscription.close()
