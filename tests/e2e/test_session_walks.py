"""ASTRA's and Pitwall's session workflows against a real ``paddock serve`` over HTTP and WS."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from paddock.store.session_data import open_session
from tests.e2e.server import ServerProcess

pytestmark = pytest.mark.e2e


def _event(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=10))
    return message


def test_astra_over_http_and_websocket(server: ServerProcess) -> None:
    session = server.post(
        "/api/sessions", json={"name": "Motor Test Session #42", "description": "arm torque"}
    ).json()
    sid = session["id"]
    ws_url = server.base_url.replace("http://", "ws://") + f"/ws/sessions/{sid}"
    with connect(ws_url, open_timeout=10) as ws:
        assert _event(ws)["event"] == "connected"
        ws.send("ping")
        assert ws.recv(timeout=10) == "pong"

        batch = server.post(
            f"/api/sessions/{sid}/telemetry/batch",
            json={
                "data": [
                    {
                        "timestamp": f"2025-01-26T10:32:{s:02d}Z",
                        "channel": "battery_voltage",
                        "value": 32.0 + s / 10,
                        "unit": "V",
                    }
                    for s in range(10)
                ]
            },
        )
        assert batch.json() == {"created": 10}
        latest = server.get(
            f"/api/sessions/{sid}/telemetry/latest", params={"channel": "battery_voltage"}
        ).json()
        assert latest["value"] == pytest.approx(32.9)
        note = server.post(
            f"/api/sessions/{sid}/notes",
            json={
                "timestamp": "2025-01-26T10:32:15Z",
                "speaker": "Engineer A",
                "content": "Voltage holding at 32.9 V.",
                "telemetry_snapshot": {"battery_voltage": latest["value"]},
            },
        ).json()
        assert _event(ws) == {"event": "note.created", "session_id": sid, "data": note}

        task = server.post(f"/api/sessions/{sid}/stt/tasks", json={"audio_chunk_id": "chunk_001"})
        assert task.status_code == 201
        assert _event(ws)["event"] == "stt.task.created"
        done = httpx.put(
            f"{server.base_url}/api/sessions/{sid}/stt/tasks/{task.json()['id']}",
            json={"status": "done", "transcript": "Voltage holding."},
        ).json()
        assert _event(ws) == {"event": "stt.task.done", "session_id": sid, "data": done}

        export = server.get(f"/api/sessions/{sid}/notes/export")
        assert "Voltage holding at 32.9 V." in export.text
        ended = httpx.patch(f"{server.base_url}/api/sessions/{sid}", json={"status": "ended"})
        assert ended.json()["status"] == "ended" and ended.json()["ended_at"]

    channels = open_session(sid, data_dir=server.data_dir, table="channels").collect()
    assert channels.height == 10


def test_pitwall_over_http(server: ServerProcess) -> None:
    sid = server.post(
        "/session/start", json={"driver": "Taha", "track": "Sonoma Raceway", "car": "E46"}
    ).json()["session_id"]
    frames = [
        {"t": i / 10, "lap": 1 + i // 100, "lap_time_s": (i % 100) / 10, "rpm": 5000 + i}
        for i in range(230)
    ]
    assert (
        server.post(f"/session/{sid}/frames", json={"frames": frames[:229]}).json()["appended"]
        == 229
    )
    assert server.post(f"/session/{sid}/frame", json=frames[229]).json()["frame_idx"] == 229
    signals = server.post(f"/session/{sid}/signals", json=[["coolant_c", 1.0, 88.5]]).json()
    assert signals["appended"] == 1
    assert server.post(f"/session/{sid}/video_frames", json=[{"t": 0.0}]).json()["appended"] == 1
    assert server.post(f"/session/{sid}/end").json()["ended"] is True
    listed = server.get("/sessions", params={"limit": 5}).json()
    row = listed["sessions"][0]
    assert row["session_id"] == sid and row["lap_count"] == 2
    assert row["best_lap_s"] == pytest.approx(10.0)
    detail = server.get(f"/session/{sid}").json()
    assert [lap["lap"] for lap in detail["laps"]] == [1, 2]
    assert server.get("/session/unknown-session").status_code == 404


def test_an_open_websocket_does_not_hold_up_shutdown(server: ServerProcess) -> None:
    sid = server.post("/api/sessions", json={"name": "left open"}).json()["id"]
    ws_url = server.base_url.replace("http://", "ws://") + f"/ws/sessions/{sid}"
    with connect(ws_url, open_timeout=10) as ws:
        assert _event(ws)["event"] == "connected"
        # Stopped by SIGINT: a server that had to be killed would return -9.
        returncode = server.stop(timeout_s=20)
        assert returncode == 0, server.log()
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
