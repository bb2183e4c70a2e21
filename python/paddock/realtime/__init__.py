"""Realtime services: DAM cycle events, boundaries and the risk log, runtime control.

The API mounts them in :mod:`paddock.api.controllers.realtime_routes`; the live objects are
built by :func:`paddock.realtime.state.realtime_lifespan` beside the hub.
"""
