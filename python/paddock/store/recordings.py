"""Recordings: every batch a feed delivers, written to MCAP, Parquet parts and the raw datagrams.

A recording is a directory ``<data_dir>/recordings/<id>/`` holding::

    manifest.json                    what the catalog holds, for people and other tools
    recording.mcap                   /<feed>/frames (JSON, Foxglove-ready) and /<feed>/raw;
                                     recording-00000.mcap, recording-00001.mcap, … when the
                                     recorder rotates segments by size or duration
    cycles.mcap                      /dam/cycle: cycle events posted while recording (JSON)
    <feed>.pdkraw                    the datagrams exactly as received (see docs/formats.md)
    frames/<feed>/part-00000.parquet decoded canonical frames, flushed every few seconds
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import polars as pl

from paddock._native import McapWriter, RawWriter, mcap_info, mcap_recover
from paddock.exceptions import Conflict, InvalidArgument, NotFound
from paddock.sources.base import REPLAY_PROTOCOL, FeedBatch
from paddock.store.catalog import Catalog
from paddock.store.cycle_mcap import CYCLES_FILE, CycleMcapWriter
from paddock.store.integrity import (
    INTEGRITY_FAILED,
    STOPPED_OK,
    check_integrity,
    mcap_segments,
)

log = logging.getLogger(__name__)

RECORDING_ID = re.compile(r"^[0-9a-f]{32}$")
FEED_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MCAP_FILE = "recording.mcap"
MCAP_COMPRESSION = "zstd"
RAW_SUFFIX = ".pdkraw"


class RecordingRequest(msgspec.Struct, kw_only=True):
    """What a client may say about a recording it starts (every field optional)."""

    name: str | None = None
    game: str | None = None
    track: str | None = None
    car: str | None = None
    use_case: str | None = None
    notes: str | None = None


def validate_recording_id(recording_id: str) -> str:
    """Returns ``recording_id`` if it is a well-formed id.

    Raises:
        InvalidArgument: Anything but 32 lowercase hex digits (so no path can escape).
    """
    if not RECORDING_ID.fullmatch(recording_id):
        raise InvalidArgument(f"invalid recording id {recording_id!r}: expected 32 hex digits")
    return recording_id


def validate_feed_name(feed_name: str) -> str:
    """Returns ``feed_name`` if it is a well-formed feed name.

    Raises:
        InvalidArgument: Not lowercase letters, digits and underscores starting with a letter.
    """
    if not FEED_NAME.fullmatch(feed_name):
        raise InvalidArgument(
            f"invalid feed name {feed_name!r}: lowercase letters, digits and '_' only"
        )
    return feed_name


def _iso(ns: int) -> str:
    return dt.datetime.fromtimestamp(ns / 1e9, tz=dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class _FeedFiles:
    name: str
    protocol: str
    raw: Any
    packets: int = 0
    bytes: int = 0
    frames: int = 0
    parts: list[str] = field(default_factory=list)
    pending: list[pl.DataFrame] = field(default_factory=list)
    pending_rows: int = 0


class ActiveRecording:
    """A recording being written.

    Its methods are called from worker threads; one lock orders them.
    """

    def __init__(
        self,
        manifest: dict[str, Any],
        directory: Path,
        *,
        flush_interval_s: float,
        segment_bytes: int | None = None,
        segment_s: float | None = None,
    ):
        self.manifest = manifest
        self.directory = directory
        self.flush_interval_s = flush_interval_s
        self._lock = threading.Lock()
        self._feeds: dict[str, _FeedFiles] = {}
        self._mcap = McapWriter(
            str(directory / MCAP_FILE),
            compression=MCAP_COMPRESSION,
            rotate_bytes=segment_bytes,
            rotate_ns=int(segment_s * 1e9) if segment_s else None,
        )
        self._mcap.add_metadata(
            "recording",
            {k: str(v) for k, v in manifest.items() if isinstance(v, str | int | float)},
        )
        self._last_flush = time.monotonic()
        self._closed = False
        self._cycles: CycleMcapWriter | None = None

    @property
    def id(self) -> str:
        """The recording id."""
        recording_id: str = self.manifest["id"]
        return recording_id

    def _files(self, batch: FeedBatch) -> _FeedFiles:
        files = self._feeds.get(batch.feed)
        if files is None:
            validate_feed_name(batch.feed)
            raw = RawWriter(
                str(self.directory / f"{batch.feed}{RAW_SUFFIX}"),
                protocol=batch.protocol,
                feed=batch.feed,
                started_ns=self.manifest["started_ns"],
            )
            files = _FeedFiles(batch.feed, batch.protocol, raw)
            self._feeds[batch.feed] = files
            (self.directory / "frames" / batch.feed).mkdir(parents=True, exist_ok=True)
        return files

    def write(self, batch: FeedBatch) -> None:
        """Appends one drained batch to every file of its feed."""
        with self._lock:
            if self._closed:
                return
            files = self._files(batch)
            if batch.raw.num_rows:
                files.raw.write(batch.raw)
                self._mcap.write_raw(f"/{batch.feed}/raw", batch.protocol, batch.raw)
                raw = pl.DataFrame(batch.raw)
                files.packets += raw.height
                files.bytes += int(raw["payload"].bin.size().sum())
            if batch.frames.num_rows:
                self._mcap.write_frames(f"/{batch.feed}/frames", batch.frames)
                frames = pl.DataFrame(batch.frames)
                files.frames += frames.height
                files.pending.append(frames)
                files.pending_rows += frames.height
            if time.monotonic() - self._last_flush >= self.flush_interval_s:
                self._flush_all()

    def write_cycles(self, events: list[tuple[int, bytes]]) -> None:
        """Appends encoded cycle events ``(ts_ns, json)`` to the recording's ``cycles.mcap``."""
        with self._lock:
            if self._closed:
                return
            if self._cycles is None:
                self._cycles = CycleMcapWriter(self.directory / CYCLES_FILE)
            for ts_ns, event in events:
                self._cycles.write(ts_ns, event)

    def _flush_all(self) -> None:
        for files in self._feeds.values():
            self._flush(files)
            files.raw.flush()
        if not self._closed:
            # Close the MCAP chunk too: a crash after this loses nothing written before it.
            self._mcap.flush()
        self._last_flush = time.monotonic()

    def _flush(self, files: _FeedFiles) -> None:
        if not files.pending:
            return
        started_ns = self.manifest["started_ns"]
        frames = pl.concat(files.pending, how="diagonal_relaxed").with_columns(
            ((pl.col("ts_ns") - started_ns) / 1e9).alias("t_s"),
            pl.lit(files.name).alias("feed"),
        )
        part = f"frames/{files.name}/part-{len(files.parts):05d}.parquet"
        frames.write_parquet(self.directory / part, compression="zstd")
        files.parts.append(part)
        files.pending.clear()
        files.pending_rows = 0

    def finish(self) -> dict[str, Any]:
        """Flushes and closes every file; returns the final manifest."""
        with self._lock:
            if not self._closed:
                self._flush_all()
                for files in self._feeds.values():
                    files.raw.close()
                self._mcap.close()
                if self._cycles is not None:
                    self._cycles.close()
                self._closed = True
            stopped_ns = time.time_ns()
            self.manifest.update(
                status="stopped",
                stopped_ns=stopped_ns,
                stopped_at=_iso(stopped_ns),
                duration_s=round((stopped_ns - self.manifest["started_ns"]) / 1e9, 3),
            )
            self._describe_files()
            integrity = check_integrity(self.directory, self.manifest)
            self.manifest["integrity"] = integrity
            self.manifest["stop_result"] = {
                "success": integrity["all_ok"],
                "message": STOPPED_OK if integrity["all_ok"] else INTEGRITY_FAILED,
                "transport_success": True,
                "graceful_stop": True,
            }
            return self.manifest

    def snapshot(self) -> dict[str, Any]:
        """The manifest with the counters as they are now."""
        with self._lock:
            self.manifest["duration_s"] = round(
                (time.time_ns() - self.manifest["started_ns"]) / 1e9, 3
            )
            self._describe_files()
            return dict(self.manifest)

    def _describe_files(self) -> None:
        self.manifest["feeds"] = [
            {
                "name": f.name,
                "protocol": f.protocol,
                "packets": f.packets,
                "bytes": f.bytes,
                "frames": f.frames,
                "raw_file": f"{f.name}{RAW_SUFFIX}",
                "raw_format": "pdkraw/1",
                "parquet_parts": list(f.parts),
            }
            for f in self._feeds.values()
        ]
        segments = [p.name for p in mcap_segments(self.directory)]
        self.manifest["files"] = {"mcap": segments[0] if segments else MCAP_FILE}
        if self._cycles is not None:
            self.manifest["files"]["cycles"] = CYCLES_FILE
            self.manifest["cycle_events"] = self._cycles.messages
        self.manifest["mcap_segments"] = segments
        self.manifest["size_bytes"] = _dir_size(self.directory)


