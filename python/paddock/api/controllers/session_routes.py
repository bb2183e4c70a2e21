"""Every route handler of sessions, runs, notes, telemetry channels, STT tasks and their events."""

from litestar.types import ControllerRouterHandler

from paddock.api.aliases.pitwall_sessions import pitwall_sessions_router
from paddock.api.aliases.pitwall_transfer import pitwall_transfer_router
from paddock.api.controllers.channels import ChannelsController
from paddock.api.controllers.notes import NotesController
from paddock.api.controllers.sessions import SessionsController
from paddock.api.controllers.stt import SttController
from paddock.api.controllers.transfer import TransferController
from paddock.api.streams.ws import session_events

SESSION_ROUTES: list[ControllerRouterHandler] = [
    SessionsController,
    NotesController,
    ChannelsController,
    SttController,
    TransferController,
    session_events,
    pitwall_sessions_router,
    pitwall_transfer_router,
]
