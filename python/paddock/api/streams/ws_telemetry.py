"""``WS /ws/telemetry``: DAM's live cycle stream.

On connect the client gets the newest 50 cycle events (``PADDOCK_CYCLE_REPLAY``), then every new
one as it arrives, each followed by its camera frames as binary messages (``0x01``, name length,
UTF-8 name, JPEG bytes). ``{"type": "ping"}`` is sent every 30 s (``PADDOCK_WS_PING_S``). A
client that falls behind loses its oldest messages and gets ``{"type": "lagged", "dropped": n}``.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from litestar import WebSocket, websocket
from litestar.di import NamedDependency

from paddock.api.controllers.cycles import REALTIME_DEPENDENCIES
from paddock.api.streams._tasks import close_going_away, until_first_done
from paddock.hub import Lagged
from paddock.realtime.cycles import FRAME_MAGIC
from paddock.realtime.state import Realtime

PING = '{"type":"ping"}'


@websocket("/ws/telemetry", dependencies=REALTIME_DEPENDENCIES)
async def telemetry_socket(
    socket: WebSocket[Any, Any, Any], realtime: NamedDependency[Realtime]
) -> None:
    """Replays the newest cycle events, then streams new ones and their camera frames."""
    await socket.accept()
    replay, subscription = realtime.cycles.connect(realtime.config.cycle_replay)
    ping_s = realtime.config.ws_ping_s

    async def forward() -> None:
        for message in replay:
            await socket.send_text(message.decode())
        next_ping = time.monotonic() + ping_s
        while not subscription.closed:
            item = await subscription.get(timeout_s=max(0.0, next_ping - time.monotonic()))
            if time.monotonic() >= next_ping:
                await socket.send_text(PING)
                next_ping = time.monotonic() + ping_s
            if item is None:
                continue
            if isinstance(item, Lagged):
                await socket.send_text(json.dumps({"type": "lagged", "dropped": item.dropped}))
            elif item[:1] == bytes((FRAME_MAGIC,)):
                await socket.send_bytes(item)
            else:
                await socket.send_text(item.decode())

    async def receive() -> None:
        # Clients have nothing to say; reading notices when they go.
        while True:
            await socket.receive_data(mode="text")

    tasks = [asyncio.create_task(forward()), asyncio.create_task(receive())]
    try:
        await until_first_done(tasks)
        if subscription.closed:
            await close_going_away(socket)
    finally:
        subscription.close()
