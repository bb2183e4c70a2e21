"""``WS /ws``: FootballVision's status and command plane, protocol ``v = 1``.

On connect: ``{"v": 1, "type": "hello", "channels": ["status"]}`` (``status`` is subscribed by
default). Client messages: ``ping`` (answered ``pong``), ``subscribe`` / ``unsubscribe`` with
``channels`` (and optionally ``intervals``, seconds per channel, at least 0.05), and ``command``
with ``id``, ``action`` and ``params``, answered ``command_ack`` at once and ``command_result``
when done. Channel updates are ``{"v": 1, "type": <channel>, "ts": …, "data": …}`` at each
channel's interval. Errors are ``{"v": 1, "type": "error", "code": …, "message": …}``. Past the
maximum of concurrent connections (10, ``PADDOCK_WS_MAX_CONNECTIONS``) a new client gets the
``too_many_connections`` error and the close code 1013.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from litestar import WebSocket, websocket
from litestar.di import NamedDependency

from paddock.api.controllers.cycles import REALTIME_DEPENDENCIES
from paddock.api.streams._tasks import close_going_away, until_first_done
from paddock.exceptions import PaddockError
from paddock.realtime.command_plane import (
    ACTIONS,
    BROADCASTS,
    CHANNELS,
    PROTOCOL_VERSION,
    encode,
    error,
    run_command,
)
from paddock.realtime.state import Realtime

CLOSE_TRY_AGAIN_LATER = 1013
MIN_INTERVAL_S = 0.05


class _Connection:
    """One client: its subscriptions, their schedule and a send lock."""

    def __init__(self, socket: WebSocket[Any, Any, Any], realtime: Realtime) -> None:
        self.socket = socket
        self.realtime = realtime
        self.intervals: dict[str, float] = {"status": CHANNELS["status"]}
        self.due: dict[str, float] = {"status": 0.0}
        self.changed = asyncio.Event()
        self._lock = asyncio.Lock()
        self._commands: set[asyncio.Task[None]] = set()

    async def send(self, message: dict[str, Any]) -> None:
        async with self._lock:
            await self.socket.send_text(encode(message))

    async def broadcast(self) -> None:
        while True:
            now = time.monotonic()
            for channel, due in list(self.due.items()):
                if due <= now:
                    builder = BROADCASTS[channel]
                    data = await asyncio.to_thread(builder, self.realtime)
                    await self.send(
                        {"v": PROTOCOL_VERSION, "type": channel, "ts": time.time(), "data": data}
                    )
                    self.due[channel] = time.monotonic() + self.intervals[channel]
            wait = min(self.due.values(), default=now + 1.0) - time.monotonic()
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), max(0.0, wait))

    async def receive(self) -> None:
        while True:
            text = await self.socket.receive_text()
            await self.handle(text)

    async def handle(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            await self.send(error("invalid_json", "message is not valid JSON"))
            return
        if not isinstance(message, dict):
            await self.send(error("invalid_message", "message must be a JSON object"))
            return
        if message.get("v") != PROTOCOL_VERSION:
            await self.send(error("invalid_version", f"Expected v={PROTOCOL_VERSION}"))
            return
        kind = message.get("type")
        if kind == "ping":
            await self.send({"v": PROTOCOL_VERSION, "type": "pong", "ts": time.time()})
        elif kind in ("subscribe", "unsubscribe"):
            await self.subscription(kind, message)
        elif kind == "command":
            await self.command(message)
        else:
            await self.send(error("unknown_type", f"unknown message type {kind!r}"))

    async def subscription(self, kind: str, message: dict[str, Any]) -> None:
        channels = message.get("channels")
        if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
            await self.send(error("invalid_message", "channels must be a list of names"))
            return
        unknown = [c for c in channels if c not in CHANNELS]
        if unknown:
            await self.send(error("unknown_channel", f"unknown channel(s): {', '.join(unknown)}"))
            return
        intervals = message.get("intervals") or {}
        if not isinstance(intervals, dict) or not all(
            isinstance(v, int | float) and v >= MIN_INTERVAL_S for v in intervals.values()
        ):
            await self.send(
                error("invalid_message", f"intervals must be seconds >= {MIN_INTERVAL_S}")
            )
            return
        for channel in channels:
            if kind == "subscribe":
                self.intervals[channel] = float(intervals.get(channel, CHANNELS[channel]))
                self.due[channel] = 0.0
            else:
                self.intervals.pop(channel, None)
                self.due.pop(channel, None)
        self.changed.set()
        await self.send(
            {"v": PROTOCOL_VERSION, "type": f"{kind}d", "channels": sorted(self.intervals)}
        )

    async def command(self, message: dict[str, Any]) -> None:
        command_id, action = message.get("id"), message.get("action")
        params = message.get("params") or {}
        if not isinstance(command_id, str) or not command_id or not isinstance(params, dict):
            await self.send(
                error("invalid_command", "a command needs a string id and object params")
            )
            return
        if action not in ACTIONS:
            await self.send(error("unknown_action", f"unknown action {action!r}"))
            return
        cache = self.realtime.commands
        seen, result = cache.lookup(command_id)
        ack = {"v": PROTOCOL_VERSION, "type": "command_ack", "id": command_id, "action": action}
        if seen:
            await self.send(result if result is not None else ack)
            return
        cache.begin(command_id)
        await self.send(ack)
        task = asyncio.create_task(self._run(command_id, str(action), params))
        self._commands.add(task)
        task.add_done_callback(self._commands.discard)

    async def _run(self, command_id: str, action: str, params: dict[str, Any]) -> None:
        try:
            data = await run_command(self.realtime, action, params)
            success = True
        except PaddockError as exc:
            data, success = {"success": False, "message": str(exc)}, False
        result = {
            "v": PROTOCOL_VERSION,
            "type": "command_result",
            "id": command_id,
            "success": success,
            "data": data,
        }
        self.realtime.commands.finish(command_id, result)
        with contextlib.suppress(Exception):  # the client may be gone; the result is cached
            await self.send(result)


@websocket("/ws", dependencies=REALTIME_DEPENDENCIES)
async def command_plane(
    socket: WebSocket[Any, Any, Any], realtime: NamedDependency[Realtime]
) -> None:
    """Status broadcasts and commands for one client."""
    await socket.accept()
    if realtime.ws_connections >= realtime.config.ws_max_connections:
        limit = realtime.config.ws_max_connections
        with contextlib.suppress(Exception):
            await socket.send_text(
                encode(error("too_many_connections", f"at most {limit} connections"))
            )
            await socket.close(code=CLOSE_TRY_AGAIN_LATER, reason="too many connections")
        return
    realtime.ws_connections += 1
    connection = _Connection(socket, realtime)
    try:
        await connection.send({"v": PROTOCOL_VERSION, "type": "hello", "channels": ["status"]})
        closing = asyncio.create_task(realtime.closing.wait())
        tasks = [
            asyncio.create_task(connection.receive()),
            asyncio.create_task(connection.broadcast()),
            closing,
        ]
        done = await until_first_done(tasks)
        if closing in done:
            await close_going_away(socket)
    finally:
        realtime.ws_connections -= 1
