"""Notifications: risk events and runtime changes as a numbered stream with a short memory.

Every notification gets the next integer id; the newest few hundred are kept so an SSE client
that reconnects with ``Last-Event-ID`` gets those it missed while they are still held.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

import msgspec

from paddock.events import EventBus, EventSubscription

TOPIC = "notifications"


class Notification(msgspec.Struct, kw_only=True):
    """One notification: ``kind`` (``risk``, ``control`` …), time in seconds, the payload."""

    id: int
    kind: str
    ts: float
    data: Any


class NotificationLog:
    """Numbers, keeps and fans out notifications.

    Args:
        capacity: Notifications kept for resume.
        bus: The event bus clients subscribe to (topic ``notifications``).
    """

    def __init__(self, capacity: int, bus: EventBus) -> None:
        self._ring: deque[Notification] = deque(maxlen=capacity)
        self._bus = bus
        self._lock = threading.Lock()
        self._next_id = 1

    def publish(self, kind: str, data: Any) -> Notification:
        """Numbers, keeps and sends one notification (from any thread)."""
        with self._lock:
            note = Notification(id=self._next_id, kind=kind, ts=time.time(), data=data)
            self._next_id += 1
            self._ring.append(note)
            self._bus.publish(TOPIC, msgspec.json.encode(note))
        return note

    def connect(self, after: int | None) -> tuple[list[Notification], EventSubscription]:
        """Missed notifications and a subscription to the rest, with no gap and no repeat.

        The missed ones are those held with an id above ``after`` (none when ``None``).
        """
        with self._lock:
            missed = [] if after is None else [n for n in self._ring if n.id > after]
            return missed, self._bus.subscribe(TOPIC)
