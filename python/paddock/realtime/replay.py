"""Replay: a recorded session re-published onto the live bus, paced by its own timestamps.

A replay reads the frames of a session (its Parquet parts, whether they came from runs, HTTP
ingest or an MCAP import) or of a recording (its Parquet parts, or its MCAP file when it has
none) and hands them to the hub through the ``replay`` feed at ``speed`` times the recorded pace,
``loop`` starting over at the end. Clients cannot tell it from a live feed: the frames go
through the same hub, so the SSE streams, ``/ws/live``, ``/api/live`` and the boundaries see
them like any other feed's, stamped with the time they are re-published (``ts_ns``) and with
``t_s`` counting from the replay's start.

Replayed batches carry the protocol :data:`~paddock.sources.base.REPLAY_PROTOCOL`, which the
recorder skips, and the replay feed names its source session, whose runs refuse it: replayed
data never lands in its source again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from paddock._native import RingBuffer, mcap_read_frames
from paddock.exceptions import Conflict, InvalidArgument, NotFound
from paddock.hub import Hub
from paddock.sources.base import REPLAY_PROTOCOL, FeedBatch, FeedStatus, RingFeed
from paddock.store.integrity import mcap_segments
from paddock.store.recordings import RECORDING_ID, Recorder
from paddock.store.sessions import SessionStore

log = logging.getLogger(__name__)

REPLAY_FEED = "replay"
#: Columns of stored frames that say where they were stored, not what was measured.
_STORAGE_COLUMNS = ("feed", "run_id", "frame_idx", "t_s")
#: Longest the replay sleeps at once (so a stop is noticed soon even across a long gap).
_MAX_SLEEP_S = 0.25
MAX_SPEED = 1000.0


class ServiceUnavailable(Exception):
    """The live pipeline cannot take a replay now (answered 503)."""


class ReplayFeed(RingFeed):
    """The feed a replay publishes through: a ring buffer the hub drains like any feed's.

    Rows are appended on the event loop by :class:`Replayer`; :meth:`drain` hands the hub what
    was appended since the previous drain.
    """

    kind = "replay"
    protocol = REPLAY_PROTOCOL

    def __init__(self, name: str = REPLAY_FEED, *, ring_capacity: int = 36_000) -> None:
        self.name = name
        self.ring_capacity = ring_capacity
        self._ring = RingBuffer(ring_capacity)
        self._drained = 0
        self._running = False
        self._frames = 0
        self._last_ns: int | None = None

    def reset(self, source_session_id: str) -> None:
        """Starts afresh for a new replay of ``source_session_id`` (a new, empty ring)."""
        self._ring = RingBuffer(self.ring_capacity)
        self._drained = 0
        self._frames = 0
        self._last_ns = None
        self.source_session_id = source_session_id

    def push(self, frames: pl.DataFrame) -> None:
        """Appends frames (``ts_ns`` first) for the hub's next drain."""
        if frames.height:
            table = frames.to_arrow(compat_level=pl.CompatLevel.oldest())
            for batch in table.combine_chunks().to_batches():
                self._ring.append(batch)
            self._frames += frames.height
            self._last_ns = time.time_ns()

    @property
    def active(self) -> bool:
        """True from :meth:`begin` until :meth:`stop`."""
        return self._running

    def begin(self) -> None:
        """Marks the feed running: a replay is under way."""
        self._running = True

    def start(self) -> None:
        """Nothing to start: only a replay starts this feed (see :meth:`begin`)."""

    def stop(self) -> None:
        """Stops the feed and with it the replay; what it holds stays readable.

        Runtime control's stop and estop call this, from any thread.
        """
        self._running = False

    def status(self) -> FeedStatus:
        """A live feed's status: state, frames published, rate and ring counters."""
        appended = self._ring.appended_rows
        return FeedStatus(
            name=self.name,
            kind=self.kind,
            protocol=self.protocol,
            state="receiving" if self._running else "stopped",
            packets=self._frames,
            rate_hz=self._ring.rate_hz() if self._running else 0.0,
            last_packet_ns=self._last_ns,
            ring_rows=len(self._ring),
            ring_capacity=self.ring_capacity,
            ring_appended=appended,
            ring_dropped=self._ring.dropped_rows,
        )

    def drain(self) -> FeedBatch:
        """The rows appended since the previous drain (those the ring still holds)."""
        appended = self._ring.appended_rows
        fresh = min(appended - self._drained, len(self._ring))
        self._drained = appended
        frames = self._ring.last(fresh)
        return FeedBatch(
            feed=self.name, protocol=self.protocol, raw=self._ring.last(0), frames=frames
        )


