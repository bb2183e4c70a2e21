"""The hub: the one place that knows what is live.

It drains a feed as soon as the feed has queued data, and every feed at least every
``poll_interval_s``: the event loop polls each UDP feed's wakeup descriptor (written by the Rust
receive thread, no Python thread or GIL hand-over in between); a feed without one but with
:meth:`Feed.wait_queued` gets a watcher thread. Each batch goes to every subscriber (SSE and
WebSocket clients) first, then to the sinks (the recorder, boundaries). Publishing never blocks a
feed: feeds buffer in Rust, and a subscriber that falls behind loses its oldest messages and is
told how many.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from paddock.sources.base import Feed, FeedBatch, FeedStatus

log = logging.getLogger(__name__)

Sink = Callable[[FeedBatch], Awaitable[None]]
T = TypeVar("T")

#: Longest a watcher thread blocks in :meth:`Feed.wait_queued` before it checks that the hub
#: still runs and still has its feed.
WATCH_TIMEOUT_S = 0.5


@dataclass(slots=True)
class _Watch:
    """How the hub learns that one feed has data.

    ``key`` is the feed and its wakeup descriptor's generation; ``fd`` the hub's own copy of
    that descriptor while the event loop polls it.
    """

    key: tuple[object, int | None]
    fd: int | None = None


@dataclass(frozen=True, slots=True)
class Lagged:
    """Told to a subscriber before its next message when it lost ``dropped`` messages."""

    dropped: int


class DropOldestQueue(Generic[T]):
    """A bounded queue for one reader that never blocks its writer.

    When full, a put drops the oldest item and counts it; the reader gets a :class:`Lagged`
    notice with that count before its next item. Used on one event loop.
    """

    def __init__(self, maxsize: int) -> None:
        self._items: deque[T] = deque()
        self._maxsize = maxsize
        self._dropped = 0
        self._wakeup = asyncio.Event()
        self.closed = False

    def _put(self, item: T) -> None:
        if len(self._items) >= self._maxsize:
            self._items.popleft()
            self._dropped += 1
        self._items.append(item)
        self._wakeup.set()

    async def get(self, timeout_s: float | None = None) -> T | Lagged | None:
        """The next item: a ``Lagged`` notice first if items were dropped.

        Returns ``None`` when ``timeout_s`` passes with nothing to deliver, or once closed.
        """
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            return Lagged(dropped)
        if not self._items and not self.closed:
            if timeout_s is not None and timeout_s <= 0:
                return None  # without yielding to the event loop, as a poll should
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout_s)
        if self._items:
            return self._items.popleft()
        return None

    def _detach(self) -> None:
        """Removes the queue from whatever publishes to it."""

    def close(self) -> None:
        """Detaches from the publisher and wakes a waiting reader."""
        self.closed = True
        self._detach()
        self._wakeup.set()


class Subscription(DropOldestQueue[FeedBatch]):
    """A bounded, drop-oldest queue of feed batches for one client."""

    def __init__(self, hub: Hub, maxsize: int) -> None:
        super().__init__(maxsize)
        self._hub = hub

    def put(self, batch: FeedBatch) -> None:
        """Queues ``batch``, dropping the oldest queued one when full. Never blocks."""
        self._put(batch)

    def _detach(self) -> None:
        self._hub._subscribers.discard(self)

    async def __aiter__(self) -> AsyncIterator[FeedBatch | Lagged]:
        while not self.closed:
            item = await self.get()
            if item is not None:
                yield item


class Hub:
    """Drains feeds, feeds sinks, fans out to subscribers.

    Args:
        feeds: The feeds to run.
        poll_interval_s: How often feeds are drained.
    """

    def __init__(self, feeds: Iterable[Feed], *, poll_interval_s: float = 0.05) -> None:
        self.feeds: dict[str, Feed] = {f.name: f for f in feeds}
        self.poll_interval_s = poll_interval_s
        self._sinks: list[Sink] = []
        self._subscribers: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watchers: dict[str, _Watch] = {}
        self._watch_stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def add_sink(self, sink: Sink) -> None:
        """Registers a coroutine called with every non-empty batch, in order."""
        self._sinks.append(sink)

    def subscribe(self, maxsize: int = 256) -> Subscription:
        """A new subscription; close it when the client goes."""
        sub = Subscription(self, maxsize)
        self._subscribers.add(sub)
        return sub

    @property
    def subscriber_count(self) -> int:
        """Clients currently subscribed."""
        return len(self._subscribers)

    def statuses(self) -> list[FeedStatus]:
        """Every feed's status, in configuration order."""
        return [f.status() for f in self.feeds.values()]

    def add_feed(self, feed: Feed) -> None:
        """Adds a feed (started by its owner) that the pump drains from now on.

        Raises:
            ValueError: Another feed already has that name.
        """
        known = self.feeds.get(feed.name)
        if known is not None and known is not feed:
            raise ValueError(f"a feed named {feed.name!r} exists already")
        self.feeds[feed.name] = feed

    def feed(self, name: str) -> Feed | None:
        """The feed called ``name``."""
        return self.feeds.get(name)

    async def start(self) -> None:
        """Starts every feed (a feed that cannot bind reports ``unavailable``) and the pump."""
        for feed in list(self.feeds.values()):
            try:
                await asyncio.to_thread(feed.start)
            except Exception:
                log.exception("feed %s failed to start", feed.name)
        self._stopping.clear()
        self._task = asyncio.create_task(self._pump(), name="paddock-hub")

    async def stop(self) -> None:
        """Stops the pump after a last drain, then every feed, then closes subscriptions."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        for feed in list(self.feeds.values()):
            await asyncio.to_thread(feed.stop)
        for name in list(self._watchers):
            self._drop_watch(name)
        await asyncio.to_thread(self._stop_watchers)
        for sub in list(self._subscribers):
            sub.close()

    def wake(self) -> None:
        """Makes the pump drain now rather than at its next poll (call on the event loop)."""
        self._wake.set()

    def _wake_from_thread(self) -> None:
        loop = self._loop
        # Already set: the pump has not cleared it yet, so its coming drain takes this data too.
        if loop is not None and not self._wake.is_set():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._wake.set)

    def _ensure_watchers(self) -> None:
        """Makes every feed wake the pump when it queues data (feeds added later included).

        A feed with a wakeup descriptor is polled by the event loop itself (no thread, no GIL
        hand-over); one without gets a watcher thread blocking in :meth:`Feed.wait_queued`.
        Feeds that offer neither are drained at the poll interval only.
        """
        loop = self._loop
        for name, feed in list(self.feeds.items()):
            wakeup = feed.wakeup_fd()
            key = (feed, None if wakeup is None else wakeup[1])
            known = self._watchers.get(name)
            if known is not None and known.key == key:
                continue
            if known is not None:
                self._drop_watch(name)
            watch = _Watch(key)
            self._watchers[name] = watch
            if wakeup is not None and loop is not None:
                try:
                    # Our own descriptor: it stays valid (reading end-of-file) even if the feed
                    # drops its own, so it can never be confused with a reused number.
                    watch.fd = os.dup(wakeup[0])
                    os.set_blocking(watch.fd, False)
                    loop.add_reader(watch.fd, self._on_wakeup, name, watch)
                except OSError:
                    log.exception("cannot poll feed %s for data; it is polled", name)
                continue
            thread = threading.Thread(
                target=self._watch, args=(feed,), name=f"paddock-hub-watch-{name}", daemon=True
            )
            thread.start()
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        for name in [n for n in self._watchers if n not in self.feeds]:
            self._drop_watch(name)

    def _on_wakeup(self, name: str, watch: _Watch) -> None:
        """The event loop saw a feed's wakeup descriptor readable: clear it, wake the pump."""
        fd = watch.fd
        if fd is None:
            return
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            data = b"?"
        except OSError:
            data = b""
        if not data:  # end-of-file: the feed let go of that descriptor (it was restarted)
            self._close_watch(watch)
        self._wake.set()

    def _close_watch(self, watch: _Watch) -> None:
        fd, watch.fd = watch.fd, None
        if fd is None:
            return
        if self._loop is not None:
            with contextlib.suppress(Exception):
                self._loop.remove_reader(fd)
        with contextlib.suppress(OSError):
            os.close(fd)

    def _drop_watch(self, name: str) -> None:
        watch = self._watchers.pop(name, None)
        if watch is not None:
            self._close_watch(watch)

    def _watch(self, feed: Feed) -> None:
        """Wakes the pump whenever ``feed`` queues data, until the hub stops or drops the feed."""
        seen = 0
        while not self._watch_stop.is_set() and self.feeds.get(feed.name) is feed:
            started = time.monotonic()
            try:
                mark = feed.wait_queued(seen, WATCH_TIMEOUT_S)
            except Exception:
                log.exception("waiting on feed %s failed; it is polled", feed.name)
                return
            if mark is None:  # the feed cannot tell: polling finds its data
                return
            if mark != seen:
                seen = mark
                self._wake_from_thread()
            elif time.monotonic() - started < WATCH_TIMEOUT_S / 2:
                # Returned early with nothing new: the feed is stopped. Look again later.
                self._watch_stop.wait(self.poll_interval_s)

    def _stop_watchers(self) -> None:
        """Ends every watcher thread (they notice within ``WATCH_TIMEOUT_S``)."""
        self._watch_stop.set()
        for thread in self._threads:
            thread.join(WATCH_TIMEOUT_S * 2)
        self._threads.clear()
        self._watch_stop.clear()

    async def drain_once(self) -> int:
        """Drains every feed once; returns the number of frames published."""
        published = 0
        for feed in list(self.feeds.values()):
            try:
                batch = feed.drain()
            except Exception:
                log.exception("draining feed %s failed", feed.name)
                continue
            if batch.empty:
                continue
            published += batch.frames.num_rows
            await self.publish(batch)
        return published

    async def publish(self, batch: FeedBatch) -> None:
        """Hands ``batch`` to every subscriber, then to every sink in order.

        Subscribers first: a client never waits for the recorder's write (a thread hop) or the
        boundary checks; sinks still see every batch in order, before the next drain.
        """
        for sub in list(self._subscribers):
            sub.put(batch)
        for sink in self._sinks:
            try:
                await sink(batch)
            except Exception:
                log.exception("sink failed on a batch of feed %s", batch.feed)

    async def _pump(self) -> None:
        self._loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            self._ensure_watchers()
            # Cleared before draining: data queued during the drain sets it again.
            self._wake.clear()
            await self.drain_once()
            if self._wake.is_set():
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval_s)
        await self.drain_once()

    @property
    def publishing(self) -> bool:
        """True while the pump drains feeds and publishes their batches."""
        return self._task is not None

    async def pause(self) -> None:
        """Stops publishing after a last drain; feeds keep their sockets and ring buffers."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def resume(self) -> None:
        """Publishes again; what feeds received while paused is drained and not published."""
        if self._task is not None:
            return
        for feed in list(self.feeds.values()):
            try:
                feed.drain()
            except Exception:
                log.exception("draining feed %s failed", feed.name)
        self._stopping.clear()
        self._task = asyncio.create_task(self._pump(), name="paddock-hub")
