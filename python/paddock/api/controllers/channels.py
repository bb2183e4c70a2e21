"""Tall telemetry channels of a session (ASTRA §3): ingest, query, latest, channel list."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from paddock.api.controllers.session_common import UNPROCESSABLE, ns_or_none
from paddock.api.runtime import Runtime
from paddock.api.schemas.sessions import (
    Channels,
    Created,
    TelemetryBatch,
    TelemetryIn,
    TelemetryPoint,
)
from paddock.store.sessions import iso, to_ns


def _point(session_id: str, row: dict[str, Any]) -> TelemetryPoint:
    return TelemetryPoint(
        session_id=session_id,
        timestamp=iso(row["ts_ns"]) or "",
        channel=row["channel"],
        value=row["value"],
        unit=row["unit"],
    )


class ChannelsController(Controller):
    """``/api/sessions/{session_id}/telemetry``."""

    path = "/api/sessions/{session_id:str}/telemetry"
    tags = ["telemetry channels"]
    exception_handlers = UNPROCESSABLE

    @post("/", status_code=HTTP_200_OK, sync_to_thread=True)
    def ingest(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        data: JSONBody[TelemetryIn],
    ) -> TelemetryPoint:
        """Stores one sample; returns it."""
        ts_ns = to_ns(data.timestamp)
        runtime.sessions.ingest.add_samples(
            session_id,
            ts_ns=[ts_ns],
            channels=[data.channel],
            values=[data.value],
            units=[data.unit],
            source="telemetry",
        )
        return TelemetryPoint(
            session_id=session_id,
            timestamp=iso(ts_ns) or "",
            channel=data.channel,
            value=data.value,
            unit=data.unit,
        )

    @post("/batch", status_code=HTTP_200_OK, sync_to_thread=True)
    def ingest_batch(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        data: JSONBody[TelemetryBatch],
    ) -> Created:
        """Stores a batch of samples (10,000 per request is routine)."""
        samples = data.data
        created = runtime.sessions.ingest.add_samples(
            session_id,
            ts_ns=[to_ns(s.timestamp) for s in samples],
            channels=[s.channel for s in samples],
            values=[s.value for s in samples],
            units=[s.unit for s in samples],
            source="telemetry",
        )
        return Created(created=created)

    @get("/", sync_to_thread=True)
    def query(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        channel: FromQuery[str | None] = None,
        from_: Annotated[dt.datetime | None, QueryParameter(name="from")] = None,
        to: FromQuery[dt.datetime | None] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=1_000_000)] = 1000,
    ) -> list[TelemetryPoint]:
        """Samples newest first, filtered by ``channel``, ``from`` and ``to``, at most ``limit``."""
        rows = runtime.sessions.ingest.query_samples(
            session_id,
            channel=channel,
            from_ns=ns_or_none(from_),
            to_ns=ns_or_none(to),
            limit=limit,
        )
        return [_point(session_id, row) for row in rows.iter_rows(named=True)]

    @get("/latest", sync_to_thread=True)
    def latest(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str], channel: FromQuery[str]
    ) -> TelemetryPoint:
        """The newest sample of ``channel`` (404 when the channel has none)."""
        return _point(session_id, runtime.sessions.ingest.latest_sample(session_id, channel))

    @get("/channels", sync_to_thread=True)
    def channels(self, runtime: NamedDependency[Runtime], session_id: FromPath[str]) -> Channels:
        """Every channel with samples, sorted by name."""
        return Channels(channels=runtime.sessions.ingest.channel_names(session_id))
