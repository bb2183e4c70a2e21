"""CAN: the bus diagnostics, the signal registry, session capabilities and CAN log imports.

Routes: ``GET /api/diagnostics/can``, ``GET /api/signals/registry``,
``GET /api/sessions/{id}/capabilities``, ``POST /api/sessions/{id}/capabilities/recompute``,
``POST /api/sessions/{id}/import/can``, and Pitwall's ``/diagnostics/can``,
``/signals/registry``, ``/session/{sid}/capabilities`` and ``…/capabilities/recompute``.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK

from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.api.controllers.transfer import MAX_UPLOAD_BYTES, received_file
from paddock.api.runtime import Runtime
from paddock.exceptions import InvalidArgument
from paddock.sources.can_bus import CanSource
from paddock.store import registry
from paddock.store.exports import capabilities
from paddock.store.imports import resolve_data_path
from paddock.store.imports_can import import_can_log, load_decoder


def _iso(ns: int | None) -> str | None:
    if ns is None:
        return None
    return dt.datetime.fromtimestamp(ns / 1e9, tz=dt.UTC).isoformat().replace("+00:00", "Z")


class UnknownId(msgspec.Struct, kw_only=True):
    """Frames of an id no message of the DBC has."""

    id: str
    extended: bool
    frames: int


class CanDiagnostics(msgspec.Struct, kw_only=True):
    """``GET /api/diagnostics/can``: the CAN reader's state and counters."""

    enabled: bool
    feed: str | None
    state: str
    reason: str | None
    connected: bool
    interface: str
    channel: str | None
    bitrate: int
    dbc: list[str]
    car: str | None
    messages: int
    fps: float
    frames_total: int
    bytes_total: int
    data_frames: int
    decoded_frames: int
    error_frames: int
    remote_frames: int
    fd_frames: int
    unknown_id_frames: int
    unknown_ids: list[UnknownId]
    short_frames: int
    short_by_message: dict[str, int]
    decode_errors: int
    dropped_batches: int
    reconnects: int
    retry_in_s: float | None
    last_error: str | None
    last_error_at: str | None
    last_frame_at: str | None
    connected_since: str | None
    timestamp: str


class Registry(msgspec.Struct, kw_only=True):
    """``GET /api/signals/registry``."""

    signals: list[registry.RegistryEntry]
    count: int
    seeded: int


class Capability(msgspec.Struct, kw_only=True):
    """One signal of a session."""

    signal: str
    n_samples: int
    first_t_s: float | None
    last_t_s: float | None
    rate_hz: float | None
    min: float | None
    max: float | None
    std: float | None
    n_distinct: int
    in_range: bool
    useful: bool


class Capabilities(msgspec.Struct, kw_only=True):
    """``GET /api/sessions/{id}/capabilities``."""

    session_id: str
    signals: list[Capability]
    count: int
    useful_count: int
    computed_at: str


class CanImported(msgspec.Struct, kw_only=True):
    """``POST /api/sessions/{id}/import/can``."""

    session_id: str
    n_frames: int
    n_decoded_rows: int
    data_frames: int
    error_frames: int
    remote_frames: int
    fd_frames: int
    decoded: int
    unknown_id: int
    short: int
    unknown_ids: dict[str, int]
    signals: list[str]
    duration_s: float
    can_source: str
    raw_file: str
    car: str | None


