"""Files imported into a session: Racelogic VBO logs and MCAP recordings with paddock frames.

Imported rows land in the session's frames table as one part per file
(``frames/import-<kind>-<digest>.parquet``, the digest being the first 16 hex digits of the
file's SHA-256), so ``open_session`` and every analysis read them like a run's frames; the same
file imported twice into one session is refused (409). ``t_s`` counts from the session's start;
a session that had no rows before its first import takes the imported data's first sample as its
start.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from paddock._native import mcap_info, mcap_read_frames
from paddock.analysis.laps import first_point_gate, gate_crossings, lap_table, laps_from_crossings
from paddock.exceptions import Conflict, InvalidArgument, NotFound, PaddockError
from paddock.sources.importers.vbo import VboFile, read_vbo
from paddock.store.sessions import SessionStore

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def file_digest(path: Path) -> str:
    """The first 16 hex digits of the file's SHA-256 (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()[:16]


def session_rows(store: SessionStore, session_id: str) -> int:
    """Rows the session holds in frames and channels."""
    frames = store.open_session(session_id, table="frames").select(pl.len()).collect().item()
    channels = store.open_session(session_id, table="channels").select(pl.len()).collect().item()
    return int(frames) + int(channels)


def _store_frames(
    store: SessionStore, session_id: str, frames: pl.DataFrame, *, name: str, was_empty: bool
) -> pl.DataFrame:
    """Writes ``frames`` (with ``ts_ns``) as the part ``name``; returns them as stored."""
    if was_empty and frames.height:
        started = int(frames.select(pl.col("ts_ns").min()).item())
        store.set_started(session_id, started)
    else:
        started = int(store.get(session_id)["started_ns"])
    first, _ = store.reserve_frames(session_id, frames.height)
    stored = frames.with_columns(
        ((pl.col("ts_ns") - started) / 1e9).alias("t_s"),
        pl.int_range(first, first + frames.height, dtype=pl.Int64).alias("frame_idx"),
    )
    store.data.write_file(session_id, "frames", name, stored)
    return stored


def _part_name(store: SessionStore, session_id: str, kind: str, digest: str) -> str:
    name = f"import-{kind}-{digest}"
    if (store.data.directory(session_id) / "frames" / f"{name}.parquet").exists():
        raise Conflict(f"this {kind} file is already imported into session {session_id}")
    return name


