"""Tracks: ``/api/tracks`` and Pitwall's elevation and marker routes.

Pitwall's paths: ``/track/<id>/elevation``, ``/track/markers`` and ``/markers``.
Pitwall reads markers from its active track; paddock's is the simulator's bundled track unless
``?track=`` names another.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get
from litestar.params import FromPath, FromQuery, QueryParameter

from paddock.analysis.track import describe, elevation_profile, markers
from paddock.exceptions import InvalidArgument
from paddock.store.tracks import DEFAULT_TRACK, get_track, track_ids

Step = Annotated[float, QueryParameter(gt=0.0, le=10_000.0)]


def _elevation(track_id: str, step_m: float) -> dict[str, Any]:
    try:
        return elevation_profile(get_track(track_id), step_m=step_m)
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None


class TracksController(Controller):
    """``/api/tracks``: the known tracks, one track with markers, its elevation."""

    path = "/api/tracks"
    tags = ["tracks"]

    @get("/", sync_to_thread=True)
    def list_tracks(self) -> list[dict[str, Any]]:
        """Every bundled track: id, name, length, corner and sector counts."""
        return [describe(get_track(t)) for t in track_ids()]

    @get("/{track_id:str}", sync_to_thread=True)
    def get_track(self, track_id: FromPath[str]) -> dict[str, Any]:
        """One track with its markers; 404 if unknown."""
        track = get_track(track_id)
        return describe(track) | {"markers": markers(track)}

    @get("/{track_id:str}/elevation", sync_to_thread=True)
    def elevation(self, track_id: FromPath[str], step_m: Step = 10.0) -> dict[str, Any]:
        """Elevation every ``step_m`` metres along the centre line."""
        return _elevation(track_id, step_m)


class PitwallTracks(Controller):
    """Pitwall's track routes."""

    path = "/"
    tags = ["pitwall"]

    @get("/track/{track_id:str}/elevation", sync_to_thread=True)
    def elevation(self, track_id: FromPath[str], step_m: Step = 10.0) -> dict[str, Any]:
        """Elevation along the centre line (default every 10 m); 404 if the track is unknown."""
        return _elevation(track_id, step_m)

    @get("/track/markers", sync_to_thread=True)
    def track_markers(self, track: FromQuery[str] = DEFAULT_TRACK) -> dict[str, Any]:
        """The active track's markers."""
        found = markers(get_track(track))
        return {"track": track, "markers": found, "count": len(found)}

    @get("/markers", sync_to_thread=True)
    def markers(
        self,
        corner: FromQuery[int | None] = None,
        kind: FromQuery[str | None] = None,
        track: FromQuery[str] = DEFAULT_TRACK,
    ) -> dict[str, Any]:
        """Markers filtered by ``corner`` number and ``kind``."""
        found = [
            m
            for m in markers(get_track(track))
            if (corner is None or m["corner"] == corner) and (kind is None or m["kind"] == kind)
        ]
        return {"track": track, "markers": found, "count": len(found)}


TRACK_ROUTES = [TracksController, PitwallTracks]
