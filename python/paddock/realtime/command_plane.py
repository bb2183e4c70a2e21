"""FootballVision's status and command plane (protocol ``v = 1``) over paddock's pipeline.

The broadcast channels' payloads (``status``, ``pipeline_state``, ``system_metrics``,
``telemetry``) are the bodies of the matching ``/api/v1`` routes; commands map onto recordings,
runtime control and the log tails. Command ids are remembered (200 ids for 60 s) so a client that
repeats one gets the first result instead of running it twice.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from paddock.api.frames import last_row
from paddock.exceptions import InvalidArgument
from paddock.realtime.system import LOG_TYPES, host_metrics
from paddock.store.recordings import RecordingRequest

if TYPE_CHECKING:
    from paddock.realtime.state import Realtime

PROTOCOL_VERSION = 1
#: Broadcast channels and their default intervals in seconds.
CHANNELS: dict[str, float] = {
    "status": 1.0,
    "pipeline_state": 2.0,
    "system_metrics": 3.0,
    "telemetry": 0.2,
}
ACTIONS = (
    "start_recording",
    "stop_recording",
    "start_preview",
    "stop_preview",
    "start_feeds",
    "stop_feeds",
    "get_recordings",
    "get_logs",
)
#: Error codes sent as ``{"v": 1, "type": "error", "code": …, "message": …}``.
ERROR_CODES = (
    "invalid_json",
    "invalid_message",
    "invalid_version",
    "unknown_type",
    "unknown_channel",
    "invalid_command",
    "unknown_action",
    "too_many_connections",
)


class CommandCache:
    """The results of recent command ids: ``None`` while running, then the result message."""

    def __init__(self, size: int = 200, ttl_s: float = 60.0) -> None:
        self.size = size
        self.ttl_s = ttl_s
        self._items: OrderedDict[str, tuple[float, dict[str, Any] | None]] = OrderedDict()

    def _expire(self, now: float) -> None:
        while self._items:
            key, (stamp, _) = next(iter(self._items.items()))
            if now - stamp <= self.ttl_s and len(self._items) <= self.size:
                break
            del self._items[key]

    def lookup(self, command_id: str) -> tuple[bool, dict[str, Any] | None]:
        """``(seen, result)``: whether the id is known and, if finished, its result."""
        self._expire(time.monotonic())
        if command_id not in self._items:
            return False, None
        return True, self._items[command_id][1]

    def begin(self, command_id: str) -> None:
        """Marks ``command_id`` as running."""
        self._items[command_id] = (time.monotonic(), None)
        self._expire(time.monotonic())

    def finish(self, command_id: str, result: dict[str, Any]) -> None:
        """Keeps the result of ``command_id`` (from when it started)."""
        stamp = self._items.get(command_id, (time.monotonic(), None))[0]
        self._items[command_id] = (stamp, result)


def error(code: str, message: str) -> dict[str, Any]:
    """An error message of the protocol."""
    return {"v": PROTOCOL_VERSION, "type": "error", "code": code, "message": message}


def status(realtime: Realtime) -> dict[str, Any]:
    """``/api/v1/status``: recording and preview (live feeds) in the seed's shape."""
    runtime = realtime.runtime
    active = runtime.recorder.active
    snapshot = active.snapshot() if active is not None else None
    feeds = runtime.hub.statuses()
    publishing = runtime.hub.publishing
    cpu = realtime.last_cpu_percent
    return {
        "recording": {
            "recording": active is not None,
            "match_id": snapshot["id"] if snapshot else None,
            "duration": snapshot["duration_s"] if snapshot else 0.0,
            "cameras": {f["name"]: f for f in snapshot["feeds"]} if snapshot else {},
            "degraded": any(s.state == "unavailable" for s in feeds),
            "degraded_cameras": {s.name: s.reason for s in feeds if s.state == "unavailable"},
            "camera_recovery": {},
            "overload_guard": {
                "active": False,
                "unhealthy_streak": 0,
                "cpu_percent": cpu,
                "reasons": [],
            },
        },
        "preview": {
            "preview_active": publishing,
            "transport_mode": "websocket",
            "webrtc_supported": False,
            "ice_servers": [],
            "cameras": {
                s.name: {
                    "active": s.state in ("receiving", "listening", "handshaking", "stale"),
                    "state": s.state,
                    "uptime": round(time.monotonic() - runtime.started_monotonic, 3),
                    "hls_url": None,
                    "transport": "websocket",
                    "stream_kind": s.protocol,
                }
                for s in feeds
            },
        },
    }


