"""Replay over a real server: a recorded session comes back on SSE and ``/ws/live`` as if live."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import httpx
import pyarrow as pa
import pytest
import websockets
from httpx_sse import aconnect_sse

from paddock.store.session_data import open_session
from tests.api.packets import telemetry
from tests.e2e.server import ServerProcess

pytestmark = pytest.mark.e2e

FRAMES = 60


def _wait(predicate: Any, timeout_s: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout_s} s")


def _record_session(server: ServerProcess) -> tuple[str, list[float]]:
    """A session with one run of ``FRAMES`` telemetry frames from the pcars feed (~0.6 s)."""
    sid = server.post("/api/sessions", json={"name": "replay source"}).json()["id"]
    run = server.post(f"/api/sessions/{sid}/runs", json={"feed_name": "pcars"}).json()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for n in range(FRAMES):
            sock.sendto(telemetry(n, speed_ms=10.0 + n), ("127.0.0.1", server.pcars_port))
            time.sleep(0.01)

    def pcars_packets() -> int:
        feeds = server.get("/api/live").json()["feeds"]
        return int(next(f for f in feeds if f["name"] == "pcars")["packets"])

    _wait(lambda: pcars_packets() >= FRAMES)
    stopped = server.post(f"/api/sessions/{sid}/runs/{run['id']}/stop").json()
    assert stopped["frame_count"] == FRAMES
    return sid, [(10.0 + n) * 3.6 for n in range(FRAMES)]


async def _watch_replay(
    server: ServerProcess, sid: str
) -> tuple[dict[str, Any], dict[str, Any], list[float], list[float], dict[str, Any]]:
    """Starts a replay with an SSE and a ``/ws/live`` client attached; what each saw."""
    base = server.base_url
    ws_url = base.replace("http", "ws") + "/ws/live?feeds=replay&channels=speed_kmh&rate_hz=200"
    sse_speeds: list[float] = []
    ws_speeds: list[float] = []
    timeout = httpx.Timeout(10.0, read=20.0)
    async with (
        httpx.AsyncClient(base_url=base, timeout=timeout) as client,
        aconnect_sse(
            client, "GET", "/api/stream/telemetry?feeds=replay&channels=speed_kmh"
        ) as source,
        websockets.connect(ws_url, max_size=None) as ws,
    ):
        schema = pa.ipc.read_schema(pa.py_buffer(await asyncio.wait_for(ws.recv(), 10)))
        started = await client.post(
            "/session/replay/start", json={"source_session_id": sid, "speed": 0.5}
        )
        assert started.status_code == 200, started.text
        second = await client.post("/api/replay/start", json={"source_session_id": sid})
        assert second.status_code == 409, second.text
        progress: dict[str, Any] = {}
        events = source.aiter_sse()
        while len(sse_speeds) < FRAMES:
            event = await asyncio.wait_for(anext(events), 10)
            if event.event != "telemetry":
                continue
            body = json.loads(event.data)
            assert body["feed"] == "replay"
            assert {"ts_ns", "t_s", "speed_kmh"} <= set(body["frames"][0])
            sse_speeds.extend(frame["speed_kmh"] for frame in body["frames"])
            if not progress:
                progress = (await client.get("/session/replay/status")).json()
        while len(ws_speeds) < FRAMES:
            message = await asyncio.wait_for(ws.recv(), 10)
            assert isinstance(message, bytes), message
            batch = pa.ipc.read_record_batch(pa.py_buffer(message), schema)
            assert set(batch.column("feed").to_pylist()) == {"replay"}
            ws_speeds.extend(batch.column("speed_kmh").to_pylist())
        live = (await client.get("/api/live")).json()
    return started.json(), progress, sse_speeds, ws_speeds, live


def test_replay_is_published_like_live_data(server: ServerProcess) -> None:
    sid, speeds = _record_session(server)
    recording = server.post("/api/recordings", json={"name": "while replaying"}).json()

    started, progress, sse_speeds, ws_speeds, live = asyncio.run(_watch_replay(server, sid))

    assert started["source_session_id"] == sid and started["replay_id"] == sid
    assert started["total_frames"] == FRAMES
    assert started["speed"] == 0.5 and started["loop"] is False
    recorded = open_session(sid, data_dir=server.data_dir, table="frames").collect()
    span_s = (recorded["ts_ns"].max() - recorded["ts_ns"].min()) / 1e9  # type: ignore[operator]
    assert started["est_duration_s"] == pytest.approx(span_s / 0.5, abs=0.01)
    # The recorded values, in the recorded order, on both transports.
    assert sse_speeds == pytest.approx(speeds)
    assert ws_speeds == pytest.approx(speeds)
    assert progress["running"] is True and progress["source_session_id"] == sid
    assert progress["total_frames"] == FRAMES and 0 < progress["frames_emitted"] <= FRAMES
    assert progress["frame_idx"] == progress["frames_emitted"]
    replay_feed = next(f for f in live["feeds"] if f["name"] == "replay")
    assert replay_feed["kind"] == "replay"
    # The replay ends by itself at the end of the session.
    _wait(lambda: server.get("/session/replay/status").json() == {"running": False})
    assert server.post("/session/replay/stop").status_code == 404

    # Not recorded again: neither into the running recording nor into its source session.
    stopped = server.post(f"/api/recordings/{recording['id']}/stop").json()
    assert "replay" not in {f["name"] for f in stopped["feeds"]}
    refused = server.post(f"/api/sessions/{sid}/runs", json={"feed_name": "replay"})
    assert refused.status_code == 409, refused.text
    frames = server.get(f"/api/sessions/{sid}").json()
    assert frames["frame_count"] == FRAMES


def test_loop_stop_and_errors(server: ServerProcess) -> None:
    sid, _ = _record_session(server)
    assert server.post("/session/replay/start", json={}).status_code == 400
    assert server.post("/session/replay/start", json={"speed": 2}).json()["detail"]
    missing = server.post("/session/replay/start", json={"source_session_id": "nope"})
    assert missing.status_code == 404, missing.text
    empty = server.post("/api/sessions", json={"name": "nothing recorded"}).json()["id"]
    assert server.post("/api/replay/start", json={"source_session_id": empty}).status_code == 404
    bad_speed = server.post("/api/replay/start", json={"source_session_id": sid, "speed": 0})
    assert bad_speed.status_code == 400 and "speed" in bad_speed.json()["detail"]
    assert server.post("/api/control/pause").is_success
    paused = server.post("/api/replay/start", json={"source_session_id": sid})
    assert paused.status_code == 503 and paused.json()["detail"]
    assert server.post("/api/control/resume").is_success

    looping = server.post(
        "/api/replay/start", json={"source_session_id": sid, "speed": 4.0, "loop": True}
    )
    assert looping.status_code == 200, looping.text
    status = _wait(lambda: (s := server.get("/api/replay/status").json())["loops"] >= 2 and s)
    assert status["running"] is True and status["loop"] is True
    assert status["frames_emitted"] >= 2 * FRAMES
    stopped = server.post("/api/replay/stop").json()
    assert stopped["stopped"] is True and stopped["frames_emitted"] >= status["frames_emitted"]
    assert server.get("/api/replay/status").json() == {"running": False}
