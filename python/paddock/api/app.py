"""``create_app(settings)``: the Litestar application with its routers, lifespan and handlers."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any

from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.response import Redirect

from paddock._native import __version__
from paddock.api.controllers.analysis import ANALYSIS_ROUTES
from paddock.api.controllers.coaching import CoachingController
from paddock.api.controllers.live import LiveController
from paddock.api.controllers.mcap_sessions import McapSessionsController
from paddock.api.controllers.progress import PROGRESS_ROUTES
from paddock.api.controllers.realtime_routes import REALTIME_ROUTES
from paddock.api.controllers.recording_control import RecordingControlController
from paddock.api.controllers.recordings import RecordingsController
from paddock.api.controllers.session_routes import SESSION_ROUTES
from paddock.api.controllers.tracks import TRACK_ROUTES
from paddock.api.deps import provide_runtime
from paddock.api.errors import EXCEPTION_HANDLERS
from paddock.api.runtime import runtime_lifespan
from paddock.api.streams.sse import StreamController
from paddock.api.streams.ws_auth import ws_token_guard
from paddock.api.webapp import WEB_ROUTER, page_navigation_middleware
from paddock.config import Settings
from paddock.realtime.spectators import spectator_allowed
from paddock.realtime.state import realtime_lifespan

log = logging.getLogger(__name__)


@get("/docs", include_in_schema=False, sync_to_thread=False)
def docs() -> Redirect:
    """The interactive API documentation."""
    return Redirect("/schema/swagger")


def _token_guard(token: str) -> Callable[[Request[Any, Any, Any]], None]:
    def before_request(request: Request[Any, Any, Any]) -> None:
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value, token):
            spectator = request.query_params.get("spectator_token") or value
            tokens = getattr(request.app.state.get("realtime"), "spectators", None)
            if spectator_allowed(request.method, request.url.path, spectator, tokens):
                return
            raise NotAuthorizedException(
                detail="missing or wrong API token (Authorization: Bearer)"
            )

    return before_request


def create_app(settings: Settings | None = None) -> Litestar:
    """The paddock API for ``settings`` (default: from the environment).

    Feeds, hub, recorder and simulator start in the app's lifespan, so constructing the app has no
    side effects.
    """
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level.upper())
    return Litestar(
        route_handlers=[
            LiveController,
            RecordingsController,
            StreamController,
            docs,
            WEB_ROUTER,
            *SESSION_ROUTES,
            RecordingControlController,
            McapSessionsController,
            *ANALYSIS_ROUTES,
            *PROGRESS_ROUTES,
            CoachingController,
            *TRACK_ROUTES,
            *REALTIME_ROUTES,
        ],
        dependencies={"runtime": Provide(provide_runtime, sync_to_thread=False)},
        lifespan=[runtime_lifespan, realtime_lifespan],
        state=State({"settings": settings}),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        before_request=_token_guard(settings.api_token) if settings.api_token else None,
        guards=[ws_token_guard],
        middleware=[page_navigation_middleware],
        openapi_config=OpenAPIConfig(
            title="paddock",
            version=__version__,
            description="Live, recorded and analysed telemetry.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
    )


def app_from_env() -> Litestar:
    """Factory for ASGI servers: settings from ``PADDOCK_*`` variables."""
    return create_app(Settings.from_env())
