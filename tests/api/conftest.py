from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from paddock.api.app import create_app
from paddock.config import Settings


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(settings)
    async with AsyncTestClient(app) as client:
        yield client


async def wait_for(predicate: Callable[[], Any], *, timeout_s: float = 10.0) -> Any:
    """Polls ``predicate`` (sync or async) until it returns something truthy; bounded."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.05)


async def start_session(
    client: AsyncTestClient[Any], frames: list[dict[str, Any]], **fields: Any
) -> str:
    """Starts a session through ``/session/start`` with ``fields`` and posts ``frames`` to it."""
    sid: str = (await client.post("/session/start", json=fields)).json()["session_id"]
    if frames:
        response = await client.post(f"/session/{sid}/frames", json={"frames": frames})
        assert response.status_code == 200
    return sid