def load_frames(
    source_id: str, sessions: SessionStore, recorder: Recorder, data_dir: Path
) -> pl.DataFrame:
    """The frames of a session or recording ``source_id``, sorted by ``ts_ns``.

    Raises:
        InvalidArgument: ``source_id`` cannot name a session or recording.
        NotFound: No such session or recording, or it holds no telemetry frames.
        Conflict: It is the recording being written now.
    """
    if sessions.exists(source_id):
        frames = sessions.open_session(source_id, table="frames").collect()
    elif RECORDING_ID.fullmatch(source_id):
        manifest = recorder.get(source_id)
        if manifest.get("status") == "recording":
            raise Conflict(f"recording {source_id} is being written; stop it before replaying it")
        directory = recorder.recordings_dir / source_id
        parts = sorted(directory.glob("frames/*/part-*.parquet"))
        if parts:
            frames = pl.concat([pl.read_parquet(p) for p in parts], how="diagonal_relaxed")
        else:
            batches = [
                pl.DataFrame(b)
                for seg in mcap_segments(directory)
                for b in mcap_read_frames(str(seg))
            ]
            batches = [b for b in batches if b.height]
            frames = pl.concat(batches, how="diagonal_relaxed") if batches else pl.DataFrame()
    else:
        raise NotFound(f"Session {source_id} not found")
    if frames.height == 0 or "ts_ns" not in frames.columns:
        raise NotFound(f"{source_id} has no telemetry frames to replay")
    keep = [c for c in frames.columns if c not in _STORAGE_COLUMNS and c != "ts_ns"]
    return (
        frames.select(pl.col("ts_ns").cast(pl.Int64), *keep)
        .filter(pl.col("ts_ns").is_not_null())
        .sort("ts_ns")
    )


@dataclass
class _Run:
    source_id: str
    frames: pl.DataFrame
    offsets_ns: np.ndarray[Any, np.dtype[np.int64]]
    speed: float
    loop: bool
    started_mono: float
    frame_idx: int = 0
    frames_emitted: int = 0
    loops: int = 0
    task: asyncio.Task[None] | None = None

    @property
    def span_s(self) -> float:
        return float(self.offsets_ns[-1]) / 1e9 if len(self.offsets_ns) else 0.0


