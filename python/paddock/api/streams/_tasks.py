"""The lifetime of one WebSocket connection's tasks, shared by every socket handler."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect

CLOSE_GOING_AWAY = 1001


async def until_first_done(tasks: list[asyncio.Task[Any]]) -> set[asyncio.Task[Any]]:
    """Waits until one of ``tasks`` ends, then cancels and awaits the others.

    Returns the tasks that ended; an error one of them ended with is raised, except the client
    going away.
    """
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await task
    for task in done:
        with contextlib.suppress(WebSocketDisconnect):
            task.result()
    return done


async def close_going_away(socket: WebSocket[Any, Any, Any]) -> None:
    """Tells the client the server is shutting down (a socket already gone is fine)."""
    with contextlib.suppress(Exception):
        await socket.close(code=CLOSE_GOING_AWAY, reason="server shutting down")
