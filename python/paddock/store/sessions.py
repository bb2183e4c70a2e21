"""Sessions and what hangs off them: runs, notes and STT tasks in the catalog; data in files.

One session object serves every seed (ARCHITECTURE §5): rusty-telemetry's use-case sessions with
runs and analysis, ASTRA's named sessions with notes, telemetry and STT tasks, Pitwall's driver
sessions with frames and signals. Every method returns plain dicts in the API's shapes.

Status: ``active`` → ``ended`` (ASTRA ``PATCH status: "ended"``, Pitwall ``/end``) or
``completed`` (rusty ``/complete``, analysed); ``reopen`` or ``PATCH status: "active"`` returns to
``active`` and clears the analysis.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from paddock.analysis.session import analyze_session
from paddock.exceptions import Conflict, InvalidArgument, NotFound
from paddock.sources.base import Feed
from paddock.store.analysis_cache import AnalysisCache
from paddock.store.catalog import Catalog
from paddock.store.session_data import RUN_ID, SESSION_ID, SessionData

#: Descriptive session fields, kept in the session's JSON document.
SESSION_FIELDS = (
    "name",
    "label",
    "description",
    "use_case",
    "driver",
    "driver_level",
    "track",
    "car",
    "game",
    "note",
    "recording_id",
)


def iso(ns: int | None) -> str | None:
    """``ns`` since the epoch as ISO 8601 UTC with ``Z`` (microseconds only when non-zero)."""
    if ns is None:
        return None
    stamp = dt.datetime.fromtimestamp(ns // 1000 / 1e6, tz=dt.UTC)
    text = stamp.isoformat(timespec="microseconds" if stamp.microsecond else "seconds")
    return text.replace("+00:00", "Z")


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""The range of a stored ``ts_ns`` (years 1677 to 2262)."""


def to_ns(stamp: dt.datetime) -> int:
    """An aware or naive (taken as UTC) datetime as integer ns since the epoch.

    Raises:
        InvalidArgument: The time lies outside what int64 nanoseconds hold (1677 to 2262).
    """
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    ns = (stamp - _EPOCH) // dt.timedelta(microseconds=1) * 1000
    if not INT64_MIN <= ns <= INT64_MAX:
        raise InvalidArgument(f"time {stamp.isoformat()} is outside 1677-09-21..2262-04-11")
    return ns


def new_id(prefix: str) -> str:
    """``<prefix>_`` and 16 random hex digits."""
    return f"{prefix}_{secrets.token_hex(8)}"


def _doc(text: str | None) -> dict[str, Any]:
    return dict(json.loads(text)) if text else {}


