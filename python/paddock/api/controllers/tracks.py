"""Tracks: ``/api/tracks`` and Pitwall's elevation and marker routes.

Pitwall's paths: ``/track/<id>/elevation``, ``/track/markers`` and ``/markers``.
Pitwall reads markers from its active track; paddock's is the simulator's bundled track unless
``?track=`` names another. Tracks are the bundled ones and the user's files in
``<data_dir>/tracks/`` (see :mod:`paddock.store.tracks`); ``POST /api/tracks`` adds one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from paddock.analysis.track import describe, elevation_profile, markers
from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.api.controllers.transfer import received_file
from paddock.api.runtime import Runtime
from paddock.exceptions import InvalidArgument
from paddock.store.tracks import (
    DEFAULT_TRACK,
    MAX_TRACK_BYTES,
    TrackEntry,
    add_track,
    get_entry,
    list_tracks,
)

Step = Annotated[float, QueryParameter(gt=0.0, le=10_000.0)]


def _describe(entry: TrackEntry) -> dict[str, Any]:
    return describe(entry.track) | {
        "id": entry.id,
        "source": entry.source,
        "format": entry.format,
        "markers_from": "file" if entry.markers is not None else "derived",
    }


def _markers(entry: TrackEntry) -> list[dict[str, Any]]:
    """The file's own markers, else those derived from the track."""
    return entry.markers if entry.markers is not None else markers(entry.track)


def _elevation(runtime: Runtime, track_id: str, step_m: float) -> dict[str, Any]:
    entry = get_entry(track_id, runtime.settings.data_dir)
    try:
        return elevation_profile(entry.track, step_m=step_m) | {"track": entry.id}
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None


def _format_of(name: str | None, fields: dict[str, Any]) -> str:
    fmt = fields.get("format")
    if isinstance(fmt, str) and fmt:
        return fmt.lower()
    suffix = Path(name or "").suffix.lower().lstrip(".")
    if suffix:
        return suffix
    raise InvalidArgument("format: give format=json|csv or upload a file named .json or .csv")


class TracksController(Controller):
    """``/api/tracks``: the known tracks, one track with markers, its elevation, uploads."""

    path = "/api/tracks"
    tags = ["tracks"]

    @get("/", sync_to_thread=True)
    def list_tracks(self, runtime: NamedDependency[Runtime]) -> list[dict[str, Any]]:
        """Every track, bundled then the user's: id, name, length, corners, sectors, source."""
        return [_describe(e) for e in list_tracks(runtime.settings.data_dir)]

    @post("/", status_code=HTTP_201_CREATED, exception_handlers=UNPROCESSABLE)
    async def add(
        self, runtime: NamedDependency[Runtime], request: Request[Any, Any, Any]
    ) -> dict[str, Any]:
        """Adds a track file: multipart ``file`` (``.json`` or ``.csv``) or a raw body.

        ``id`` (query or form field) names it, default the uploaded file's name; ``format``
        (``json``/``csv``) is needed for a raw body without ``filename``. 422 when the file
        does not hold a valid track, 409 when the id is taken.
        """
        data_dir = runtime.settings.data_dir
        async with received_file(request, data_dir / "tmp") as (path, name, fields):
            if path is None:
                raise InvalidArgument(
                    "file: send the track as multipart field 'file' or an octet-stream body"
                )
            if path.stat().st_size > MAX_TRACK_BYTES:
                raise InvalidArgument(f"file: larger than {MAX_TRACK_BYTES} bytes")
            content = path.read_bytes()
        track_id = fields.get("id") or Path(name or "").stem
        if not isinstance(track_id, str) or not track_id:
            raise InvalidArgument("id: give the track an id (query or form field 'id')")
        entry = add_track(data_dir, track_id, content, _format_of(name, fields))
        return _describe(entry) | {"markers": _markers(entry)}

    @get("/{track_id:str}", sync_to_thread=True)
    def get_track(
        self, runtime: NamedDependency[Runtime], track_id: FromPath[str]
    ) -> dict[str, Any]:
        """One track with its markers; 404 if unknown."""
        entry = get_entry(track_id, runtime.settings.data_dir)
        return _describe(entry) | {"markers": _markers(entry)}

    @get("/{track_id:str}/elevation", sync_to_thread=True)
    def elevation(
        self, runtime: NamedDependency[Runtime], track_id: FromPath[str], step_m: Step = 10.0
    ) -> dict[str, Any]:
        """Elevation every ``step_m`` metres along the centre line."""
        return _elevation(runtime, track_id, step_m)


class PitwallTracks(Controller):
    """Pitwall's track routes."""

    path = "/"
    tags = ["pitwall"]

    @get("/track/{track_id:str}/elevation", sync_to_thread=True)
    def elevation(
        self, runtime: NamedDependency[Runtime], track_id: FromPath[str], step_m: Step = 10.0
    ) -> dict[str, Any]:
        """Elevation along the centre line (default every 10 m); 404 if the track is unknown."""
        return _elevation(runtime, track_id, step_m)

    @get("/track/markers", sync_to_thread=True)
    def track_markers(
        self, runtime: NamedDependency[Runtime], track: FromQuery[str] = DEFAULT_TRACK
    ) -> dict[str, Any]:
        """The active track's markers."""
        found = _markers(get_entry(track, runtime.settings.data_dir))
        return {"track": track, "markers": found, "count": len(found)}

    @get("/markers", sync_to_thread=True)
    def markers(
        self,
        runtime: NamedDependency[Runtime],
        corner: FromQuery[int | None] = None,
        kind: FromQuery[str | None] = None,
        track: FromQuery[str] = DEFAULT_TRACK,
    ) -> dict[str, Any]:
        """Markers filtered by ``corner`` number and ``kind``."""
        found = [
            m
            for m in _markers(get_entry(track, runtime.settings.data_dir))
            if (corner is None or m["corner"] == corner) and (kind is None or m["kind"] == kind)
        ]
        return {"track": track, "markers": found, "count": len(found)}


TRACK_ROUTES = [TracksController, PitwallTracks]
