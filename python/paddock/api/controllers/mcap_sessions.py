"""Recordings as DAM's MCAP sessions: ``/api/mcap/sessions`` (alias ``/mcap/sessions``).

A session is a recording that has MCAP segments; its ``session_id`` is the recording id. A
*cycle* is a message's sequence number: frame topics count one per decoded frame, raw topics
one per datagram, and sequences keep counting across segments. ``total_cycles`` is the most
messages any frame topic holds (any topic when there are no frame topics).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Stream

from paddock._native import mcap_info, mcap_subset
from paddock.api.runtime import Runtime
from paddock.exceptions import InvalidArgument, NotFound
from paddock.store.integrity import mcap_segments
from paddock.store.recordings import MCAP_COMPRESSION, validate_recording_id

MIB = 1024 * 1024
CHUNK = 1 << 20


def _segments(runtime: Runtime, session_id: str) -> tuple[dict[str, Any], list[Path]]:
    try:
        validate_recording_id(session_id)
    except InvalidArgument:
        raise NotFound(f"MCAP session {session_id!r} not found") from None
    manifest = runtime.recorder.get(session_id)
    segments = mcap_segments(runtime.recorder.recordings_dir / session_id)
    if not segments:
        raise NotFound(f"MCAP session {session_id} has no MCAP file")
    return manifest, segments


def _summary(manifest: dict[str, Any], segments: list[Path]) -> dict[str, Any]:
    """What every segment's summary says (a summary read, not a read of the messages)."""
    infos = [mcap_info(str(p)) for p in segments]
    frame_counts: dict[str, int] = {}
    all_counts: dict[str, int] = {}
    topics: list[str] = []
    for info in infos:
        for c in info["channels"]:
            if c["topic"] not in topics:
                topics.append(c["topic"])
            all_counts[c["topic"]] = all_counts.get(c["topic"], 0) + c["message_count"]
            if c["kind"] == "frames":
                frame_counts[c["topic"]] = frame_counts.get(c["topic"], 0) + c["message_count"]
    counts = frame_counts or all_counts
    with_messages = [i for i in infos if i["message_count"]]
    stats = [p.stat() for p in segments]
    return {
        "session_id": manifest["id"],
        "filename": segments[0].name,
        "size_mb": round(sum(s.st_size for s in stats) / MIB, 3),
        "created_at": manifest["started_ns"] / 1e9,
        "rotated_at": stats[-1].st_mtime if len(segments) > 1 else None,
        "file_count": len(segments),
        "total_cycles": max(counts.values(), default=0),
        "violation_cycles": 0,
        "clamp_cycles": 0,
        "has_images": False,
        "start_time": min((i["start_ns"] for i in with_messages), default=0) / 1e9,
        "end_time": max((i["end_ns"] for i in with_messages), default=0) / 1e9,
        "compression": MCAP_COMPRESSION,
        "channels": topics,
        "finished": all(i["finished"] for i in infos),
    }


LIST_FIELDS = (
    "session_id",
    "filename",
    "size_mb",
    "created_at",
    "rotated_at",
    "file_count",
    "total_cycles",
    "violation_cycles",
    "clamp_cycles",
    "has_images",
)


def _write_subset(
    runtime: Runtime, session_id: str, start_cycle: int, end_cycle: int, topics: list[str] | None
) -> Path:
    """Writes the subset into a temporary file beside the recordings; returns its path."""
    _, segments = _segments(runtime, session_id)
    limit = (1 << 32) - 1
    fd, name = tempfile.mkstemp(
        prefix=f".{session_id}-", suffix=".mcap.tmp", dir=runtime.recorder.recordings_dir
    )
    os.close(fd)
    out = Path(name)
    try:
        mcap_subset(
            [str(p) for p in segments],
            str(out),
            topics=topics,
            start_sequence=min(start_cycle, limit),
            end_sequence=None if end_cycle == -1 else min(end_cycle, limit),
        )
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


def _stream_and_remove(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        path.unlink(missing_ok=True)


class McapSessionsController(Controller):
    """``GET /api/mcap/sessions``, ``…/{session_id}``, ``…/{session_id}/download``."""

    path = "/"
    tags = ["mcap"]

    @get(["/api/mcap/sessions", "/mcap/sessions"], sync_to_thread=True)
    def list_sessions(self, runtime: NamedDependency[Runtime]) -> dict[str, Any]:
        """Every recording with MCAP segments, newest first."""
        sessions = []
        for manifest in runtime.recorder.list():
            segments = mcap_segments(runtime.recorder.recordings_dir / manifest["id"])
            if not segments:
                continue
            try:
                summary = _summary(manifest, segments)
            except Exception:  # a damaged file stays out of the list; the detail says why
                continue
            sessions.append({k: summary[k] for k in LIST_FIELDS})
        return {"sessions": sessions}

    @get(
        ["/api/mcap/sessions/{session_id:str}", "/mcap/sessions/{session_id:str}"],
        sync_to_thread=True,
    )
    def session(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str]
    ) -> dict[str, Any]:
        """A session's metadata from its segments' summaries (the messages are not read)."""
        manifest, segments = _segments(runtime, session_id)
        summary = _summary(manifest, segments)
        summary.pop("created_at")
        summary.pop("rotated_at")
        summary.pop("file_count")
        return summary

    @get(
        [
            "/api/mcap/sessions/{session_id:str}/download",
            "/mcap/sessions/{session_id:str}/download",
        ],
    )
    async def download(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        start_cycle: FromQuery[int] = 0,
        end_cycle: FromQuery[int] = -1,
        topics: FromQuery[str | None] = None,
    ) -> Stream:
        """One valid MCAP file of a span of the session's cycles, across every segment.

        Cycles ``start_cycle`` to ``end_cycle`` inclusive (``-1``: to the end) on ``topics``
        (comma-separated; default all). 400 for a negative or reversed range, or a topic the
        session does not have.
        """
        if start_cycle < 0:
            raise InvalidArgument(f"start_cycle must be >= 0, got {start_cycle}")
        if end_cycle < -1 or (end_cycle != -1 and end_cycle < start_cycle):
            raise InvalidArgument(
                f"end_cycle must be -1 or >= start_cycle ({start_cycle}), got {end_cycle}"
            )
        wanted = None
        if topics is not None:
            wanted = [t.strip() for t in topics.split(",") if t.strip()]
            if not wanted:
                raise InvalidArgument("topics names no topic")
        # (Async with the work in a thread: this Litestar cannot run a sync handler answering a
        # Stream on several paths in a thread.)
        out = await asyncio.to_thread(
            _write_subset, runtime, session_id, start_cycle, end_cycle, wanted
        )
        filename = f"{session_id}_{start_cycle}-{'end' if end_cycle == -1 else end_cycle}.mcap"
        return Stream(
            _stream_and_remove(out),
            media_type="application/x-mcap",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Content-Length": str(out.stat().st_size),
            },
        )
