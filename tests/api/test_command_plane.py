from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient, TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from paddock.api.app import create_app
from paddock.config import Settings
from paddock.realtime.command_plane import CommandCache


@pytest.fixture
def sync_client(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient[Any]]:
    monkeypatch.setenv("PADDOCK_WS_MAX_CONNECTIONS", "2")
    with TestClient(create_app(settings)) as client:
        yield client


def receive(ws: WebSocketTestSession, kind: str, *, limit: int = 50) -> dict[str, Any]:
    """The next message of type ``kind``, skipping channel broadcasts; bounded."""
    for _ in range(limit):
        message: dict[str, Any] = json.loads(ws.receive_text(timeout=10))
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message in {limit}")


def test_hello_ping_subscribe_and_broadcasts(sync_client: TestClient[Any]) -> None:
    with sync_client.websocket_connect("/ws") as ws:
        assert json.loads(ws.receive_text(timeout=10)) == {
            "v": 1,
            "type": "hello",
            "channels": ["status"],
        }
        status = receive(ws, "status")
        assert set(status) == {"v", "type", "ts", "data"}
        assert status["data"]["recording"]["recording"] is False
        assert set(status["data"]["preview"]["cameras"]) == {"pcars", "ksudp", "acc", "ttool"}

        ws.send_text(json.dumps({"v": 1, "type": "ping"}))
        assert receive(ws, "pong")["v"] == 1

        ws.send_text(
            json.dumps(
                {
                    "v": 1,
                    "type": "subscribe",
                    "channels": ["pipeline_state", "system_metrics", "telemetry"],
                    "intervals": {"pipeline_state": 0.1, "system_metrics": 0.1},
                }
            )
        )
        assert receive(ws, "subscribed")["channels"] == [
            "pipeline_state",
            "status",
            "system_metrics",
            "telemetry",
        ]
        pipeline = receive(ws, "pipeline_state")["data"]
        assert {k: pipeline[k] for k in ("mode", "holder", "can_record")} == {
            "mode": "preview",
            "holder": None,
            "can_record": True,
        }
        metrics = receive(ws, "system_metrics")["data"]
        assert metrics["ws_connections"] == 1
        assert set(metrics["feeds"]) == {"pcars", "ksudp", "acc", "ttool"}
        ws.send_text(json.dumps({"v": 1, "type": "unsubscribe", "channels": ["pipeline_state"]}))
        assert "pipeline_state" not in receive(ws, "unsubscribed")["channels"]


def test_errors(sync_client: TestClient[Any]) -> None:
    cases = [
        ("{nope", "invalid_json"),
        ("[1]", "invalid_message"),
        (json.dumps({"type": "ping"}), "invalid_version"),
        (json.dumps({"v": 2, "type": "ping"}), "invalid_version"),
        (json.dumps({"v": 1, "type": "dance"}), "unknown_type"),
        (json.dumps({"v": 1, "type": "subscribe", "channels": ["panorama"]}), "unknown_channel"),
        (json.dumps({"v": 1, "type": "subscribe", "channels": "status"}), "invalid_message"),
        (
            json.dumps(
                {"v": 1, "type": "subscribe", "channels": ["status"], "intervals": {"status": 0}}
            ),
            "invalid_message",
        ),
        (json.dumps({"v": 1, "type": "command", "action": "get_logs"}), "invalid_command"),
        (json.dumps({"v": 1, "type": "command", "id": "a", "action": "fly"}), "unknown_action"),
    ]
    with sync_client.websocket_connect("/ws") as ws:
        receive(ws, "hello")
        for text, code in cases:
            ws.send_text(text)
            message = receive(ws, "error")
            assert message["code"] == code, text
            assert message["message"]