def can_diagnostics(runtime: Runtime) -> CanDiagnostics:
    """The CAN feed's diagnostics (``enabled: false`` with the settings when CAN is off)."""
    settings = runtime.settings
    feed = runtime.hub.feed("can")
    now = _iso(time.time_ns())
    assert now is not None
    if not isinstance(feed, CanSource):
        return CanDiagnostics(
            enabled=False,
            feed=None,
            state="off",
            reason="no CAN channel, DBC or car configured",
            connected=False,
            interface=settings.can_interface,
            channel=settings.can_channel,
            bitrate=settings.can_bitrate,
            dbc=[str(p) for p in settings.can_dbc],
            car=settings.car,
            messages=0,
            fps=0.0,
            frames_total=0,
            bytes_total=0,
            data_frames=0,
            decoded_frames=0,
            error_frames=0,
            remote_frames=0,
            fd_frames=0,
            unknown_id_frames=0,
            unknown_ids=[],
            short_frames=0,
            short_by_message={},
            decode_errors=0,
            dropped_batches=0,
            reconnects=0,
            retry_in_s=None,
            last_error=None,
            last_error_at=None,
            last_frame_at=None,
            connected_since=None,
            timestamp=now,
        )
    c = feed.counters()
    state, reason = feed.state
    return CanDiagnostics(
        enabled=True,
        feed=feed.name,
        state=state,
        reason=reason,
        connected=c.connected_since_ns is not None,
        interface=feed.interface,
        channel=feed.channel,
        bitrate=feed.bitrate or settings.can_bitrate,
        dbc=[str(p) for p in feed.dbc_paths],
        car=getattr(feed.car, "id", None),
        messages=len(feed.decoder.messages) if feed.decoder is not None else 0,
        fps=round(feed.rate_hz(), 2),
        frames_total=c.frames,
        bytes_total=c.bytes,
        data_frames=c.data_frames,
        decoded_frames=c.decoded,
        error_frames=c.error_frames,
        remote_frames=c.remote_frames,
        fd_frames=c.fd_frames,
        unknown_id_frames=c.unknown_id,
        unknown_ids=[
            UnknownId(id=f"0x{frame_id:X}", extended=ext, frames=n)
            for (frame_id, ext), n in c.unknown_ids.most_common(100)
        ],
        short_frames=c.short,
        short_by_message=dict(c.short_by_message),
        decode_errors=c.decode_errors,
        dropped_batches=c.dropped_batches,
        reconnects=c.reconnects,
        retry_in_s=c.retry_in_s,
        last_error=c.last_error,
        last_error_at=_iso(c.last_error_ns),
        last_frame_at=_iso(c.last_frame_ns),
        connected_since=_iso(c.connected_since_ns),
        timestamp=now,
    )


def signal_registry(runtime: Runtime) -> Registry:
    """The registry, seeded with the OBD-II PIDs first if it lacks them."""
    registry.seed(runtime.catalog)
    signals = registry.entries(runtime.catalog)
    seeded = sum(1 for s in signals if s.source == registry.OBD2_SOURCE)
    return Registry(signals=signals, count=len(signals), seeded=seeded)


def session_capabilities(runtime: Runtime, session_id: str) -> Capabilities:
    """Capabilities of a session, computed now from everything it holds."""
    store = runtime.sessions.store
    store.get(session_id)
    runtime.sessions.store.data.flush(session_id)
    table = capabilities(store, session_id)
    rows = [
        Capability(**{k: v for k, v in row.items() if k != "session_id"})
        for row in table.iter_rows(named=True)
    ]
    now = _iso(time.time_ns())
    assert now is not None
    return Capabilities(
        session_id=session_id,
        signals=rows,
        count=len(rows),
        useful_count=sum(1 for r in rows if r.useful),
        computed_at=now,
    )


def _dbc_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v]
    raise InvalidArgument("dbc: expected a path or a list of paths")


