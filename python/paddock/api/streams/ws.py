"""``WS /ws/sessions/{sid}``: a session's events in ASTRA's envelope; ``"ping"`` → ``"pong"``.

On connect the client gets ``connected``; then ``note.created``/``note.updated``/``note.deleted``,
``stt.task.created``/``stt.task.done`` and ``error.occurred`` as they happen. A client that
falls behind loses its oldest events and receives an ``error.occurred`` with ``source: "ws"``
saying how many. An unknown session is refused with close code 4404.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import WebSocket, websocket
from litestar.di import NamedDependency
from litestar.params import FromPath

from paddock.api.runtime import Runtime
from paddock.api.session_services import encode_event
from paddock.api.streams._tasks import close_going_away, until_first_done
from paddock.hub import Lagged

CLOSE_UNKNOWN_SESSION = 4404


@websocket("/ws/sessions/{session_id:str}")
async def session_events(
    socket: WebSocket[Any, Any, Any], runtime: NamedDependency[Runtime], session_id: FromPath[str]
) -> None:
    """Streams the session's events until the client goes."""
    services = runtime.sessions
    if not await asyncio.to_thread(services.store.exists, session_id):
        await socket.close(code=CLOSE_UNKNOWN_SESSION, reason=f"Session {session_id} not found")
        return
    await socket.accept()
    subscription = services.events.subscribe(session_id)
    send_lock = asyncio.Lock()

    async def send(text: str) -> None:
        async with send_lock:
            await socket.send_text(text)

    async def receive() -> None:
        while True:
            message = await socket.receive_text()
            if message.strip() == "ping":
                await send("pong")

    async def forward() -> None:
        while True:
            item = await subscription.get()
            if item is None:
                if subscription.closed:
                    return
                continue
            if isinstance(item, Lagged):
                text = encode_event(
                    "error.occurred",
                    session_id,
                    {
                        "message": f"{item.dropped} event(s) dropped: client too slow",
                        "source": "ws",
                    },
                ).decode()
            else:
                text = item.decode()
            await send(text)

    try:
        await send(
            encode_event(
                "connected", session_id, {"message": f"Connected to session {session_id}"}
            ).decode()
        )
        tasks = [asyncio.create_task(receive()), asyncio.create_task(forward())]
        await until_first_done(tasks)
        if subscription.closed:  # the server is shutting down: say so
            await close_going_away(socket)
    finally:
        subscription.close()
