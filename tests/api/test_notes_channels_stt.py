"""ASTRA's notes, tall telemetry channels and STT tasks, endpoint by endpoint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from paddock.store.session_data import open_session


@pytest.fixture
async def sid(client: AsyncTestClient[Any]) -> str:
    response = await client.post("/api/sessions", json={"name": "Motor Test", "description": "d"})
    session_id: str = response.json()["id"]
    return session_id


def _note(ts: str, **extra: Any) -> dict[str, Any]:
    return {"timestamp": ts, "content": f"note at {ts}", **extra}


async def test_notes_crud_filters_and_errors(client: AsyncTestClient[Any], sid: str) -> None:
    base = f"/api/sessions/{sid}/notes"
    created = await client.post(
        base,
        json=_note(
            "2025-01-26T10:32:15Z",
            speaker="Engineer A",
            tags=["motor", "current"],
            telemetry_snapshot={"battery_voltage": 32.5, "motor_current": 2.3},
        ),
    )
    assert created.status_code == 200, created.text
    note = created.json()
    assert note["id"].startswith("note_") and note["session_id"] == sid
    assert note["type"] == "observation" and note["tags"] == ["motor", "current"]
    assert note["timestamp"] == "2025-01-26T10:32:15Z"
    assert note["telemetry_snapshot"] == {"battery_voltage": 32.5, "motor_current": 2.3}
    assert note["created_at"] == note["updated_at"]
    # Posted out of order: the list is sorted by timestamp, not by arrival.
    await client.post(
        base, json=_note("2025-01-26T10:30:00Z", speaker="Engineer B", type="command")
    )
    await client.post(base, json=_note("2025-01-26T10:40:00+00:00", type="system"))

    listed = (await client.get(base)).json()
    assert [n["timestamp"] for n in listed] == [
        "2025-01-26T10:30:00Z",
        "2025-01-26T10:32:15Z",
        "2025-01-26T10:40:00Z",
    ]
    by_speaker = (await client.get(base, params={"speaker": "Engineer A"})).json()
    assert [n["id"] for n in by_speaker] == [note["id"]]
    by_type = (await client.get(base, params={"type": "command"})).json()
    assert [n["speaker"] for n in by_type] == ["Engineer B"]
    window = (
        await client.get(
            base, params={"from": "2025-01-26T10:32:15Z", "to": "2025-01-26T10:35:00Z"}
        )
    ).json()
    assert [n["id"] for n in window] == [note["id"]]

    assert (await client.get(f"{base}/{note['id']}")).json() == note
    edited = await client.put(
        f"{base}/{note['id']}",
        json={"content": "Motor current rising to 2.5A (operator correction)", "tags": ["fixed"]},
    )
    assert edited.status_code == 200
    assert edited.json()["content"].endswith("(operator correction)")
    assert edited.json()["tags"] == ["fixed"] and edited.json()["speaker"] == "Engineer A"
    assert edited.json()["updated_at"] >= note["updated_at"]

    deleted = await client.delete(f"{base}/{note['id']}")
    assert deleted.status_code == 200
    assert deleted.json() == {"message": f"Note {note['id']} deleted"}
    assert (await client.get(f"{base}/{note['id']}")).status_code == 404
    assert (await client.put(f"{base}/{note['id']}", json={})).status_code == 404
    assert (await client.delete(f"{base}/{note['id']}")).status_code == 404
    assert (await client.get("/api/sessions/nope/notes")).status_code == 404
    assert (
        await client.post("/api/sessions/nope/notes", json=_note("2025-01-26T10:00:00Z"))
    ).status_code == 404

    for body, field in [
        ({"content": "no timestamp"}, "timestamp"),
        ({"timestamp": "yesterday", "content": "x"}, "timestamp"),
        ({"timestamp": "2025-01-26T10:00:00Z"}, "content"),
        ({"timestamp": "2025-01-26T10:00:00Z", "content": ""}, "content"),
        ({"timestamp": "2025-01-26T10:00:00Z", "content": "x", "type": "rumour"}, "type"),
        ({"timestamp": "2025-01-26T10:00:00Z", "content": "x", "tags": "motor"}, "tags"),
    ]:
        response = await client.post(base, json=body)
        assert response.status_code == 422, body
        assert field in response.json()["detail"]
    assert (await client.get(base, params={"type": "rumour"})).status_code == 422


async def test_notes_export_markdown_and_json(client: AsyncTestClient[Any], sid: str) -> None:
    base = f"/api/sessions/{sid}/notes"
    await client.post(
        base,
        json=_note(
            "2025-01-26T10:32:15Z",
            speaker="Engineer A",
            tags=["motor"],
            telemetry_snapshot={"battery_voltage": 32.5},
        ),
    )
    await client.post(base, json=_note("2025-01-26T10:31:00Z", type="command"))

    markdown = await client.get(f"{base}/export")
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    text = markdown.text
    assert text.startswith("# Motor Test\n")
    assert f"`{sid}`" in text and "- **Notes:** 2" in text
    lines = [line for line in text.splitlines() if line.startswith("- **2025")]
    assert lines[0].startswith("- **2025-01-26T10:31:00Z** · unknown speaker · _command_")
    assert lines[1] == (
        "- **2025-01-26T10:32:15Z** · Engineer A · _observation_ — note at 2025-01-26T10:32:15Z"
        " `motor`"
    )
    assert "  - Telemetry: battery_voltage = 32.5" in text

    exported = await client.get(f"{base}/export", params={"format": "json"})
    assert exported.status_code == 200
    body = exported.json()
    assert body["session"]["id"] == sid and body["session"]["name"] == "Motor Test"
    assert body["count"] == 2
    assert [n["timestamp"] for n in body["notes"]] == [
        "2025-01-26T10:31:00Z",
        "2025-01-26T10:32:15Z",
    ]
    assert (await client.get(f"{base}/export", params={"format": "pdf"})).status_code == 422
    assert (await client.get("/api/sessions/nope/notes/export")).status_code == 404


async def test_telemetry_ingest_query_latest_channels(
    client: AsyncTestClient[Any], sid: str, data_dir: Path
) -> None:
    base = f"/api/sessions/{sid}/telemetry"
    single = await client.post(
        base,
        json={
            "timestamp": "2025-01-26T10:32:15Z",
            "channel": "battery_voltage",
            "value": 32.5,
            "unit": "V",
        },
    )
    assert single.status_code == 200, single.text
    assert single.json() == {
        "session_id": sid,
        "timestamp": "2025-01-26T10:32:15Z",
        "channel": "battery_voltage",
        "value": 32.5,
        "unit": "V",
    }
    batch = await client.post(
        f"{base}/batch",
        json={
            "data": [
                {
                    "timestamp": "2025-01-26T10:32:16Z",
                    "channel": "battery_voltage",
                    "value": 32.4,
                    "unit": "V",
                },
                {
                    "timestamp": "2025-01-26T10:32:16Z",
                    "channel": "motor_current",
                    "value": 2.3,
                    "unit": "A",
                },
                {"timestamp": "2025-01-26T10:32:17Z", "channel": "motor_current", "value": 2},
            ]
        },
    )
    assert batch.status_code == 200 and batch.json() == {"created": 3}

    newest_first = (await client.get(base)).json()
    assert [p["timestamp"] for p in newest_first] == [
        "2025-01-26T10:32:17Z",
        "2025-01-26T10:32:16Z",
        "2025-01-26T10:32:16Z",
        "2025-01-26T10:32:15Z",
    ]
    volts = (await client.get(base, params={"channel": "battery_voltage"})).json()
    assert [p["value"] for p in volts] == [32.4, 32.5]
    window = (
        await client.get(
            base, params={"from": "2025-01-26T10:32:16Z", "to": "2025-01-26T10:32:16Z"}
        )
    ).json()
    assert sorted(p["channel"] for p in window) == ["battery_voltage", "motor_current"]
    assert len((await client.get(base, params={"limit": 1})).json()) == 1

    latest = (await client.get(f"{base}/latest", params={"channel": "motor_current"})).json()
    assert latest["value"] == 2.0 and latest["timestamp"] == "2025-01-26T10:32:17Z"
    assert latest["unit"] is None
    missing = await client.get(f"{base}/latest", params={"channel": "temperature"})
    assert missing.status_code == 404 and "temperature" in missing.json()["detail"]
    assert (await client.get(f"{base}/latest")).status_code == 422
    channels = (await client.get(f"{base}/channels")).json()
    assert channels == {"channels": ["battery_voltage", "motor_current"]}

    for body, field in [
        ({"timestamp": "2025-01-26T10:32:15Z", "channel": "v"}, "value"),
        ({"timestamp": "2025-01-26T10:32:15Z", "channel": "v", "value": "high"}, "value"),
        ({"timestamp": "2025-01-26T10:32:15Z", "channel": "", "value": 1}, "channel"),
    ]:
        response = await client.post(base, json=body)
        assert response.status_code == 422 and field in response.json()["detail"]
    far = {"timestamp": "9999-01-01T00:00:00Z", "channel": "v", "value": 1.0}
    out_of_range = await client.post(f"{base}/batch", json={"data": [far]})
    assert out_of_range.status_code == 422 and "timestamp" in out_of_range.json()["detail"]
    bad_batch = await client.post(f"{base}/batch", json={"data": [{"timestamp": "x"}]})
    assert bad_batch.status_code == 422 and "data[0]" in bad_batch.json()["detail"]
    assert (await client.get(base, params={"limit": 0})).status_code == 422
    for path in ("", "/latest?channel=x", "/channels"):
        assert (await client.get(f"/api/sessions/nope/telemetry{path}")).status_code == 404
    assert (
        await client.post("/api/sessions/nope/telemetry/batch", json={"data": []})
    ).status_code == 404

    await client.post("/session/reset")
    stored = open_session(sid, data_dir=data_dir, table="channels").collect()
    assert stored.height == 4 and set(stored["source"]) == {"telemetry"}


async def test_ten_thousand_samples_in_one_request(
    client: AsyncTestClient[Any], sid: str, data_dir: Path
) -> None:
    start = dt.datetime(2025, 1, 26, 10, 0, tzinfo=dt.UTC)
    data = [
        {
            "timestamp": (start + dt.timedelta(milliseconds=10 * i)).isoformat(),
            "channel": ("battery_voltage", "motor_current")[i % 2],
            "value": i * 0.5,
            "unit": ("V", "A")[i % 2],
        }
        for i in range(10_000)
    ]
    response = await client.post(f"/api/sessions/{sid}/telemetry/batch", json={"data": data})
    assert response.status_code == 200 and response.json() == {"created": 10_000}
    newest = (await client.get(f"/api/sessions/{sid}/telemetry", params={"limit": 10_000})).json()
    assert len(newest) == 10_000
    assert newest[0]["value"] == 9999 * 0.5 and newest[-1]["value"] == 0.0
    await client.post("/session/reset")
    stored = open_session(sid, data_dir=data_dir, table="channels").collect()
    assert stored.height == 10_000 and stored["ts_ns"].is_sorted()


async def test_stt_task_lifecycle(client: AsyncTestClient[Any], sid: str) -> None:
    base = f"/api/sessions/{sid}/stt/tasks"
    registered = await client.post(
        base, json={"audio_chunk_id": "chunk_20250126_001", "duration_seconds": 8.4}
    )
    assert registered.status_code == 201, registered.text
    task = registered.json()
    assert task["id"].startswith("stt_") and task["session_id"] == sid
    assert task["status"] == "pending" and task["transcript"] is None and task["error"] is None
    assert task["duration_seconds"] == 8.4
    second = (await client.post(base, json={"audio_chunk_id": "chunk_002"})).json()
    assert second["duration_seconds"] is None

    assert [t["id"] for t in (await client.get(base)).json()] == [second["id"], task["id"]]
    assert (await client.get(f"{base}/{task['id']}")).json() == task

    no_transcript = await client.put(f"{base}/{task['id']}", json={"status": "done"})
    assert no_transcript.status_code == 422 and "transcript" in no_transcript.json()["detail"]
    blank = await client.put(f"{base}/{task['id']}", json={"status": "done", "transcript": "  "})
    assert blank.status_code == 422
    processing = await client.put(f"{base}/{task['id']}", json={"status": "processing"})
    assert processing.status_code == 200 and processing.json()["status"] == "processing"
    done = await client.put(
        f"{base}/{task['id']}",
        json={"status": "done", "transcript": "Motor current rising to 2.3 amps.", "error": None},
    )
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["transcript"].startswith("Motor")
    assert (await client.put(f"{base}/{task['id']}", json={"status": "failed"})).status_code == 409

    failed = await client.put(
        f"{base}/{second['id']}",
        json={
            "status": "failed",
            "transcript": None,
            "error": "Audio too short or no speech detected",
        },
    )
    assert failed.status_code == 200 and failed.json()["error"].startswith("Audio too short")
    assert (
        await client.put(f"{base}/{second['id']}", json={"status": "done", "transcript": "x"})
    ).status_code == 409

    assert (await client.put(f"{base}/{task['id']}", json={"status": "pending"})).status_code == 422
    assert (await client.post(base, json={"duration_seconds": 1})).status_code == 422
    assert (
        await client.post(base, json={"audio_chunk_id": "c", "duration_seconds": -1})
    ).status_code == 422
    assert (await client.get(f"{base}/stt_0000000000000000")).status_code == 404
    assert (
        await client.put(f"{base}/stt_0000000000000000", json={"status": "processing"})
    ).status_code == 404
    assert (await client.get("/api/sessions/nope/stt/tasks")).status_code == 404
