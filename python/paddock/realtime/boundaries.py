"""Boundaries: limit configs evaluated live against any channel of any feed.

A boundary watches one channel (of one feed, or of every feed that has it) for a minimum, a
maximum and a rate of change (units per second). Evaluation is vectorised over each batch the hub
publishes; only the moment a channel *enters* violation is logged (one risk event per crossing),
so a channel that stays out of bounds does not flood the risk log.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import msgspec
import polars as pl

from paddock.exceptions import InvalidArgument
from paddock.realtime.cycles import RiskLevel

BOUNDARY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: Crossings logged per boundary and batch at most (a noisy channel cannot flood the log).
MAX_EVENTS_PER_BATCH = 20


class Boundary(msgspec.Struct, kw_only=True):
    """A limit config.

    Attributes:
        name: Unique name (letters, digits, ``_``, ``.``, ``-``; at most 64).
        channel: The channel watched, e.g. ``water_temp_c``.
        feed: The feed watched; ``None`` watches every feed with that channel.
        min: Lowest allowed value.
        max: Highest allowed value.
        max_rate: Largest allowed change per second, either direction.
        risk_level: The risk level of a violation.
        description: Free text.
        enabled: Disabled boundaries are kept but not evaluated.
    """

    name: str
    channel: str
    feed: str | None = None
    min: float | None = None
    max: float | None = None
    max_rate: float | None = None
    risk_level: RiskLevel = "ELEVATED"
    description: str | None = None
    enabled: bool = True


def validate_boundary(boundary: Boundary) -> Boundary:
    """Returns ``boundary`` if it can be evaluated.

    Raises:
        InvalidArgument: A bad name, no limit at all, ``min`` above ``max``, or a rate that is
            not positive.
    """
    if not BOUNDARY_NAME.fullmatch(boundary.name):
        raise InvalidArgument(
            f"name: {boundary.name!r} must be 1..64 letters, digits, '_', '.' or '-'"
        )
    if not boundary.channel.strip():
        raise InvalidArgument("channel: must not be empty")
    if boundary.min is None and boundary.max is None and boundary.max_rate is None:
        raise InvalidArgument("a boundary needs at least one of min, max or max_rate")
    if boundary.min is not None and boundary.max is not None and boundary.min > boundary.max:
        raise InvalidArgument(f"min ({boundary.min}) must not exceed max ({boundary.max})")
    if boundary.max_rate is not None and boundary.max_rate <= 0:
        raise InvalidArgument(f"max_rate must be positive, got {boundary.max_rate}")
    return boundary


@dataclass(slots=True)
class _Track:
    """What evaluation remembers of one (boundary, feed) between batches."""

    violating: bool = False
    last_value: float | None = None
    last_ts_ns: int | None = None


class BoundaryEvaluator:
    """Holds the enabled boundaries and the per-feed state of each; produces risk events."""

    def __init__(self, boundaries: list[Boundary] | None = None) -> None:
        self._boundaries: dict[str, Boundary] = {}
        self._tracks: dict[tuple[str, str], _Track] = {}
        for boundary in boundaries or []:
            self.put(boundary)

    def put(self, boundary: Boundary) -> None:
        """Adds or replaces a boundary (its state starts afresh)."""
        self._boundaries[boundary.name] = boundary
        self._tracks = {k: v for k, v in self._tracks.items() if k[0] != boundary.name}

    def remove(self, name: str) -> None:
        """Forgets a boundary."""
        self._boundaries.pop(name, None)
        self._tracks = {k: v for k, v in self._tracks.items() if k[0] != name}

    def channels(self, feed: str) -> list[str]:
        """The channels the enabled boundaries watch on ``feed`` (what :meth:`evaluate` reads)."""
        return list(
            dict.fromkeys(
                b.channel
                for b in self._boundaries.values()
                if b.enabled and (b.feed is None or b.feed == feed)
            )
        )

    def evaluate(self, feed: str, frames: pl.DataFrame) -> list[dict[str, Any]]:
        """Risk events for the crossings in one feed's batch of frames (``ts_ns`` + channels)."""
        if frames.is_empty() or "ts_ns" not in frames.columns:
            return []
        events: list[dict[str, Any]] = []
        for boundary in list(self._boundaries.values()):
            if not boundary.enabled or boundary.channel not in frames.columns:
                continue
            if boundary.feed is not None and boundary.feed != feed:
                continue
            track = self._tracks.setdefault((boundary.name, feed), _Track())
            events.extend(_crossings(boundary, feed, frames, track))
        return events


def _crossings(
    boundary: Boundary, feed: str, frames: pl.DataFrame, track: _Track
) -> list[dict[str, Any]]:
    try:
        values = frames[boundary.channel].cast(pl.Float64)
    except pl.exceptions.InvalidOperationError:
        return []
    ts = frames["ts_ns"].cast(pl.Int64)
    df = pl.DataFrame({"ts": ts, "v": values}).drop_nulls().filter(pl.col("v").is_finite())
    if df.is_empty():
        return []
    low = pl.lit(False) if boundary.min is None else pl.col("v") < boundary.min
    high = pl.lit(False) if boundary.max is None else pl.col("v") > boundary.max
    prev_v = pl.col("v").shift(1, fill_value=track.last_value)
    prev_t = pl.col("ts").shift(1, fill_value=track.last_ts_ns)
    dt_s = (pl.col("ts") - prev_t).cast(pl.Float64) / 1e9
    # Rows with no earlier row or no time between them have no rate.
    rate = pl.when(dt_s > 0).then((pl.col("v") - prev_v) / dt_s)
    fast = (
        pl.lit(False)
        if boundary.max_rate is None
        else (rate.abs() > boundary.max_rate).fill_null(False)
    )
    checked = df.with_columns(low=low, high=high, rate=rate, fast=fast).with_columns(
        bad=pl.col("low") | pl.col("high") | pl.col("fast")
    )
    crossings = checked.filter(
        pl.col("bad") & ~pl.col("bad").shift(1, fill_value=track.violating)
    ).head(MAX_EVENTS_PER_BATCH)
    last = checked.row(-1, named=True)
    track.violating = bool(last["bad"])
    track.last_value = float(last["v"])
    track.last_ts_ns = int(last["ts"])
    events = []
    for row in crossings.iter_rows(named=True):
        if row["low"]:
            kind, limit = "min", boundary.min
        elif row["high"]:
            kind, limit = "max", boundary.max
        else:
            kind, limit = "rate", boundary.max_rate
        value = row["rate"] if kind == "rate" else row["v"]
        events.append(
            {
                "source": "boundary",
                "timestamp": row["ts"] / 1e9,
                "logged_at": time.time(),
                "risk_level": boundary.risk_level,
                "outcome": "pass",
                "failure_type": kind,
                "boundary": boundary.name,
                "feed": feed,
                "channel": boundary.channel,
                "value": value,
                "limit": limit,
                "reason": f"{boundary.channel} {_describe(kind, value, limit)}",
            }
        )
    return events


def _describe(kind: str, value: float, limit: float | None) -> str:
    if kind == "min":
        return f"{value:g} below min {limit:g}"
    if kind == "max":
        return f"{value:g} above max {limit:g}"
    return f"changing at {value:g}/s, beyond max_rate {limit:g}/s"
