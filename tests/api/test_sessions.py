"""``/api/sessions``: one session model for every seed's body, end/complete/analyze/reopen, runs."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from litestar.testing import AsyncTestClient

from paddock.api.app import create_app
from paddock.config import Settings
from paddock.store.session_data import open_session
from tests.api.conftest import wait_for
from tests.api.packets import telemetry, timings

UNION_FIELDS = {
    "id",
    "session_id",
    "name",
    "label",
    "description",
    "use_case",
    "driver",
    "driver_level",
    "track",
    "car",
    "game",
    "note",
    "status",
    "started_at",
    "created_at",
    "ended_at",
    "completed_at",
    "recording_id",
    "runs",
    "analysis",
    "guidance",
}


def _feed_port(client: AsyncTestClient[Any]) -> int:
    port: int = client.app.state.runtime.hub.feed("pcars").port
    return port


async def _send_laps(
    client: AsyncTestClient[Any], sock: socket.socket, *, laps: int = 3, per_lap: int = 20
) -> int:
    """Sends ``laps`` laps of timings + telemetry packets; waits until the feed counted them.

    Returns the number of frames the feed decodes from them: one per telemetry packet (a timings
    packet updates the lap state the next frame carries).
    """
    port = _feed_port(client)
    before = (await client.get("/api/live")).json()["feeds"][0]["packets"]
    sent = 0
    for lap in range(1, laps + 1):
        for n in range(per_lap):
            for packet in (timings(sent, lap=lap, lap_time_s=n / 60), telemetry(sent + 1)):
                sock.sendto(packet, ("127.0.0.1", port))
                sent += 1
            # Paced: a burst can overrun the socket's receive buffer on a loaded machine.
            await asyncio.sleep(0.002)

    async def counted() -> bool:
        feed = (await client.get("/api/live")).json()["feeds"][0]
        return bool(feed["packets"] == before + sent)

    await wait_for(counted)
    return sent // 2


@pytest.mark.parametrize(
    "body",
    [
        {"use_case": "shift_points", "label": "gearing"},
        {"name": "Motor Test Session #42", "description": "Testing arm torque limits"},
        {"driver": "Taha", "driver_level": "intermediate", "track": "Sonoma", "car": "E46"},
        {},
    ],
)
async def test_create_with_each_seeds_body(
    client: AsyncTestClient[Any], body: dict[str, Any]
) -> None:
    created = await client.post("/api/sessions", json=body | {"unknown_extra": 1})
    assert created.status_code == 200, created.text
    session = created.json()
    assert set(session) >= UNION_FIELDS
    assert session["status"] == "active" and session["ended_at"] is None
    assert session["started_at"] == session["created_at"] and session["started_at"].endswith("Z")
    for key, value in body.items():
        assert session[key] == value
    if "label" in body:
        assert session["name"] == body["label"]
    if "name" in body:
        assert session["label"] == body["name"]
    fetched = await client.get(f"/api/sessions/{session['id']}")
    assert fetched.status_code == 200 and fetched.json() == session


async def test_list_newest_first_patch_end_and_delete(
    client: AsyncTestClient[Any], data_dir: Path
) -> None:
    ids = [
        (await client.post("/api/sessions", json={"name": f"s{i}"})).json()["id"] for i in range(3)
    ]
    listed = (await client.get("/api/sessions")).json()
    assert [s["id"] for s in listed] == ids[::-1]

    patched = await client.patch(
        f"/api/sessions/{ids[0]}", json={"name": "renamed", "description": "d"}
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "renamed" and patched.json()["status"] == "active"
    ended = (await client.patch(f"/api/sessions/{ids[0]}", json={"status": "ended"})).json()
    assert ended["status"] == "ended" and ended["ended_at"] is not None
    again = (await client.patch(f"/api/sessions/{ids[0]}", json={"status": "ended"})).json()
    assert again["ended_at"] == ended["ended_at"]
    active = (await client.patch(f"/api/sessions/{ids[0]}", json={"status": "active"})).json()
    assert active["status"] == "active" and active["ended_at"] is None

    bad = await client.patch(f"/api/sessions/{ids[0]}", json={"status": "paused"})
    assert bad.status_code == 422 and "status" in bad.json()["detail"]

    posted = await client.post(
        f"/api/sessions/{ids[1]}/telemetry",
        json={"timestamp": "2025-01-26T10:32:15Z", "channel": "v", "value": 1.0},
    )
    assert posted.status_code == 200
    await client.post("/session/reset")
    directory = data_dir / "sessions" / ids[1]
    assert any(directory.rglob("*.parquet"))
    assert (await client.delete(f"/api/sessions/{ids[1]}")).status_code == 204
    assert not directory.exists()
    assert (await client.get(f"/api/sessions/{ids[1]}")).status_code == 404
    assert (await client.delete(f"/api/sessions/{ids[1]}")).status_code == 404


async def test_unknown_ids_are_404_and_bad_bodies_422(client: AsyncTestClient[Any]) -> None:
    for method, path in [
        ("get", "/api/sessions/sess_0000"),
        ("get", "/api/sessions/..%2F..%2Fetc"),
        ("delete", "/api/sessions/nope"),
        ("post", "/api/sessions/nope/complete"),
        ("post", "/api/sessions/nope/reopen"),
        ("post", "/api/sessions/nope/analyze"),
        ("get", "/api/sessions/nope/analysis"),
        ("post", "/api/sessions/nope/runs/run_0123456789abcdef/stop"),
        ("delete", "/api/sessions/nope/runs/run_0123456789abcdef"),
    ]:
        response = await client.request(method, path)
        assert response.status_code == 404, (method, path, response.text)
        assert "not found" in response.json()["detail"].lower()
    sid = (await client.post("/api/sessions", json={})).json()["id"]
    assert (
        await client.post(f"/api/sessions/{sid}/runs/run_0123456789abcdef/stop")
    ).status_code == 404
    for body, field in [
        ({"name": 5}, "name"),
        ({"use_case": ["x"]}, "use_case"),
    ]:
        response = await client.post("/api/sessions", json=body)
        assert response.status_code == 422 and field in response.json()["detail"]
    garbage = await client.post(
        "/api/sessions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert garbage.status_code == 422 and "body" in garbage.json()["detail"]
    run = await client.post(f"/api/sessions/{sid}/runs", json={"label": "no feed"})
    assert run.status_code == 422 and "feed_name" in run.json()["detail"]
    run = await client.post(f"/api/sessions/{sid}/runs", json={"feed_name": "nope"})
    assert run.status_code == 422 and "feed_name" in run.json()["detail"]
    run = await client.post(
        f"/api/sessions/{sid}/runs", json={"feed_name": "pcars", "merge_feeds": ["nope"]}
    )
    assert run.status_code == 422 and "merge_feeds" in run.json()["detail"]


async def test_run_complete_analysis_reopen(
    client: AsyncTestClient[Any], udp_sender: socket.socket, data_dir: Path
) -> None:
    session = (
        await client.post("/api/sessions", json={"use_case": "lap_times", "label": "stint"})
    ).json()
    sid = session["id"]
    started = await client.post(
        f"/api/sessions/{sid}/runs", json={"feed_name": "pcars", "label": "out lap"}
    )
    assert started.status_code == 201, started.text
    run = started.json()
    assert run["status"] == "recording" and run["end_marker"] is None
    assert run["feed_name"] == "pcars" and run["label"] == "out lap"
    again = await client.post(f"/api/sessions/{sid}/runs", json={"feed_name": "pcars"})
    assert again.status_code == 409

    sent = await _send_laps(client, udp_sender)
    # In progress: the server's view already holds the run's frames from the ring buffer.
    store = client.app.state.runtime.sessions.store
    live = store.open_session(sid, table="frames").collect()
    assert live.height == sent and set(live["run_id"]) == {run["id"]}
    assert store.open_session(sid, table="channels").collect().height == 0
    stopped = await client.post(f"/api/sessions/{sid}/runs/{run['id']}/stop")
    assert stopped.status_code == 200, stopped.text
    run = stopped.json()
    assert run["status"] == "stopped" and run["data_truncated"] is False
    session = (await client.get(f"/api/sessions/{sid}")).json()
    assert session["game"] == "project_cars_2" and session["recording_id"] is None
    assert run["end_marker"] - run["start_marker"] == run["frame_count"]
    assert run["frame_count"] == sent
    assert run["rows_saved"] == sent
    assert (await client.post(f"/api/sessions/{sid}/runs/{run['id']}/stop")).status_code == 409

    frames = open_session(sid, data_dir=data_dir, table="frames").collect()
    assert frames.height == sent and set(frames["run_id"]) == {run["id"]}
    assert frames["ts_ns"].is_sorted() and (frames["t_s"] >= 0).all()

    assert (await client.get(f"/api/sessions/{sid}/analysis")).status_code == 404
    assert (await client.post(f"/api/sessions/{sid}/analyze")).status_code == 409
    completed = (await client.post(f"/api/sessions/{sid}/complete")).json()
    assert completed["status"] == "completed" and completed["completed_at"] is not None
    assert completed["analysis"]["lap_count"] == 2
    assert completed["analysis"]["frame_count"] == sent
    assert [lap["lap"] for lap in completed["analysis"]["laps"]] == [1, 2]
    assert "2 complete lap" in completed["guidance"]
    analysis = (await client.get(f"/api/sessions/{sid}/analysis")).json()
    assert analysis["analysis"] == completed["analysis"] and analysis["guidance"]
    assert (
        await client.post(f"/api/sessions/{sid}/runs", json={"feed_name": "pcars"})
    ).status_code == 409
    reanalyzed = await client.post(f"/api/sessions/{sid}/analyze")
    assert reanalyzed.status_code == 200 and reanalyzed.json()["analysis"]["lap_count"] == 2

    reopened = (await client.post(f"/api/sessions/{sid}/reopen")).json()
    assert reopened["status"] == "active" and reopened["analysis"] is None
    assert reopened["guidance"] is None and reopened["completed_at"] is None
    assert len(reopened["runs"]) == 1
    assert (await client.get(f"/api/sessions/{sid}/analysis")).status_code == 404

    runs = (await client.get(f"/api/sessions/{sid}/runs")).json()
    assert [r["id"] for r in runs] == [run["id"]]
    deleted = await client.delete(f"/api/sessions/{sid}/runs/{run['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.get(f"/api/sessions/{sid}")).json()["runs"] == []
    assert open_session(sid, data_dir=data_dir, table="frames").collect().height == 0


async def test_complete_stops_a_running_run(
    client: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    sid = (await client.post("/api/sessions", json={"use_case": "general"})).json()["id"]
    run = (await client.post(f"/api/sessions/{sid}/runs", json={"feed_name": "pcars"})).json()
    sent = await _send_laps(client, udp_sender, laps=1, per_lap=5)
    completed = (await client.post(f"/api/sessions/{sid}/complete")).json()
    assert completed["runs"][0]["id"] == run["id"]
    assert completed["runs"][0]["status"] == "stopped"
    assert completed["runs"][0]["frame_count"] == sent
    assert completed["analysis"]["lap_count"] == 0
    assert "no complete lap" in completed["guidance"]


async def test_merge_feeds_keeps_the_primary_row_per_timestamp(
    client: AsyncTestClient[Any], udp_sender: socket.socket, data_dir: Path
) -> None:
    sid = (await client.post("/api/sessions", json={})).json()["id"]
    run = (
        await client.post(
            f"/api/sessions/{sid}/runs",
            json={"feed_name": "pcars", "merge_feeds": ["ttool", "pcars"]},
        )
    ).json()
    assert run["merge_feeds"] == ["ttool"]
    sent = await _send_laps(client, udp_sender, laps=1, per_lap=5)
    stopped = (await client.post(f"/api/sessions/{sid}/runs/{run['id']}/stop")).json()
    assert stopped["frame_count"] == sent and stopped["data_truncated"] is False
    frames = open_session(sid, data_dir=data_dir, table="frames").collect()
    assert set(frames["feed"]) == {"pcars"}
    assert frames["ts_ns"].n_unique() == frames.height


async def test_a_run_longer_than_the_ring_is_truncated(
    settings: Settings, udp_sender: socket.socket, data_dir: Path
) -> None:
    small = Settings.from_env(
        {},
        data_dir=settings.data_dir,
        listen="127.0.0.1",
        pcars_port=0,
        game_host="127.0.0.1",
        ac_port=settings.ac_port,
        ttool_port=0,
        ring_capacity=16,
        log_level="warning",
    )
    async with AsyncTestClient(create_app(small)) as client:
        sid = (await client.post("/api/sessions", json={})).json()["id"]
        run = (await client.post(f"/api/sessions/{sid}/runs", json={"feed_name": "pcars"})).json()
        sent = await _send_laps(client, udp_sender, laps=2, per_lap=10)
        stopped = (await client.post(f"/api/sessions/{sid}/runs/{run['id']}/stop")).json()
        assert stopped["data_truncated"] is True
        assert stopped["frame_count"] == sent
        assert stopped["rows_saved"] <= 16 < sent
        kept = open_session(sid, data_dir=data_dir, table="frames").collect()
        assert kept.height == stopped["rows_saved"]


async def test_open_session_reads_http_and_feed_data_alike(
    client: AsyncTestClient[Any], udp_sender: socket.socket, data_dir: Path
) -> None:
    sid = (await client.post("/api/sessions", json={})).json()["id"]
    run = (await client.post(f"/api/sessions/{sid}/runs", json={"feed_name": "pcars"})).json()
    sent = await _send_laps(client, udp_sender, laps=1, per_lap=3)
    await client.post(f"/api/sessions/{sid}/runs/{run['id']}/stop")
    await client.post(f"/session/{sid}/frames", json=[{"t": 0.5, "speed_kmh": 99.0}])
    await client.post(
        f"/api/sessions/{sid}/telemetry",
        json={"timestamp": "2030-01-01T00:00:00Z", "channel": "battery_voltage", "value": 32.5},
    )
    await client.patch(f"/api/sessions/{sid}", json={"status": "ended"})
    everything = open_session(sid, data_dir=data_dir).collect()
    assert everything.height == sent + 2
    assert set(everything["feed"]) == {"pcars", "http", "channels"}
    assert everything["ts_ns"].is_sorted()
    assert everything.filter(pl.col("feed") == "http")["speed_kmh"].to_list() == [99.0]
    assert everything["battery_voltage"].drop_nulls().to_list() == [32.5]


async def test_openapi_lists_every_session_route(client: AsyncTestClient[Any]) -> None:
    paths = set((await client.get("/schema/openapi.json")).json()["paths"])
    expected = {
        "/api/sessions",
        "/api/sessions/{session_id}",
        "/api/sessions/{session_id}/complete",
        "/api/sessions/{session_id}/analyze",
        "/api/sessions/{session_id}/analysis",
        "/api/sessions/{session_id}/reopen",
        "/api/sessions/{session_id}/runs",
        "/api/sessions/{session_id}/runs/{run_id}/stop",
        "/api/sessions/{session_id}/runs/{run_id}",
        "/api/sessions/{session_id}/notes",
        "/api/sessions/{session_id}/notes/export",
        "/api/sessions/{session_id}/notes/{note_id}",
        "/api/sessions/{session_id}/telemetry",
        "/api/sessions/{session_id}/telemetry/batch",
        "/api/sessions/{session_id}/telemetry/latest",
        "/api/sessions/{session_id}/telemetry/channels",
        "/api/sessions/{session_id}/stt/tasks",
        "/api/sessions/{session_id}/stt/tasks/{task_id}",
        "/session/start",
        "/session/reset",
        "/sessions",
        "/session/{session_id}",
        "/session/{session_id}/end",
        "/session/{session_id}/frames",
        "/session/{session_id}/frame",
        "/session/{session_id}/signals",
        "/session/{session_id}/video_frames",
    }
    assert expected <= paths, expected - paths


async def test_a_run_during_a_recording_links_the_session_to_it(
    client: AsyncTestClient[Any],
) -> None:
    recording = (await client.post("/api/recordings", json={"name": "day"})).json()
    sid = (await client.post("/api/sessions", json={"game": "assetto_corsa"})).json()["id"]
    run = (await client.post(f"/api/sessions/{sid}/runs", json={"feed_name": "pcars"})).json()
    await client.post(f"/api/sessions/{sid}/runs/{run['id']}/stop")
    await client.post("/api/recordings/stop")
    session = (await client.get(f"/api/sessions/{sid}")).json()
    assert session["recording_id"] == recording["id"]
    assert session["game"] == "assetto_corsa"  # given at creation: kept
