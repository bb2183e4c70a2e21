"""Notes and speech-to-text tasks of a session (ASTRA §2 and §4), kept in the catalog."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from paddock.exceptions import Conflict, InvalidArgument, NotFound
from paddock.store.sessions import SessionStore, iso, new_id

#: Allowed STT task transitions; ``done`` and ``failed`` are final.
STT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("processing", "done", "failed"),
    "processing": ("done", "failed"),
    "done": (),
    "failed": (),
}


class NotesStore:
    """Notes and STT tasks, scoped to sessions of ``sessions``."""

    def __init__(self, sessions: SessionStore) -> None:
        self.sessions = sessions
        self.catalog = sessions.catalog

    def _require_session(self, session_id: str) -> None:
        if not self.sessions.exists(session_id):
            raise NotFound(f"Session {session_id} not found")

    # Notes

    def create_note(self, session_id: str, note: Mapping[str, Any], ts_ns: int) -> dict[str, Any]:
        """Stores a note taken at ``ts_ns``; returns it with its id and creation stamps."""
        self._require_session(session_id)
        now = time.time_ns()
        doc = {
            "id": new_id("note"),
            "session_id": session_id,
            "timestamp": iso(ts_ns),
            "speaker": note.get("speaker"),
            "content": note["content"],
            "type": note.get("type") or "observation",
            "tags": list(note.get("tags") or []),
            "telemetry_snapshot": note.get("telemetry_snapshot"),
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        with self.catalog.transaction() as db:
            db.execute(
                "INSERT INTO notes (id, session_id, ts_ns, speaker, type, created_ns, doc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc["id"], session_id, ts_ns, doc["speaker"], doc["type"], now, json.dumps(doc)),
            )
        return doc

    def list_notes(
        self,
        session_id: str,
        *,
        speaker: str | None = None,
        note_type: str | None = None,
        from_ns: int | None = None,
        to_ns: int | None = None,
        last: int | None = None,
    ) -> list[dict[str, Any]]:
        """Notes sorted by timestamp ascending, filtered; ``last`` keeps only the newest n."""
        self._require_session(session_id)
        sql = "SELECT doc FROM notes WHERE session_id = ?"
        params: list[Any] = [session_id]
        for clause, value in (
            (" AND speaker = ?", speaker),
            (" AND type = ?", note_type),
            (" AND ts_ns >= ?", from_ns),
            (" AND ts_ns <= ?", to_ns),
        ):
            if value is not None:
                sql += clause
                params.append(value)
        sql += " ORDER BY ts_ns, created_ns, rowid"
        rows = [json.loads(r[0]) for r in self.catalog.query(sql, tuple(params))]
        return rows[-last:] if last is not None else rows

    def get_note(self, session_id: str, note_id: str) -> dict[str, Any]:
        """One note.

        Raises:
            NotFound: No such session or note.
        """
        self._require_session(session_id)
        rows = self.catalog.query(
            "SELECT doc FROM notes WHERE id = ? AND session_id = ?", (note_id, session_id)
        )
        if not rows:
            raise NotFound(f"Note {note_id} not found")
        return dict(json.loads(rows[0][0]))

    def update_note(
        self, session_id: str, note_id: str, changes: Mapping[str, Any], ts_ns: int | None
    ) -> dict[str, Any]:
        """Applies the given fields (``None`` leaves one unchanged) and bumps ``updated_at``."""
        doc = self.get_note(session_id, note_id)
        for key in ("content", "speaker", "type", "tags", "telemetry_snapshot"):
            if changes.get(key) is not None:
                doc[key] = changes[key]
        now = time.time_ns()
        doc["updated_at"] = iso(now)
        with self.catalog.transaction() as db:
            if ts_ns is not None:
                doc["timestamp"] = iso(ts_ns)
                db.execute("UPDATE notes SET ts_ns = ? WHERE id = ?", (ts_ns, note_id))
            db.execute(
                "UPDATE notes SET speaker = ?, type = ?, doc = ? WHERE id = ?",
                (doc["speaker"], doc["type"], json.dumps(doc), note_id),
            )
        return doc

    def delete_note(self, session_id: str, note_id: str) -> None:
        """Deletes a note.

        Raises:
            NotFound: No such session or note.
        """
        self.get_note(session_id, note_id)
        with self.catalog.transaction() as db:
            db.execute("DELETE FROM notes WHERE id = ?", (note_id,))

    # STT tasks

    def create_task(
        self, session_id: str, *, audio_chunk_id: str, duration_seconds: float | None
    ) -> dict[str, Any]:
        """Registers a pending task for an audio chunk."""
        self._require_session(session_id)
        now = time.time_ns()
        doc = {
            "id": new_id("stt"),
            "session_id": session_id,
            "audio_chunk_id": audio_chunk_id,
            "duration_seconds": duration_seconds,
            "status": "pending",
            "transcript": None,
            "error": None,
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        with self.catalog.transaction() as db:
            db.execute(
                "INSERT INTO stt_tasks (id, session_id, status, created_ns, doc)"
                " VALUES (?, ?, 'pending', ?, ?)",
                (doc["id"], session_id, now, json.dumps(doc)),
            )
        return doc

    def list_tasks(self, session_id: str) -> list[dict[str, Any]]:
        """The session's tasks, newest first."""
        self._require_session(session_id)
        rows = self.catalog.query(
            "SELECT doc FROM stt_tasks WHERE session_id = ? ORDER BY created_ns DESC, rowid DESC",
            (session_id,),
        )
        return [json.loads(r[0]) for r in rows]

    def get_task(self, session_id: str, task_id: str) -> dict[str, Any]:
        """One task.

        Raises:
            NotFound: No such session or task.
        """
        self._require_session(session_id)
        rows = self.catalog.query(
            "SELECT doc FROM stt_tasks WHERE id = ? AND session_id = ?", (task_id, session_id)
        )
        if not rows:
            raise NotFound(f"STT task {task_id} not found")
        return dict(json.loads(rows[0][0]))

    def update_task(
        self,
        session_id: str,
        task_id: str,
        *,
        status: str,
        transcript: str | None,
        error: str | None,
    ) -> dict[str, Any]:
        """Moves a task along its lifecycle.

        Raises:
            NotFound: No such session or task.
            InvalidArgument: ``done`` without a transcript (the message names ``transcript``).
            Conflict: The transition is not allowed (a finished task cannot change).
        """
        doc = self.get_task(session_id, task_id)
        if status == "done" and not (transcript and transcript.strip()):
            raise InvalidArgument("transcript: a task cannot be done without a transcript")
        if status != doc["status"] and status not in STT_TRANSITIONS[doc["status"]]:
            raise Conflict(f"STT task {task_id} is {doc['status']}; it cannot become {status}")
        if status == doc["status"] and status in ("done", "failed"):
            raise Conflict(f"STT task {task_id} is already {status}")
        if status == "failed" and not error:
            error = "speech-to-text failed"
        now = time.time_ns()
        doc.update(status=status, transcript=transcript, error=error, updated_at=iso(now))
        with self.catalog.transaction() as db:
            db.execute(
                "UPDATE stt_tasks SET status = ?, doc = ? WHERE id = ?",
                (status, json.dumps(doc), task_id),
            )
        return doc
