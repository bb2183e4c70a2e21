"""Per-session event fan-out (notes, STT tasks) for WebSocket clients.

The same rule as the hub's: publishing never blocks. Each subscriber owns a bounded queue on its
own event loop; a publisher (any thread) schedules the put there and returns. A subscriber that
falls behind loses its oldest messages and is told how many before the next one.
"""

from __future__ import annotations

import asyncio
import threading

from paddock.hub import DropOldestQueue


class EventSubscription(DropOldestQueue[bytes]):
    """A bounded, drop-oldest queue of encoded events for one client of one key."""

    def __init__(self, bus: EventBus, key: str, maxsize: int) -> None:
        super().__init__(maxsize)
        self.key = key
        self._bus = bus
        self._loop = asyncio.get_running_loop()

    def _schedule(self, message: bytes) -> bool:
        try:
            self._loop.call_soon_threadsafe(self._put, message)
        except RuntimeError:  # the subscriber's loop is closed: it is gone
            return False
        return True

    def _detach(self) -> None:
        self._bus._discard(self)


class EventBus:
    """Fan-out of encoded events by key (a session id).

    Args:
        maxsize: Messages each subscriber may have queued before the oldest are dropped.
    """

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[EventSubscription]] = {}

    def subscribe(self, key: str) -> EventSubscription:
        """A new subscription on the running loop; close it when the client goes."""
        sub = EventSubscription(self, key, self.maxsize)
        with self._lock:
            self._subscribers.setdefault(key, set()).add(sub)
        return sub

    def _discard(self, sub: EventSubscription) -> None:
        with self._lock:
            subs = self._subscribers.get(sub.key)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subscribers[sub.key]

    def close_all(self) -> None:
        """Closes every subscription (on shutdown), waking their readers."""
        with self._lock:
            subs = [sub for group in self._subscribers.values() for sub in group]
        for sub in subs:
            try:
                sub._loop.call_soon_threadsafe(sub.close)
            except RuntimeError:  # its loop is closed already
                sub.close()

    def subscriber_count(self, key: str) -> int:
        """Clients subscribed to ``key``."""
        with self._lock:
            return len(self._subscribers.get(key, ()))

    def publish(self, key: str, message: bytes) -> int:
        """Queues ``message`` for every subscriber of ``key`` from any thread; never blocks.

        Returns the number of subscribers it was scheduled for.
        """
        with self._lock:
            subs = list(self._subscribers.get(key, ()))
        delivered = 0
        for sub in subs:
            if sub._schedule(message):
                delivered += 1
            else:
                self._discard(sub)
        return delivered