def pipeline_state(realtime: Realtime) -> dict[str, Any]:
    """``/api/v1/pipeline-state``: who holds the pipeline (a recording, live preview, nobody)."""
    runtime = realtime.runtime
    active = runtime.recorder.active
    if active is not None:
        manifest = active.snapshot()
        mode, holder, lock_time = "recording", manifest["id"], manifest["started_ns"] / 1e9
    elif runtime.hub.publishing:
        mode, holder, lock_time = "preview", None, None
    else:
        mode, holder, lock_time = "idle", None, None
    return {
        "mode": mode,
        "holder": holder,
        "lock_time": lock_time,
        "can_preview": True,
        "can_record": active is None,
        "control_state": realtime.control.state,
    }


def system_metrics(realtime: Realtime) -> dict[str, Any]:
    """``/api/v1/system-metrics``: host metrics, feed rates and client counts."""
    runtime = realtime.runtime
    metrics = host_metrics(realtime.cpu, runtime.settings.data_dir)
    realtime.last_cpu_percent = metrics["cpu_percent"]
    return {
        **metrics,
        "uptime_s": round(time.monotonic() - runtime.started_monotonic, 3),
        "feeds": {
            s.name: {
                "state": s.state,
                "rate_hz": round(s.rate_hz, 2),
                "packets": s.packets,
                "drops": s.drops,
            }
            for s in runtime.hub.statuses()
        },
        "stream_subscribers": runtime.hub.subscriber_count,
        "ws_connections": realtime.ws_connections,
        "cycles_total": realtime.cycles.total,
    }


def telemetry(realtime: Realtime) -> dict[str, Any]:
    """The newest frame of every feed that has one."""
    out: dict[str, Any] = {}
    for name, feed in realtime.runtime.hub.feeds.items():
        if feed.status().ring_rows:
            out[name] = last_row(feed.latest())
    return out


BROADCASTS = {
    "status": status,
    "pipeline_state": pipeline_state,
    "system_metrics": system_metrics,
    "telemetry": telemetry,
}


async def run_command(realtime: Realtime, action: str, params: dict[str, Any]) -> dict[str, Any]:
    """Performs one command; returns its ``data`` (``success`` and ``message`` at least).

    Raises:
        PaddockError: The command could not be carried out (the message says why).
    """
    runtime = realtime.runtime
    if action == "start_recording":
        name = params.get("match_id") or params.get("name")
        if params.get("force") and runtime.recorder.active is not None:
            await asyncio.to_thread(runtime.recorder.stop)
        manifest = await asyncio.to_thread(
            runtime.recorder.start, RecordingRequest(name=str(name) if name else None)
        )
        return {
            "success": True,
            "message": f"Recording started: {manifest['name']}",
            "match_id": manifest["id"],
        }
    if action == "stop_recording":
        manifest = await asyncio.to_thread(runtime.recorder.stop)
        return {"success": True, "message": "Recording stopped successfully", "recording": manifest}
    if action in ("start_preview", "start_feeds"):
        if realtime.control.state == "running":
            return {"success": True, "message": "feeds already running"}
        if realtime.control.state == "paused":
            await realtime.control.apply("resume")
        else:
            await realtime.control.apply("start")
        return {"success": True, "message": "feeds started"}
    if action in ("stop_preview", "stop_feeds"):
        await realtime.control.apply("stop")
        return {"success": True, "message": "feeds stopped"}
    if action == "get_recordings":
        recordings = await asyncio.to_thread(runtime.recorder.list)
        return {"success": True, "recordings": recordings}
    if action == "get_logs":
        log_type = str(params.get("log_type", "health"))
        if log_type not in LOG_TYPES:
            raise InvalidArgument(f"log_type must be one of {', '.join(LOG_TYPES)}")
        lines = params.get("lines", 100)
        if not isinstance(lines, int) or not 1 <= lines <= 10_000:
            raise InvalidArgument("lines must be an integer in 1..10000")
        return {"success": True, "log_type": log_type, "lines": realtime.logs.tail(log_type, lines)}
    raise InvalidArgument(f"unknown action {action!r}")


def encode(message: dict[str, Any]) -> str:
    """A protocol message as JSON text."""
    return json.dumps(message, default=str)
