"""The tracks paddock knows: the bundled definitions and the user's track files.

Bundled tracks live under ``paddock/data/tracks``. A user's tracks are files in
``<data_dir>/tracks/``: ``<id>.json`` in the bundled format (segments, sector starts,
elevation; see ``data/tracks/paddock_park.json``) or ``<id>.csv`` in the TUM FTM racetrack
database format (``x_m,y_m,w_tr_right_m,w_tr_left_m``). A JSON file may carry its own markers
(``"markers": [{"kind", "name", "distance_m", "corner"}]``); without them markers are derived
from the track (start/finish, sector starts, corner entry, apex and exit).

A user file whose id is a bundled track's is ignored (the bundled one wins), and so is a file
that does not load (it is logged); :func:`add_track` refuses both before writing.
"""

from __future__ import annotations

import json
import logging
import math
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paddock.exceptions import Conflict, InvalidArgument, NotFound
from paddock.sources.simulator.layouts import TRACKS_DIR, build_from_definition, bundled_track
from paddock.sources.simulator.track import Track
from paddock.sources.simulator.tumftm import load_tumftm_csv

log = logging.getLogger(__name__)

DEFAULT_TRACK = "paddock_park"
"""The track the simulator drives unless told otherwise."""

TRACK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
"""What a track id (and so a file name in ``<data_dir>/tracks``) may be."""

MAX_TRACK_BYTES = 4 * 1024 * 1024
"""Largest track file :func:`add_track` accepts."""

TRACK_FORMATS = ("json", "csv")
"""Track file formats: the bundled JSON definition and the TUM FTM centre-line CSV."""


@dataclass(frozen=True, slots=True)
class TrackEntry:
    """A known track and where it comes from.

    Attributes:
        id: The track's id (its file name without the suffix).
        track: The loaded centre line.
        source: ``bundled`` or ``user``.
        format: ``json`` or ``csv``.
        markers: The markers the file defines, or ``None`` (then they are derived).
    """

    id: str
    track: Track
    source: str
    format: str
    markers: list[dict[str, Any]] | None = None


def user_tracks_dir(data_dir: Path) -> Path:
    """``<data_dir>/tracks``: where the user's track files live."""
    return data_dir / "tracks"


def _bundled_ids() -> list[str]:
    return sorted(p.stem for p in TRACKS_DIR.glob("*.json"))


def _user_files(data_dir: Path | None) -> dict[str, Path]:
    if data_dir is None:
        return {}
    folder = user_tracks_dir(data_dir)
    bundled = set(_bundled_ids())
    found: dict[str, Path] = {}
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        fmt = path.suffix.lower().lstrip(".")
        if fmt in TRACK_FORMATS and TRACK_ID.fullmatch(path.stem) and path.stem not in bundled:
            found.setdefault(path.stem, path)
    return found


def _markers(raw: Any, track: Track) -> list[dict[str, Any]] | None:
    """The ``markers`` of a JSON definition, checked, or ``None`` when it has none.

    Raises:
        ValueError: A marker without a kind and name, or off the lap.
    """
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise ValueError("'markers' must be a list of {kind, name, distance_m, corner}")
    out = []
    for i, item in enumerate(raw):
        where = f"markers[{i}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected an object")
        kind, name, distance = item.get("kind"), item.get("name"), item.get("distance_m")
        if not isinstance(kind, str) or not kind or not isinstance(name, str):
            raise ValueError(f"{where}: 'kind' and 'name' must be strings")
        if (
            isinstance(distance, bool)
            or not isinstance(distance, int | float)
            or not math.isfinite(distance)
            or not 0.0 <= distance <= track.length_m
        ):
            raise ValueError(
                f"{where}: 'distance_m' must be a number from 0 to the lap's {track.length_m:.1f} m"
            )
        corner = item.get("corner")
        if corner is not None and (isinstance(corner, bool) or not isinstance(corner, int)):
            raise ValueError(f"{where}: 'corner' must be an integer or null")
        p = track.position_at(float(distance))
        out.append(
            {
                "kind": kind,
                "name": name,
                "distance_m": float(distance),
                "corner": corner,
                "x": p.x,
                "y": p.y,
                "z": p.z,
            }
        )
    return sorted(out, key=lambda m: m["distance_m"])


