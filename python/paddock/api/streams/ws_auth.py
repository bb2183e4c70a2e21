"""The API token on WebSockets: the HTTP token check does not run for them, this guard does.

It is installed on the whole app, so it covers every WebSocket route; HTTP requests pass through
it untouched (the app's ``before_request`` check handles them).

When the server requires an API token, a WebSocket client gives it as ``Authorization: Bearer``
or, since browsers cannot set headers on a WebSocket, as ``?token=…``. A spectator token
(``?spectator_token=…``) opens the read-only streams ``/ws/telemetry`` and ``/ws/live``. A
client without a usable token is closed with code 4401 before the handshake completes.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import WebSocketException
from litestar.handlers.base import BaseRouteHandler

CLOSE_UNAUTHORIZED = 4401
SPECTATOR_SOCKETS = frozenset({"/ws/telemetry", "/ws/live"})


def ws_token_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Lets the connection through when no token is required or it carries a usable one.

    Raises:
        WebSocketException: Code 4401, the token is missing, wrong, expired or revoked.
    """
    if connection.scope["type"] != ScopeType.WEBSOCKET:
        return
    required: str | None = connection.app.state.settings.api_token
    if not required:
        return
    scheme, _, bearer = connection.headers.get("authorization", "").partition(" ")
    given = bearer if scheme.lower() == "bearer" else connection.query_params.get("token", "")
    if given and hmac.compare_digest(given, required):
        return
    spectator = connection.query_params.get("spectator_token") or given
    tokens = getattr(connection.app.state.get("realtime"), "spectators", None)
    if (
        spectator
        and connection.url.path in SPECTATOR_SOCKETS
        and tokens is not None
        and tokens.valid(spectator)
    ):
        return
    raise WebSocketException(
        detail="missing or wrong API token (Authorization: Bearer or ?token=)",
        code=CLOSE_UNAUTHORIZED,
    )
