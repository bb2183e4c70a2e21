"""Spectator tokens: time-limited, read-only access to the live streams for remote viewers.

When the server requires an API token, a spectator token (``?spectator_token=…``, or as the
Bearer token) opens the read-only live views listed in :data:`SPECTATOR_PATHS` and nothing else.
Tokens are kept in the catalog (only a SHA-256 of each, never the token itself), so they survive
a restart until they expire. An expired or revoked token is refused (401).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from typing import Any

from paddock.exceptions import InvalidArgument, NotFound
from paddock.store.catalog import Catalog

#: GET paths a spectator token opens.
SPECTATOR_PATHS = frozenset(
    {
        "/api/stream/telemetry",
        "/telemetry/stream",
        "/cues/stream",
        "/notifications",
        "/api/live",
        "/api/telemetry/history",
        "/session/replay/status",
        "/api/replay/status",
    }
)
MAX_TTL_S = 7 * 24 * 3600.0


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SpectatorTokens:
    """Mints, checks and revokes spectator tokens.

    Args:
        catalog: Where tokens are kept across restarts (none: in memory only).
    """

    def __init__(self, catalog: Catalog | None = None) -> None:
        self._catalog = catalog
        self._tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        if catalog is not None:
            now = time.time()
            with catalog.transaction() as db:
                db.execute("DELETE FROM spectator_tokens WHERE expires_at <= ?", (now,))
            for digest, doc in catalog.query("SELECT token_sha256, doc FROM spectator_tokens"):
                self._tokens[digest] = dict(json.loads(doc))

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
            "label": label,
            "created_at": now,
            "expires_at": now + ttl_s,
            "ttl_s": ttl_s,
            "paths": sorted(SPECTATOR_PATHS),
        }
        digest = _digest(token)
        with self._lock:
            self._prune(now)
            if self._catalog is not None:
                with self._catalog.transaction() as db:
                    db.execute(
                        "INSERT INTO spectator_tokens (token_sha256, expires_at, doc)"
                        " VALUES (?, ?, ?)",
                        (digest, record["expires_at"], json.dumps(record)),
                    )
            self._tokens[digest] = record
        return {"token": token, **record}

    def revoke(self, token: str) -> None:
        """Revokes ``token`` at once.

        Raises:
            NotFound: No live token is ``token``.
        """
        digest = _digest(token)
        with self._lock:
            self._prune(time.time())
            if self._tokens.pop(digest, None) is None:
                raise NotFound("spectator token not found (expired or revoked)")
            if self._catalog is not None:
                with self._catalog.transaction() as db:
                    db.execute("DELETE FROM spectator_tokens WHERE token_sha256 = ?", (digest,))

    def valid(self, token: str) -> bool:
        """True while ``token`` is neither expired nor revoked."""
        with self._lock:
            record = self._tokens.get(_digest(token))
            return record is not None and record["expires_at"] > time.time()

    def _prune(self, now: float) -> None:
        expired = [d for d, r in self._tokens.items() if r["expires_at"] <= now]
        for digest in expired:
            del self._tokens[digest]
        if expired and self._catalog is not None:
            with self._catalog.transaction() as db:
                db.execute("DELETE FROM spectator_tokens WHERE expires_at <= ?", (now,))


def spectator_allowed(method: str, path: str, token: str | None, tokens: Any) -> bool:
    """True when ``token`` is a live spectator token and the request is a read of a live view."""
    if not token or method != "GET" or path not in SPECTATOR_PATHS:
        return False
    return isinstance(tokens, SpectatorTokens) and tokens.valid(token)