def _dir_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


class Recorder:
    """Starts and stops recordings and writes every batch the hub hands it.

    Args:
        catalog: Where manifests are kept.
        recordings_dir: Parent of every recording's directory.
        flush_interval_s: How often MCAP chunks, Parquet parts and raw files are flushed while
            recording (a killed process loses at most this much).
        segment_bytes: Rotate the MCAP file into a new segment at this size (default: never).
        segment_s: Rotate the MCAP file into a new segment after this many seconds of log time
            (default: never).
        protection_s: A recording younger than this stops only with ``force``.
    """

    def __init__(
        self,
        catalog: Catalog,
        recordings_dir: Path,
        *,
        flush_interval_s: float = 5.0,
        segment_bytes: int | None = None,
        segment_s: float | None = None,
        protection_s: float = 0.0,
    ) -> None:
        self.catalog = catalog
        self.recordings_dir = recordings_dir
        self.flush_interval_s = flush_interval_s
        self.segment_bytes = segment_bytes
        self.segment_s = segment_s
        self.protection_s = protection_s
        self.active: ActiveRecording | None = None
        self._lock = threading.Lock()
        recordings_dir.mkdir(parents=True, exist_ok=True)

    def recover_unfinished(self) -> list[str]:
        """Closes out recordings a previous process left open (it died mid-write).

        Every unfinished MCAP segment is rebuilt from its intact records, up to its last complete
        chunk; Parquet parts and raw files are kept as they are. What could not be kept is
        reported in the manifest's ``recovery`` (``lost_bytes`` and a ``message``), never
        dropped silently. Returns the ids recovered.
        """
        recovered = []
        for manifest in self.catalog.active_recordings():
            directory = self.recordings_dir / manifest["id"]
            manifest["recovery"] = self._recover_segments(directory)
            parts: dict[str, list[str]] = {}
            for part in sorted(directory.glob("frames/*/part-*.parquet")):
                parts.setdefault(part.parent.name, []).append(str(part.relative_to(directory)))
            for feed in manifest.get("feeds", []):
                feed["parquet_parts"] = parts.get(feed["name"], [])
            segments = [p.name for p in mcap_segments(directory)]
            manifest["mcap_segments"] = segments
            if segments:
                manifest["files"] = {"mcap": segments[0]}
            stopped_ns = manifest.get("stopped_ns") or time.time_ns()
            manifest.update(status="stopped", stopped_ns=stopped_ns, stopped_at=_iso(stopped_ns))
            manifest["recovered"] = True
            manifest["size_bytes"] = _dir_size(directory) if directory.is_dir() else 0
            self._write_manifest(manifest)
            log.warning("recording %s: %s", manifest["id"], manifest["recovery"]["message"])
            recovered.append(manifest["id"])
        return recovered

    @staticmethod
    def _recover_segments(directory: Path) -> dict[str, Any]:
        """Rebuilds every unfinished MCAP segment of ``directory``; returns the loss report."""
        report: dict[str, Any] = {
            "segments": {},
            "messages": 0,
            "lost_bytes": 0,
            "errors": [],
        }
        for path in mcap_segments(directory):
            try:
                if mcap_info(str(path))["finished"]:
                    continue
            except Exception:  # unreadable header or summary: rebuild it like an unfinished one
                log.warning("segment %s does not open; rebuilding it", path)
            tmp = path.with_name(path.name + ".recovered")
            try:
                stats = mcap_recover(str(path), str(tmp))
            except Exception as exc:  # keep the original file; say why
                tmp.unlink(missing_ok=True)
                report["errors"].append(f"{path.name}: {exc}")
                continue
            tmp.replace(path)
            report["segments"][path.name] = stats
            report["messages"] += stats["messages"]
            report["lost_bytes"] += stats["lost_bytes"]
        report["disk_intact"] = report["lost_bytes"] == 0 and not report["errors"]
        unflushed = "data received after the last flush had not reached the disk and is not in it"
        if report["errors"]:
            report["message"] = "MCAP recovery failed: " + "; ".join(report["errors"])
        elif report["lost_bytes"]:
            report["message"] = (
                f"recording was not stopped cleanly: recovered {report['messages']} messages up "
                f"to the last complete chunk; {report['lost_bytes']} bytes after it were lost; "
                f"{unflushed}"
            )
        else:
            report["message"] = (
                f"recording was not stopped cleanly: recovered {report['messages']} messages, "
                f"every byte on disk was kept; {unflushed}"
            )
        return report

    def start(self, request: RecordingRequest) -> dict[str, Any]:
        """Starts a recording of every live feed.

        Raises:
            Conflict: A recording is already running.
        """
        with self._lock:
            if self.active is not None:
                raise Conflict(f"recording {self.active.id} is already running; stop it first")
            recording_id = uuid.uuid4().hex
            started_ns = time.time_ns()
            manifest: dict[str, Any] = {
                "id": recording_id,
                "name": request.name or f"Recording {_iso(started_ns)[:19].replace('T', ' ')}",
                "game": request.game,
                "track": request.track,
                "car": request.car,
                "use_case": request.use_case,
                "notes": request.notes,
                "status": "recording",
                "started_ns": started_ns,
                "started_at": _iso(started_ns),
                "stopped_ns": None,
                "stopped_at": None,
                "duration_s": 0.0,
                "feeds": [],
                "files": {"mcap": MCAP_FILE},
            }
            directory = self.recordings_dir / recording_id
            directory.mkdir(parents=True)
            self.active = ActiveRecording(
                manifest,
                directory,
                flush_interval_s=self.flush_interval_s,
                segment_bytes=self.segment_bytes,
                segment_s=self.segment_s,
            )
            self._write_manifest(manifest)
            return dict(manifest)

    def protected_for(self) -> float:
        """Seconds left in the running recording's protected-stop window (0 when none)."""
        active = self.active
        if active is None or self.protection_s <= 0:
            return 0.0
        age = (time.time_ns() - int(active.manifest["started_ns"])) / 1e9
        return max(0.0, float(self.protection_s) - age)

    def stop(self, recording_id: str | None = None, *, force: bool = True) -> dict[str, Any]:
        """Stops the active recording (or checks that ``recording_id`` is the active one).

        The files are closed, then re-read and checked (``integrity`` in the manifest; its
        ``stop_result.success`` is false when a check failed).

        Args:
            recording_id: The recording expected to be running (default: whichever is).
            force: Stop even inside the protected-stop window.

        Raises:
            NotFound: No recording is running, or ``recording_id`` does not exist.
            Conflict: ``recording_id`` exists but is not the one running (already stopped), or
                the recording is inside its protected-stop window and ``force`` is false.
        """
        with self._lock:
            active = self.active
            if recording_id is not None:
                validate_recording_id(recording_id)
                if active is None or active.id != recording_id:
                    if self.catalog.get_recording(recording_id) is None:
                        raise NotFound(f"recording {recording_id} not found")
                    raise Conflict(f"recording {recording_id} is not running")
            if active is None:
                raise NotFound("no recording is running")
            left = self.protected_for()
            if left > 0 and not force:
                raise Conflict(
                    f"recording {active.id} is protected for another {left:.1f} s "
                    "(protected-stop window); stop it with force=true"
                )
            manifest = active.finish()
            self.active = None
            self._write_manifest(manifest)
            return dict(manifest)

    def write_cycles(self, events: list[tuple[int, bytes]]) -> bool:
        """Writes cycle events into the running recording; False when none runs."""
        active = self.active
        if active is None:
            return False
        active.write_cycles(events)
        return True

    async def on_batch(self, batch: FeedBatch) -> None:
        """Hub sink: writes ``batch`` into the active recording, off the event loop.

        Replayed batches are not written: they are recorded already.
        """
        active = self.active
        if active is not None and batch.protocol != REPLAY_PROTOCOL:
            await asyncio.to_thread(active.write, batch)

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        self.catalog.put_recording(manifest)
        path = self.recordings_dir / manifest["id"] / "manifest.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2))
        tmp.replace(path)

    def get(self, recording_id: str) -> dict[str, Any]:
        """A recording's manifest (live counters for the active one).

        Raises:
            InvalidArgument: Malformed id.
            NotFound: No such recording.
        """
        validate_recording_id(recording_id)
        active = self.active
        if active is not None and active.id == recording_id:
            return active.snapshot()
        manifest = self.catalog.get_recording(recording_id)
        if manifest is None:
            raise NotFound(f"recording {recording_id} not found")
        return manifest

    def list(self) -> list[dict[str, Any]]:
        """Every recording, newest first."""
        active = self.active
        out = self.catalog.list_recordings()
        if active is not None:
            out = [active.snapshot() if m["id"] == active.id else m for m in out]
        return out

    def delete(self, recording_id: str) -> None:
        """Deletes a stopped recording and its directory.

        Raises:
            Conflict: It is the recording running now.
            NotFound: No such recording.
        """
        self.get(recording_id)
        active = self.active
        if active is not None and active.id == recording_id:
            raise Conflict(f"recording {recording_id} is running; stop it before deleting")
        self.catalog.delete_recording(recording_id)
        shutil.rmtree(self.recordings_dir / recording_id, ignore_errors=True)

    def file_path(self, recording_id: str, relative: str) -> Path:
        """The path of a file inside a recording, checked to stay inside it.

        Raises:
            NotFound: The recording or the file does not exist.
        """
        self.get(recording_id)
        directory = (self.recordings_dir / recording_id).resolve()
        path = (directory / relative).resolve()
        if not path.is_relative_to(directory) or not path.is_file():
            raise NotFound(f"recording {recording_id} has no file {relative!r}")
        return path

    def raw_path(self, recording_id: str, feed_name: str) -> Path:
        """The raw datagram file of ``feed_name`` in a recording.

        Raises:
            InvalidArgument: Malformed id or feed name.
            NotFound: No such recording or feed in it.
        """
        validate_feed_name(feed_name)
        manifest = self.get(recording_id)
        if feed_name not in {f["name"] for f in manifest.get("feeds", [])}:
            raise NotFound(f"recording {recording_id} has no feed {feed_name!r}")
        return self.file_path(recording_id, f"{feed_name}{RAW_SUFFIX}")


