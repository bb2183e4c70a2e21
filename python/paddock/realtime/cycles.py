"""DAM cycle events: the body robots post, the in-memory history ring and the live fan-out.

A cycle event is stored and sent exactly as the seed shapes it (``"type": "cycle"``, latencies,
guard statuses, the optional ``perf`` block). A posted event may carry ``camera_frames`` (camera
name → base64 JPEG); those are not part of the event: each goes to ``/ws/telemetry`` clients as a
binary message right after its event, with the header ``0x01``, the name's length in one byte,
the UTF-8 name, then the JPEG bytes.
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections import deque
from typing import Literal

import msgspec

from paddock.events import EventBus, EventSubscription
from paddock.exceptions import InvalidArgument

RiskLevel = Literal["NORMAL", "ELEVATED", "CRITICAL", "EMERGENCY"]
Outcome = Literal["reject", "clamp", "pass"]

FRAME_MAGIC = 0x01
TOPIC = "cycles"


class LatencyMs(msgspec.Struct, kw_only=True):
    """Stage latencies of one cycle, in milliseconds (each optional)."""

    obs: float | msgspec.UnsetType = msgspec.UNSET
    policy: float | msgspec.UnsetType = msgspec.UNSET
    validate: float | msgspec.UnsetType = msgspec.UNSET
    sink: float | msgspec.UnsetType = msgspec.UNSET
    total: float | msgspec.UnsetType = msgspec.UNSET


class GuardStatus(msgspec.Struct, kw_only=True):
    """One guard's decision in a cycle."""

    name: str
    layer: str = ""
    decision: str = "PASS"
    reason: str = ""


class Perf(msgspec.Struct, kw_only=True):
    """The optional timing breakdown (present when the robot measures it)."""

    stages: dict[str, float] = msgspec.field(default_factory=dict)
    layers: dict[str, float] = msgspec.field(default_factory=dict)
    guards: dict[str, float] = msgspec.field(default_factory=dict)
    deadline_ms: float | None = None
    slack_ms: float | None = None


class CycleEvent(msgspec.Struct, kw_only=True):
    """One control cycle as sent to clients (the seed's event shape)."""

    cycle_id: int
    type: Literal["cycle"] = "cycle"
    trace_id: str | None = None
    was_rejected: bool = False
    was_clamped: bool = False
    risk_level: RiskLevel = "NORMAL"
    fallback_triggered: str | None = None
    latency_ms: LatencyMs = msgspec.field(default_factory=LatencyMs)
    guard_statuses: list[GuardStatus] = msgspec.field(default_factory=list)
    active_task: str | None = None
    active_boundaries: list[str] = msgspec.field(default_factory=list)
    active_cameras: list[str] = msgspec.field(default_factory=list)
    timestamp: float | None = None
    perf: Perf | msgspec.UnsetType = msgspec.UNSET


class CycleIn(CycleEvent, kw_only=True):
    """A posted cycle event: the event, plus camera frames as base64 JPEG by camera name."""

    camera_frames: dict[str, str] = msgspec.field(default_factory=dict)


def outcome(event: CycleEvent) -> Outcome:
    """The canonical outcome: ``reject`` beats ``clamp`` beats ``pass``."""
    if event.was_rejected:
        return "reject"
    if event.was_clamped:
        return "clamp"
    return "pass"


def is_notable(event: CycleEvent) -> bool:
    """True when the cycle belongs in the risk log.

    That is when it was rejected or clamped, ran above ``NORMAL`` risk, fell back, or a guard
    decided anything but ``PASS``.
    """
    return (
        event.was_rejected
        or event.was_clamped
        or event.risk_level != "NORMAL"
        or event.fallback_triggered is not None
        or any(g.decision.upper() != "PASS" for g in event.guard_statuses)
    )


def camera_frame(name: str, jpeg: bytes) -> bytes:
    """The binary message of one camera frame: magic, name length, name, JPEG bytes.

    Raises:
        InvalidArgument: The name is empty or longer than 255 bytes in UTF-8.
    """
    encoded = name.encode()
    if not 0 < len(encoded) <= 255:
        raise InvalidArgument(
            f"camera_frames: camera name must be 1..255 bytes of UTF-8, got {len(encoded)}"
        )
    return bytes((FRAME_MAGIC, len(encoded))) + encoded + jpeg


def split_posted(posted: CycleIn) -> tuple[CycleEvent, list[bytes]]:
    """The event to store and send, and its camera frames as binary messages.

    A missing ``timestamp`` becomes the time of arrival.

    Raises:
        InvalidArgument: A camera frame is not valid base64 or its name does not fit the header.
    """
    frames = []
    for name, data in posted.camera_frames.items():
        try:
            jpeg = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidArgument(f"camera_frames.{name}: not valid base64") from None
        frames.append(camera_frame(name, jpeg))
    fields = {f: getattr(posted, f) for f in CycleEvent.__struct_fields__}
    event = CycleEvent(**fields)
    if event.timestamp is None:
        event.timestamp = time.time()
    return event, frames


class CycleLog:
    """The newest cycle events in memory and their fan-out to live clients.

    Args:
        capacity: Events kept for ``history`` (the oldest drop first).
        bus: The event bus clients subscribe to (topic ``cycles``).
    """

    def __init__(self, capacity: int, bus: EventBus) -> None:
        self._ring: deque[bytes] = deque(maxlen=capacity)
        self._bus = bus
        self._lock = threading.Lock()
        self.total = 0

    def publish(self, event: CycleEvent, frames: list[bytes]) -> bytes:
        """Keeps ``event`` in the ring and sends it, then its frames, to every client."""
        encoded = msgspec.json.encode(event)
        with self._lock:
            self._ring.append(encoded)
            self.total += 1
            self._bus.publish(TOPIC, encoded)
            for frame in frames:
                self._bus.publish(TOPIC, frame)
        return encoded

    def history(self, n: int) -> list[bytes]:
        """The newest ``n`` encoded events, oldest first."""
        with self._lock:
            items = list(self._ring)
        return items[-n:] if n < len(items) else items

    def connect(self, replay: int) -> tuple[list[bytes], EventSubscription]:
        """The newest ``replay`` events and a subscription to every later one, with no gap."""
        with self._lock:
            items = list(self._ring)[-replay:]
            return items, self._bus.subscribe(TOPIC)
