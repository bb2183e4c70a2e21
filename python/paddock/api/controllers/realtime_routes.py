"""Every route handler of the realtime services: cycles, boundaries, risk log, control, streams."""

from litestar.types import ControllerRouterHandler

from paddock.api.controllers.control import ControlController
from paddock.api.controllers.cycles import CyclesController
from paddock.api.controllers.replay import ReplayController
from paddock.api.controllers.risk import BoundariesController, RiskLogController
from paddock.api.controllers.spectators import SpectatorController
from paddock.api.controllers.v1 import V1Controller
from paddock.api.streams.sse_realtime import RealtimeStreamController
from paddock.api.streams.ws_commands import command_plane
from paddock.api.streams.ws_live import live_socket
from paddock.api.streams.ws_telemetry import telemetry_socket

REALTIME_ROUTES: list[ControllerRouterHandler] = [
    CyclesController,
    BoundariesController,
    RiskLogController,
    ControlController,
    telemetry_socket,
    RealtimeStreamController,
    live_socket,
    V1Controller,
    command_plane,
    SpectatorController,
    ReplayController,
]
