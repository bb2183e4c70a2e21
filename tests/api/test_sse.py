from __future__ import annotations

import json
import socket
from typing import Any

import polars as pl
from litestar.testing import AsyncTestClient

from paddock.api.streams.sse import telemetry_events
from tests.api.conftest import wait_for
from tests.api.packets import telemetry, timings


async def test_resume_from_last_event_id_then_live_then_heartbeat(
    client: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    runtime = client.app.state.runtime
    feed = runtime.hub.feed("pcars")
    for n in range(10):
        udp_sender.sendto(timings(2 * n, lap=1, lap_time_s=n / 60), ("127.0.0.1", feed.port))
        udp_sender.sendto(telemetry(2 * n + 1, speed_ms=10.0 + n), ("127.0.0.1", feed.port))
    await wait_for(lambda: feed.status().packets == 20)
    # Publish what the feed holds now, so the new subscriber sees only what comes after.
    await runtime.hub.drain_once()
    ring = pl.DataFrame(feed.last(10))
    resume_after = int(ring["ts_ns"][6])

    events = telemetry_events(
        runtime,
        feeds=None,
        channels=["speed_kmh"],
        last_event_id=str(resume_after),
        heartbeat_s=0.2,
    )
    opening = await anext(events)
    assert opening.comment
    missed = await anext(events)
    assert missed.event == "telemetry"
    body = json.loads(str(missed.data))
    assert body["feed"] == "pcars"
    assert [f["speed_kmh"] for f in body["frames"]] == [17 * 3.6, 18 * 3.6, 19 * 3.6]
    assert set(body["frames"][0]) == {"ts_ns", "t_s", "speed_kmh"}
    assert int(str(missed.id)) == body["frames"][-1]["ts_ns"]

    # Nothing new: a heartbeat comment follows; then a new packet arrives live.
    heartbeat = await anext(events)
    assert heartbeat.comment == "heartbeat"
    udp_sender.sendto(telemetry(99, speed_ms=30.0), ("127.0.0.1", feed.port))
    live = None
    for _ in range(20):
        message = await anext(events)
        if message.event == "telemetry":
            live = json.loads(str(message.data))
            break
    assert live is not None
    assert live["frames"][-1]["speed_kmh"] == 108.0
    await events.aclose()
    assert runtime.hub.subscriber_count == 0
