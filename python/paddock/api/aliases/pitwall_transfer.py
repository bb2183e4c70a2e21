"""Pitwall's ``/session/{sid}/export.parquet`` and ``/session/import``, over the native handlers."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.api.controllers.transfer import (
    MAX_UPLOAD_BYTES,
    VboImported,
    export_response,
    run_vbo_import,
)
from paddock.api.runtime import Runtime


class PitwallTransfer(Controller):
    """Pitwall's parquet export and VBO import."""

    path = "/session"
    tags = ["pitwall"]

    @get("/{session_id:str}/export.parquet", sync_to_thread=True)
    def export(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        table: FromQuery[str] = "telemetry",
    ) -> Stream:
        """A session table as Parquet for DuckDB-wasm, streamed in record batches of 50k rows."""
        return export_response(runtime, session_id, table)

    @post(
        "/import",
        status_code=HTTP_200_OK,
        exception_handlers=UNPROCESSABLE,
        request_max_body_size=MAX_UPLOAD_BYTES,
    )
    async def import_vbo(
        self, runtime: NamedDependency[Runtime], request: Request[Any, Any, Any]
    ) -> VboImported:
        """Parses a VBO from disk (``vbo_path``) into a new session; 409 if the id has rows."""
        return await run_vbo_import(runtime, request)


pitwall_transfer_router = Router(path="/", route_handlers=[PitwallTransfer])
