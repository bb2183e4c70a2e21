"""Replay (Pitwall): ``/session/replay/start|stop|status``, also under ``/api/replay/``.

``POST …/start`` with ``{"source_session_id": …, "speed": 1.0, "loop": false}`` re-publishes a
recorded session (or recording) onto the live bus through the ``replay`` feed: 200 with its
``total_frames`` and ``est_duration_s``; 400 without an id or with a bad speed; 404 when the
source has no telemetry; 409 while a replay runs; 503 while the live pipeline is stopped. A
running live CAN reader is stopped first. ``POST …/stop`` → ``{"stopped": true,
"frames_emitted": n}`` (404 when none runs); ``GET …/status`` → where the replay is, or
``{"running": false}``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ServiceUnavailableException
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from paddock.api.controllers.cycles import REALTIME_DEPENDENCIES
from paddock.exceptions import InvalidArgument
from paddock.realtime.replay import ServiceUnavailable
from paddock.realtime.state import Realtime

PATHS = ["/session/replay", "/api/replay"]


class ReplayRequest(msgspec.Struct, kw_only=True):
    """Which recorded session (or recording id) to replay, how fast, and whether to loop."""

    source_session_id: str | None = None
    speed: float = 1.0
    loop: bool = False


class ReplayController(Controller):
    """Re-publishes a recorded session as if it were live."""

    path = "/"
    tags = ["replay"]
    dependencies = REALTIME_DEPENDENCIES

    @post([f"{p}/start" for p in PATHS], status_code=HTTP_200_OK)
    async def start(
        self, realtime: NamedDependency[Realtime], data: JSONBody[ReplayRequest | None] = None
    ) -> dict[str, Any]:
        """Starts a replay (one at a time) and answers its size and estimated duration."""
        request = data or ReplayRequest()
        if not request.source_session_id:
            raise InvalidArgument("source_session_id is required")
        try:
            return await realtime.replay.start(
                request.source_session_id, speed=request.speed, loop=request.loop
            )
        except ServiceUnavailable as exc:
            raise ServiceUnavailableException(detail=str(exc)) from exc

    @post([f"{p}/stop" for p in PATHS], status_code=HTTP_200_OK)
    async def stop(self, realtime: NamedDependency[Realtime]) -> dict[str, Any]:
        """Stops the running replay."""
        return await realtime.replay.stop()

    @get([f"{p}/status" for p in PATHS], sync_to_thread=False)
    def status(self, realtime: NamedDependency[Realtime]) -> dict[str, Any]:
        """The running replay's progress, or ``{"running": false}``."""
        return realtime.replay.status()
