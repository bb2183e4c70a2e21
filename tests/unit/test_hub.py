from __future__ import annotations

import asyncio
import socket

import polars as pl
import pyarrow as pa

from paddock.hub import Hub, Lagged, Subscription
from paddock.sources.base import Feed, FeedBatch, FeedStatus
from paddock.sources.udp import UdpSource
from tests.api.packets import telemetry


def _batch(n: int) -> pa.RecordBatch:
    return pa.record_batch({"ts_ns": pa.array(range(n), pa.int64())})


class FakeFeed(Feed):
    kind = "fake"
    protocol = "fake"

    def __init__(self, name: str, batches: list[int]) -> None:
        self.name = name
        self.pending = list(batches)
        self.started = self.stopped = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True

    def status(self) -> FeedStatus:
        return FeedStatus(name=self.name, kind=self.kind, protocol=self.protocol, state="receiving")

    def drain(self) -> FeedBatch:
        n = self.pending.pop(0) if self.pending else 0
        return FeedBatch(self.name, self.protocol, _batch(n), _batch(n))  # type: ignore[arg-type]

    def latest(self):  # type: ignore[no-untyped-def]
        return _batch(0)

    def since(self, t_ns: int):  # type: ignore[no-untyped-def]
        return _batch(0)

    def last(self, n: int):  # type: ignore[no-untyped-def]
        return _batch(0)


async def test_sinks_and_subscribers_get_every_batch_in_order() -> None:
    feed = FakeFeed("a", [3, 0, 2])
    hub = Hub([feed], poll_interval_s=0.01)
    seen: list[int] = []

    async def sink(batch: FeedBatch) -> None:
        seen.append(batch.frames.num_rows)

    hub.add_sink(sink)
    sub = hub.subscribe()
    await hub.start()
    assert feed.started
    first = await sub.get(timeout_s=2)
    second = await sub.get(timeout_s=2)
    await hub.stop()
    assert feed.stopped
    assert seen == [3, 2]
    assert isinstance(first, FeedBatch) and first.frames.num_rows == 3
    assert isinstance(second, FeedBatch) and second.frames.num_rows == 2
    assert sub.closed and hub.subscriber_count == 0


async def test_a_slow_subscriber_loses_the_oldest_and_is_told() -> None:
    hub = Hub([], poll_interval_s=0.01)
    sub = hub.subscribe(maxsize=2)
    for n in range(1, 6):
        await hub.publish(FeedBatch("a", "fake", _batch(n), _batch(n)))  # type: ignore[arg-type]
    notice = await sub.get(timeout_s=0)
    assert notice == Lagged(3)
    rest = [await sub.get(timeout_s=0) for _ in range(2)]
    assert [b.frames.num_rows for b in rest if isinstance(b, FeedBatch)] == [4, 5]
    assert await sub.get(timeout_s=0.01) is None
    sub.close()


async def test_a_failing_sink_does_not_stop_the_others() -> None:
    hub = Hub([], poll_interval_s=0.01)
    got: list[int] = []

    async def broken(batch: FeedBatch) -> None:
        raise RuntimeError("disk full")

    async def fine(batch: FeedBatch) -> None:
        got.append(batch.frames.num_rows)

    hub.add_sink(broken)
    hub.add_sink(fine)
    await hub.publish(FeedBatch("a", "fake", _batch(1), _batch(1)))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert got == [1]


async def _next_frames(sub: Subscription) -> FeedBatch:
    for _ in range(100):
        item = await sub.get(timeout_s=20)
        assert item is not None, "no batch published"
        if isinstance(item, FeedBatch) and item.frames.num_rows:
            return item
    raise AssertionError("only empty batches")


async def test_a_udp_feed_wakes_the_hub_without_its_poll() -> None:
    """With a poll interval far longer than the wait, only the feed's wakeup can deliver."""
    feed = UdpSource("pcars", "project_cars", "127.0.0.1", 0)
    hub = Hub([feed], poll_interval_s=3600)
    sub = hub.subscribe()
    await hub.start()
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        assert feed.wakeup_fd() is not None
        sender.sendto(telemetry(1, speed_ms=12.0), ("127.0.0.1", feed.port))
        batch = await _next_frames(sub)
        assert pl.DataFrame(batch.frames)["speed_kmh"].to_list() == [12.0 * 3.6]
        # A restarted feed has a new descriptor (a new generation): the hub follows it.
        first = feed.wakeup_fd()
        await asyncio.to_thread(feed.stop)
        await asyncio.to_thread(feed.start)
        assert feed.wakeup_fd() != first
        hub.wake()  # one pass of the pump registers the new descriptor
        await asyncio.sleep(0.1)
        sender.sendto(telemetry(2, speed_ms=13.0), ("127.0.0.1", feed.port))
        batch = await _next_frames(sub)
        assert pl.DataFrame(batch.frames)["speed_kmh"].to_list() == [13.0 * 3.6]
    finally:
        sender.close()
        await hub.stop()
