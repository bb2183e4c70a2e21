from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from paddock.api.app import create_app
from paddock.api.arrow_ipc import read_stream
from paddock.config import Settings
from tests.api.packets import telemetry
from tests.conftest import wait_until


@pytest.fixture
def sync_client(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(settings)) as client:
        yield client


def test_schema_then_record_batches(
    sync_client: TestClient[Any], udp_sender: socket.socket
) -> None:
    port = sync_client.app.state.runtime.hub.feed("pcars").port
    url = "/ws/live?channels=speed_kmh,gear,rpm&rate_hz=50"
    with sync_client.websocket_connect(url) as ws:
        messages = [ws.receive_bytes(timeout=10)]
        schema_only = read_stream(messages)
        assert schema_only.column_names == ["feed", "ts_ns", "t_s", "speed_kmh", "gear", "rpm"]
        assert schema_only.num_rows == 0
        for n in range(5):
            udp_sender.sendto(telemetry(n, speed_ms=10.0 + n, gear=3), ("127.0.0.1", port))
        rows = 0
        for _ in range(50):
            messages.append(ws.receive_bytes(timeout=10))
            rows = read_stream(messages).num_rows
            if rows >= 5:
                break
        table = read_stream(messages).to_pydict()
        assert table["feed"][:5] == ["pcars"] * 5
        assert table["speed_kmh"][:5] == pytest.approx([(10.0 + n) * 3.6 for n in range(5)])
        assert table["gear"][:5] == [3] * 5


def test_full_schema_and_bad_queries(sync_client: TestClient[Any]) -> None:
    with sync_client.websocket_connect("/ws/live") as ws:
        names = read_stream([ws.receive_bytes(timeout=10)]).column_names
    assert names[:4] == ["feed", "ts_ns", "t_s", "speed_kmh"]
    assert "water_temp_c" in names
    assert not any("." in n for n in names)
    for query, reason in (("channels=nope", "not canonical"), ("rate_hz=0", "rate_hz")):
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            sync_client.websocket_connect(f"/ws/live?{query}") as ws,
        ):
            ws.receive_bytes(timeout=10)
        assert closed.value.code == 1008
        assert reason in str(closed.value.detail)


def test_history_first_then_live_rows_without_repeats(
    sync_client: TestClient[Any], udp_sender: socket.socket
) -> None:
    runtime = sync_client.app.state.runtime
    feed = runtime.hub.feed("pcars")
    for n in range(6):
        udp_sender.sendto(telemetry(n, speed_ms=20.0 + n, gear=4), ("127.0.0.1", feed.port))
    assert wait_until(lambda: feed.last(10).num_rows >= 6, timeout_s=10)

    url = "/ws/live?channels=speed_kmh,gear&feeds=pcars&rate_hz=50&history_s=600"
    with sync_client.websocket_connect(url) as ws:
        messages = [ws.receive_bytes(timeout=10)]
        notice: dict[str, Any] = {}
        for _ in range(10):
            message = ws.receive(timeout=10)
            if message.get("text"):
                notice = json.loads(message["text"])
                break
            messages.append(message["bytes"])
        assert notice == {"type": "history", "rows": 6}
        history = read_stream(messages).to_pydict()
        assert history["speed_kmh"] == pytest.approx([(20.0 + n) * 3.6 for n in range(6)])

        for n in range(6, 9):
            udp_sender.sendto(telemetry(n, speed_ms=20.0 + n, gear=4), ("127.0.0.1", feed.port))
        for _ in range(50):
            messages.append(ws.receive_bytes(timeout=10))
            if read_stream(messages).num_rows >= 9:
                break
        table = read_stream(messages).to_pydict()
    assert table["speed_kmh"] == pytest.approx([(20.0 + n) * 3.6 for n in range(9)])
    assert len(set(table["ts_ns"])) == 9


def test_history_out_of_range_is_refused(sync_client: TestClient[Any]) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        sync_client.websocket_connect("/ws/live?history_s=0") as ws,
    ):
        ws.receive_bytes(timeout=10)
    assert closed.value.code == 1008
    assert "history_s" in str(closed.value.detail)
