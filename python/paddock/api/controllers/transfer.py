"""Session exports and imports: Parquet export, VBO import, MCAP import under ``/api/sessions``.

Routes: ``GET /api/sessions/{id}/export.parquet``, ``POST /api/sessions/import`` (VBO) and
``POST /api/sessions/{id}/import/mcap``.

Imports take a path (JSON body) or the file itself: a ``multipart/form-data`` field ``file``
(other form fields as in the JSON body) or the raw bytes as ``application/octet-stream`` (fields
in the query string). Uploads are spooled to ``<data_dir>/tmp`` and removed afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.api.runtime import Runtime
from paddock.exceptions import InvalidArgument
from paddock.store.exports import export_table
from paddock.store.imports import (
    import_mcap,
    import_vbo,
    resolve_data_path,
    resolve_vbo_path,
)
from paddock.store.sessions import SESSION_FIELDS

#: Largest file an import accepts over HTTP, bytes.
MAX_UPLOAD_BYTES = 2 * 1024**3
_CHUNK = 1 << 20


class VboImport(msgspec.Struct, kw_only=True):
    """``POST /session/import`` and ``/api/sessions/import`` with a path."""

    vbo_path: str | None = None
    session_id: str | None = None
    driver: str | None = None
    driver_level: str | None = None
    track: str | None = None
    car: str | None = None
    note: str | None = None
    name: str | None = None


class VboImported(msgspec.Struct, kw_only=True):
    """Pitwall's import answer, with the laps found."""

    session_id: str
    n_frames: int
    duration_s: float
    distance_m: float | None
    vbo_source: str
    capabilities_count: int
    lap_count: int
    lap_method: str
    laps: list[dict[str, Any]]
    skipped_rows: int
    duplicate_rows: int


class McapImported(msgspec.Struct, kw_only=True):
    """``POST /api/sessions/{id}/import/mcap``."""

    session_id: str
    n_frames: int
    topics: dict[str, int]
    duration_s: float
    mcap_source: str


def export_response(runtime: Runtime, session_id: str, table: str) -> Stream:
    """The session table as a streamed Parquet file with Pitwall's headers."""
    export = export_table(
        runtime.sessions.store, session_id, table, tmp_dir=runtime.settings.data_dir / "tmp"
    )
    return Stream(
        export.batches,
        media_type="application/octet-stream",
        headers={
            "X-Pitwall-Session": session_id,
            "X-Pitwall-Table": table,
            "X-Pitwall-Rows": str(export.rows),
            "Content-Disposition": f'attachment; filename="{session_id}-{table}.parquet"',
        },
    )


