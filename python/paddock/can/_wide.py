"""Decoded CAN messages as wide rows: one row per decoded frame, every signal a column.

A live feed and an imported log both turn ``{message: DataFrame}`` (what
:meth:`CanDecoder.decode` returns) into rows with a fixed set of columns, so a ring buffer, a
recording and a session see one schema from the first batch to the last. Columns are either
every signal of the DBC(s), named ``<message>.<signal>``, or — with a car config — the car's
canonical channels (``CarConfig.canonical``).

With DBC signals a row carries the values of the frame it comes from and nulls elsewhere, so
each signal keeps its own rate (what a session's capabilities report). A car's canonical channels
hold the last value seen (``CarConfig.canonical`` holds them within a batch, :class:`WideRows`
across batches), as a dash shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from paddock.can._decoder import CanDecoder
from paddock.channels import lookup

Mapper = Callable[[Mapping[str, pl.DataFrame]], pl.DataFrame]

_DTYPES: dict[str, pl.DataType] = {
    "int32": pl.Int32(),
    "int64": pl.Int64(),
    "float32": pl.Float32(),
    "float64": pl.Float64(),
    "bool": pl.Boolean(),
    "uint8": pl.UInt8(),
    "uint16": pl.UInt16(),
    "uint32": pl.UInt32(),
}


def signal_column(message: str, signal: str) -> str:
    """The column of a DBC signal: ``<message>.<signal>``."""
    return f"{message}.{signal}"


def dbc_columns(decoder: CanDecoder) -> dict[str, pl.DataType]:
    """A Float64 column per signal of the decoder's messages."""
    return {
        signal_column(m.name, s.name): pl.Float64()
        for m in decoder.messages.values()
        for s in m.signals
    }


def dbc_units(decoder: CanDecoder) -> dict[str, str | None]:
    """The unit of each column of :func:`dbc_columns` (None when the DBC gives none)."""
    return {
        signal_column(m.name, s.name): (s.unit or None)
        for m in decoder.messages.values()
        for s in m.signals
    }


def dbc_signals(decoder: CanDecoder) -> dict[str, dict[str, Any]]:
    """Per column of :func:`dbc_columns`: message, frame id, unit and the DBC's range."""
    return {
        signal_column(m.name, s.name): {
            "message": m.name,
            "frame_id": m.frame_id,
            "extended": m.extended,
            "unit": s.unit or None,
            "min": s.minimum,
            "max": s.maximum,
        }
        for m in decoder.messages.values()
        for s in m.signals
    }


def dbc_mapper(decoded: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per decoded frame, ``ts_ns`` plus the frame's signals as ``<message>.<signal>``."""
    parts = [
        frame.select(
            pl.col("ts_ns"),
            *[
                pl.col(c).cast(pl.Float64).alias(signal_column(name, c))
                for c in frame.columns
                if c != "ts_ns"
            ],
        )
        for name, frame in decoded.items()
        if frame.height
    ]
    if not parts:
        return pl.DataFrame(schema={"ts_ns": pl.Int64()})
    return pl.concat(parts, how="diagonal").sort("ts_ns", maintain_order=True)


def canonical_columns(names: list[str]) -> dict[str, pl.DataType]:
    """Canonical channel columns, typed as the channel registry types them (else Float64)."""
    out: dict[str, pl.DataType] = {}
    for name in names:
        info = lookup(name)
        out[name] = _DTYPES.get(info.dtype, pl.Float64()) if info is not None else pl.Float64()
    return out


class WideRows:
    """Turns decoded batches into wide rows of a fixed schema, holding values across batches.

    Args:
        columns: The signal columns (besides ``ts_ns``) and their types.
        mapper: ``{message: DataFrame}`` → ``ts_ns`` plus some of ``columns`` (missing columns
            are null, unknown ones dropped).
        hold: Fill nulls with the last value seen, across batches.
    """

    def __init__(self, columns: Mapping[str, pl.DataType], mapper: Mapper, *, hold: bool) -> None:
        self.schema: dict[str, pl.DataType] = {"ts_ns": pl.Int64(), **columns}
        self.hold = hold
        self._mapper = mapper
        self._last: pl.DataFrame | None = None

    def __call__(self, decoded: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
        """The rows of one decoded batch (empty when it decoded nothing)."""
        rows = self._mapper(decoded)
        if rows.height == 0:
            return pl.DataFrame(schema=self.schema)
        rows = rows.select(
            [
                pl.col(n).cast(t) if n in rows.columns else pl.lit(None, dtype=t).alias(n)
                for n, t in self.schema.items()
            ]
        )
        if not self.hold:
            return rows
        if self._last is not None:
            rows = pl.concat([self._last, rows]).fill_null(strategy="forward").slice(1)
        else:
            rows = rows.fill_null(strategy="forward")
        self._last = rows.tail(1)
        return rows

    def reset(self) -> None:
        """Forgets the held values (a new bus connection or a new file)."""
        self._last = None


def wide_rows_for(decoder: CanDecoder, car: Any = None) -> tuple[WideRows, dict[str, str | None]]:
    """The :class:`WideRows` for a DBC decoder or a car config, and the unit of each column.

    With ``car`` (a ``paddock.can.cars.CarConfig``): its canonical channels via
    ``car.canonical``; otherwise every signal of ``decoder``.
    """
    if car is None:
        return WideRows(dbc_columns(decoder), dbc_mapper, hold=False), dbc_units(decoder)
    names = list(dict.fromkeys(c.canonical or c.name for c in car.canonical_channels()))
    units: dict[str, str | None] = {}
    for name in names:
        info = lookup(name)
        units[name] = info.unit if info is not None else None
    return WideRows(canonical_columns(names), car.canonical, hold=True), units
