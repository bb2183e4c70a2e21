"""``POST /spectator/token`` and ``DELETE /spectator/token/{token}`` (Pitwall)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from paddock.api.controllers.cycles import REALTIME_DEPENDENCIES
from paddock.api.controllers.session_common import UNPROCESSABLE
from paddock.realtime.state import Realtime


class SpectatorRequest(msgspec.Struct, kw_only=True):
    """What a token is minted for: how long (default one hour) and a label for people."""

    ttl_s: float = 3600.0
    label: str | None = None


class SpectatorController(Controller):
    """Spectator tokens: time-limited, read-only access to the live streams."""

    path = "/spectator/token"
    tags = ["spectators"]
    dependencies = REALTIME_DEPENDENCIES
    exception_handlers = UNPROCESSABLE

    @post("/", status_code=HTTP_200_OK, sync_to_thread=False)
    def mint(
        self, realtime: NamedDependency[Realtime], data: JSONBody[SpectatorRequest | None] = None
    ) -> dict[str, Any]:
        """A new token with its ``label``, ``created_at``, ``expires_at``, ``ttl_s``, ``paths``."""
        request = data or SpectatorRequest()
        return realtime.spectators.mint(request.ttl_s, request.label)

    @delete("/{token:str}", status_code=HTTP_200_OK, sync_to_thread=False)
    def revoke(self, realtime: NamedDependency[Realtime], token: FromPath[str]) -> dict[str, Any]:
        """Revokes a token at once (404 if unknown, expired or already revoked)."""
        realtime.spectators.revoke(token)
        return {"revoked": True}