class Replayer:
    """Starts, paces and stops the one replay a server runs at a time.

    Args:
        hub: Where replayed frames are published (the ``replay`` feed is added to it).
        load: Returns the frames of a session or recording id (see :func:`load_frames`).
        publishing: True while the live pipeline publishes (a replay needs it).
    """

    def __init__(
        self,
        hub: Hub,
        load: Callable[[str], pl.DataFrame],
        *,
        publishing: Callable[[], bool],
        ring_capacity: int = 36_000,
    ) -> None:
        self.hub = hub
        self._load = load
        self._publishing = publishing
        self.feed = ReplayFeed(ring_capacity=ring_capacity)
        self._run: _Run | None = None
        self._lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        """True while a replay publishes."""
        run = self._run
        return run is not None and run.task is not None and not run.task.done()

    async def start(
        self, source_id: str, *, speed: float = 1.0, loop: bool = False
    ) -> dict[str, Any]:
        """Starts replaying ``source_id``; stops every running CAN feed first.

        Raises:
            InvalidArgument: ``speed`` is not in (0, 1000].
            Conflict: A replay is running already.
            NotFound: No such session or recording, or nothing to replay in it.
            ServiceUnavailable: The live pipeline is not publishing (see runtime control).
        """
        if not (0 < speed <= MAX_SPEED):
            raise InvalidArgument(f"speed must be in (0, {MAX_SPEED:g}], got {speed:g}")
        async with self._lock:
            if self.running:
                assert self._run is not None
                raise Conflict(
                    f"a replay of {self._run.source_id} is already running; stop it first"
                )
            if not self._publishing():
                raise ServiceUnavailable(
                    "the live pipeline is not publishing (see /api/control/status); start it first"
                )
            frames = await asyncio.to_thread(self._load, source_id)
            stopped = await self._stop_can_feeds()
            ts = frames["ts_ns"].to_numpy()
            run = _Run(
                source_id=source_id,
                frames=frames,
                offsets_ns=(ts - ts[0]).astype(np.int64),
                speed=speed,
                loop=loop,
                started_mono=time.monotonic(),
            )
            self.feed.reset(source_id)
            self.feed.begin()
            self.hub.add_feed(self.feed)
            self._run = run
            run.task = asyncio.create_task(self._play(run), name="paddock-replay")
        log.info("replaying %s at %gx (loop=%s), %d frames", source_id, speed, loop, frames.height)
        return {
            "replay_id": source_id,
            "source_session_id": source_id,
            "total_frames": frames.height,
            "est_duration_s": round(run.span_s / speed, 3),
            "speed": speed,
            "loop": loop,
            "feed": self.feed.name,
            "stopped_feeds": stopped,
        }

    async def _stop_can_feeds(self) -> list[str]:
        """Stops live CAN readers so two publishers do not fight; returns their names."""
        stopped = []
        for feed in list(self.hub.feeds.values()):
            if feed.kind == "can" and feed.status().state != "stopped":
                await asyncio.to_thread(feed.stop)
                stopped.append(feed.name)
                log.info("replay: stopped live CAN feed %s", feed.name)
        return stopped

    async def stop(self) -> dict[str, Any]:
        """Stops the replay; answers how many frames it published.

        Raises:
            NotFound: No replay is running.
        """
        async with self._lock:
            run = self._run
            if run is None or not self.running:
                raise NotFound("no replay is running")
            await self._cancel(run)
            return {"stopped": True, "frames_emitted": run.frames_emitted}

    async def close(self) -> None:
        """Stops a running replay (server shutdown)."""
        if self._run is not None:
            await self._cancel(self._run)

    async def _cancel(self, run: _Run) -> None:
        if run.task is not None and not run.task.done():
            run.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run.task
        self.feed.stop()

    def status(self) -> dict[str, Any]:
        """``{"running": false}``, or where the running replay is."""
        run = self._run
        if run is None or not self.running:
            return {"running": False}
        total = run.frames.height
        elapsed = time.monotonic() - run.started_mono
        position_s = float(run.offsets_ns[min(run.frame_idx, total - 1)]) / 1e9
        remaining = max(0.0, (run.span_s - position_s) / run.speed)
        return {
            "running": True,
            "source_session_id": run.source_id,
            "speed": run.speed,
            "loop": run.loop,
            "frame_idx": run.frame_idx,
            "total_frames": total,
            "elapsed_s": round(elapsed, 3),
            "est_remaining_s": round(remaining, 3),
            "frames_emitted": run.frames_emitted,
            "loops": run.loops,
            "feed": self.feed.name,
        }

    async def _play(self, run: _Run) -> None:
        """Publishes the frames as their recorded time comes, at ``speed``."""
        loop = asyncio.get_running_loop()
        total = run.frames.height
        offsets = run.offsets_ns
        try:
            while True:
                origin = loop.time()
                wall_origin_ns = time.time_ns()
                run.frame_idx = 0
                while run.frame_idx < total and self.feed.active:
                    due_ns = (loop.time() - origin) * run.speed * 1e9
                    end = int(np.searchsorted(offsets, due_ns, side="right"))
                    if end > run.frame_idx:
                        self._publish(run, end, wall_origin_ns)
                    if run.frame_idx >= total:
                        break
                    next_s = origin + float(offsets[run.frame_idx]) / 1e9 / run.speed
                    await asyncio.sleep(min(max(0.0, next_s - loop.time()), _MAX_SLEEP_S))
                if not run.loop or not self.feed.active:
                    break
                run.loops += 1
                # A real gap between the end and the restart, as between two frames.
                await asyncio.sleep(min(_median_step_s(offsets) / run.speed, _MAX_SLEEP_S))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("replay of %s failed", run.source_id)
        finally:
            self.feed.stop()

    def _publish(self, run: _Run, end: int, wall_origin_ns: int) -> None:
        start = run.frame_idx
        chunk = run.frames.slice(start, end - start)
        offsets = pl.Series(run.offsets_ns[start:end])
        stamped = (offsets.cast(pl.Float64) / run.speed).cast(pl.Int64) + wall_origin_ns
        chunk = chunk.with_columns(
            stamped.alias("ts_ns"),
            ((stamped - wall_origin_ns).cast(pl.Float64) / 1e9).alias("t_s"),
        ).select("ts_ns", "t_s", pl.exclude("ts_ns", "t_s"))
        self.feed.push(chunk)
        run.frame_idx = end
        run.frames_emitted += chunk.height
        self.hub.wake()


def _median_step_s(offsets: np.ndarray[Any, np.dtype[np.int64]]) -> float:
    if len(offsets) < 2:
        return 0.0
    return float(np.median(np.diff(offsets))) / 1e9
