"""Settings of the realtime services, from ``PADDOCK_*`` environment variables.

Intervals are settings rather than constants so tests and slow links can change them:

- ``PADDOCK_WS_PING_S`` (30): keepalive ``{"type": "ping"}`` on ``/ws/telemetry``.
- ``sse_heartbeat_s`` (15): comment lines on the SSE streams while nothing else is sent; from
  :class:`paddock.config.Settings` (``--sse-heartbeat-s``, ``PADDOCK_SSE_HEARTBEAT_S``).
- ``PADDOCK_CYCLE_HISTORY`` (1000): cycle events kept in memory for ``/api/telemetry/history``.
- ``PADDOCK_CYCLE_REPLAY`` (50): cycle events replayed to a ``/ws/telemetry`` client on connect.
- ``PADDOCK_CLIENT_QUEUE`` (256): messages a slow stream client may have queued before its
  oldest are dropped (it is told how many).
- ``PADDOCK_NOTIFICATION_HISTORY`` (500): notifications kept for ``Last-Event-ID`` resume.
- ``PADDOCK_WS_MAX_CONNECTIONS`` (10): concurrent connections of the ``/ws`` command plane.
- ``PADDOCK_LIVE_RATE_HZ`` (20): record batches per second on ``/ws/live`` unless the client asks
  for another rate.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from paddock.config import ConfigError


@dataclass(frozen=True, slots=True)
class RealtimeConfig:
    """Intervals and bounds of the realtime streams (see the module docstring)."""

    ws_ping_s: float = 30.0
    sse_heartbeat_s: float = 15.0
    cycle_history: int = 1000
    cycle_replay: int = 50
    client_queue: int = 256
    notification_history: int = 500
    live_rate_hz: float = 20.0
    ws_max_connections: int = 10

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RealtimeConfig:
        """Reads the ``PADDOCK_*`` variables of the module docstring from ``env``.

        Raises:
            ConfigError: A variable holds a value that is not a positive number.
        """
        env = os.environ if env is None else env
        floats = {
            "ws_ping_s": "PADDOCK_WS_PING_S",
            "live_rate_hz": "PADDOCK_LIVE_RATE_HZ",
        }
        ints = {
            "cycle_history": "PADDOCK_CYCLE_HISTORY",
            "cycle_replay": "PADDOCK_CYCLE_REPLAY",
            "client_queue": "PADDOCK_CLIENT_QUEUE",
            "notification_history": "PADDOCK_NOTIFICATION_HISTORY",
            "ws_max_connections": "PADDOCK_WS_MAX_CONNECTIONS",
        }
        values: dict[str, float | int] = {}
        for name, key in [*floats.items(), *ints.items()]:
            raw = env.get(key, "").strip()
            if not raw:
                continue
            try:
                value: float | int = float(raw) if name in floats else int(raw)
            except ValueError:
                raise ConfigError(f"{key}: cannot use {raw!r} as {name}") from None
            if value <= 0:
                raise ConfigError(f"{key} must be positive, got {raw}")
            values[name] = value
        return cls(**values)  # type: ignore[arg-type]
