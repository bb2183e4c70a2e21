from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient, TestClient

from paddock.api.app import create_app
from paddock.config import Settings


def cycle(cycle_id: int, **fields: Any) -> dict[str, Any]:
    """A cycle event in the seed's shape."""
    return {
        "type": "cycle",
        "cycle_id": cycle_id,
        "trace_id": f"trace-{cycle_id}",
        "was_rejected": False,
        "was_clamped": False,
        "risk_level": "NORMAL",
        "fallback_triggered": None,
        "latency_ms": {"obs": 0.8, "policy": 2.1, "validate": 5.4, "sink": 0.4, "total": 8.7},
        "guard_statuses": [
            {"name": "OODGuard", "layer": "L0", "decision": "PASS", "reason": ""},
            {"name": "MotionGuard", "layer": "L2", "decision": "PASS", "reason": ""},
        ],
        "active_task": "pick",
        "active_boundaries": ["workspace", "approach"],
        "active_cameras": ["top", "wrist"],
        "timestamp": 1700000000.0 + cycle_id,
        **fields,
    }


PERF = {
    "stages": {"source": 0.8, "policy": 2.1, "guards": 5.4, "sink": 0.4, "total": 8.7},
    "layers": {"L0": 2.1, "L2": 2.0, "L3": 1.3},
    "guards": {"OODGuard": 2.1, "MotionGuard": 1.0},
    "deadline_ms": 20.0,
    "slack_ms": 11.3,
}


@pytest.fixture
def sync_client(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient[Any]]:
    monkeypatch.setenv("PADDOCK_WS_PING_S", "0.2")
    monkeypatch.setenv("PADDOCK_CYCLE_REPLAY", "5")
    with TestClient(create_app(settings)) as client:
        yield client


async def test_post_one_and_a_batch_then_history(client: AsyncTestClient[Any]) -> None:
    one = await client.post("/api/telemetry/cycles", json=cycle(1, perf=PERF))
    assert one.status_code == 200
    assert one.json() == {"accepted": 1, "risk_events": 0}
    batch = await client.post("/api/telemetry/cycles", json=[cycle(i) for i in range(2, 12)])
    assert batch.json() == {"accepted": 10, "risk_events": 0}

    history = await client.get("/api/telemetry/history", params={"n": 3})
    assert history.status_code == 200
    events = history.json()
    assert [e["cycle_id"] for e in events] == [9, 10, 11]
    assert "perf" not in events[0]
    assert events[0]["latency_ms"]["total"] == 8.7
    assert events[0]["guard_statuses"][1]["name"] == "MotionGuard"

    default = (await client.get("/api/telemetry/history")).json()
    assert len(default) == 11
    assert default[0] == cycle(1, perf=PERF)


async def test_history_bounds_and_bad_bodies_are_422(client: AsyncTestClient[Any]) -> None:
    for n in (0, 1001, -5):
        response = await client.get("/api/telemetry/history", params={"n": n})
        assert response.status_code == 422, n
        assert "n" in response.json()["detail"]
    assert (await client.get("/api/telemetry/history", params={"n": 1000})).status_code == 200
    bad = [
        {"trace_id": "no cycle id"},
        cycle(1, risk_level="SEVERE"),
        cycle(1, camera_frames={"top": "not base64!"}),
        cycle(1, camera_frames={"x" * 256: base64.b64encode(b"jpeg").decode()}),
    ]
    for body in bad:
        response = await client.post("/api/telemetry/cycles", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"]
    response = await client.post(
        "/api/telemetry/cycles", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert (await client.get("/api/telemetry/history")).json() == []


def test_ws_replays_then_pushes_events_frames_and_pings(sync_client: TestClient[Any]) -> None:
    c = sync_client
    c.post("/api/telemetry/cycles", json=[cycle(i) for i in range(8)])
    with c.websocket_connect("/ws/telemetry") as ws:
        replayed = [json.loads(ws.receive_text(timeout=10)) for _ in range(5)]
        assert [e["cycle_id"] for e in replayed] == [3, 4, 5, 6, 7]
        jpeg = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9"
        frames = {"top": base64.b64encode(jpeg).decode(), "wrist": base64.b64encode(b"w").decode()}
        posted = c.post("/api/telemetry/cycles", json=cycle(8, camera_frames=frames))
        assert posted.status_code == 200
        payload: list[Any] = []
        pings = 0
        for _ in range(50):
            message = ws.receive(timeout=10)
            if message.get("text") == '{"type":"ping"}':
                pings += 1
            elif message.get("bytes") is not None:
                payload.append(message["bytes"])
            else:
                payload.append(json.loads(message["text"]))
            if len(payload) == 3 and pings:
                break
        assert payload[0]["cycle_id"] == 8
        assert "camera_frames" not in payload[0]
        assert payload[1] == b"\x01\x03top" + jpeg
        assert payload[2] == b"\x01\x05wristw"
        assert pings >= 1
