"""The catalog: recording metadata in SQLite (WAL, numbered migrations). No time series here."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from paddock.exceptions import InvalidArgument

_TOO_LARGE = "a number in the request is beyond what the store holds (64-bit integers)"

# Each entry migrates the schema from version i to i + 1. Append, never edit.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE recordings (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('recording', 'stopped')),
        started_ns INTEGER NOT NULL,
        stopped_ns INTEGER,
        manifest TEXT NOT NULL
    );
    CREATE INDEX recordings_started ON recordings (started_ns);
    """,
    # Sessions and what hangs off them. Filtered and sorted fields are columns; the rest of each
    # object is a JSON document in ``doc``. Time series never land here (see store/session_data.py).
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('active', 'ended', 'completed')),
        created_ns INTEGER NOT NULL,
        ended_ns INTEGER,
        completed_ns INTEGER,
        frame_count INTEGER NOT NULL DEFAULT 0,
        doc TEXT NOT NULL,
        analysis TEXT,
        guidance TEXT
    );
    CREATE INDEX sessions_created ON sessions (created_ns);
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        status TEXT NOT NULL CHECK (status IN ('recording', 'stopped')),
        started_ns INTEGER NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX runs_session ON runs (session_id, started_ns);
    CREATE TABLE notes (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        ts_ns INTEGER NOT NULL,
        speaker TEXT,
        type TEXT NOT NULL,
        created_ns INTEGER NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX notes_session_ts ON notes (session_id, ts_ns);
    CREATE TABLE stt_tasks (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'failed')),
        created_ns INTEGER NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX stt_tasks_session ON stt_tasks (session_id, created_ns);
    CREATE TABLE signal_registry (
        name TEXT PRIMARY KEY,
        unit TEXT,
        source TEXT NOT NULL,
        first_seen_ns INTEGER NOT NULL
    );
    """,
    # Boundaries (limit configs) and the risk log: one row per notable cycle or limit violation.
    """
    CREATE TABLE boundaries (
        name TEXT PRIMARY KEY,
        created_ns INTEGER NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE TABLE risk_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts_ns INTEGER NOT NULL,
        source TEXT NOT NULL,
        risk_rank INTEGER NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('reject', 'clamp', 'pass')),
        latency_ms REAL,
        doc TEXT NOT NULL
    );
    CREATE INDEX risk_events_ts ON risk_events (ts_ns);
    """,
    # Lap rows written through Pitwall's ``POST /lap`` (a lap timer's own figures).
    """
    CREATE TABLE laps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        lap INTEGER NOT NULL,
        lap_time_s REAL NOT NULL,
        created_ns INTEGER NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX laps_session ON laps (session_id, lap);
    """,
    # Spectator tokens, kept across restarts until they expire; only a hash of each token.
    """
    CREATE TABLE spectator_tokens (
        token_sha256 TEXT PRIMARY KEY,
        expires_at REAL NOT NULL,
        doc TEXT NOT NULL
    );
    """,
)


class Catalog:
    """Thread-safe access to the SQLite catalog at ``path`` (created and migrated on open)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        # executescript commits on its own, so each migration is one script with its own
        # transaction and version bump: a failed migration leaves the previous version intact.
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for index in range(version, len(MIGRATIONS)):
                self._db.executescript(
                    f"BEGIN;\n{MIGRATIONS[index]}\nPRAGMA user_version = {index + 1};\nCOMMIT;"
                )

    @property
    def schema_version(self) -> int:
        """The migration level of the open database."""
        with self._lock:
            version: int = self._db.execute("PRAGMA user_version").fetchone()[0]
        return version

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except OverflowError as exc:
                self._db.execute("ROLLBACK")
                raise InvalidArgument(_TOO_LARGE) from exc
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Closes the connection."""
        with self._lock:
            self._db.close()

    def put_recording(self, manifest: dict[str, Any]) -> None:
        """Inserts or replaces a recording's manifest."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO recordings (id, name, status, started_ns, stopped_ns,"
                " manifest) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    manifest["id"],
                    manifest["name"],
                    manifest["status"],
                    manifest["started_ns"],
                    manifest.get("stopped_ns"),
                    json.dumps(manifest),
                ),
            )

    def get_recording(self, recording_id: str) -> dict[str, Any] | None:
        """A recording's manifest, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT manifest FROM recordings WHERE id = ?", (recording_id,)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def list_recordings(self) -> list[dict[str, Any]]:
        """Every recording's manifest, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT manifest FROM recordings ORDER BY started_ns DESC"
            ).fetchall()
        return [dict(json.loads(r[0])) for r in rows]

    def delete_recording(self, recording_id: str) -> bool:
        """Removes a recording's row; True if there was one."""
        with self._tx() as db:
            cur = db.execute("DELETE FROM recordings WHERE id = ?", (recording_id,))
        return cur.rowcount > 0

    def active_recordings(self) -> list[dict[str, Any]]:
        """Recordings whose status is still ``recording`` (after a crash: unfinished ones)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT manifest FROM recordings WHERE status = 'recording'"
            ).fetchall()
        return [dict(json.loads(r[0])) for r in rows]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``), serialised with every other caller."""
        with self._tx() as db:
            yield db

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read-only statement.

        Raises:
            InvalidArgument: A parameter is an integer SQLite cannot hold (beyond 64 bits).
        """
        with self._lock:
            try:
                return list(self._db.execute(sql, params).fetchall())
            except OverflowError as exc:
                raise InvalidArgument(_TOO_LARGE) from exc
