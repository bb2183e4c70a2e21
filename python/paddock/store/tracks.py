"""The tracks paddock knows: the bundled definitions under ``paddock/data/tracks``."""

from __future__ import annotations

from paddock.exceptions import NotFound
from paddock.sources.simulator.layouts import TRACKS_DIR, bundled_track
from paddock.sources.simulator.track import Track

DEFAULT_TRACK = "paddock_park"
"""The track the simulator drives unless told otherwise."""


def track_ids() -> list[str]:
    """Ids of the bundled tracks."""
    return sorted(p.stem for p in TRACKS_DIR.glob("*.json"))


def get_track(track_id: str) -> Track:
    """A bundled track by id.

    Raises:
        NotFound: No bundled track has that id.
    """
    if track_id not in track_ids():
        raise NotFound(f"unknown track {track_id!r}; known: {', '.join(track_ids())}")
    return bundled_track(track_id)