class CanController(Controller):
    """CAN diagnostics, the signal registry, capabilities and CAN log imports."""

    path = "/api"
    tags = ["can"]

    @get("/diagnostics/can", sync_to_thread=False)
    def diagnostics(self, runtime: NamedDependency[Runtime]) -> CanDiagnostics:
        """CAN reader state.

        Interface, channel, bitrate, frames/s, totals, unknown ids, short and error frames, last
        error, reconnects.
        """
        return can_diagnostics(runtime)

    @get("/signals/registry", sync_to_thread=True)
    def registry(self, runtime: NamedDependency[Runtime]) -> Registry:
        """Every known signal: the OBD-II PIDs (service 01) and every signal seen since."""
        return signal_registry(runtime)

    @get("/sessions/{session_id:str}/capabilities", sync_to_thread=True)
    def capabilities(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str]
    ) -> Capabilities:
        """Per signal of the session: samples, mean rate, range and the useful flag."""
        return session_capabilities(runtime, session_id)

    @post(
        "/sessions/{session_id:str}/capabilities/recompute",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def recompute(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str]
    ) -> Capabilities:
        """Recomputes the session's capabilities (after a bulk ingest) and returns them."""
        return session_capabilities(runtime, session_id)

    @post(
        "/sessions/{session_id:str}/import/can",
        status_code=HTTP_200_OK,
        exception_handlers=UNPROCESSABLE,
        request_max_body_size=MAX_UPLOAD_BYTES,
    )
    async def import_can(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        request: Request[Any, Any, Any],
    ) -> CanImported:
        """Imports a CAN log into the session: decoded signals as telemetry, raw frames kept.

        The log is ``log_path`` (inside the data directory) or an upload (multipart ``file``,
        or the raw body with ``filename`` in the query); ``dbc`` (paths inside the data
        directory, a list or comma-separated) or ``car`` (a car config id) decode it — without
        either, the server's ``--can-dbc`` / ``--car``. Formats: candump ``.log``, Vector
        ``.asc``/``.blf``, PEAK ``.trc``, python-can ``.csv``.
        """
        store = runtime.sessions.store
        await anyio.to_thread.run_sync(store.get, session_id)
        settings = runtime.settings
        data_dir = settings.data_dir
        async with received_file(request, data_dir / "tmp") as (upload, name, fields):
            car = fields.get("car") or None
            if car is not None and not isinstance(car, str):
                raise InvalidArgument("car: expected a car config id")
            dbc: list[Path] = [
                resolve_data_path(data_dir, d, field="dbc") for d in _dbc_list(fields.get("dbc"))
            ]
            if not dbc and car is None:
                dbc = list(settings.can_dbc)
                car = settings.car
            if upload is not None:
                if not name:
                    raise InvalidArgument(
                        "filename: give the log's name (its suffix tells the format)"
                    )
                path, source = upload, name
            else:
                given = fields.get("log_path")
                if not isinstance(given, str) or not given:
                    raise InvalidArgument("log_path: missing; send log_path or an uploaded file")
                path = resolve_data_path(data_dir, given, field="log_path")
                source = path.name

            def run() -> dict[str, Any]:
                decoder, config = load_decoder(dbc, car, data_dir)
                return import_can_log(
                    store, session_id, path, decoder=decoder, car=config, source_name=source
                )

            result = await anyio.to_thread.run_sync(run)
        return msgspec.convert(result, CanImported)


class PitwallCanController(Controller):
    """Pitwall's paths of the same.

    ``/diagnostics/can``, ``/signals/registry``, ``/session/{sid}/capabilities`` and
    ``…/capabilities/recompute``.
    """

    path = "/"
    tags = ["pitwall"]

    @get("/diagnostics/can", sync_to_thread=False)
    def diagnostics(self, runtime: NamedDependency[Runtime]) -> CanDiagnostics:
        """Same as ``GET /api/diagnostics/can``."""
        return can_diagnostics(runtime)

    @get("/signals/registry", sync_to_thread=True)
    def registry(self, runtime: NamedDependency[Runtime]) -> Registry:
        """Same as ``GET /api/signals/registry``."""
        return signal_registry(runtime)

    @get("/session/{sid:str}/capabilities", sync_to_thread=True)
    def capabilities(self, runtime: NamedDependency[Runtime], sid: FromPath[str]) -> Capabilities:
        """Same as ``GET /api/sessions/{id}/capabilities``."""
        return session_capabilities(runtime, sid)

    @post("/session/{sid:str}/capabilities/recompute", status_code=HTTP_200_OK, sync_to_thread=True)
    def recompute(self, runtime: NamedDependency[Runtime], sid: FromPath[str]) -> Capabilities:
        """Same as ``POST /api/sessions/{id}/capabilities/recompute``."""
        return session_capabilities(runtime, sid)


CAN_ROUTES = [CanController, PitwallCanController]
