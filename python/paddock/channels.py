"""The channel registry: every channel paddock emits, with unit, range and description."""

from __future__ import annotations

from functools import cache

import msgspec

from paddock._native import channel_registry


class ChannelInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One registered channel."""

    name: str
    unit: str
    min: float | None
    max: float | None
    description: str
    dtype: str


@cache
def registry() -> tuple[ChannelInfo, ...]:
    """Every registered channel, canonical ones first, then the protocols' namespaced ones."""
    return tuple(ChannelInfo(**c) for c in channel_registry())


def lookup(name: str) -> ChannelInfo | None:
    """The registered channel called ``name``, if any."""
    return next((c for c in registry() if c.name == name), None)
