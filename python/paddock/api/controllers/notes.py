"""Notes of a session (ASTRA §2): create, filter, get, edit, delete, export; events on the WS."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from paddock.api.controllers.session_common import UNPROCESSABLE, ns_or_none
from paddock.api.runtime import Runtime
from paddock.api.schemas.sessions import Message, Note, NoteCreate, NoteType, NoteUpdate
from paddock.store.sessions import to_ns


def notes_markdown(session: dict[str, Any], notes: list[dict[str, Any]]) -> str:
    """The notes as Markdown for a test log: a heading, the session facts, one bullet per note."""
    title = session.get("name") or session["id"]
    lines = [f"# {title}", ""]
    if session.get("description"):
        lines += [str(session["description"]), ""]
    lines += [
        f"- **Session:** `{session['id']}`",
        f"- **Status:** {session['status']}",
        f"- **Started:** {session['started_at']}",
        f"- **Ended:** {session.get('ended_at') or '—'}",
        f"- **Notes:** {len(notes)}",
        "",
        "## Notes",
        "",
    ]
    if not notes:
        lines.append("_No notes._")
    for note in notes:
        speaker = note.get("speaker") or "unknown speaker"
        content = " ".join(str(note["content"]).split())
        line = f"- **{note['timestamp']}** · {speaker} · _{note['type']}_ — {content}"
        if note.get("tags"):
            line += " " + " ".join(f"`{t}`" for t in note["tags"])
        lines.append(line)
        snapshot = note.get("telemetry_snapshot")
        if snapshot:
            values = ", ".join(f"{k} = {v}" for k, v in snapshot.items())
            lines.append(f"  - Telemetry: {values}")
    return "\n".join(lines) + "\n"


class NotesController(Controller):
    """``/api/sessions/{session_id}/notes``."""

    path = "/api/sessions/{session_id:str}/notes"
    tags = ["notes"]
    exception_handlers = UNPROCESSABLE

    @post("/", status_code=HTTP_200_OK, sync_to_thread=True)
    def create(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        data: JSONBody[NoteCreate],
    ) -> Note:
        """Stores a note and broadcasts ``note.created``."""
        fields = msgspec.structs.asdict(data)
        note = runtime.sessions.notes.create_note(session_id, fields, to_ns(data.timestamp))
        runtime.sessions.publish(session_id, "note.created", note)
        return msgspec.convert(note, Note)

    @get("/", sync_to_thread=True)
    def list_notes(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        speaker: FromQuery[str | None] = None,
        note_type: Annotated[NoteType | None, QueryParameter(name="type")] = None,
        from_: Annotated[dt.datetime | None, QueryParameter(name="from")] = None,
        to: FromQuery[dt.datetime | None] = None,
    ) -> list[Note]:
        """Notes sorted by timestamp, filtered by ``speaker``, ``type``, ``from`` and ``to``."""
        notes = runtime.sessions.notes.list_notes(
            session_id,
            speaker=speaker,
            note_type=note_type,
            from_ns=ns_or_none(from_),
            to_ns=ns_or_none(to),
        )
        return msgspec.convert(notes, list[Note])

    @get("/export", sync_to_thread=True)
    def export(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        export_format: Annotated[
            Literal["markdown", "json"], QueryParameter(name="format")
        ] = "markdown",
    ) -> Response[Any]:
        """Every note as Markdown (ready for a test log) or as JSON with the session."""
        session = runtime.sessions.store.get(session_id)
        notes = runtime.sessions.notes.list_notes(session_id)
        if export_format == "json":
            body = {
                "session": {k: session[k] for k in ("id", "name", "description", "status")}
                | {"started_at": session["started_at"], "ended_at": session["ended_at"]},
                "count": len(notes),
                "notes": notes,
            }
            return Response(
                json.dumps(body, ensure_ascii=False),
                media_type="application/json",
                headers={"Content-Disposition": f'attachment; filename="{session_id}-notes.json"'},
            )
        return Response(
            notes_markdown(session, notes),
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{session_id}-notes.md"'},
        )

    @get("/{note_id:str}", sync_to_thread=True)
    def get_note(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str], note_id: FromPath[str]
    ) -> Note:
        """One note."""
        return msgspec.convert(runtime.sessions.notes.get_note(session_id, note_id), Note)

    @put("/{note_id:str}", sync_to_thread=True)
    def update(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        note_id: FromPath[str],
        data: JSONBody[NoteUpdate],
    ) -> Note:
        """Edits the given fields and broadcasts ``note.updated``."""
        changes = msgspec.structs.asdict(data)
        ts_ns = None if data.timestamp is None else to_ns(data.timestamp)
        note = runtime.sessions.notes.update_note(session_id, note_id, changes, ts_ns)
        runtime.sessions.publish(session_id, "note.updated", note)
        return msgspec.convert(note, Note)

    @delete("/{note_id:str}", status_code=HTTP_200_OK, sync_to_thread=True)
    def delete_note(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str], note_id: FromPath[str]
    ) -> Message:
        """Deletes the note and broadcasts ``note.deleted``."""
        runtime.sessions.notes.delete_note(session_id, note_id)
        runtime.sessions.publish(session_id, "note.deleted", {"id": note_id})
        return Message(message=f"Note {note_id} deleted")
