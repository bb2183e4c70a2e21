"""The realtime streams over a real server: SSE with heartbeats and resume, the DAM WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from httpx_sse import connect_sse

from tests.api.test_cycles import cycle
from tests.e2e.server import ServerProcess, running_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    monkeypatch.setenv("PADDOCK_SSE_HEARTBEAT_S", "0.3")
    monkeypatch.setenv("PADDOCK_WS_PING_S", "0.3")
    with running_server(tmp_path / "data") as server:
        yield server


def test_sse_paths_heartbeat_and_resume(server: ServerProcess) -> None:
    timeout = httpx.Timeout(5.0, read=10.0)
    with httpx.Client(timeout=timeout) as client:
        for path in ("/cues/stream", "/telemetry/stream", "/notifications"):
            with client.stream("GET", server.base_url + path) as response:
                assert response.status_code == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                lines = []
                for line in response.iter_lines():
                    lines.append(line)
                    if line == ": heartbeat":
                        break
                    assert len(lines) < 50
                assert ": heartbeat" in lines

        assert server.post("/api/telemetry/cycles", json=cycle(1, was_clamped=True)).is_success
        assert server.post("/api/control/pause").is_success
        with connect_sse(
            client, "GET", server.base_url + "/notifications", headers={"Last-Event-ID": "1"}
        ) as source:
            for event in source.iter_sse():
                if not event.data:  # the opening comment with the retry interval
                    continue
                assert event.event == "control"
                assert event.id == "2"
                assert json.loads(event.data)["data"]["to"] == "paused"
                break


def test_ws_telemetry_replay_and_ping(server: ServerProcess) -> None:
    assert server.post("/api/telemetry/cycles", json=[cycle(i) for i in range(60)]).is_success
    url = server.base_url.replace("http", "ws") + "/ws/telemetry"

    async def run() -> tuple[list[int], str]:
        async with websockets.connect(url) as ws:
            ids = [json.loads(await asyncio.wait_for(ws.recv(), 10))["cycle_id"] for _ in range(50)]
            ping = await asyncio.wait_for(ws.recv(), 10)
            return ids, str(ping)

    ids, ping = asyncio.run(run())
    assert ids == list(range(10, 60))
    assert json.loads(ping) == {"type": "ping"}


def test_shutdown_closes_open_command_plane_connections(server: ServerProcess) -> None:
    url = server.base_url.replace("http", "ws") + "/ws"

    async def run() -> int | None:
        async with websockets.connect(url) as ws:
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
            stopping = asyncio.create_task(asyncio.to_thread(server.stop))
            with contextlib.suppress(websockets.ConnectionClosed):
                for _ in range(1000):  # status broadcasts until the server goes
                    await asyncio.wait_for(ws.recv(), 10)
            await stopping
            return ws.close_code

    code = asyncio.run(run())
    # The server went by itself (not killed after the stop timeout), and the socket closed.
    assert server.proc.returncode not in (None, -9), server.log()
    assert code in (1001, 1006), code
