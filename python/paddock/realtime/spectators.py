"""Spectator tokens: time-limited, read-only access to the live streams for remote viewers.

When the server requires an API token, a spectator token (``?spectator_token=…``, or as the
Bearer token) opens the read-only live views listed in :data:`SPECTATOR_PATHS` and nothing else.
Tokens live in memory: a restart revokes them all. An expired or revoked token is refused (401).
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from paddock.exceptions import InvalidArgument, NotFound

#: GET paths a spectator token opens.
SPECTATOR_PATHS = frozenset(
    {
        "/api/stream/telemetry",
        "/telemetry/stream",
        "/cues/stream",
        "/notifications",
        "/api/live",
        "/api/telemetry/history",
    }
)
MAX_TTL_S = 7 * 24 * 3600.0


class SpectatorTokens:
    """Mints, checks and revokes spectator tokens."""

    def __init__(self) -> None:
        self._tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def mint(self, ttl_s: float, label: str | None = None) -> dict[str, Any]:
        """A new token valid for ``ttl_s`` seconds.

        Raises:
            InvalidArgument: ``ttl_s`` is not in (0, 7 days].
        """
        if not 0 < ttl_s <= MAX_TTL_S:
            raise InvalidArgument(f"ttl_s must be in (0, {MAX_TTL_S:g}], got {ttl_s:g}")
        token = secrets.token_urlsafe(24)
        now = time.time()
        record = {
            "token": token,
            "label": label,
            "created_at": now,
            "expires_at": now + ttl_s,
            "ttl_s": ttl_s,
            "paths": sorted(SPECTATOR_PATHS),
        }
        with self._lock:
            self._prune(now)
            self._tokens[token] = record
        return dict(record)

    def revoke(self, token: str) -> None:
        """Revokes ``token`` at once.

        Raises:
            NotFound: No live token is ``token``.
        """
        with self._lock:
            self._prune(time.time())
            if self._tokens.pop(token, None) is None:
                raise NotFound("spectator token not found (expired or revoked)")

    def valid(self, token: str) -> bool:
        """True while ``token`` is neither expired nor revoked."""
        with self._lock:
            record = self._tokens.get(token)
            return record is not None and record["expires_at"] > time.time()

    def _prune(self, now: float) -> None:
        for token in [t for t, r in self._tokens.items() if r["expires_at"] <= now]:
            del self._tokens[token]


def spectator_allowed(method: str, path: str, token: str | None, tokens: Any) -> bool:
    """True when ``token`` is a live spectator token and the request is a read of a live view."""
    if not token or method != "GET" or path not in SPECTATOR_PATHS:
        return False
    return isinstance(tokens, SpectatorTokens) and tokens.valid(token)
