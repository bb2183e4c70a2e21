"""Sessions and runs: ``/api/sessions`` (rusty-telemetry, ASTRA and Pitwall bodies alike)."""

from __future__ import annotations

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from paddock.api.controllers.session_common import UNPROCESSABLE, session_out
from paddock.api.runtime import Runtime
from paddock.api.schemas.sessions import (
    Run,
    RunStart,
    Session,
    SessionAnalysis,
    SessionCreate,
    SessionPatch,
)


class SessionsController(Controller):
    """``/api/sessions``: create, list, inspect, change, end, complete, analyse, reopen; runs."""

    path = "/api/sessions"
    tags = ["sessions"]
    exception_handlers = UNPROCESSABLE

    @get("/", sync_to_thread=True)
    def list_sessions(self, runtime: NamedDependency[Runtime]) -> list[Session]:
        """Every session, newest first."""
        return [session_out(s) for s in runtime.sessions.store.list_sessions()]

    @post("/", status_code=HTTP_200_OK, sync_to_thread=True)
    def create(
        self, runtime: NamedDependency[Runtime], data: JSONBody[SessionCreate | None] = None
    ) -> Session:
        """Creates an active session from any seed's body (every field optional)."""
        fields = msgspec.structs.asdict(data or SessionCreate())
        return session_out(runtime.sessions.store.create(fields))

    @get("/{session_id:str}", sync_to_thread=True)
    def get_session(self, runtime: NamedDependency[Runtime], session_id: FromPath[str]) -> Session:
        """One session with its runs and analysis."""
        return session_out(runtime.sessions.store.get(session_id))

    @patch("/{session_id:str}", sync_to_thread=True)
    def update(
        self,
        runtime: NamedDependency[Runtime],
        session_id: FromPath[str],
        data: JSONBody[SessionPatch],
    ) -> Session:
        """Changes fields; ``status: "ended"`` stamps ``ended_at``, ``"active"`` reopens."""
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        return session_out(runtime.sessions.store.update(session_id, changes))

    @delete("/{session_id:str}", status_code=HTTP_204_NO_CONTENT, sync_to_thread=True)
    def delete_session(self, runtime: NamedDependency[Runtime], session_id: FromPath[str]) -> None:
        """Deletes the session, its runs, notes, tasks and data files."""
        runtime.sessions.store.delete(session_id)

    @post("/{session_id:str}/complete", status_code=HTTP_200_OK, sync_to_thread=True)
    def complete(self, runtime: NamedDependency[Runtime], session_id: FromPath[str]) -> Session:
        """Stops running runs, completes the session and analyses it (lap table, guidance)."""
        return session_out(runtime.sessions.store.complete(session_id))

    @post("/{session_id:str}/analyze", status_code=HTTP_200_OK, sync_to_thread=True)
    def analyze(self, runtime: NamedDependency[Runtime], session_id: FromPath[str]) -> Session:
        """Re-runs the analysis of a completed session (409 when it is not completed)."""
        return session_out(runtime.sessions.store.analyze(session_id))

    @get("/{session_id:str}/analysis", sync_to_thread=True)
    def analysis(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str]
    ) -> SessionAnalysis:
        """The stored analysis and guidance (404 when the session has none)."""
        return msgspec.convert(runtime.sessions.store.analysis(session_id), SessionAnalysis)

    @post("/{session_id:str}/reopen", status_code=HTTP_200_OK, sync_to_thread=True)
    def reopen(self, runtime: NamedDependency[Runtime], session_id: FromPath[str]) -> Session:
        """Makes the session active again; its analysis is cleared."""
        return session_out(runtime.sessions.store.reopen(session_id))

    @get("/{session_id:str}/runs", sync_to_thread=True)
    def list_runs(self, runtime: NamedDependency[Runtime], session_id: FromPath[str]) -> list[Run]:
        """The session's runs, oldest first."""
        runtime.sessions.store.get(session_id)
        return msgspec.convert(runtime.sessions.store.list_runs(session_id), list[Run])

    @post("/{session_id:str}/runs", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def start_run(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str], data: JSONBody[RunStart]
    ) -> Run:
        """Starts a run on ``feed_name``, merging ``merge_feeds`` (409 if one is recording)."""
        run = runtime.sessions.store.start_run(
            session_id, feed_name=data.feed_name, label=data.label, merge_feeds=data.merge_feeds
        )
        return msgspec.convert(run, Run)

    @post("/{session_id:str}/runs/{run_id:str}/stop", status_code=HTTP_200_OK, sync_to_thread=True)
    def stop_run(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str], run_id: FromPath[str]
    ) -> Run:
        """Stops the run and saves its frames from the feeds' ring buffers."""
        return msgspec.convert(runtime.sessions.store.stop_run(session_id, run_id), Run)

    @delete(
        "/{session_id:str}/runs/{run_id:str}", status_code=HTTP_204_NO_CONTENT, sync_to_thread=True
    )
    def delete_run(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[str], run_id: FromPath[str]
    ) -> None:
        """Deletes the run and the frames it saved."""
        runtime.sessions.store.delete_run(session_id, run_id)
