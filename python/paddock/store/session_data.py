"""A session's time series: Parquet parts under ``<data_dir>/sessions/<id>/``, never SQLite.

Layout (see docs/formats.md)::

    sessions/<id>/frames/part-<ns>-<writer>-<seq>.parquet   wide frames posted over HTTP
    sessions/<id>/frames/<run_id>.parquet                   a run's frames, from its feeds' rings
    sessions/<id>/channels/part-<ns>-<writer>-<seq>.parquet tall samples (telemetry, signals)
    sessions/<id>/video_frames/part-<ns>-<writer>-<seq>.parquet video frame metadata

HTTP ingest is buffered in memory per session and table and written as one part when the buffer
holds ``flush_rows`` rows or is older than ``flush_interval_s`` (checked on every write and by the
store's periodic flush), and whenever a session ends. Reads through :meth:`SessionData.scan` see
the buffered rows too; :func:`open_session` from another process sees what has been flushed.
Parts are written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import itertools
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from paddock.exceptions import InvalidArgument, NotFound

SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
RUN_ID = re.compile(r"^run_[0-9a-f]{16}$")
TABLES = ("frames", "channels", "video_frames")

#: Columns every part of a table has (other columns vary by source).
BASE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "frames": {"ts_ns": pl.Int64(), "t_s": pl.Float64(), "feed": pl.String()},
    "channels": {
        "ts_ns": pl.Int64(),
        "t_s": pl.Float64(),
        "channel": pl.String(),
        "value": pl.Float64(),
        "unit": pl.String(),
        "source": pl.String(),
    },
    "video_frames": {"ts_ns": pl.Int64(), "t_s": pl.Float64()},
}
# Columns of the wide frame that a tall channel may not take over.
_RESERVED = {"ts_ns", "t_s", "feed", "run_id", "frame_idx"}


def validate_session_id(session_id: str) -> str:
    """Returns ``session_id`` if it can name a session (and so a directory).

    Raises:
        InvalidArgument: Not 1–128 letters, digits, ``_``, ``.`` or ``-`` starting with a letter or
            digit (so no path can escape the sessions directory).
    """
    if not SESSION_ID.fullmatch(session_id):
        raise InvalidArgument(
            f"invalid session id {session_id!r}: 1-128 letters, digits, '_', '.' or '-',"
            " starting with a letter or digit"
        )
    return session_id


def _table(table: str) -> str:
    if table not in TABLES:
        raise InvalidArgument(f"unknown session table {table!r}: expected one of {TABLES}")
    return table


@dataclass
class _Pending:
    frames: list[pl.DataFrame] = field(default_factory=list)
    rows: int = 0
    since: float = field(default_factory=time.monotonic)


class SessionData:
    """Reads and writes the time series files of every session under ``root``.

    Thread-safe: HTTP handlers, run stops and the periodic flush call it from worker threads.

    Args:
        root: The sessions directory (``<data_dir>/sessions``).
        flush_rows: Buffered rows of one session table that trigger a write.
        flush_interval_s: Age after which a buffer is written on the next write or periodic flush.
    """

    def __init__(
        self, root: Path, *, flush_rows: int = 50_000, flush_interval_s: float = 2.0
    ) -> None:
        self.root = root
        self.flush_rows = flush_rows
        self.flush_interval_s = flush_interval_s
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str], _Pending] = {}
        self._seq = itertools.count()
        # Changes made through this object, per session (see ``version``).
        self._changes: dict[str, int] = {}
        # Tells this writer's parts from another's (another process on the same directory).
        self._writer = secrets.token_hex(4)

    def directory(self, session_id: str) -> Path:
        """The session's directory (not created)."""
        return self.root / validate_session_id(session_id)

    def append(self, session_id: str, table: str, rows: pl.DataFrame) -> None:
        """Buffers ``rows`` for ``table``; writes a part when the buffer is full or old."""
        if rows.is_empty():
            return
        key = (validate_session_id(session_id), _table(table))
        with self._lock:
            self._changed(session_id)
            pending = self._pending.setdefault(key, _Pending())
            pending.frames.append(rows)
            pending.rows += rows.height
            if (
                pending.rows >= self.flush_rows
                or time.monotonic() - pending.since >= self.flush_interval_s
            ):
                self._flush_key(key)

    def write_file(self, session_id: str, table: str, name: str, rows: pl.DataFrame) -> Path:
        """Writes ``rows`` as ``<table>/<name>.parquet`` at once (a run's frames)."""
        directory = self.directory(session_id) / _table(table)
        if not re.fullmatch(r"[a-z0-9_-]{1,64}", name):
            raise InvalidArgument(f"invalid part name {name!r}")
        with self._lock:
            self._changed(session_id)
        return self._write(directory, f"{name}.parquet", rows)

    def remove_file(self, session_id: str, table: str, name: str) -> bool:
        """Removes ``<table>/<name>.parquet``; True if it existed."""
        path = self.directory(session_id) / _table(table) / f"{name}.parquet"
        if path.is_file():
            path.unlink()
            with self._lock:
                self._changed(session_id)
            return True
        return False

    def _changed(self, session_id: str) -> None:
        self._changes[session_id] = self._changes.get(session_id, 0) + 1

    def version(self, session_id: str) -> tuple[object, ...]:
        """A value that changes whenever the session's recorded data changes.

        This writer's own changes (appends, run files, removals) are counted; parts written by
        another process on the same directory show through their names, sizes and mtimes.
        Results derived from the data can be cached under it (see ``AnalysisCache``).
        """
        directory = self.directory(session_id)
        with self._lock:
            count = self._changes.get(session_id, 0)
            parts = []
            for table in TABLES:
                for path in sorted((directory / table).glob("*.parquet")):
                    try:
                        stat = path.stat()
                    except FileNotFoundError:  # removed between the listing and the stat
                        continue
                    parts.append((table, path.name, stat.st_size, stat.st_mtime_ns))
        return (count, tuple(parts))

    def _write(self, directory: Path, filename: str, rows: pl.DataFrame) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / filename
        tmp = directory / f".{filename}.tmp"
        rows.write_parquet(tmp, compression="zstd")
        tmp.replace(path)
        return path

    def _flush_key(self, key: tuple[str, str]) -> None:
        pending = self._pending.pop(key, None)
        if pending is None or not pending.frames:
            return
        session_id, table = key
        rows = pl.concat(pending.frames, how="diagonal_relaxed")
        name = f"part-{time.time_ns():020d}-{self._writer}-{next(self._seq):06d}.parquet"
        self._write(self.root / session_id / table, name, rows)

    def flush(self, session_id: str | None = None) -> int:
        """Writes the buffers of one session (or all); returns how many parts were written."""
        with self._lock:
            keys = [k for k in self._pending if session_id is None or k[0] == session_id]
            for key in keys:
                self._flush_key(key)
        return len(keys)

    def flush_due(self) -> int:
        """Writes every buffer older than ``flush_interval_s``; returns how many."""
        now = time.monotonic()
        with self._lock:
            keys = [k for k, p in self._pending.items() if now - p.since >= self.flush_interval_s]
            for key in keys:
                self._flush_key(key)
        return len(keys)

    def pending_rows(self) -> int:
        """Rows buffered in memory across every session."""
        with self._lock:
            return sum(p.rows for p in self._pending.values())

    def delete(self, session_id: str) -> None:
        """Drops the session's buffers and removes its directory."""
        directory = self.directory(session_id)
        with self._lock:
            self._changed(session_id)
            for key in [k for k in self._pending if k[0] == session_id]:
                del self._pending[key]
        shutil.rmtree(directory, ignore_errors=True)

    def scan(self, session_id: str, table: str) -> pl.LazyFrame:
        """One table of a session, flushed parts and buffered rows, in no particular order."""
        key = (validate_session_id(session_id), _table(table))
        # Parts and buffers under one lock: a flush moves rows from one to the other.
        with self._lock:
            parts = sorted((self.root / session_id / table).glob("*.parquet"))
            if table == "channels" and parts:
                # One schema for every channels part: one scan reads them all.
                scans = [pl.scan_parquet(parts)]
            else:
                scans = [pl.scan_parquet(p) for p in parts]
            pending = self._pending.get(key)
            if pending is not None and pending.frames:
                scans.extend(df.lazy() for df in pending.frames)
        base = pl.LazyFrame(schema=BASE_SCHEMAS[table])
        if not scans:
            return base
        return pl.concat([base, *scans], how="diagonal_relaxed")

    def open(self, session_id: str, *, table: str | None = None) -> pl.LazyFrame:
        """Everything recorded for a session as one frame sorted by ``ts_ns``.

        With ``table=None``: the wide frames (runs and HTTP frames) plus every tall channel sample
        as a row whose column named after the channel holds the value; so ``lap_table`` and any
        other analysis reads HTTP-ingested and feed data alike. With a table name: that table.
        """
        if table is not None:
            return self.scan(session_id, table).sort("ts_ns", maintain_order=True)
        frames = self.scan(session_id, "frames")
        channels = self.scan(session_id, "channels")
        names = (
            channels.select(pl.col("channel").unique()).collect().to_series().drop_nulls().to_list()
        )
        names = sorted(n for n in names if n not in _RESERVED)
        if not names:
            return frames.sort("ts_ns", maintain_order=True)
        widened = channels.filter(pl.col("channel").is_in(names)).select(
            "ts_ns",
            "t_s",
            pl.lit("channels").alias("feed"),
            *[pl.when(pl.col("channel") == n).then(pl.col("value")).alias(n) for n in names],
        )
        return pl.concat([frames, widened], how="diagonal_relaxed").sort(
            "ts_ns", maintain_order=True
        )


def open_session(
    session_id: str, *, data_dir: Path | str | None = None, table: str | None = None
) -> pl.LazyFrame:
    """A ``polars.LazyFrame`` over everything recorded for a session, sorted by ``ts_ns``.

    Reads the files under the data directory, so a running server's rows appear once flushed
    (within ``flush_interval_s``). ``t_s`` counts from the session's start.

    Args:
        session_id: The session's id.
        data_dir: paddock's data directory (default: the configured one).
        table: ``frames``, ``channels`` or ``video_frames`` for one table; None for the wide view
            of frames and channels together (see :meth:`SessionData.open`).

    Raises:
        InvalidArgument: Malformed id or unknown table.
        NotFound: The session has no directory (nothing was recorded, or it does not exist).
    """
    from paddock.config import Settings

    base = Path(data_dir) if data_dir is not None else Settings.from_env().data_dir
    data = SessionData(base / "sessions")
    if not data.directory(session_id).is_dir():
        raise NotFound(f"session {session_id} has no recorded data under {base}")
    return data.open(session_id, table=table)
