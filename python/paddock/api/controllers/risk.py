"""Boundaries (limit configs) and the risk log (DAM): CRUD, filters, stats, exports."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from paddock.api.controllers.cycles import REALTIME_DEPENDENCIES
from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.exceptions import InvalidArgument
from paddock.realtime.boundaries import Boundary, validate_boundary
from paddock.realtime.cycle_recordings import notable_cycles_from_recording
from paddock.realtime.cycles import RiskLevel
from paddock.realtime.state import Realtime

OutcomeFilter = Literal["reject", "clamp", "pass"]
CSV_COLUMNS = (
    "id",
    "timestamp",
    "source",
    "risk_level",
    "outcome",
    "cycle_id",
    "trace_id",
    "latency_ms",
    "failure_type",
    "reason",
    "boundary",
    "feed",
    "channel",
    "value",
    "limit",
)


class BoundariesController(Controller):
    """``/api/boundaries``: limit configs, evaluated live against every feed's frames."""

    path = "/api/boundaries"
    tags = ["boundaries"]
    dependencies = REALTIME_DEPENDENCIES
    exception_handlers = UNPROCESSABLE

    @get("/", sync_to_thread=True)
    def list_boundaries(self, realtime: NamedDependency[Realtime]) -> list[Boundary]:
        """Every boundary config."""
        return msgspec.convert(realtime.risk.list_boundaries(), list[Boundary])

    @get("/{name:str}", sync_to_thread=True)
    def get_boundary(self, realtime: NamedDependency[Realtime], name: FromPath[str]) -> Boundary:
        """One boundary config (404 if unknown)."""
        return msgspec.convert(realtime.risk.get_boundary(name), Boundary)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create(self, realtime: NamedDependency[Realtime], data: JSONBody[Boundary]) -> Boundary:
        """Creates a boundary (409 if the name is taken); it is evaluated from the next batch."""
        validate_boundary(data)
        realtime.risk.create_boundary(msgspec.to_builtins(data))
        realtime.evaluator.put(data)
        return data

    @put("/{name:str}", status_code=HTTP_200_OK, sync_to_thread=True)
    def replace(
        self, realtime: NamedDependency[Realtime], name: FromPath[str], data: JSONBody[Boundary]
    ) -> Boundary:
        """Replaces a boundary (404 if unknown; the body's name must be the path's)."""
        if data.name != name:
            raise InvalidArgument(f"name: the body names {data.name!r}, the path {name!r}")
        validate_boundary(data)
        realtime.risk.replace_boundary(msgspec.to_builtins(data))
        realtime.evaluator.put(data)
        return data

    @delete("/{name:str}", status_code=HTTP_200_OK, sync_to_thread=True)
    def remove(self, realtime: NamedDependency[Realtime], name: FromPath[str]) -> dict[str, Any]:
        """Deletes a boundary (404 if unknown)."""
        realtime.risk.delete_boundary(name)
        realtime.evaluator.remove(name)
        return {"deleted": True, "name": name}


def _outcome(
    outcome: str | None, rejected_only: bool | None, clamped_only: bool | None
) -> str | None:
    if rejected_only and clamped_only:
        raise InvalidArgument("rejected_only and clamped_only exclude each other")
    alias = "reject" if rejected_only else "clamp" if clamped_only else None
    if alias is not None and outcome is not None and outcome != alias:
        raise InvalidArgument(f"outcome={outcome} contradicts the {alias} alias")
    return outcome or alias


def _download(body: str, media_type: str, filename: str) -> Response[Any]:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class RiskLogController(Controller):
    """``/api/risk-log``: notable cycles and boundary crossings, newest first."""

    path = "/api/risk-log"
    tags = ["risk log"]
    dependencies = REALTIME_DEPENDENCIES
    exception_handlers = UNPROCESSABLE

    @get("/", sync_to_thread=True)
    def query(
        self,
        realtime: NamedDependency[Realtime],
        since: FromQuery[float | None] = None,
        until: FromQuery[float | None] = None,
        min_risk_level: FromQuery[RiskLevel | None] = None,
        outcome: FromQuery[OutcomeFilter | None] = None,
        rejected_only: FromQuery[bool | None] = None,
        clamped_only: FromQuery[bool | None] = None,
        source: FromQuery[Literal["cycle", "boundary"] | None] = None,
        limit: Annotated[int, Parameter(ge=1, le=5000)] = 100,
    ) -> list[dict[str, Any]]:
        """Risk events between ``since`` and ``until`` (Unix seconds), filtered.

        ``outcome`` is ``reject``, ``clamp`` or ``pass``; ``rejected_only`` and ``clamped_only``
        are the older spellings of the first two. ``limit`` is 1–5000 (default 100).
        """
        return realtime.risk.query_events(
            since=since,
            until=until,
            min_risk_level=min_risk_level,
            outcome=_outcome(outcome, rejected_only, clamped_only),
            source=source,
            limit=limit,
        )

    @get("/stats", sync_to_thread=True)
    def stats(self, realtime: NamedDependency[Realtime]) -> dict[str, Any]:
        """Total events, rejected, clamped, passed, by risk level and source, mean latency."""
        return realtime.risk.stats()

    @get("/export/json")
    async def export_json(self, realtime: NamedDependency[Realtime]) -> Response[Any]:
        """Every event as ``risk_log.json``."""
        events = await asyncio.to_thread(realtime.risk.query_events, limit=None)
        return _download(json.dumps(events), "application/json", "risk_log.json")

    @get("/export/csv")
    async def export_csv(self, realtime: NamedDependency[Realtime]) -> Response[Any]:
        """Every event as ``risk_log.csv`` (one row per event, the common columns)."""
        events = await asyncio.to_thread(realtime.risk.query_events, limit=None)
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(events)
        return _download(out.getvalue(), "text/csv; charset=utf-8", "risk_log.csv")

    @get("/mcap/{filename:str}", sync_to_thread=True)
    def from_mcap(
        self,
        realtime: NamedDependency[Realtime],
        filename: FromPath[str],
        min_risk_level: FromQuery[RiskLevel | None] = None,
        outcome: FromQuery[OutcomeFilter | None] = None,
        failure_type: FromQuery[str | None] = None,
        limit: Annotated[int, Parameter(ge=1, le=5000)] = 100,
    ) -> dict[str, Any]:
        """Notable cycles read from a recording's MCAP, in the risk log's event shape.

        ``filename`` is the MCAP session's id (a recording id), with or without ``.mcap``; a
        name with a path in it is refused (400), an unknown one is 404. Filters: the risk
        level at least ``min_risk_level``, ``outcome``, ``failure_type``; ``limit`` 1–5000.
        """
        return notable_cycles_from_recording(
            realtime.runtime.recorder,
            filename,
            min_risk_level=min_risk_level,
            outcome=outcome,
            failure_type=failure_type,
            limit=limit,
        )

    @get("/{event_id:int}", sync_to_thread=True)
    def get_event(
        self, realtime: NamedDependency[Realtime], event_id: FromPath[int]
    ) -> dict[str, Any]:
        """One event by id (404 if unknown)."""
        return realtime.risk.get_event(event_id)