class SessionStore:
    """Sessions, runs, notes and STT tasks over the catalog, and each session's data files.

    Args:
        catalog: The SQLite catalog.
        data: The session data files.
        feeds: Live feeds by name, for runs.
        active_recording: Returns the id of the recording running now, if any; a run started
            while one runs links the session to it (``recording_id``).
    """

    def __init__(
        self,
        catalog: Catalog,
        data: SessionData,
        feeds: Mapping[str, Feed],
        *,
        active_recording: Callable[[], str | None] | None = None,
    ) -> None:
        self.catalog = catalog
        self.data = data
        self.feeds = feeds
        self.active_recording = active_recording or (lambda: None)
        # Orders frame_idx assignment and run start/stop across worker threads.
        self._lock = threading.Lock()
        self.analyses = AnalysisCache(self)

    # Sessions

    def _row(self, session_id: str) -> tuple[Any, ...]:
        if not SESSION_ID.fullmatch(session_id):
            raise NotFound(f"Session {session_id} not found")
        rows = self.catalog.query(
            "SELECT id, status, created_ns, ended_ns, completed_ns, frame_count, doc, analysis,"
            " guidance FROM sessions WHERE id = ?",
            (session_id,),
        )
        if not rows:
            raise NotFound(f"Session {session_id} not found")
        return rows[0]

    def _session(self, row: tuple[Any, ...]) -> dict[str, Any]:
        sid, status, created_ns, ended_ns, completed_ns, frame_count, doc, analysis, guidance = row
        fields = _doc(doc)
        out: dict[str, Any] = {"id": sid, "session_id": sid}
        out.update({k: fields.get(k) for k in SESSION_FIELDS})
        out["name"] = out["name"] or out["label"]
        out["label"] = out["label"] or out["name"]
        out.update(
            status=status,
            started_at=iso(created_ns),
            created_at=iso(created_ns),
            ended_at=iso(ended_ns),
            completed_at=iso(completed_ns),
            started_ns=created_ns,
            frame_count=frame_count,
            analysis=json.loads(analysis) if analysis else None,
            guidance=guidance,
            runs=self.list_runs(sid),
        )
        return out

    def exists(self, session_id: str) -> bool:
        """True if the session exists."""
        try:
            self._row(session_id)
        except NotFound:
            return False
        return True

    def create(self, fields: Mapping[str, Any], *, session_id: str | None = None) -> dict[str, Any]:
        """Creates an active session from any seed's body; returns it.

        Raises:
            InvalidArgument: ``session_id`` is malformed.
            Conflict: ``session_id`` is taken.
        """
        if session_id is not None and not SESSION_ID.fullmatch(session_id):
            raise InvalidArgument(
                f"invalid session id {session_id!r}: 1-128 letters, digits, '_', '.' or '-'"
            )
        sid = session_id or new_id("sess")
        doc = {k: fields.get(k) for k in SESSION_FIELDS if fields.get(k) is not None}
        try:
            with self.catalog.transaction() as db:
                db.execute(
                    "INSERT INTO sessions (id, status, created_ns, doc) VALUES (?, 'active', ?, ?)",
                    (sid, time.time_ns(), json.dumps(doc)),
                )
        except sqlite3.IntegrityError:
            raise Conflict(f"Session {sid} already exists") from None
        return self.get(sid)

    def get(self, session_id: str) -> dict[str, Any]:
        """The session with its runs.

        Raises:
            NotFound: No such session.
        """
        return self._session(self._row(session_id))

    def list_sessions(
        self, *, limit: int | None = None, active_only: bool = False
    ) -> list[dict[str, Any]]:
        """Sessions newest first (``active_only``: status ``active`` only)."""
        sql = (
            "SELECT id, status, created_ns, ended_ns, completed_ns, frame_count, doc, analysis,"
            " guidance FROM sessions"
        )
        if active_only:
            sql += " WHERE status = 'active'"
        sql += " ORDER BY created_ns DESC, rowid DESC"
        params: tuple[Any, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        return [self._session(r) for r in self.catalog.query(sql, params)]

    def update(self, session_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Changes descriptive fields; ``status`` ends (``ended``) or reopens (``active``) it.

        Raises:
            NotFound: No such session.
            InvalidArgument: A status other than ``active`` or ``ended``.
        """
        row = self._row(session_id)
        doc = _doc(row[6])
        doc.update({k: v for k, v in changes.items() if k in SESSION_FIELDS and v is not None})
        status = changes.get("status")
        with self.catalog.transaction() as db:
            db.execute("UPDATE sessions SET doc = ? WHERE id = ?", (json.dumps(doc), session_id))
        if status == "ended":
            return self.end(session_id)
        if status == "active":
            return self.reopen(session_id)
        if status is not None:
            raise InvalidArgument(f"status must be 'active' or 'ended', got {status!r}")
        return self.get(session_id)

    def set_started(self, session_id: str, started_ns: int) -> None:
        """Moves the session's start (``started_at``) to ``started_ns``: for imported data.

        Only the stamp changes; ``t_s`` of rows already stored is not rewritten, so callers do
        this before the session has rows.
        """
        self._row(session_id)
        with self.catalog.transaction() as db:
            db.execute("UPDATE sessions SET created_ns = ? WHERE id = ?", (started_ns, session_id))

    def end(self, session_id: str) -> dict[str, Any]:
        """Stamps ``ended_at`` (once: idempotent), stops its runs and flushes its data."""
        self._row(session_id)
        self._stop_active_runs(session_id)
        with self.catalog.transaction() as db:
            db.execute(
                "UPDATE sessions SET ended_ns = COALESCE(ended_ns, ?),"
                " status = CASE status WHEN 'active' THEN 'ended' ELSE status END WHERE id = ?",
                (time.time_ns(), session_id),
            )
        self.data.flush(session_id)
        return self.get(session_id)

    def complete(self, session_id: str) -> dict[str, Any]:
        """Completes the session (stopping its runs) and analyses it; again: re-analyses."""
        self._row(session_id)
        self._stop_active_runs(session_id)
        now = time.time_ns()
        with self.catalog.transaction() as db:
            db.execute(
                "UPDATE sessions SET status = 'completed',"
                " completed_ns = COALESCE(completed_ns, ?), ended_ns = COALESCE(ended_ns, ?)"
                " WHERE id = ?",
                (now, now, session_id),
            )
        self.data.flush(session_id)
        return self._analyze(session_id)

    def analyze(self, session_id: str) -> dict[str, Any]:
        """Re-runs the analysis of a completed session.

        Raises:
            NotFound: No such session.
            Conflict: The session is not completed.
        """
        if self._row(session_id)[1] != "completed":
            raise Conflict(f"Session {session_id} is not completed; complete it first")
        return self._analyze(session_id)

    def _analyze(self, session_id: str) -> dict[str, Any]:
        use_case = _doc(self._row(session_id)[6]).get("use_case")
        analysis, guidance = analyze_session(self.open_session(session_id), use_case=use_case)
        analysis["analyzed_at"] = iso(time.time_ns())
        with self.catalog.transaction() as db:
            db.execute(
                "UPDATE sessions SET analysis = ?, guidance = ? WHERE id = ?",
                (json.dumps(analysis), guidance, session_id),
            )
        return self.get(session_id)

    def analysis(self, session_id: str) -> dict[str, Any]:
        """The stored analysis with its guidance.

        Raises:
            NotFound: No such session, or it has no analysis (not completed, or reopened).
        """
        session = self.get(session_id)
        if session["analysis"] is None:
            raise NotFound(f"Session {session_id} has no analysis; complete it first")
        return {
            "session_id": session_id,
            "status": session["status"],
            "use_case": session["use_case"],
            "analysis": session["analysis"],
            "guidance": session["guidance"],
        }

    def reopen(self, session_id: str) -> dict[str, Any]:
        """Makes the session active again; clears end stamps, analysis and guidance."""
        self._row(session_id)
        with self.catalog.transaction() as db:
            db.execute(
                "UPDATE sessions SET status = 'active', ended_ns = NULL, completed_ns = NULL,"
                " analysis = NULL, guidance = NULL WHERE id = ?",
                (session_id,),
            )
        return self.get(session_id)

    def delete(self, session_id: str) -> None:
        """Deletes the session, its runs, notes and tasks (cascade) and its data directory."""
        self._row(session_id)
        with self.catalog.transaction() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        self.data.delete(session_id)
        self.analyses.forget(session_id)

    def open_session(self, session_id: str, *, table: str | None = None) -> pl.LazyFrame:
        """Everything recorded for the session, finished or in progress.

        The files and the ingest buffers (see ``SessionData.open``), plus the frames a run still
        recording has in its feeds' ring buffers so far.
        """
        created_ns = self._row(session_id)[2]
        lf = self.data.open(session_id, table=table)
        if table not in (None, "frames"):
            return lf
        live = [
            self._run_frames(self._run_row(session_id, run["id"]), created_ns, time.time_ns())[0]
            for run in self.list_runs(session_id)
            if run["status"] == "recording"
        ]
        live = [frames for frames in live if frames.height]
        if not live:
            return lf
        return pl.concat([lf, *(f.lazy() for f in live)], how="diagonal_relaxed").sort("ts_ns")

    # Runs

    def _link_run_context(
        self, session_id: str, *, game: str | None, recording_id: str | None
    ) -> None:
        """Fills the session's ``game`` and ``recording_id`` from its runs, if unset."""
        doc = _doc(self._row(session_id)[6])
        changed = False
        if game and not doc.get("game"):
            doc["game"], changed = game, True
        if recording_id and not doc.get("recording_id"):
            doc["recording_id"], changed = recording_id, True
        if changed:
            with self.catalog.transaction() as db:
                db.execute(
                    "UPDATE sessions SET doc = ? WHERE id = ?", (json.dumps(doc), session_id)
                )

    def _run_row(self, session_id: str, run_id: str) -> dict[str, Any]:
        self._row(session_id)
        rows = (
            self.catalog.query(
                "SELECT doc FROM runs WHERE id = ? AND session_id = ?", (run_id, session_id)
            )
            if RUN_ID.fullmatch(run_id)
            else []
        )
        if not rows:
            raise NotFound(f"Run {run_id} not found in session {session_id}")
        return _doc(rows[0][0])

    def list_runs(self, session_id: str) -> list[dict[str, Any]]:
        """The session's runs, oldest first."""
        rows = self.catalog.query(
            "SELECT doc FROM runs WHERE session_id = ? ORDER BY started_ns, rowid", (session_id,)
        )
        return [_public_run(_doc(r[0])) for r in rows]

    def _feed(self, name: str, field: str) -> Feed:
        feed = self.feeds.get(name)
        if feed is None:
            known = ", ".join(sorted(self.feeds)) or "none"
            raise InvalidArgument(f"{field}: unknown feed {name!r} (known: {known})")
        return feed

    def start_run(
        self,
        session_id: str,
        *,
        feed_name: str,
        label: str | None = None,
        merge_feeds: list[str] | None = None,
    ) -> dict[str, Any]:
        """Marks the start of a run on ``feed_name`` (and ``merge_feeds``) now.

        Raises:
            NotFound: No such session.
            InvalidArgument: An unknown feed (the message names the field).
            Conflict: The session is not active, or already has a run recording.
        """
        merge = [m for m in dict.fromkeys(merge_feeds or []) if m != feed_name]
        self._feed(feed_name, "feed_name")
        for name in merge:
            self._feed(name, "merge_feeds")
        for name in [feed_name, *merge]:
            if self.feeds[name].source_session_id == session_id:
                raise Conflict(
                    f"feed {name!r} replays session {session_id}: it cannot be recorded into it"
                )
        with self._lock:
            status = self._row(session_id)[1]
            if status != "active":
                raise Conflict(f"Session {session_id} is {status}; reopen it to start a run")
            if any(r["status"] == "recording" for r in self.list_runs(session_id)):
                raise Conflict(f"Session {session_id} already has a run recording; stop it first")
            statuses = {name: self.feeds[name].status() for name in [feed_name, *merge]}
            markers = {name: status.ring_appended for name, status in statuses.items()}
            self._link_run_context(
                session_id,
                game=statuses[feed_name].detected_format,
                recording_id=self.active_recording(),
            )
            started_ns = time.time_ns()
            run_id = new_id("run")
            count = len(self.list_runs(session_id))
            run: dict[str, Any] = {
                "id": run_id,
                "session_id": session_id,
                "label": label or f"Run {count + 1}",
                "feed_name": feed_name,
                "merge_feeds": merge,
                "status": "recording",
                "start_marker": markers[feed_name],
                "end_marker": None,
                "frame_count": 0,
                "data_truncated": False,
                "started_ns": started_ns,
                "started_at": iso(started_ns),
                "stopped_ns": None,
                "stopped_at": None,
                "markers": markers,
                "rows_saved": 0,
            }
            with self.catalog.transaction() as db:
                db.execute(
                    "INSERT INTO runs (id, session_id, status, started_ns, doc)"
                    " VALUES (?, ?, 'recording', ?, ?)",
                    (run_id, session_id, started_ns, json.dumps(run)),
                )
        return _public_run(run)

    def stop_run(self, session_id: str, run_id: str) -> dict[str, Any]:
        """Marks the end of a run and saves its frames from the ring buffers.

        Frames received after the start marker and up to now are taken from the primary feed's
        ring and each merged feed's ring, merged (see :func:`merge_feed_frames`) and written to
        ``frames/<run_id>.parquet``. ``data_truncated`` says a ring dropped rows of the span.

        Raises:
            NotFound: No such session or run.
            Conflict: The run is already stopped.
        """
        with self._lock:
            run = self._run_row(session_id, run_id)
            if run["status"] != "recording":
                raise Conflict(f"Run {run_id} is already stopped")
            created_ns = self._row(session_id)[2]
            run = self._finish_run(run, created_ns)
        return _public_run(run)

    def _run_frames(
        self, run: dict[str, Any], created_ns: int, until_ns: int
    ) -> tuple[pl.DataFrame, bool, int]:
        """The run's frames up to ``until_ns`` from its feeds' rings, merged.

        Returns ``(frames, truncated, end_marker)``.
        """
        truncated = False
        frames: list[pl.DataFrame] = []
        end_marker: int = run["start_marker"]
        for name, start_marker in run["markers"].items():
            feed = self.feeds.get(name)
            if feed is None:
                truncated = True
                continue
            status = feed.status()
            if name == run["feed_name"]:
                end_marker = status.ring_appended
            # The ring keeps rows [ring_dropped, ring_appended): rows from start_marker on are
            # all there unless it dropped past the marker (or the feed restarted).
            if status.ring_dropped > start_marker or status.ring_appended < start_marker:
                truncated = True
            batch = pl.DataFrame(feed.since(run["started_ns"] - 1))
            if batch.height and "ts_ns" in batch.columns:
                frames.append(
                    batch.filter(pl.col("ts_ns") <= until_ns).with_columns(
                        pl.lit(name).alias("feed")
                    )
                )
        merged = merge_feed_frames(frames, [run["feed_name"], *run["merge_feeds"]])
        if merged.height:
            merged = merged.with_columns(
                ((pl.col("ts_ns") - created_ns) / 1e9).alias("t_s"),
                pl.lit(run["id"]).alias("run_id"),
            )
        return merged, truncated, end_marker

    def _finish_run(self, run: dict[str, Any], created_ns: int) -> dict[str, Any]:
        stopped_ns = time.time_ns()
        primary = self.feeds.get(run["feed_name"])
        if primary is not None:
            # The game a feed decodes is known once packets came in (pcars tells 1 from 2).
            game = primary.status().detected_format or primary.protocol
            self._link_run_context(run["session_id"], game=game, recording_id=None)
        merged, truncated, end_marker = self._run_frames(run, created_ns, stopped_ns)
        if merged.height:
            self.data.write_file(run["session_id"], "frames", run["id"], merged)
        run.update(
            status="stopped",
            end_marker=end_marker,
            frame_count=max(0, end_marker - run["start_marker"]),
            data_truncated=truncated,
            stopped_ns=stopped_ns,
            stopped_at=iso(stopped_ns),
            rows_saved=merged.height,
        )
        with self.catalog.transaction() as db:
            db.execute(
                "UPDATE runs SET status = 'stopped', doc = ? WHERE id = ?",
                (json.dumps(run), run["id"]),
            )
            db.execute(
                "UPDATE sessions SET frame_count = frame_count + ? WHERE id = ?",
                (merged.height, run["session_id"]),
            )
        return run

    def _stop_active_runs(self, session_id: str) -> None:
        for run in self.list_runs(session_id):
            if run["status"] == "recording":
                self.stop_run(session_id, run["id"])

    def delete_run(self, session_id: str, run_id: str) -> None:
        """Deletes a run and the frames it saved.

        Raises:
            NotFound: No such session or run.
        """
        with self._lock:
            run = self._run_row(session_id, run_id)
            with self.catalog.transaction() as db:
                db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
                db.execute(
                    "UPDATE sessions SET frame_count = MAX(0, frame_count - ?) WHERE id = ?",
                    (run.get("rows_saved", 0), session_id),
                )
            self.data.remove_file(session_id, "frames", run_id)

    # Frame indices (Pitwall /frame, /frames)

    def reserve_frames(self, session_id: str, count: int) -> tuple[int, int]:
        """Reserves ``count`` consecutive frame indices; returns ``(first, created_ns)``."""
        with self._lock:
            row = self._row(session_id)
            with self.catalog.transaction() as db:
                db.execute(
                    "UPDATE sessions SET frame_count = frame_count + ? WHERE id = ?",
                    (count, session_id),
                )
            return int(row[5]), int(row[2])


def _public_run(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if k not in ("markers", "started_ns", "stopped_ns")}


def merge_feed_frames(frames: list[pl.DataFrame], order: list[str]) -> pl.DataFrame:
    """Merges feeds' frames into one timeline, de-duplicated by timestamp.

    The rule: rows of every feed are stacked (columns a feed lacks are null) and sorted by
    ``ts_ns``; where several rows share one ``ts_ns``, the row of the feed listed first in
    ``order`` (the primary feed, then ``merge_feeds`` in the order given) is kept and the others
    are dropped. Every kept row carries its ``feed``.
    """
    if not frames:
        return pl.DataFrame(schema={"ts_ns": pl.Int64(), "feed": pl.String()})
    rank = {name: i for i, name in enumerate(order)}
    stacked = pl.concat(frames, how="diagonal_relaxed")
    return (
        stacked.with_columns(pl.col("feed").replace_strict(rank, default=len(order)).alias("_rank"))
        .sort("ts_ns", "_rank")
        .unique(subset="ts_ns", keep="first", maintain_order=True)
        .drop("_rank")
    )