def vbo_laps(vbo: VboFile, frames: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """``frames`` with ``lap`` and ``lap_time_s``, and the method that split them.

    The ``[laptiming]`` start/finish line when the track crosses it (``gate``); otherwise a line
    through the first GNSS point, square to the heading there, so a lap is a return to where the
    recording began (``first_point``).
    """
    if "lat_deg" not in frames.columns or "lon_deg" not in frames.columns:
        return frames, "none"
    if vbo.gate is not None:
        gate = (vbo.gate.lat1_deg, vbo.gate.lon1_deg, vbo.gate.lat2_deg, vbo.gate.lon2_deg)
        crossings = gate_crossings(frames, gate)
        if crossings.len():
            return laps_from_crossings(frames, crossings), "gate"
    first = first_point_gate(frames)
    if first is None:
        return frames, "none"
    return laps_from_crossings(frames, gate_crossings(frames, first)), "first_point"


def import_vbo(
    store: SessionStore,
    path: Path,
    *,
    session_id: str | None = None,
    fields: Mapping[str, Any] | None = None,
    source_name: str | None = None,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Imports a VBO file as a session (created unless ``session_id`` names an empty one).

    Returns Pitwall's import answer: ``session_id``, ``n_frames``, ``duration_s``,
    ``distance_m``, ``vbo_source``, ``capabilities_count``, plus ``lap_count``, ``laps``,
    ``lap_method``, ``skipped_rows`` and ``duplicate_rows``.

    Raises:
        InvalidArgument: Not a VBO file, or a malformed ``session_id``.
        Conflict: The session already has rows.
    """
    from paddock.store.exports import capabilities

    progress(f"reading {source_name or path.name}")
    vbo = read_vbo(path)
    digest = file_digest(path)
    created = False
    if session_id is not None and store.exists(session_id):
        if session_rows(store, session_id):
            raise Conflict(f"Session {session_id} already has rows")
        sid = session_id
        given = {k: v for k, v in (fields or {}).items() if v is not None}
        if given:
            store.update(sid, given)
    else:
        sid = store.create(dict(fields or {}), session_id=session_id)["id"]
        created = True
    try:
        frames = vbo.frames.with_columns(pl.lit("vbo").alias("feed"))
        frames = frames.with_columns(
            ((pl.col("ts_ns") - pl.col("ts_ns").first()) / 1e9).alias("t_s")
        )
        frames, method = vbo_laps(vbo, frames)
        progress(f"writing {frames.height} frames to session {sid}")
        stored = _store_frames(
            store, sid, frames, name=_part_name(store, sid, "vbo", digest), was_empty=True
        )
    except BaseException:
        if created:
            store.delete(sid)
        raise
    laps = lap_table(stored.lazy())
    caps = capabilities(store, sid)
    t_min, t_max = stored.select(
        pl.col("t_s").min().alias("a"), pl.col("t_s").max().alias("b")
    ).row(0)
    distance = stored.select(pl.col("distance_m").max()).item() if "distance_m" in stored else None
    return {
        "session_id": sid,
        "n_frames": stored.height,
        "duration_s": float(t_max - t_min) if stored.height else 0.0,
        "distance_m": float(distance) if distance is not None else None,
        "vbo_source": source_name or path.name,
        "capabilities_count": caps.height,
        "lap_count": laps.height,
        "lap_method": method,
        "laps": laps.select("lap", "lap_time_s", "start_t_s", "end_t_s").to_dicts(),
        "skipped_rows": vbo.skipped_rows,
        "duplicate_rows": vbo.duplicate_rows,
    }


def _mcap_frame_topics(path: Path) -> list[str]:
    """The file's paddock frame topics.

    Raises:
        InvalidArgument: Not an MCAP file, or one without paddock frame channels (the message
            lists what it holds).
    """
    try:
        info = mcap_info(str(path))
    except (PaddockError, OSError, ValueError) as exc:
        raise InvalidArgument(f"not a readable MCAP file: {exc}") from None
    channels = info.get("channels", [])
    topics = [c["topic"] for c in channels if c.get("kind") == "frames"]
    if not topics:
        found = [
            f"{c['topic']} ({c.get('schema_name') or 'no schema'}, {c['message_encoding']})"
            for c in channels
        ]
        raise InvalidArgument(
            "MCAP file has no paddock frame channels (schema 'paddock.Frame', JSON messages);"
            f" found {len(found)} channel(s): {', '.join(found) or 'none'}"
        )
    return list(dict.fromkeys(topics))


def import_mcap(
    store: SessionStore,
    session_id: str,
    path: Path,
    *,
    source_name: str | None = None,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Imports the paddock frame topics of an MCAP file into an existing session.

    Each frame topic ``/<feed>/frames`` becomes frames of feed ``<feed>``; raw and foreign
    channels are not imported.

    Raises:
        NotFound: No such session.
        InvalidArgument: Not an MCAP file, or no paddock frame channels in it.
        Conflict: The same file is already imported into the session.
    """
    store.get(session_id)
    topics = _mcap_frame_topics(path)
    name = _part_name(store, session_id, "mcap", file_digest(path))
    was_empty = session_rows(store, session_id) == 0
    parts: list[pl.DataFrame] = []
    per_topic: dict[str, int] = {}
    for topic in topics:
        progress(f"reading {topic}")
        try:
            batches = mcap_read_frames(str(path), topic=topic)
        except (PaddockError, OSError, ValueError) as exc:
            raise InvalidArgument(f"MCAP topic {topic}: {exc}") from None
        frames = [pl.DataFrame(b) for b in batches]
        frames = [f for f in frames if f.height and "ts_ns" in f.columns]
        feed = topic.strip("/").removesuffix("/frames") or "mcap"
        for frame in frames:
            parts.append(frame.with_columns(pl.lit(feed).alias("feed")))
        per_topic[topic] = sum(f.height for f in frames)
    if not parts:
        raise InvalidArgument(f"MCAP file's frame channels hold no frames: {json.dumps(per_topic)}")
    merged = (
        pl.concat(parts, how="diagonal_relaxed")
        .drop("t_s", "frame_idx", strict=False)
        .sort("ts_ns", maintain_order=True)
    )
    progress(f"writing {merged.height} frames to session {session_id}")
    stored = _store_frames(store, session_id, merged, name=name, was_empty=was_empty)
    t_min, t_max = stored.select(
        pl.col("t_s").min().alias("a"), pl.col("t_s").max().alias("b")
    ).row(0)
    return {
        "session_id": session_id,
        "n_frames": stored.height,
        "topics": per_topic,
        "duration_s": float(t_max - t_min),
        "mcap_source": source_name or path.name,
    }


def resolve_data_path(data_dir: Path, given: str, *, field: str) -> Path:
    """``given`` (relative to ``data_dir``, or absolute) as a file inside ``data_dir``.

    Raises:
        InvalidArgument: ``..`` in the path, or it leads outside the data directory.
        NotFound: No such file.
    """
    candidate = Path(given)
    if ".." in candidate.parts:
        raise InvalidArgument(f"{field}: '..' is not allowed in a path")
    full = (candidate if candidate.is_absolute() else data_dir / candidate).resolve()
    if not full.is_relative_to(data_dir.resolve()):
        raise InvalidArgument(f"{field}: the file must be inside the data directory")
    if not full.is_file():
        raise NotFound(f"{field}: no such file {given!r}")
    return full


def resolve_vbo_path(given: str, *, field: str = "vbo_path") -> Path:
    """An absolute path to an existing ``.vbo`` file on the server's disk (Pitwall's import).

    Raises:
        InvalidArgument: Relative, contains ``..``, or not named ``*.vbo``.
        NotFound: No such file.
    """
    candidate = Path(given)
    if not given or ".." in candidate.parts:
        raise InvalidArgument(f"{field}: '..' is not allowed in a path")
    if not candidate.is_absolute():
        raise InvalidArgument(f"{field}: expected an absolute path, got {given!r}")
    if candidate.suffix.lower() != ".vbo":
        raise InvalidArgument(f"{field}: not a VBO file (expected a .vbo name): {given!r}")
    if not candidate.is_file():
        raise NotFound(f"{field}: no such file {given!r}")
    return candidate