def load_track_file(path: Path, track_id: str) -> TrackEntry:
    """A user track file (JSON definition or TUM FTM CSV) as a :class:`TrackEntry`.

    Raises:
        ValueError: The file does not hold a valid track.
        OSError: It cannot be read.
    """
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "csv":
        return TrackEntry(track_id, load_tumftm_csv(path, name=track_id), "user", "csv")
    if fmt != "json":
        raise ValueError(f"{path.name}: expected a .json or .csv track file")
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(definition, dict):
        raise ValueError("a track definition must be a JSON object")
    definition = {**definition, "name": track_id}
    track = build_from_definition(definition)
    return TrackEntry(track_id, track, "user", "json", _markers(definition.get("markers"), track))


def _bundled_entry(track_id: str) -> TrackEntry:
    path = TRACKS_DIR / f"{track_id}.json"
    definition = json.loads(path.read_text(encoding="utf-8"))
    track = bundled_track(track_id)
    return TrackEntry(
        track_id, track, "bundled", "json", _markers(definition.get("markers"), track)
    )


def track_ids(data_dir: Path | None = None) -> list[str]:
    """Ids of the bundled tracks, then of the user's track files (not checked here)."""
    return _bundled_ids() + sorted(_user_files(data_dir))


def list_tracks(data_dir: Path | None = None) -> list[TrackEntry]:
    """Every track that loads: bundled first, then the user's (broken files are logged)."""
    entries = [_bundled_entry(t) for t in _bundled_ids()]
    for track_id, path in sorted(_user_files(data_dir).items()):
        try:
            entries.append(load_track_file(path, track_id))
        except (ValueError, OSError) as exc:
            log.warning("track file %s left out: %s", path, exc)
    return entries


def get_entry(track_id: str, data_dir: Path | None = None) -> TrackEntry:
    """A track by id, bundled or the user's.

    Raises:
        NotFound: No track has that id.
        InvalidArgument: The user's file of that id does not load.
    """
    if track_id in _bundled_ids():
        return _bundled_entry(track_id)
    path = _user_files(data_dir).get(track_id)
    if path is None:
        raise NotFound(f"unknown track {track_id!r}; known: {', '.join(track_ids(data_dir))}")
    try:
        return load_track_file(path, track_id)
    except (ValueError, OSError) as exc:
        raise InvalidArgument(f"track file {path.name} does not load: {exc}") from None


def get_track(track_id: str, data_dir: Path | None = None) -> Track:
    """A track's centre line by id (see :func:`get_entry`)."""
    return get_entry(track_id, data_dir).track


def add_track(data_dir: Path, track_id: str, content: bytes, fmt: str) -> TrackEntry:
    """Validates a track file and stores it as ``<data_dir>/tracks/<track_id>.<fmt>``.

    Raises:
        InvalidArgument: A bad id or format, too large, or the file does not hold a valid track.
        Conflict: A track of that id exists (bundled or the user's).
    """
    if not TRACK_ID.fullmatch(track_id):
        raise InvalidArgument(
            f"id: invalid track id {track_id!r}: 1-64 letters, digits, '_' or '-',"
            " starting with a letter or digit"
        )
    if fmt not in TRACK_FORMATS:
        raise InvalidArgument(f"format: expected one of {', '.join(TRACK_FORMATS)}, got {fmt!r}")
    if len(content) > MAX_TRACK_BYTES:
        raise InvalidArgument(f"file: larger than {MAX_TRACK_BYTES} bytes")
    if not content.strip():
        raise InvalidArgument("file: the track file is empty")
    if track_id in track_ids(data_dir):
        raise Conflict(f"track {track_id!r} exists")
    folder = user_tracks_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".upload-{secrets.token_hex(8)}.{fmt}"
    tmp.write_bytes(content)
    try:
        entry = load_track_file(tmp, track_id)
    except (ValueError, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidArgument(f"file: not a valid {fmt} track: {exc}") from None
    tmp.replace(folder / f"{track_id}.{fmt}")
    return entry
