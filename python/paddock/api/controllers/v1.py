"""FootballVision's ``/api/v1`` health, status, pipeline state, metrics and logs."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter

from paddock.api.controllers.cycles import REALTIME_DEPENDENCIES
from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.exceptions import NotFound
from paddock.realtime import command_plane
from paddock.realtime.state import Realtime
from paddock.realtime.system import LOG_TYPES, host_metrics


class V1Controller(Controller):
    """``/api/v1``: the command plane's REST side."""

    path = "/api/v1"
    tags = ["v1"]
    dependencies = REALTIME_DEPENDENCIES
    exception_handlers = UNPROCESSABLE

    @get("/health", sync_to_thread=True)
    def health(self, realtime: NamedDependency[Realtime]) -> dict[str, Any]:
        """Host health: CPU, memory and the data directory's disk."""
        system = host_metrics(realtime.cpu, realtime.runtime.settings.data_dir)
        system.pop("load_avg")
        return {"status": "healthy", "system": system}

    @get("/status", sync_to_thread=True)
    def status(self, realtime: NamedDependency[Realtime]) -> dict[str, Any]:
        """Recording and live preview state in the seed's shape (feeds stand for cameras)."""
        return command_plane.status(realtime)

    @get("/pipeline-state", sync_to_thread=True)
    def pipeline_state(self, realtime: NamedDependency[Realtime]) -> dict[str, Any]:
        """``mode`` (idle, preview, recording), ``holder``, ``lock_time``, what may start."""
        return command_plane.pipeline_state(realtime)

    @get("/system-metrics", sync_to_thread=True)
    def system_metrics(self, realtime: NamedDependency[Realtime]) -> dict[str, Any]:
        """Host metrics, each feed's rate and counters, client counts."""
        return command_plane.system_metrics(realtime)

    @get("/logs/{log_type:str}", sync_to_thread=False)
    def logs(
        self,
        realtime: NamedDependency[Realtime],
        log_type: FromPath[str],
        lines: Annotated[int, Parameter(ge=1, le=10_000)] = 100,
    ) -> dict[str, Any]:
        """The newest ``lines`` (1–10000) of one log; 404 for an unknown type.

        ``health`` holds every line, ``alerts`` warnings and errors, ``watchdog`` what feeds,
        the hub and runtime control say.
        """
        if log_type not in LOG_TYPES:
            raise NotFound(f"unknown log type {log_type!r}: one of {', '.join(LOG_TYPES)}")
        tail = realtime.logs.tail(log_type, lines)
        return {"log_type": log_type, "lines": tail, "count": len(tail)}
