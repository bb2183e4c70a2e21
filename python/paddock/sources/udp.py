"""UDP feeds over the Rust ``UdpFeed``: a receive thread per socket, decoding with no GIL."""

from __future__ import annotations

from typing import Any

from paddock._native import Batch, UdpFeed
from paddock.sources.base import Feed, FeedBatch, FeedStatus

#: How long the receive thread waits for more datagrams after a first one before decoding them as
#: one batch: not at all, so a frame reaches stream clients at once. A burst still fills whole
#: batches (up to 256 datagrams) because what already waits in the socket is taken with it.
BATCH_WINDOW_S = 0.0


class UdpSource(Feed):
    """A game feed that binds ``host:port`` and decodes ``protocol`` datagrams.

    Args:
        name: Feed name used in the API and in recordings (``pcars``).
        protocol: Wire format, e.g. ``project_cars_2``.
        host: Local address to bind.
        port: Local UDP port; 0 picks a free one (see :attr:`port`).
        ring_capacity: Decoded rows kept in memory.
        peer: ``(host, port)`` of a game that must be spoken to first (Assetto Corsa's
            handshake); the feed then binds ``host:port`` locally (port 0: any) and talks to it.
        password: Connection password for games that register clients (ACC's
            ``connectionPassword``); ignored by the others.
        display_name: Name the feed registers under (ACC).
    """

    kind = "udp"

    def __init__(
        self,
        name: str,
        protocol: str,
        host: str,
        port: int,
        *,
        ring_capacity: int = 36_000,
        peer: tuple[str, int] | None = None,
        password: str = "",
        display_name: str = "paddock",
    ) -> None:
        self.name = name
        self.password = password
        self.display_name = display_name
        self.peer = peer
        self.protocol = protocol
        self.host = host
        self.requested_port = port
        self.ring_capacity = ring_capacity
        self._native: Any = None
        self._generation = 0

    def start(self) -> None:
        """Binds and starts the receive thread; a failed bind leaves the feed ``unavailable``.

        A stopped feed starts afresh (a new socket and an empty ring buffer).
        """
        if self._native is None or self._native.stats()["state"] == "stopped":
            self._generation += 1
            self._native = UdpFeed(
                self.name,
                self.protocol,
                self.host,
                self.requested_port,
                ring_capacity=self.ring_capacity,
                peer_host=self.peer[0] if self.peer else None,
                peer_port=self.peer[1] if self.peer else None,
                display_name=self.display_name,
                password=self.password,
                batch_window_s=BATCH_WINDOW_S,
            )

    def stop(self) -> None:
        """Stops the receive thread and closes the socket."""
        if self._native is not None:
            self._native.stop()

    @property
    def port(self) -> int | None:
        """The bound port (useful when 0 was requested), or None when not bound."""
        if self._native is None:
            return None
        port: int | None = self._native.local_port
        return port

    def status(self) -> FeedStatus:
        """Health, rate and counters from the native feed."""
        if self._native is None:
            return FeedStatus(
                name=self.name,
                kind=self.kind,
                protocol=self.protocol,
                state="stopped",
                bind=f"{self.host}:{self.requested_port}",
            )
        s = self._native.stats()
        return FeedStatus(
            name=self.name,
            kind=self.kind,
            protocol=self.protocol,
            state=s["state"],
            reason=s["reason"],
            bind=s["bind"],
            port=self.port,
            packets=s["packets"],
            bytes=s["bytes"],
            decode_errors=s["decode_errors"],
            last_error=s["last_error"],
            drops=(s["kernel_drops"] or 0) + s["dropped_raw"] + s["dropped_frames"],
            kernel_drops=s["kernel_drops"],
            ring_capacity=self.ring_capacity,
            rate_hz=s["rate_hz"],
            last_packet_ns=s["last_packet_ns"],
            ring_rows=s["ring_rows"],
            ring_appended=s["ring_rows"] + s["dropped_rows"],
            ring_dropped=s["dropped_rows"],
            detected_format=s.get("detected_format"),
        )

    def _require(self) -> Any:
        if self._native is None:
            self.start()
        return self._native

    def wakeup_fd(self) -> tuple[int, int] | None:
        """The native feed's wakeup descriptor, numbered by how many times it was started."""
        native = self._native
        if native is None:
            return None
        fd: int | None = native.wakeup_fd
        return None if fd is None else (fd, self._generation)

    def wait_queued(self, seen: int, timeout_s: float) -> int | None:
        """Blocks (without the GIL) until the receive thread queues a batch after ``seen``."""
        native = self._native
        if native is None:
            return None
        mark: int = native.wait_queued(seen, timeout_s)
        return mark

    def drain(self) -> FeedBatch:
        """Raw datagrams and decoded frames received since the last drain."""
        raw, frames = self._require().drain()
        return FeedBatch(feed=self.name, protocol=self.protocol, raw=raw, frames=frames)

    def latest(self) -> Batch:
        """The newest decoded frame."""
        batch: Batch = self._require().latest()
        return batch

    def since(self, t_ns: int) -> Batch:
        """Decoded frames newer than ``t_ns`` still in the ring buffer."""
        batch: Batch = self._require().since(t_ns)
        return batch

    def last(self, n: int) -> Batch:
        """The newest ``n`` decoded frames."""
        batch: Batch = self._require().last(n)
        return batch
