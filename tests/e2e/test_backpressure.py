"""A stalled WebSocket client over a real server: the others and the publisher are unaffected."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.api.test_cycles import cycle
from tests.e2e.server import ServerProcess, running_server

pytestmark = pytest.mark.e2e

EVENTS = 400
FRAME = base64.b64encode(bytes(range(256)) * 512).decode()  # 128 KiB JPEG stand-in


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    monkeypatch.setenv("PADDOCK_CLIENT_QUEUE", "32")
    monkeypatch.setenv("PADDOCK_CYCLE_REPLAY", "1")
    with running_server(tmp_path / "data") as server:
        yield server


def test_stalled_client_loses_oldest_and_others_get_everything(server: ServerProcess) -> None:
    url = server.base_url.replace("http", "ws") + "/ws/telemetry"
    assert server.post("/api/telemetry/cycles", json=cycle(-1)).is_success

    async def run() -> tuple[list[int], list[object]]:
        async with (
            websockets.connect(url, max_queue=4, max_size=None) as stalled,
            websockets.connect(url, max_size=None) as reader,
        ):
            # Both got the replayed event; from now on `stalled` is never read until the end.
            assert json.loads(await asyncio.wait_for(stalled.recv(), 10))["cycle_id"] == -1
            assert json.loads(await asyncio.wait_for(reader.recv(), 10))["cycle_id"] == -1

            async def read(count: int) -> list[int]:
                ids = []
                while len(ids) < count:
                    message = await asyncio.wait_for(reader.recv(), 30)
                    if isinstance(message, str):
                        body = json.loads(message)
                        assert body["type"] != "lagged", body
                        if body["type"] == "cycle":
                            ids.append(body["cycle_id"])
                return ids

            # The reader keeps up (it reads each batch before the next is posted); the stalled
            # client's queue overflows many times over meanwhile.
            ids: list[int] = []
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30.0) as http:
                for start in range(0, EVENTS, 10):
                    batch = [
                        cycle(n, camera_frames={"top": FRAME}) for n in range(start, start + 10)
                    ]
                    response = await http.post("/api/telemetry/cycles", json=batch)
                    assert response.status_code == 200
                    ids += await read(10)
            # Now drain the stalled client: somewhere it was told it lost messages.
            notices: list[object] = []
            for _ in range(EVENTS * 2 + 50):
                try:
                    message = await asyncio.wait_for(stalled.recv(), 2)
                except TimeoutError:
                    break
                if isinstance(message, str) and json.loads(message)["type"] == "lagged":
                    notices.append(json.loads(message))
            return ids, notices

    ids, notices = asyncio.run(run())
    assert ids == list(range(EVENTS))
    assert notices
    assert all(n["dropped"] > 0 for n in notices)  # type: ignore[index]
    health = server.get("/api/v1/system-metrics").json()
    assert health["cycles_total"] == EVENTS + 1