def open_recording(
    recording_id: str, *, data_dir: Path | str | None = None, feed: str | None = None
) -> pl.LazyFrame:
    """A ``polars.LazyFrame`` of the canonical channels a recording holds, sorted by ``ts_ns``.

    Works on finished recordings and on the one being written (up to its last flush). ``t_s`` counts
    from the recording's start.

    Args:
        recording_id: The recording's id.
        data_dir: paddock's data directory (default: the configured one).
        feed: Only this feed's frames.

    Raises:
        InvalidArgument: Malformed id or feed name.
        NotFound: No such recording directory.
    """
    from paddock.config import Settings

    validate_recording_id(recording_id)
    base = Path(data_dir) if data_dir is not None else Settings.from_env().data_dir
    directory = base / "recordings" / recording_id
    if not directory.is_dir():
        raise NotFound(f"recording {recording_id} not found under {base}")
    pattern = "*" if feed is None else validate_feed_name(feed)
    scans = [
        pl.scan_parquet(parts)
        for feed_dir in sorted(directory.glob(f"frames/{pattern}"))
        if (parts := sorted(feed_dir.glob("part-*.parquet")))
    ]
    if not scans:
        return pl.LazyFrame(schema={"ts_ns": pl.Int64, "t_s": pl.Float64, "feed": pl.String})
    return pl.concat(scans, how="diagonal_relaxed").sort("ts_ns")
