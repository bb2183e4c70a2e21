"""Dependency providers: handlers ask for ``runtime`` and get the server's live objects."""

from __future__ import annotations

from litestar.datastructures import State

from paddock.api.runtime import Runtime


def provide_runtime(state: State) -> Runtime:
    """The running server's :class:`Runtime`."""
    runtime: Runtime = state.runtime
    return runtime
