"""The session side of a running server: stores, ingest, per-session events, periodic flush."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from paddock.events import EventBus
from paddock.sources.base import Feed
from paddock.store.catalog import Catalog
from paddock.store.ingest import SessionIngest
from paddock.store.notes import NotesStore
from paddock.store.session_data import SessionData
from paddock.store.sessions import SessionStore

log = logging.getLogger(__name__)


class SessionEvent(msgspec.Struct, frozen=True):
    """ASTRA's WebSocket envelope: ``{"event", "session_id", "data"}``."""

    event: str
    session_id: str
    data: Any


_encoder = msgspec.json.Encoder()


def encode_event(event: str, session_id: str, data: Any) -> bytes:
    """One event envelope as JSON bytes."""
    return _encoder.encode(SessionEvent(event=event, session_id=session_id, data=data))


@dataclass
class SessionServices:
    """Sessions, notes, STT tasks and ingest over one catalog and data directory."""

    store: SessionStore
    notes: NotesStore
    ingest: SessionIngest
    events: EventBus
    flush_interval_s: float = 2.0
    _task: asyncio.Task[None] | None = field(default=None, repr=False)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @classmethod
    def open(
        cls,
        catalog: Catalog,
        data_dir: Path,
        feeds: Mapping[str, Feed],
        *,
        active_recording: Callable[[], str | None] | None = None,
    ) -> SessionServices:
        """Services over ``catalog`` with session files under ``data_dir/sessions``.

        ``active_recording`` returns the id of the recording running now (see ``SessionStore``).
        """
        data = SessionData(data_dir / "sessions")
        store = SessionStore(catalog, data, feeds, active_recording=active_recording)
        return cls(
            store=store,
            notes=NotesStore(store),
            ingest=SessionIngest(store),
            events=EventBus(),
            flush_interval_s=data.flush_interval_s,
        )

    def publish(self, session_id: str, event: str, data: Any) -> None:
        """Broadcasts an event to the session's WebSocket clients without waiting."""
        self.events.publish(session_id, encode_event(event, session_id, data))

    async def start(self) -> None:
        """Starts writing buffered session data that is older than the flush interval."""
        self._stopping.clear()
        self._task = asyncio.create_task(self._flush_loop(), name="paddock-session-flush")

    async def stop(self) -> None:
        """Closes the event streams, stops the flush loop and writes every buffer."""
        self.events.close_all()
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None
        await asyncio.to_thread(self.store.data.flush)

    async def _flush_loop(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.flush_interval_s)
            try:
                await asyncio.to_thread(self.store.data.flush_due)
            except Exception:
                log.exception("flushing session data failed")
