"""Each seed's documented workflow, start to finish, through the in-process client.

ASTRA: create session → notes and telemetry → STT task register/finish → export → end, with the
session WebSocket's events checked on the way. Pitwall: start → frames/signals/video frames → end →
list → detail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from paddock.api.app import create_app
from paddock.config import Settings
from paddock.store.session_data import open_session


@pytest.fixture
def sync_client(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(settings)) as client:
        yield client


def _event(ws: WebSocketTestSession) -> dict[str, Any]:
    message: dict[str, Any] = ws.receive_json(timeout=10)
    return message


def test_astra_workflow(sync_client: TestClient[Any], data_dir: Path) -> None:
    c = sync_client
    created = c.post(
        "/api/sessions",
        json={"name": "Motor Test Session #42", "description": "Testing CADRE rover arm torque"},
    )
    assert created.status_code == 200
    session = created.json()
    sid = session["id"]
    assert {k: session[k] for k in ("name", "status", "ended_at")} == {
        "name": "Motor Test Session #42",
        "status": "active",
        "ended_at": None,
    }

    with c.websocket_connect(f"/ws/sessions/{sid}") as ws:
        assert _event(ws) == {
            "event": "connected",
            "session_id": sid,
            "data": {"message": f"Connected to session {sid}"},
        }
        ws.send_text("ping")
        assert ws.receive_text(timeout=10) == "pong"

        # The AI module asks for the live value, then posts a note with it.
        c.post(
            f"/api/sessions/{sid}/telemetry/batch",
            json={
                "data": [
                    {
                        "timestamp": "2025-01-26T10:32:14Z",
                        "channel": "battery_voltage",
                        "value": 32.5,
                        "unit": "V",
                    },
                    {
                        "timestamp": "2025-01-26T10:32:14Z",
                        "channel": "motor_current",
                        "value": 2.3,
                        "unit": "A",
                    },
                ]
            },
        )
        latest = c.get(
            f"/api/sessions/{sid}/telemetry/latest", params={"channel": "battery_voltage"}
        ).json()
        note = c.post(
            f"/api/sessions/{sid}/notes",
            json={
                "timestamp": "2025-01-26T10:32:15Z",
                "speaker": "Engineer A",
                "content": "Motor current rising to 2.3A, temperature looks stable.",
                "tags": ["motor", "current"],
                "telemetry_snapshot": {"battery_voltage": latest["value"]},
            },
        ).json()
        event = _event(ws)
        assert event == {"event": "note.created", "session_id": sid, "data": note}

        task = c.post(
            f"/api/sessions/{sid}/stt/tasks",
            json={"audio_chunk_id": "chunk_20250126_001", "duration_seconds": 8.4},
        )
        assert task.status_code == 201
        assert _event(ws) == {"event": "stt.task.created", "session_id": sid, "data": task.json()}
        done = c.put(
            f"/api/sessions/{sid}/stt/tasks/{task.json()['id']}",
            json={
                "status": "done",
                "transcript": "Motor current rising to 2.3 amps.",
                "error": None,
            },
        ).json()
        assert _event(ws) == {"event": "stt.task.done", "session_id": sid, "data": done}
        failing = c.post(f"/api/sessions/{sid}/stt/tasks", json={"audio_chunk_id": "chunk_002"})
        assert _event(ws)["event"] == "stt.task.created"
        c.put(
            f"/api/sessions/{sid}/stt/tasks/{failing.json()['id']}",
            json={"status": "failed", "error": "Audio too short or no speech detected"},
        )
        error = _event(ws)
        assert error["event"] == "error.occurred"
        assert error["data"]["message"] == "Audio too short or no speech detected"
        assert error["data"]["source"] == "stt"

        edited = c.put(
            f"/api/sessions/{sid}/notes/{note['id']}",
            json={
                "content": "Motor current rising to 2.5A (operator correction)",
                "speaker": "Engineer B",
            },
        ).json()
        assert _event(ws) == {"event": "note.updated", "session_id": sid, "data": edited}
        extra = c.post(
            f"/api/sessions/{sid}/notes",
            json={"timestamp": "2025-01-26T10:33:00Z", "content": "scratch", "type": "system"},
        ).json()
        assert _event(ws)["data"]["id"] == extra["id"]
        c.delete(f"/api/sessions/{sid}/notes/{extra['id']}")
        assert _event(ws) == {
            "event": "note.deleted",
            "session_id": sid,
            "data": {"id": extra["id"]},
        }

        export = c.get(f"/api/sessions/{sid}/notes/export")
        assert export.status_code == 200
        assert "# Motor Test Session #42" in export.text
        assert (
            "Engineer B · _observation_ — Motor current rising to 2.5A (operator correction)"
            in export.text
        )
        assert "battery_voltage = 32.5" in export.text
        as_json = c.get(f"/api/sessions/{sid}/notes/export", params={"format": "json"}).json()
        assert [n["id"] for n in as_json["notes"]] == [note["id"]]

        ended = c.patch(f"/api/sessions/{sid}", json={"status": "ended"}).json()
        assert ended["status"] == "ended" and ended["ended_at"] is not None

    assert c.get(f"/api/sessions/{sid}/telemetry/channels").json() == {
        "channels": ["battery_voltage", "motor_current"]
    }
    # Ending the session wrote its buffered telemetry to its files.
    assert open_session(sid, data_dir=data_dir, table="channels").collect().height == 2
    assert [s["id"] for s in c.get("/api/sessions").json()] == [sid]


def test_websocket_refuses_an_unknown_session(sync_client: TestClient[Any]) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        sync_client.websocket_connect("/ws/sessions/sess_nope") as ws,
    ):
        ws.receive_text(timeout=5)
    assert refused.value.code == 4404


def test_websocket_events_stay_in_their_session(sync_client: TestClient[Any]) -> None:
    c = sync_client
    one = c.post("/api/sessions", json={"name": "one"}).json()["id"]
    two = c.post("/api/sessions", json={"name": "two"}).json()["id"]
    with c.websocket_connect(f"/ws/sessions/{one}") as ws:
        assert _event(ws)["event"] == "connected"
        c.post(
            f"/api/sessions/{two}/notes", json={"timestamp": "2025-01-26T10:00:00Z", "content": "b"}
        )
        c.post(
            f"/api/sessions/{one}/notes", json={"timestamp": "2025-01-26T10:00:00Z", "content": "a"}
        )
        event = _event(ws)
        assert event["session_id"] == one and event["data"]["content"] == "a"


def test_pitwall_workflow(sync_client: TestClient[Any], data_dir: Path) -> None:
    c = sync_client
    started = c.post(
        "/session/start",
        json={
            "driver": "Taha",
            "driver_level": "intermediate",
            "track": "Sonoma Raceway",
            "car": "BMW M3 (E46)",
            "note": "first outing",
        },
    )
    assert started.status_code == 200
    body = started.json()
    assert body["started"] is True
    sid = body["session_id"]
    assert sid.startswith("sonoma-raceway-2")

    # Two laps and a bit at 10 Hz: lap 1 and 2 complete, each 12 s.
    frames = [
        {"t": i / 10, "lap": 1 + i // 120, "lap_time_s": (i % 120) / 10, "speed_kmh": 100.0 + i % 7}
        for i in range(250)
    ]
    appended = c.post(f"/session/{sid}/frames", json={"frames": frames[:200]})
    assert appended.status_code == 200
    assert appended.json()["appended"] == 200
    assert (appended.json()["first_frame_idx"], appended.json()["last_frame_idx"]) == (0, 199)
    bare = c.post(f"/session/{sid}/frames", json=frames[200:249]).json()
    assert bare["first_frame_idx"] == 200 and bare["appended"] == 49
    one = c.post(f"/session/{sid}/frame", json=frames[249])
    assert one.status_code == 200 and one.json()["frame_idx"] == 249

    signals = c.post(
        f"/session/{sid}/signals",
        json={
            "signals": [
                ["oil_press_kpa", 0.5, 410.0],
                {"signal_name": "pitwall.boost_bar", "t": 0.6, "value": 1.2, "unit": "bar"},
            ]
        },
    )
    assert signals.status_code == 200
    assert signals.json()["appended"] == 2
    assert signals.json()["registered"] == ["oil_press_kpa", "pitwall.boost_bar"]
    again = c.post(f"/session/{sid}/signals", json=[["oil_press_kpa", 0.7, 405.0]]).json()
    assert again["registered"] == []
    video = c.post(
        f"/session/{sid}/video_frames",
        json={
            "frames": [{"t": 0.0, "frame_no": 0, "file": "cam.mp4"}, {"t": 0.033, "frame_no": 1}]
        },
    )
    assert video.status_code == 200 and video.json()["appended"] == 2

    ended = c.post(f"/session/{sid}/end").json()
    assert ended["ended"] is True and ended["ended_at"] is not None
    assert c.post(f"/session/{sid}/end").json()["ended_at"] == ended["ended_at"]

    other = c.post("/session/start", json={"track": "Laguna Seca"}).json()["session_id"]
    listed = c.get("/sessions", params={"limit": 10}).json()
    assert [s["session_id"] for s in listed["sessions"]] == [other, sid]
    assert listed["count"] == 2
    mine = listed["sessions"][1]
    assert mine["lap_count"] == 2 and mine["best_lap_s"] == pytest.approx(12.0)
    assert (
        mine["driver"] == "Taha"
        and mine["car"] == "BMW M3 (E46)"
        and mine["note"] == "first outing"
    )
    assert mine["ended_at"] == ended["ended_at"]
    active = c.get("/sessions", params={"active_only": "true"}).json()
    assert [s["session_id"] for s in active["sessions"]] == [other]
    assert c.get("/sessions", params={"limit": 1}).json()["count"] == 1

    detail = c.get(f"/session/{sid}").json()
    assert detail["session"]["session_id"] == sid
    assert [lap["lap"] for lap in detail["laps"]] == [1, 2]
    assert detail["coaching_notes"] == []
    assert c.get("/session/nope-2026").status_code == 404
    assert c.post("/session/reset").json()["reset"] is True

    everything = open_session(sid, data_dir=data_dir).collect()
    assert everything.height == 250 + 3
    assert everything["frame_idx"].drop_nulls().to_list() == list(range(250))
    video_rows = open_session(sid, data_dir=data_dir, table="video_frames").collect()
    assert video_rows["frame_no"].to_list() == [0, 1]


def test_pitwall_errors(sync_client: TestClient[Any]) -> None:
    c = sync_client
    for path in ("end", "frames", "frame", "signals", "video_frames"):
        response = c.post(f"/session/nope/{path}", json=[] if path != "frame" else {})
        assert response.status_code == 404, path
    sid = c.post("/session/start", json={"session_id": "my-run-1"}).json()["session_id"]
    assert sid == "my-run-1"
    taken = c.post("/session/start", json={"session_id": "my-run-1"})
    assert taken.status_code == 409
    bad_id = c.post("/session/start", json={"session_id": "../etc"})
    assert bad_id.status_code == 422 and "session_id" in bad_id.json()["detail"]
    bad = c.post(f"/session/{sid}/frames", json={"frames": [1, 2]})
    assert bad.status_code == 422 and "frames[0]" in bad.json()["detail"]
    bad = c.post(f"/session/{sid}/signals", json={"signals": [["rpm", "soon", 1]]})
    assert bad.status_code == 422 and "signals[0]" in bad.json()["detail"]
    nameless = c.post(f"/session/{sid}/signals", json=[{"t": 1.0, "value": 2.0}])
    assert nameless.status_code == 422 and "signal_name" in nameless.json()["detail"]
    assert c.get("/sessions", params={"limit": 0}).status_code == 422
    for path, body, field in [
        ("frames", [{"ts_ns": 2**70}], "frames[0].ts_ns"),
        ("frames", [{"t": 1.0}, {"t": 1e300}], "frames[1].t"),
        ("video_frames", [{"t": 1e300}], "frames[0].t"),
        ("signals", [["rpm", 1e300, 1.0]], "signals[0].t"),
        ("signals", [{"signal_name": "rpm", "ts_ns": 2**64, "value": 1.0}], "signals[0].ts_ns"),
    ]:
        response = c.post(f"/session/{sid}/{path}", json=body)
        assert response.status_code == 422, (path, body)
        assert field in response.json()["detail"]
    # Refused frames took no index; odd fields are kept, huge integers as floats.
    kept = c.post(
        f"/session/{sid}/frames", json=[{"t": 1.0, "big": 2**70, "gear": "N"}, {"gear": 3}]
    ).json()
    assert (kept["first_frame_idx"], kept["last_frame_idx"]) == (0, 1)
