from __future__ import annotations

import msgspec

from paddock.events import EventBus
from paddock.hub import Lagged
from paddock.realtime.cycles import CycleEvent, CycleLog


async def test_a_stalled_subscriber_stays_bounded_and_is_told_what_it_lost() -> None:
    bus = EventBus(maxsize=16)
    log = CycleLog(capacity=100, bus=bus)
    _, stalled = log.connect(replay=0)
    _, reader = log.connect(replay=0)
    received = []
    for n in range(1000):
        log.publish(CycleEvent(cycle_id=n, timestamp=float(n)), [])
        # The reader keeps up; the stalled client never reads.
        item = await reader.get(timeout_s=1.0)
        assert isinstance(item, bytes)
        received.append(msgspec.json.decode(item)["cycle_id"])
    assert received == list(range(1000))
    assert len(stalled._items) == 16  # bounded: never more than its queue
    first = await stalled.get(timeout_s=0)
    assert first == Lagged(1000 - 16)
    rest = [msgspec.json.decode(await stalled.get(timeout_s=0))["cycle_id"] for _ in range(16)]
    assert rest == list(range(984, 1000))
    assert len(log.history(1000)) == 100  # the history ring is bounded too
    stalled.close()
    reader.close()
    assert bus.subscriber_count("cycles") == 0
