"""The realtime services of a running server, built beside the hub by the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
import polars as pl
from litestar import Litestar
from litestar.datastructures import State

from paddock.api.runtime import Runtime
from paddock.events import EventBus
from paddock.exceptions import NotFound
from paddock.realtime.boundaries import Boundary, BoundaryEvaluator
from paddock.realtime.command_plane import CommandCache
from paddock.realtime.config import RealtimeConfig
from paddock.realtime.control import RuntimeControl
from paddock.realtime.cycles import CycleEvent, CycleIn, CycleLog, is_notable, outcome, split_posted
from paddock.realtime.notifications import NotificationLog
from paddock.realtime.replay import Replayer, load_frames
from paddock.realtime.spectators import SpectatorTokens
from paddock.realtime.system import CpuSampler, LogRing
from paddock.sources.base import FeedBatch
from paddock.store.risk import RiskStore

log = logging.getLogger(__name__)


def cycle_risk_event(event: CycleEvent) -> dict[str, Any]:
    """The risk log's record of a notable cycle."""
    failing = [g for g in event.guard_statuses if g.decision.upper() != "PASS"]
    total = event.latency_ms.total
    return {
        "source": "cycle",
        "timestamp": event.timestamp,
        "cycle_id": event.cycle_id,
        "trace_id": event.trace_id,
        "risk_level": event.risk_level,
        "outcome": outcome(event),
        "was_rejected": event.was_rejected,
        "was_clamped": event.was_clamped,
        "fallback_triggered": event.fallback_triggered,
        "latency_ms": None if isinstance(total, msgspec.UnsetType) else total,
        "failure_type": failing[0].name if failing else event.fallback_triggered,
        "reason": failing[0].reason if failing else None,
        "active_task": event.active_task,
        "active_boundaries": event.active_boundaries,
        "guard_statuses": msgspec.to_builtins(event.guard_statuses),
    }


@dataclass
class Realtime:
    """Cycle events, boundaries, the risk log, notifications and runtime control."""

    config: RealtimeConfig
    runtime: Runtime
    bus: EventBus
    cycles: CycleLog
    risk: RiskStore
    evaluator: BoundaryEvaluator
    notifications: NotificationLog
    control: RuntimeControl
    replay: Replayer
    cpu: CpuSampler = field(default_factory=CpuSampler)
    logs: LogRing = field(default_factory=LogRing)
    commands: CommandCache = field(default_factory=CommandCache)
    spectators: SpectatorTokens = field(default_factory=SpectatorTokens)
    ws_connections: int = 0
    last_cpu_percent: float | None = None
    #: Set when the server shuts down, so open command-plane connections close.
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    async def ingest_cycles(self, posted: list[CycleIn]) -> dict[str, int]:
        """Publishes posted cycle events, each followed by its camera frames; logs notable ones.

        Raises:
            InvalidArgument: A camera frame cannot be used; nothing of the request is published.
        """
        parts = [split_posted(p) for p in posted]
        encoded = [self.cycles.publish(event, frames) for event, frames in parts]
        if self.runtime.recorder.active is not None:
            stamped = [
                (int((event.timestamp or 0.0) * 1e9), data)
                for (event, _), data in zip(parts, encoded, strict=True)
            ]
            await asyncio.to_thread(self.runtime.recorder.write_cycles, stamped)
        notable = [cycle_risk_event(e) for e, _ in parts if is_notable(e)]
        if notable:
            await self.log_risk(notable)
        return {"accepted": len(parts), "risk_events": len(notable)}

    async def log_risk(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Stores risk events and notifies clients of each."""
        stored = await asyncio.to_thread(self.risk.add_events, events)
        for event in stored:
            self.notifications.publish("risk", event)
        return stored

    async def on_batch(self, batch: FeedBatch) -> None:
        """Hub sink: evaluates the boundaries against the batch's frames."""
        if batch.frames.num_rows == 0:
            return
        channels = self.evaluator.channels(batch.feed)
        if not channels:
            return
        try:
            # Only the watched columns go to Polars: importing a column costs more than checking it.
            frames = pl.DataFrame(batch.frames.select(["ts_ns", *channels]))
            events = self.evaluator.evaluate(batch.feed, frames)
        except Exception:
            log.exception("evaluating boundaries on feed %s failed", batch.feed)
            return
        if events:
            await self.log_risk(events)


def _control(runtime: Runtime, cycles: CycleLog, notes: NotificationLog) -> RuntimeControl:
    hub = runtime.hub

    async def start_feeds() -> None:
        await asyncio.gather(*(asyncio.to_thread(f.start) for f in hub.feeds.values()))
        await hub.resume()

    async def halt(*, drain: bool) -> None:
        if drain:
            await hub.pause()
        await asyncio.gather(*(asyncio.to_thread(f.stop) for f in hub.feeds.values()))
        if not drain:
            await hub.pause()
        if runtime.recorder.active is not None:
            with contextlib.suppress(NotFound):  # stopped by someone else meanwhile
                await asyncio.to_thread(runtime.recorder.stop)

    async def stop() -> None:
        await halt(drain=True)

    async def estop() -> None:
        await halt(drain=False)

    return RuntimeControl(
        {
            "start": start_feeds,
            "pause": hub.pause,
            "resume": hub.resume,
            "stop": stop,
            "estop": estop,
        },
        feed_states=lambda: {s.name: s.state for s in hub.statuses()},
        cycles=lambda: cycles.total,
        notify=lambda change: notes.publish("control", change),
        initial="running" if hub.publishing else "idle",
    )


def build_realtime(runtime: Runtime, config: RealtimeConfig) -> Realtime:
    """The realtime services over ``runtime``'s catalog and hub (boundaries loaded)."""
    bus = EventBus(maxsize=config.client_queue)
    cycles = CycleLog(config.cycle_history, bus)
    risk = RiskStore(runtime.catalog)
    boundaries = [msgspec.convert(doc, Boundary) for doc in risk.list_boundaries()]
    notifications = NotificationLog(config.notification_history, bus)
    return Realtime(
        config=config,
        runtime=runtime,
        bus=bus,
        cycles=cycles,
        risk=risk,
        evaluator=BoundaryEvaluator(boundaries),
        notifications=notifications,
        control=_control(runtime, cycles, notifications),
        replay=Replayer(
            runtime.hub,
            lambda source_id: load_frames(
                source_id, runtime.sessions.store, runtime.recorder, runtime.settings.data_dir
            ),
            publishing=lambda: runtime.hub.publishing,
            ring_capacity=runtime.settings.ring_capacity,
        ),
        spectators=SpectatorTokens(runtime.catalog),
    )


@contextlib.asynccontextmanager
async def realtime_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Builds the realtime services once the runtime is up; closes their streams on shutdown.

    Runs after :func:`paddock.api.runtime.runtime_lifespan` (it needs ``app.state.runtime``).
    """
    runtime: Runtime = app.state.runtime
    config = dataclasses.replace(
        RealtimeConfig.from_env(), sse_heartbeat_s=runtime.settings.sse_heartbeat_s
    )
    realtime = build_realtime(runtime, config)
    runtime.hub.add_sink(realtime.on_batch)
    app.state.realtime = realtime
    paddock_log = logging.getLogger("paddock")
    paddock_log.addHandler(realtime.logs)
    try:
        yield
    finally:
        paddock_log.removeHandler(realtime.logs)
        await realtime.replay.close()
        realtime.closing.set()
        realtime.bus.close_all()


def provide_realtime(state: State) -> Realtime:
    """The running server's :class:`Realtime`."""
    realtime: Realtime = state.realtime
    return realtime
