"""The one interface every feed implements, whatever its kind (UDP, CAN, HTTP ingest)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec

from paddock._native import Batch, RingBuffer

T = TypeVar("T")

#: Health states, one state machine for all feeds:
#: stopped → listening → receiving ↔ stale; with a session peer (Assetto Corsa) stopped →
#: handshaking → receiving, or → unavailable ("no answer from <peer>") while it keeps retrying;
#: any → unavailable (with a reason); stop → stopped.
#: The protocol of batches a replay re-publishes from a recording: stores skip them (the data is
#: recorded already).
REPLAY_PROTOCOL = "replay"

FEED_STATES = ("stopped", "listening", "handshaking", "receiving", "stale", "unavailable")


class FeedStatus(msgspec.Struct, kw_only=True):
    """A feed's health and counters at one instant."""

    name: str
    kind: str
    protocol: str
    state: str
    reason: str | None = None
    bind: str | None = None
    port: int | None = None
    packets: int = 0
    bytes: int = 0
    decode_errors: int = 0
    last_error: str | None = None
    drops: int = 0
    """Data lost: datagrams the OS dropped plus rows nobody drained in time."""
    kernel_drops: int | None = None
    """Datagrams the OS dropped before the feed read them (None where not reported)."""
    rate_hz: float = 0.0
    last_packet_ns: int | None = None
    ring_rows: int = 0
    ring_capacity: int | None = None
    #: Rows ever appended to the ring buffer and rows it let go (oldest first) to stay within
    #: capacity (still in any running recording): a run marks ``ring_appended`` and is truncated
    #: once ``ring_dropped`` passes it.
    ring_appended: int = 0
    ring_dropped: int = 0
    detected_format: str | None = None


@dataclass(frozen=True, slots=True)
class FeedBatch:
    """What a feed received since its last drain: the raw datagrams and the decoded frames."""

    feed: str
    protocol: str
    raw: Batch
    frames: Batch
    #: What stream encoders made of this batch, by encoding (see :meth:`encoded`): one batch is
    #: published to every client, so each format is encoded once for all of them.
    _encoded: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def empty(self) -> bool:
        """True when nothing arrived."""
        return self.raw.num_rows == 0 and self.frames.num_rows == 0

    def encoded(self, key: Any, encode: Callable[[FeedBatch], T]) -> T:
        """``encode(self)``, computed once per ``key`` and then shared by every caller.

        ``key`` names the encoding and its options (e.g. ``("sse", channels)``). Used on the
        event loop only.
        """
        try:
            value: T = self._encoded[key]
        except KeyError:
            value = self._encoded[key] = encode(self)
        return value


class Feed(ABC):
    """A source of telemetry.

    Starting never raises for an unreachable source: the feed reports ``unavailable`` with the
    reason and the rest of paddock goes on.
    """

    name: str
    kind: str
    protocol: str
    #: The recorded session whose data this feed re-publishes (a replay), else None. Runs of
    #: that session refuse the feed, so replayed data never lands in its own source again.
    source_session_id: str | None = None

    @abstractmethod
    def start(self) -> None:
        """Starts receiving (idempotent)."""

    @abstractmethod
    def stop(self) -> None:
        """Stops receiving and releases the socket or bus (idempotent)."""

    @abstractmethod
    def status(self) -> FeedStatus:
        """Health, rate and counters."""

    def wakeup_fd(self) -> tuple[int, int] | None:
        """``(fd, generation)``: a descriptor that becomes readable when data is queued.

        The hub's event loop polls it (and reads what is written to it) instead of running a
        thread in :meth:`wait_queued`. ``generation`` changes whenever the feed replaces the
        descriptor (a restart). ``None`` when the feed has none.
        """
        return None

    def wait_queued(self, seen: int, timeout_s: float) -> int | None:
        """Blocks until data is queued for :meth:`drain` after the mark ``seen``.

        Returns the newest mark (a change from ``seen`` means something arrived), or ``None``
        when the feed cannot tell (the hub then finds its data by polling). Called from a
        thread of the hub's, never on the event loop; returns early when the feed stops.
        """
        return None

    @abstractmethod
    def drain(self) -> FeedBatch:
        """Everything received since the last drain."""

    @abstractmethod
    def latest(self) -> Batch:
        """The newest decoded frame (zero or one row)."""

    @abstractmethod
    def since(self, t_ns: int) -> Batch:
        """Decoded frames received after ``t_ns`` that the ring buffer still holds."""

    @abstractmethod
    def last(self, n: int) -> Batch:
        """The newest ``n`` decoded frames."""


class RingFeed(Feed):
    """A feed whose decoded frames sit in a :class:`RingBuffer` of its own (``_ring``).

    ``latest``, ``since`` and ``last`` read that ring.
    """

    _ring: RingBuffer

    def latest(self) -> Batch:
        """The newest decoded frame (zero or one row)."""
        return self._ring.latest()

    def since(self, t_ns: int) -> Batch:
        """Decoded frames received after ``t_ns`` that the ring buffer still holds."""
        return self._ring.since(t_ns)

    def last(self, n: int) -> Batch:
        """The newest ``n`` decoded frames."""
        return self._ring.last(n)
