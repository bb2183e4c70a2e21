"""Speech-to-text tasks of a session (ASTRA §4): register, list, get, finish; events on the WS."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.api.runtime import Runtime
from paddock.api.schemas.sessions import SttTask, SttTaskCreate, SttTaskUpdate


class SttController(Controller):
    """``/api/sessions/{session_id}/stt/tasks``."""

    path = "/api/sessions/{session_id:str}/stt/tasks"
    tags = ["stt"]
    exception_handlers = UNPROCESSABLE

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def register(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        data: JSONBody[SttTaskCreate],
    ) -> SttTask:
        """Registers a pending task for an audio chunk and broadcasts ``stt.task.created``."""
        task = runtime.sessions.notes.create_task(
            session_id, audio_chunk_id=data.audio_chunk_id, duration_seconds=data.duration_seconds
        )
        runtime.sessions.publish(session_id, "stt.task.created", task)
        return msgspec.convert(task, SttTask)

    @get("/", sync_to_thread=True)
    def list_tasks(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str]
    ) -> list[SttTask]:
        """The session's tasks, newest first."""
        return msgspec.convert(runtime.sessions.notes.list_tasks(session_id), list[SttTask])

    @get("/{task_id:str}", sync_to_thread=True)
    def get_task(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str], task_id: FromPath[str]
    ) -> SttTask:
        """One task (poll it for its status)."""
        return msgspec.convert(runtime.sessions.notes.get_task(session_id, task_id), SttTask)

    @put("/{task_id:str}", sync_to_thread=True)
    def update(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        task_id: FromPath[str],
        data: JSONBody[SttTaskUpdate],
    ) -> SttTask:
        """Records the result: ``done`` (with a transcript) or ``failed``; ``processing`` too.

        ``done`` broadcasts ``stt.task.done``; ``failed`` broadcasts ``error.occurred``.
        """
        task = runtime.sessions.notes.update_task(
            session_id, task_id, status=data.status, transcript=data.transcript, error=data.error
        )
        if task["status"] == "done":
            runtime.sessions.publish(session_id, "stt.task.done", task)
        elif task["status"] == "failed":
            runtime.sessions.publish(
                session_id,
                "error.occurred",
                {"message": task["error"], "source": "stt", "task_id": task["id"]},
            )
        return msgspec.convert(task, SttTask)
