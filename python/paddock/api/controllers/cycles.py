"""DAM telemetry over HTTP: robots post cycle events; clients read the newest from memory."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK

from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.exceptions import InvalidArgument
from paddock.realtime.cycles import CycleIn
from paddock.realtime.state import Realtime, provide_realtime

#: Cycle events one request may post.
MAX_BATCH = 5000

REALTIME_DEPENDENCIES = {"realtime": Provide(provide_realtime, sync_to_thread=False)}


class CyclesController(Controller):
    """``/api/telemetry/cycles`` and ``/api/telemetry/history``."""

    path = "/api/telemetry"
    tags = ["telemetry"]
    dependencies = REALTIME_DEPENDENCIES
    exception_handlers = UNPROCESSABLE

    @post("/cycles", status_code=HTTP_200_OK)
    async def post_cycles(
        self, realtime: NamedDependency[Realtime], data: JSONBody[CycleIn | list[CycleIn]]
    ) -> dict[str, int]:
        """One cycle event or a list of them, in the seed's event shape.

        Each is kept in the history ring and pushed to ``/ws/telemetry`` clients, followed by
        its ``camera_frames`` (base64 JPEG by camera name) as binary messages; notable cycles
        (rejected, clamped, above ``NORMAL``, a fallback or a failing guard) go to the risk log.
        Answers ``{"accepted": n, "risk_events": m}``.
        """
        posted = data if isinstance(data, list) else [data]
        if len(posted) > MAX_BATCH:
            raise InvalidArgument(f"body: at most {MAX_BATCH} cycle events per request")
        return await realtime.ingest_cycles(posted)

    @get("/history", sync_to_thread=False)
    def history(
        self,
        realtime: NamedDependency[Realtime],
        n: Annotated[int, Parameter(ge=1, le=1000)] = 50,
    ) -> Response[Any]:
        """The newest ``n`` (1–1000) cycle events, oldest first."""
        body = b"[" + b",".join(realtime.cycles.history(n)) + b"]"
        return Response(body, media_type="application/json")
