"""The per-session event bus: never blocks a publisher, drops oldest, says how many."""

from __future__ import annotations

import asyncio
import threading

from paddock.events import EventBus
from paddock.hub import Lagged


async def test_events_reach_only_their_key() -> None:
    bus = EventBus()
    one, two = bus.subscribe("s1"), bus.subscribe("s2")
    assert bus.publish("s1", b"a") == 1
    assert await one.get(timeout_s=1) == b"a"
    assert await two.get(timeout_s=0.01) is None
    one.close()
    two.close()
    assert bus.subscriber_count("s1") == 0 and bus.publish("s1", b"b") == 0


async def test_a_slow_subscriber_loses_the_oldest_and_is_told() -> None:
    bus = EventBus(maxsize=3)
    sub = bus.subscribe("s")
    for n in range(5):
        bus.publish("s", str(n).encode())
    await asyncio.sleep(0)  # let the scheduled puts run
    assert await sub.get(timeout_s=1) == Lagged(2)
    assert [await sub.get(timeout_s=1) for _ in range(3)] == [b"2", b"3", b"4"]
    sub.close()


async def test_publishing_from_another_thread() -> None:
    bus = EventBus()
    sub = bus.subscribe("s")
    threads = [threading.Thread(target=bus.publish, args=("s", f"{n}".encode())) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    got = {await sub.get(timeout_s=2) for _ in range(10)}
    assert got == {f"{n}".encode() for n in range(10)}
    sub.close()
    assert await sub.get(timeout_s=0.01) is None


async def test_close_all_wakes_waiting_readers() -> None:
    bus = EventBus()
    sub = bus.subscribe("s")
    waiting = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    bus.close_all()
    assert await asyncio.wait_for(waiting, 5) is None
    assert sub.closed and bus.subscriber_count("s") == 0
