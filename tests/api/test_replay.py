"""Replay in-process: a recording as the source, live CAN readers stopped first, the hub's view."""

from __future__ import annotations

import socket
from typing import Any

import polars as pl
import pytest
from litestar.testing import AsyncTestClient

from paddock._native import RingBuffer
from paddock.sources.base import FeedBatch, FeedStatus, RingFeed
from tests.api.conftest import wait_for
from tests.api.packets import telemetry


class CanBusFeed(RingFeed):
    """A feed of kind ``can`` with nothing on its bus: what a replay must stop first."""

    kind = "can"
    protocol = "can"

    def __init__(self) -> None:
        self.name = "can0"
        self.state = "receiving"
        self._ring = RingBuffer(16)

    def start(self) -> None:
        self.state = "receiving"

    def stop(self) -> None:
        self.state = "stopped"

    def status(self) -> FeedStatus:
        return FeedStatus(name=self.name, kind=self.kind, protocol=self.protocol, state=self.state)

    def drain(self) -> FeedBatch:
        empty = self._ring.last(0)
        return FeedBatch(self.name, self.protocol, empty, empty)


async def test_replays_a_recording_after_stopping_can_readers(
    client: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    runtime = client.app.state.runtime
    pcars = runtime.hub.feed("pcars")
    recording = (await client.post("/api/recordings", json={"name": "source"})).json()
    for n in range(20):
        udp_sender.sendto(telemetry(n, speed_ms=20.0 + n, gear=2), ("127.0.0.1", pcars.port))
    await wait_for(lambda: pcars.status().packets == 20)
    await wait_for(lambda: runtime.recorder.active.snapshot()["feeds"])
    await wait_for(lambda: runtime.recorder.active.snapshot()["feeds"][0]["frames"] == 20)
    # Not while it is being written.
    busy = await client.post("/api/replay/start", json={"source_session_id": recording["id"]})
    assert busy.status_code == 409, busy.text
    await client.post(f"/api/recordings/{recording['id']}/stop")

    can = CanBusFeed()
    runtime.hub.add_feed(can)
    subscription = runtime.hub.subscribe()
    started = await client.post(
        "/api/replay/start", json={"source_session_id": recording["id"], "speed": 20.0}
    )
    assert started.status_code == 200, started.text
    assert started.json()["stopped_feeds"] == ["can0"]
    assert can.state == "stopped"
    assert started.json()["total_frames"] == 20

    replayed: list[pl.DataFrame] = []
    while sum(f.height for f in replayed) < 20:
        item = await subscription.get(timeout_s=10)
        assert item is not None
        if isinstance(item, FeedBatch) and item.feed == "replay" and item.frames.num_rows:
            assert item.protocol == "replay"
            replayed.append(pl.DataFrame(item.frames))
    subscription.close()
    frames = pl.concat(replayed)
    assert frames["speed_kmh"].to_list() == pytest.approx([(20.0 + n) * 3.6 for n in range(20)])
    assert frames["gear"].to_list() == [2] * 20
    assert frames["ts_ns"].is_sorted()
    # Stamped when re-published, like live frames.
    assert frames["ts_ns"][0] > recording["started_ns"]
    realtime = client.app.state.realtime
    await wait_for(lambda: not realtime.replay.running)
    assert (await client.get("/session/replay/status")).json() == {"running": False}