def test_commands_ack_result_and_idempotency(sync_client: TestClient[Any]) -> None:
    with sync_client.websocket_connect("/ws") as ws:
        receive(ws, "hello")
        start = {
            "v": 1,
            "type": "command",
            "id": "cmd-123",
            "action": "start_recording",
            "params": {"match_id": "match_20260211_001", "force": False},
        }
        ws.send_text(json.dumps(start))
        assert receive(ws, "command_ack") == {
            "v": 1,
            "type": "command_ack",
            "id": "cmd-123",
            "action": "start_recording",
        }
        result = receive(ws, "command_result")
        assert result["id"] == "cmd-123"
        assert result["success"] is True
        recording_id = result["data"]["match_id"]
        assert sync_client.app.state.runtime.recorder.active.id == recording_id

        # The same id again: the cached result, not a second recording.
        ws.send_text(json.dumps(start))
        assert receive(ws, "command_result") == result

        # Another id: the recorder refuses a second recording.
        ws.send_text(json.dumps({**start, "id": "cmd-124"}))
        refused = receive(ws, "command_result")
        assert refused["success"] is False
        assert "already running" in refused["data"]["message"]

        ws.send_text(json.dumps({"v": 1, "type": "command", "id": "s", "action": "stop_recording"}))
        assert receive(ws, "command_result")["data"]["recording"]["status"] == "stopped"
        ws.send_text(json.dumps({"v": 1, "type": "command", "id": "r", "action": "get_recordings"}))
        listed = receive(ws, "command_result")["data"]["recordings"]
        assert [r["id"] for r in listed] == [recording_id]

        logging.getLogger("paddock.test").warning("disk almost full")
        ws.send_text(
            json.dumps(
                {
                    "v": 1,
                    "type": "command",
                    "id": "l",
                    "action": "get_logs",
                    "params": {"log_type": "alerts", "lines": 5},
                }
            )
        )
        logs = receive(ws, "command_result")["data"]
        assert any("disk almost full" in line for line in logs["lines"])
        ws.send_text(json.dumps({"v": 1, "type": "command", "id": "f", "action": "stop_feeds"}))
        assert receive(ws, "command_result")["data"]["message"] == "feeds stopped"
        ws.send_text(json.dumps({"v": 1, "type": "command", "id": "g", "action": "start_feeds"}))
        failed = receive(ws, "command_result")
        assert failed["success"] is False
        assert "cannot start: runtime is stopped" in failed["data"]["message"]


def test_connection_limit(sync_client: TestClient[Any]) -> None:
    with sync_client.websocket_connect("/ws") as one, sync_client.websocket_connect("/ws") as two:
        receive(one, "hello")
        receive(two, "hello")
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            sync_client.websocket_connect("/ws") as third,
        ):
            assert receive(third, "error")["code"] == "too_many_connections"
            third.receive_text(timeout=10)
        assert closed.value.code == 1013
    realtime = sync_client.app.state.realtime
    for _ in range(200):  # the server notices the two disconnects
        if realtime.ws_connections == 0:
            break
        time.sleep(0.05)
    assert realtime.ws_connections == 0
    with sync_client.websocket_connect("/ws") as again:
        assert receive(again, "hello")["channels"] == ["status"]


def test_command_cache_bounds() -> None:
    cache = CommandCache(size=3, ttl_s=60.0)
    for n in range(5):
        cache.begin(str(n))
    assert cache.lookup("0") == (False, None)
    assert cache.lookup("4") == (True, None)
    cache.finish("4", {"ok": True})
    assert cache.lookup("4") == (True, {"ok": True})
    expired = CommandCache(size=10, ttl_s=-1.0)  # everything is already too old
    expired.begin("x")
    assert expired.lookup("x") == (False, None)


async def test_v1_routes(client: AsyncTestClient[Any]) -> None:
    health = (await client.get("/api/v1/health")).json()
    assert health["status"] == "healthy"
    assert set(health["system"]) == {
        "cpu_percent",
        "memory_percent",
        "memory_available_gb",
        "disk_free_gb",
        "disk_percent",
    }
    status = (await client.get("/api/v1/status")).json()
    assert set(status) == {"recording", "preview"}
    assert set(status["recording"]["overload_guard"]) == {
        "active",
        "unhealthy_streak",
        "cpu_percent",
        "reasons",
    }
    pipeline = (await client.get("/api/v1/pipeline-state")).json()
    assert set(pipeline) >= {"mode", "holder", "lock_time", "can_preview", "can_record"}
    started = (await client.post("/api/recordings", json={"name": "m"})).json()
    pipeline = (await client.get("/api/v1/pipeline-state")).json()
    assert (pipeline["mode"], pipeline["holder"], pipeline["can_record"]) == (
        "recording",
        started["id"],
        False,
    )
    metrics = (await client.get("/api/v1/system-metrics")).json()
    assert set(metrics["feeds"]) == {"pcars", "ksudp", "acc", "ttool"}

    logging.getLogger("paddock.sources.test").warning("feed went stale")
    watchdog = (await client.get("/api/v1/logs/watchdog", params={"lines": 10})).json()
    assert watchdog["log_type"] == "watchdog"
    assert watchdog["count"] == len(watchdog["lines"]) >= 1
    assert "feed went stale" in watchdog["lines"][-1]
    assert (await client.get("/api/v1/logs/kernel")).status_code == 404
    assert (await client.get("/api/v1/logs/health", params={"lines": 0})).status_code == 422