@asynccontextmanager
async def received_file(
    request: Request[Any, Any, Any], tmp_dir: Path
) -> AsyncIterator[tuple[Path | None, str | None, dict[str, Any]]]:
    """The uploaded file (spooled to ``tmp_dir``), its name and the other fields of the request.

    JSON bodies give no file; multipart bodies give the ``file`` field; octet-stream bodies are
    the file. Removes the spooled file on exit.

    Raises:
        InvalidArgument: A body that is none of those, or larger than :data:`MAX_UPLOAD_BYTES`.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fields: dict[str, Any] = dict(request.query_params)
    path: Path | None = None
    name: str | None = None
    try:
        if content_type == "multipart/form-data":
            form = await request.form()
            upload = form.get("file")
            fields.update({k: v for k, v in form.items() if isinstance(v, str)})
            if isinstance(upload, UploadFile):
                name = Path(upload.filename or "upload").name
                path = await _spool(_chunks_of(upload), tmp_dir)
        elif content_type in ("application/octet-stream", "application/vnd.paddock.file"):
            name = fields.get("filename")
            path = await _spool(request.stream(), tmp_dir)
        else:
            body = await request.body()
            if body.strip():
                try:
                    decoded = msgspec.json.decode(body)
                except msgspec.DecodeError as exc:
                    raise InvalidArgument(f"body: not JSON ({exc})") from None
                if not isinstance(decoded, dict):
                    raise InvalidArgument("body: expected a JSON object")
                fields.update(decoded)
        yield path, name, fields
    finally:
        if path is not None:
            path.unlink(missing_ok=True)


async def _chunks_of(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(_CHUNK):
        yield chunk


async def _spool(chunks: AsyncIterator[bytes], tmp_dir: Path) -> Path:
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path = tmp_dir / f"upload-{secrets.token_hex(8)}"
    size = 0
    try:
        with path.open("wb") as f:
            async for chunk in chunks:
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise InvalidArgument(f"file: larger than {MAX_UPLOAD_BYTES} bytes")
                f.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0:
        path.unlink(missing_ok=True)
        raise InvalidArgument("file: the uploaded file is empty")
    return path


def _text(fields: Mapping[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidArgument(f"{key}: expected a string")
    return value


async def run_vbo_import(runtime: Runtime, request: Request[Any, Any, Any]) -> VboImported:
    """Imports the VBO of ``request``: an uploaded file, else ``vbo_path``."""
    async with received_file(request, runtime.settings.data_dir / "tmp") as (upload, name, fields):
        body = msgspec.convert(
            {k: _text(fields, k) for k in ("vbo_path", "session_id", *SESSION_FIELDS)},
            VboImport,
            strict=False,
        )
        if upload is not None:
            path, source = upload, name or "upload.vbo"
        elif body.vbo_path is not None:
            path = resolve_vbo_path(body.vbo_path)
            source = path.name
        else:
            raise InvalidArgument("vbo_path: missing; send vbo_path or an uploaded file")
        info = msgspec.structs.asdict(body)
        result = await anyio.to_thread.run_sync(
            lambda: import_vbo(
                runtime.sessions.store,
                path,
                session_id=body.session_id,
                fields={k: v for k, v in info.items() if k in SESSION_FIELDS},
                source_name=source,
            )
        )
    return msgspec.convert(result, VboImported)


class TransferController(Controller):
    """Parquet exports of a session's tables and imports of VBO and MCAP files."""

    path = "/api/sessions"
    tags = ["sessions"]

    @get("/{session_id:str}/export.parquet", sync_to_thread=True)
    def export(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        table: FromQuery[str] = "telemetry",
    ) -> Stream:
        """One table of the session as Parquet, streamed in record batches.

        ``table``: ``telemetry``, ``telemetry_signals``, ``signal_registry`` or
        ``capabilities``; 400 for another table, 404 when it has no rows.
        """
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
        """Imports a Racelogic VBO file as a session, from ``vbo_path`` or an uploaded file."""
        return await run_vbo_import(runtime, request)

    @post(
        "/{session_id:str}/import/mcap",
        status_code=HTTP_200_OK,
        exception_handlers=UNPROCESSABLE,
        request_max_body_size=MAX_UPLOAD_BYTES,
    )
    async def import_mcap(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        request: Request[Any, Any, Any],
    ) -> McapImported:
        """Imports the paddock frames of an MCAP file into the session.

        The file is ``mcap_path`` (inside the data directory) or an upload; 422 when it holds no
        paddock frame channels.
        """
        store = runtime.sessions.store
        await anyio.to_thread.run_sync(store.get, session_id)
        data_dir = runtime.settings.data_dir
        async with received_file(request, data_dir / "tmp") as (upload, name, fields):
            if upload is not None:
                path, source = upload, name or "upload.mcap"
            else:
                given = _text(fields, "mcap_path")
                if given is None:
                    raise InvalidArgument("mcap_path: missing; send mcap_path or an uploaded file")
                path = resolve_data_path(data_dir, given, field="mcap_path")
                source = path.name
            result = await anyio.to_thread.run_sync(
                lambda: import_mcap(store, session_id, path, source_name=source)
            )
        return msgspec.convert(result, McapImported)
