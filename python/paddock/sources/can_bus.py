"""The CAN feed: any python-can bus, frames decoded in batches by the Rust ``CanDecoder``.

A reader thread takes frames off the bus (``bus.recv``) into column lists and, every
``flush_interval_s`` or ``batch_frames`` frames, hands the batch to Rust in one call (timestamps,
ids, extended flags, payloads) — frames are never decoded one by one in Python. Decoded messages
become wide rows (every DBC signal as ``<message>.<signal>``, or the car's canonical channels with
``--car``) in the ring buffer and the hub, like a UDP feed's frames; every frame, data, remote,
error or CAN FD, is kept raw as a frame record (see :mod:`paddock.can._raw`).

A bus that cannot be opened, or that raises while receiving (an adapter unplugged), leaves the
feed ``unavailable`` with the reason; it is reopened with exponential backoff (``backoff_s`` up to
``backoff_max_s``), and what was received before stays in the ring, the drains and recordings.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from paddock._native import Batch, RingBuffer
from paddock.can._decoder import CanDecoder, DecodeStats
from paddock.can._raw import RAW_SCHEMA, binary_from_buffer, encode_records, join_payloads
from paddock.can._wide import WideRows, wide_rows_for
from paddock.config import Settings
from paddock.exceptions import InvalidArgument
from paddock.sources.base import FeedBatch, FeedStatus, RingFeed

log = logging.getLogger(__name__)

BusFactory = Callable[[], Any]
"""Opens a python-can bus (``can.BusABC``); raising means the bus is unavailable."""

#: Seconds without a frame after which a receiving feed is ``stale``.
STALE_S = 2.0
#: Drained batches a feed keeps for the hub; older ones are dropped and counted.
MAX_PENDING = 512
#: The python-can ``virtual`` channel the CAN feed (and the CAN simulator) use by default.
VIRTUAL_CHANNEL = "paddock"


def python_can_bus(interface: str, channel: str | None, bitrate: int | None) -> BusFactory:
    """A factory opening ``can.Bus(interface=…, channel=…, bitrate=…)``."""

    def open_bus() -> Any:
        import can

        kwargs: dict[str, Any] = {"interface": interface}
        if channel is not None:
            kwargs["channel"] = channel
        if bitrate is not None:
            kwargs["bitrate"] = bitrate
        return can.Bus(**kwargs)

    return open_bus


@dataclass
class _Columns:
    ts_ns: list[int] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    extended: list[bool] = field(default_factory=list)
    remote: list[bool] = field(default_factory=list)
    error: list[bool] = field(default_factory=list)
    fd: list[bool] = field(default_factory=list)
    brs: list[bool] = field(default_factory=list)
    esi: list[bool] = field(default_factory=list)
    rx: list[bool] = field(default_factory=list)
    dlc: list[int] = field(default_factory=list)
    data: list[bytes] = field(default_factory=list)

    def add(self, msg: Any, ts_ns: int) -> None:
        self.ts_ns.append(ts_ns)
        self.ids.append(msg.arbitration_id)
        self.extended.append(bool(msg.is_extended_id))
        self.remote.append(bool(msg.is_remote_frame))
        self.error.append(bool(msg.is_error_frame))
        self.fd.append(bool(msg.is_fd))
        self.brs.append(bool(msg.bitrate_switch))
        self.esi.append(bool(msg.error_state_indicator))
        self.rx.append(bool(msg.is_rx))
        self.dlc.append(int(msg.dlc))
        self.data.append(bytes(msg.data or b""))

    def __len__(self) -> int:
        return len(self.ts_ns)


@dataclass
class CanCounters:
    """What the feed has seen since it started (all under the feed's lock)."""

    frames: int = 0
    bytes: int = 0
    data_frames: int = 0
    decoded: int = 0
    unknown_id: int = 0
    short: int = 0
    error_frames: int = 0
    remote_frames: int = 0
    fd_frames: int = 0
    decode_errors: int = 0
    reconnects: int = 0
    connects: int = 0
    dropped_batches: int = 0
    unknown_ids: Counter[tuple[int, bool]] = field(default_factory=Counter)
    short_by_message: Counter[str] = field(default_factory=Counter)
    last_error: str | None = None
    last_error_ns: int | None = None
    last_frame_ns: int | None = None
    connected_since_ns: int | None = None
    retry_in_s: float | None = None
    """The wait before the next attempt to open a failed bus, while waiting."""


class CanSource(RingFeed):
    """A feed reading CAN frames from a python-can bus and decoding them with DBC files.

    Args:
        name: Feed name in the API and recordings (``can``).
        interface: python-can interface (``virtual``, ``socketcan``, ``slcan``, ``pcan`` …).
        channel: The interface's channel (``can0``, ``/dev/ttyACM0``; None: its default).
        bitrate: Bus bit rate in bit/s (None: the interface's own).
        decoder: The compiled DBC(s); None keeps frames raw only.
        car: A ``paddock.can.cars.CarConfig``: its decoder and canonical channels are used.
        ring_capacity: Decoded rows kept in memory.
        bus_factory: Opens the bus (default: ``can.Bus`` with the three settings above).
        flush_interval_s: Longest time frames wait before they are decoded as one batch.
        batch_frames: Frames that trigger a decode before the interval ends.
        backoff_s: First wait before reopening a failed bus; doubles up to ``backoff_max_s``.
        backoff_max_s: Longest wait between attempts.
        dbc_paths: The DBC files (for diagnostics).
    """

    kind = "can"
    protocol = "can"

    def __init__(
        self,
        name: str = "can",
        *,
        interface: str = "virtual",
        channel: str | None = None,
        bitrate: int | None = 500_000,
        decoder: CanDecoder | None = None,
        car: Any = None,
        ring_capacity: int = 36_000,
        bus_factory: BusFactory | None = None,
        flush_interval_s: float = 0.05,
        batch_frames: int = 4096,
        backoff_s: float = 0.5,
        backoff_max_s: float = 30.0,
        dbc_paths: Sequence[Path] = (),
    ) -> None:
        self.name = name
        self.interface = interface
        self.channel = channel
        self.bitrate = bitrate
        self.car = car
        self.dbc_paths = tuple(dbc_paths)
        self.decoder = car.decoder() if car is not None and decoder is None else decoder
        self.ring_capacity = ring_capacity
        self._bus_factory = bus_factory or python_can_bus(interface, channel, bitrate)
        self.flush_interval_s = flush_interval_s
        self.batch_frames = batch_frames
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.units: dict[str, str | None] = {}
        #: A configuration problem (a DBC or car that does not load): the feed stays
        #: ``unavailable`` with it as the reason and opens no bus.
        self.config_error: str | None = None
        self._wide: WideRows | None = None
        if self.decoder is not None:
            self._wide, self.units = wide_rows_for(self.decoder, car)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = "stopped"
        self._reason: str | None = None
        self._counters = CanCounters()
        self._ring = RingBuffer(ring_capacity)
        self._pending: deque[tuple[pa.RecordBatch, pa.RecordBatch | None]] = deque()
        self._arrivals: deque[tuple[float, int]] = deque()
        self._schema: pa.Schema | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Starts the reader thread (idempotent); it opens the bus and retries on failure."""
        if self._thread is not None and self._thread.is_alive():
            return
        if self.config_error is not None:
            self._set_state("unavailable", self.config_error)
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"paddock-can-{self.name}")
        self._thread.daemon = True
        self._thread.start()

    def stop(self) -> None:
        """Stops the reader thread and shuts the bus down."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)
        with self._lock:
            self._state = "stopped"
            self._reason = None
            self._counters.connected_since_ns = None

    def _set_state(self, state: str, reason: str | None = None) -> None:
        with self._lock:
            self._state = state
            self._reason = reason

    def _failed(self, what: str, exc: BaseException) -> None:
        message = f"{what}: {type(exc).__name__}: {exc}"
        log.warning("CAN feed %s %s", self.name, message)
        with self._lock:
            self._counters.last_error = message
            self._counters.last_error_ns = time.time_ns()
            self._counters.connected_since_ns = None
            self._state = "unavailable"
            self._reason = message

    def _run(self) -> None:
        backoff = self.backoff_s
        failed_before = False
        while not self._stop.is_set():
            try:
                bus = self._bus_factory()
            except Exception as exc:
                self._failed(f"cannot open {self.interface} bus {self.channel or ''}".strip(), exc)
                failed_before = True
                self._sleep(backoff)
                backoff = min(backoff * 2, self.backoff_max_s)
                continue
            with self._lock:
                self._counters.connects += 1
                if failed_before:
                    self._counters.reconnects += 1
                self._counters.connected_since_ns = time.time_ns()
                self._state = "listening"
                self._reason = None
            backoff = self.backoff_s
            if self._wide is not None:
                self._wide.reset()
            try:
                self._receive(bus)
                failed_before = False
            except Exception as exc:
                self._failed("bus failed while receiving", exc)
                failed_before = True
            finally:
                try:
                    bus.shutdown()
                except Exception:
                    log.debug("CAN feed %s: bus shutdown failed", self.name, exc_info=True)
            if failed_before and not self._stop.is_set():
                self._sleep(backoff)
                backoff = min(backoff * 2, self.backoff_max_s)

    def _sleep(self, seconds: float) -> None:
        """Waits ``seconds`` before the next attempt to open the bus (cut short by ``stop``)."""
        with self._lock:
            self._counters.retry_in_s = seconds
        self._stop.wait(seconds)
        with self._lock:
            self._counters.retry_in_s = None

    def _receive(self, bus: Any) -> None:
        """Reads frames until stopped; raises what the bus raises (after a last flush)."""
        columns = _Columns()
        deadline = time.monotonic() + self.flush_interval_s
        try:
            while not self._stop.is_set():
                msg = bus.recv(timeout=self.flush_interval_s)
                if msg is not None:
                    stamp = getattr(msg, "timestamp", 0.0) or 0.0
                    # python-can stamps frames in seconds since the epoch on every interface
                    # paddock knows; anything else (an interface's own clock) is replaced.
                    ts_ns = round(stamp * 1e9) if stamp > 1e9 else time.time_ns()
                    columns.add(msg, ts_ns)
                    with self._lock:
                        if self._state != "receiving":
                            self._state, self._reason = "receiving", None
                now = time.monotonic()
                if columns and (len(columns) >= self.batch_frames or now >= deadline):
                    self._process(columns)
                    columns = _Columns()
                if now >= deadline:
                    deadline = now + self.flush_interval_s
                    self._check_stale()
        finally:
            if columns:
                self._process(columns)

    def _check_stale(self) -> None:
        with self._lock:
            last = self._counters.last_frame_ns
            if (
                self._state == "receiving"
                and last is not None
                and time.time_ns() - last > STALE_S * 1e9
            ):
                self._state = "stale"

    # -- decoding --------------------------------------------------------------------------

    def _process(self, columns: _Columns) -> None:
        """Records the raw frames, decodes the data frames in one call, appends the rows."""
        n = len(columns)
        try:
            raw = encode_records(
                columns.ts_ns,
                columns.ids,
                columns.data,
                extended=columns.extended,
                remote=columns.remote,
                error=columns.error,
                fd=columns.fd,
                brs=columns.brs,
                esi=columns.esi,
                rx=columns.rx,
                dlc=columns.dlc,
            )
        except Exception as exc:
            with self._lock:
                self._counters.decode_errors += n
                self._counters.last_error = f"frames not recorded: {exc}"
            return
        stats = DecodeStats()
        rows: pa.RecordBatch | None = None
        error_frames = sum(columns.error)
        remote_frames = sum(columns.remote)
        if self.decoder is not None and self._wide is not None:
            keep = (
                [i for i in range(n) if not (columns.error[i] or columns.remote[i])]
                if error_frames or remote_frames
                else None
            )
            try:
                rows, stats = self._decode(columns, keep)
            except Exception as exc:
                with self._lock:
                    self._counters.decode_errors += n - error_frames - remote_frames
                    self._counters.last_error = f"decode failed: {exc}"
        nbytes = sum(len(d) for d in columns.data)
        with self._lock:
            c = self._counters
            c.frames += n
            c.bytes += nbytes
            c.error_frames += error_frames
            c.remote_frames += remote_frames
            c.fd_frames += sum(columns.fd)
            c.data_frames += n - error_frames - remote_frames
            c.decoded += stats.decoded
            c.unknown_id += stats.unknown_id
            c.short += stats.short
            c.unknown_ids.update(stats.unknown_ids)
            c.short_by_message.update(stats.short_by_message)
            c.last_frame_ns = columns.ts_ns[-1]
            if error_frames:
                c.last_error = f"{error_frames} error frame(s) on the bus"
                c.last_error_ns = time.time_ns()
            self._arrivals.append((time.monotonic(), n))
            if len(self._pending) >= MAX_PENDING:
                self._pending.popleft()
                c.dropped_batches += 1
            self._pending.append((raw, rows))

    def _decode(
        self, columns: _Columns, keep: list[int] | None
    ) -> tuple[pa.RecordBatch | None, DecodeStats]:
        assert self.decoder is not None and self._wide is not None
        if keep is None:
            ts, ids, ext, data = columns.ts_ns, columns.ids, columns.extended, columns.data
        else:
            ts = [columns.ts_ns[i] for i in keep]
            ids = [columns.ids[i] for i in keep]
            ext = [columns.extended[i] for i in keep]
            data = [columns.data[i] for i in keep]
        if not ts:
            return None, DecodeStats()
        # The payloads joined once into one buffer with offsets: one Arrow binary array, read
        # in place by the decoder.
        buffer, offsets = join_payloads(data)
        decoded = self.decoder.decode(
            pa.array(ts, type=pa.int64()),
            pa.array(ids, type=pa.uint32()),
            binary_from_buffer(buffer, offsets),
            pa.array(ext, type=pa.bool_()),
        )
        wide = self._wide(decoded)
        if wide.height == 0:
            return None, decoded.stats
        batch = _record_batch(wide)
        self._ring.append(batch)
        return batch, decoded.stats

    # -- the Feed interface ----------------------------------------------------------------

    def rate_hz(self, window_s: float = 2.0) -> float:
        """Frames per second over the newest ``window_s`` seconds."""
        now = time.monotonic()
        with self._lock:
            while self._arrivals and now - self._arrivals[0][0] > window_s:
                self._arrivals.popleft()
            total = sum(n for _, n in self._arrivals)
        return total / window_s

    def counters(self) -> CanCounters:
        """A copy of the counters."""
        with self._lock:
            return dataclasses.replace(
                self._counters,
                unknown_ids=Counter(self._counters.unknown_ids),
                short_by_message=Counter(self._counters.short_by_message),
            )

    @property
    def state(self) -> tuple[str, str | None]:
        """The state and its reason."""
        with self._lock:
            return self._state, self._reason

    def status(self) -> FeedStatus:
        """Health, rate and counters in the common shape."""
        c = self.counters()
        state, reason = self.state
        dropped = self._ring.dropped_rows
        return FeedStatus(
            name=self.name,
            kind=self.kind,
            protocol=self.protocol,
            state=state,
            reason=reason,
            bind=f"{self.interface}:{self.channel or ''}",
            packets=c.frames,
            bytes=c.bytes,
            decode_errors=c.decode_errors + c.unknown_id + c.short,
            last_error=c.last_error,
            drops=c.dropped_batches,
            rate_hz=self.rate_hz(),
            last_packet_ns=c.last_frame_ns,
            ring_rows=len(self._ring),
            ring_capacity=self.ring_capacity,
            ring_appended=self._ring.appended_rows,
            ring_dropped=dropped,
            detected_format=None,
        )

    def drain(self) -> FeedBatch:
        """Raw frame records and decoded rows received since the last drain."""
        with self._lock:
            pending = list(self._pending)
            self._pending.clear()
        raws = [r for r, _ in pending if r.num_rows]
        rows = [w for _, w in pending if w is not None and w.num_rows]
        raw = pa.Table.from_batches(raws, schema=RAW_SCHEMA).combine_chunks() if raws else None
        frames = pa.Table.from_batches(rows).combine_chunks() if rows else None
        return FeedBatch(
            feed=self.name,
            protocol=self.protocol,
            raw=_batch(raw, RAW_SCHEMA),
            frames=_batch(frames, self._frames_schema()),
        )

    def _frames_schema(self) -> pa.Schema:
        if self._schema is None:
            self._schema = (
                pa.schema([("ts_ns", pa.int64())])
                if self._wide is None
                else pl.DataFrame(schema=self._wide.schema).to_arrow().schema
            )
        return self._schema


def can_feed(settings: Settings, *, bus_factory: BusFactory | None = None) -> CanSource | None:
    """The ``can`` feed ``settings`` configure, or None when CAN is off.

    CAN is on when a CAN channel, DBC file(s) or a car config is set. A DBC or car config that
    cannot be loaded leaves the feed ``unavailable`` with the reason (the server runs on).
    """
    car_id = settings.car
    if settings.can_channel is None and not settings.can_dbc and not car_id:
        return None
    decoder: CanDecoder | None = None
    car: Any = None
    problem: str | None = None
    try:
        if car_id:
            from paddock.can.cars import load_car

            car = load_car(car_id, settings.data_dir)
        if settings.can_dbc:
            decoder = CanDecoder.from_dbc(*settings.can_dbc)
    except (InvalidArgument, ValueError, OSError) as exc:
        problem = str(exc)
        car, decoder = None, None
    channel = settings.can_channel
    if channel is None and settings.can_interface == "virtual":
        channel = VIRTUAL_CHANNEL
    source = CanSource(
        "can",
        interface=settings.can_interface,
        channel=channel,
        bitrate=settings.can_bitrate,
        decoder=decoder,
        car=car,
        ring_capacity=settings.ring_capacity,
        bus_factory=bus_factory,
        dbc_paths=settings.can_dbc,
    )
    source.config_error = problem
    return source


def _record_batch(frame: pl.DataFrame) -> pa.RecordBatch:
    table = frame.to_arrow().combine_chunks()
    batches = table.to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)


def _batch(table: pa.Table | None, schema: pa.Schema) -> Batch:
    if table is None:
        return Batch.from_arrow(pa.RecordBatch.from_pylist([], schema=schema))
    batches = table.to_batches()
    batch = batches[0] if batches else pa.RecordBatch.from_pylist([], schema=schema)
    return Batch.from_arrow(batch)
