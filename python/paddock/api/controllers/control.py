"""Runtime control (DAM): one state machine over the live pipeline; 409 with the reason."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, Parameter
from litestar.status_codes import HTTP_200_OK

from paddock.api.controllers.cycles import REALTIME_DEPENDENCIES
from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.realtime.control import ControlStatus
from paddock.realtime.state import Realtime


class ControlController(Controller):
    """``/api/control``: status, start, pause, resume, stop, estop, reset."""

    path = "/api/control"
    tags = ["control"]
    dependencies = REALTIME_DEPENDENCIES
    exception_handlers = UNPROCESSABLE

    @get("/status", sync_to_thread=False)
    def status(self, realtime: NamedDependency[Realtime]) -> ControlStatus:
        """The state (idle, running, paused, stopped, emergency), the task and every feed."""
        return realtime.control.status()

    @post("/start", status_code=HTTP_200_OK)
    async def start(
        self,
        realtime: NamedDependency[Realtime],
        task_name: FromQuery[str] = "default",
        n_cycles: Annotated[int, Parameter(ge=-1)] = -1,
        cycle_budget_ms: Annotated[float, Parameter(gt=0)] = 20.0,
    ) -> ControlStatus:
        """Starts every feed and publishing (from ``idle`` only)."""
        return await realtime.control.apply(
            "start", task_name=task_name, n_cycles=n_cycles, cycle_budget_ms=cycle_budget_ms
        )

    @post("/pause", status_code=HTTP_200_OK)
    async def pause(self, realtime: NamedDependency[Realtime]) -> ControlStatus:
        """Stops publishing and recording after the batch in flight; feeds keep their sockets."""
        return await realtime.control.apply("pause")

    @post("/resume", status_code=HTTP_200_OK)
    async def resume(self, realtime: NamedDependency[Realtime]) -> ControlStatus:
        """Publishes again (what arrived while paused is skipped)."""
        return await realtime.control.apply("resume")

    @post("/stop", status_code=HTTP_200_OK)
    async def stop(self, realtime: NamedDependency[Realtime]) -> ControlStatus:
        """Graceful stop: a last drain, every feed stopped, a running recording finalised."""
        return await realtime.control.apply("stop")

    @post("/estop", status_code=HTTP_200_OK)
    async def estop(
        self, realtime: NamedDependency[Realtime], reason: FromQuery[str | None] = None
    ) -> ControlStatus:
        """Emergency stop from any state: every feed at once, then the recording finalised."""
        return await realtime.control.apply("estop", reason=reason or "emergency stop")

    @post("/reset", status_code=HTTP_200_OK)
    async def reset(self, realtime: NamedDependency[Realtime]) -> ControlStatus:
        """Back to ``idle`` (from ``stopped`` or ``emergency`` only)."""
        return await realtime.control.apply("reset")
