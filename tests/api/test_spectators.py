from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from paddock.api.app import create_app
from paddock.config import Settings
from paddock.store.catalog import Catalog

ADMIN = {"Authorization": "Bearer admin-secret"}


@pytest.fixture
async def guarded(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(settings.with_(api_token="admin-secret"))
    async with AsyncTestClient(app) as client:
        yield client


async def test_tokens_open_only_live_reads_until_revoked(guarded: AsyncTestClient[Any]) -> None:
    c = guarded
    assert (await c.post("/spectator/token")).status_code == 401  # minting needs the API token
    minted = await c.post(
        "/spectator/token", json={"ttl_s": 600, "label": "pit wall"}, headers=ADMIN
    )
    assert minted.status_code == 200
    body = minted.json()
    assert body["label"] == "pit wall"
    assert body["expires_at"] == pytest.approx(body["created_at"] + 600)
    assert "/telemetry/stream" in body["paths"]
    token = body["token"]

    as_query = {"spectator_token": token}
    as_bearer = {"Authorization": f"Bearer {token}"}
    assert (await c.get("/api/live", params=as_query)).status_code == 200
    assert (await c.get("/api/telemetry/history", headers=as_bearer)).status_code == 200
    # Read-only and live views only.
    assert (await c.get("/api/recordings", params=as_query)).status_code == 401
    assert (await c.post("/api/recordings", params=as_query, json={})).status_code == 401
    assert (await c.post("/api/telemetry/cycles", headers=as_bearer, json={})).status_code == 401
    assert (await c.get("/api/live", params={"spectator_token": "forged"})).status_code == 401

    revoked = await c.delete(f"/spectator/token/{token}", headers=ADMIN)
    assert revoked.json() == {"revoked": True}
    assert (await c.get("/api/live", params=as_query)).status_code == 401
    again = await c.delete(f"/spectator/token/{token}", headers=ADMIN)
    assert again.status_code == 404


async def test_expired_tokens_and_bad_ttls_are_refused(guarded: AsyncTestClient[Any]) -> None:
    c = guarded
    short = (await c.post("/spectator/token", json={"ttl_s": 0.01}, headers=ADMIN)).json()
    await asyncio.sleep(0.1)
    response = await c.get("/api/live", params={"spectator_token": short["token"]})
    assert response.status_code == 401
    assert response.json()["detail"]
    for ttl in (0, -1, 8 * 24 * 3600):
        bad = await c.post("/spectator/token", json={"ttl_s": ttl}, headers=ADMIN)
        assert bad.status_code == 422, ttl
        assert "ttl_s" in bad.json()["detail"]


def test_websockets_need_the_token_or_a_spectator_token(settings: Settings) -> None:
    from litestar.exceptions import WebSocketDisconnect
    from litestar.testing import TestClient

    with TestClient(create_app(settings.with_(api_token="admin-secret"))) as c:
        token = c.post("/spectator/token", headers=ADMIN).json()["token"]
        for url in ("/ws/telemetry", "/ws/live", "/ws", "/ws?token=wrong"):
            with pytest.raises(WebSocketDisconnect) as closed, c.websocket_connect(url) as ws:
                ws.receive_text(timeout=10)
            assert closed.value.code == 4401, url
        with c.websocket_connect("/ws?token=admin-secret") as ws:
            assert ws.receive_json(timeout=10)["type"] == "hello"
        with c.websocket_connect("/ws/live", headers=ADMIN) as ws:
            assert ws.receive_bytes(timeout=10)
        with c.websocket_connect(f"/ws/live?spectator_token={token}") as ws:
            assert ws.receive_bytes(timeout=10)
        # Every socket needs the token, the session events' too.
        session = c.post("/api/sessions", json={"name": "guarded"}, headers=ADMIN).json()
        events = f"/ws/sessions/{session['id']}"
        with pytest.raises(WebSocketDisconnect) as closed, c.websocket_connect(events) as ws:
            ws.receive_text(timeout=10)
        assert closed.value.code == 4401
        with c.websocket_connect(f"{events}?token=admin-secret") as ws:
            assert ws.receive_json(timeout=10)["event"] == "connected"
        # A spectator may watch, not command.
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            c.websocket_connect(f"/ws?spectator_token={token}") as ws,
        ):
            ws.receive_text(timeout=10)
        assert closed.value.code == 4401


async def test_tokens_survive_a_restart_until_they_expire_or_are_revoked(
    settings: Settings,
) -> None:
    guarded_settings = settings.with_(api_token="admin-secret")
    async with AsyncTestClient(create_app(guarded_settings)) as first:
        kept = (await first.post("/spectator/token", json={"ttl_s": 600}, headers=ADMIN)).json()
        revoked = (await first.post("/spectator/token", headers=ADMIN)).json()
        short = (await first.post("/spectator/token", json={"ttl_s": 0.2}, headers=ADMIN)).json()
        await first.delete(f"/spectator/token/{revoked['token']}", headers=ADMIN)
    await asyncio.sleep(0.3)
    # A new server over the same data directory: the catalog still holds the live token.
    async with AsyncTestClient(create_app(guarded_settings)) as second:
        assert (
            await second.get("/api/live", params={"spectator_token": kept["token"]})
        ).status_code == 200
        for gone in (revoked, short):
            response = await second.get("/api/live", params={"spectator_token": gone["token"]})
            assert response.status_code == 401
        assert (await second.delete(f"/spectator/token/{kept['token']}", headers=ADMIN)).json() == {
            "revoked": True
        }
    rows = Catalog(guarded_settings.catalog_path).query("SELECT doc FROM spectator_tokens")
    assert rows == []  # revoked and expired tokens leave the catalog; tokens are never stored
