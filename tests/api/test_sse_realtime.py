from __future__ import annotations

import json
from typing import Any

from litestar.testing import AsyncTestClient

from paddock.api.streams.sse_realtime import heartbeat_events, notification_events
from tests.api.test_cycles import cycle


async def test_notifications_live_then_resume_from_last_event_id(
    client: AsyncTestClient[Any],
) -> None:
    realtime = client.app.state.realtime
    events = notification_events(realtime, last_event_id=None, heartbeat_s=0.2)
    opening = await anext(events)
    assert opening.comment
    assert opening.retry == 2000

    await client.post("/api/control/pause")
    await client.post("/api/telemetry/cycles", json=cycle(7, was_rejected=True))
    control = await anext(events)
    assert control.event == "control"
    assert control.id == 1
    body = json.loads(str(control.data))
    assert body["data"] == {"action": "pause", "from": "running", "to": "paused", "reason": None}
    risk = await anext(events)
    assert (risk.event, risk.id) == ("risk", 2)
    assert json.loads(str(risk.data))["data"]["cycle_id"] == 7
    heartbeat = await anext(events)
    assert heartbeat.comment == "heartbeat"
    await events.aclose()

    # A client that saw id 1 reconnects: it gets id 2 from memory, then live ones.
    resumed = notification_events(realtime, last_event_id=1, heartbeat_s=5.0)
    assert (await anext(resumed)).comment
    missed = await anext(resumed)
    assert (missed.event, missed.id) == ("risk", 2)
    await client.post("/api/control/resume")
    live = await anext(resumed)
    assert (live.event, live.id) == ("control", 3)
    await resumed.aclose()
    assert realtime.bus.subscriber_count("notifications") == 0


async def test_cues_send_heartbeats(client: AsyncTestClient[Any]) -> None:
    events = heartbeat_events(client.app.state.realtime, heartbeat_s=0.1)
    assert (await anext(events)).comment == "paddock cues"
    assert [(await anext(events)).comment for _ in range(2)] == ["heartbeat", "heartbeat"]
    await events.aclose()
