"""Turning frame batches into JSON without a Python loop over rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from paddock._native import Batch


def frame_frame(batch: Batch, channels: Sequence[str] | None = None) -> pl.DataFrame:
    """A polars frame over ``batch`` (zero-copy).

    With ``channels``, only ``ts_ns``, ``t_s`` and those channels are kept (unknown names are
    ignored).
    """
    if channels:
        wanted = dict.fromkeys(c for c in channels if c not in ("ts_ns", "t_s"))
        # Selected in Rust first: importing a column into Polars costs more than encoding it.
        batch = batch.select(["ts_ns", "t_s", *wanted])
    return pl.DataFrame(batch)


def rows_json(df: pl.DataFrame) -> str:
    """A JSON array of row objects, serialised by polars (in Rust)."""
    if df.is_empty():
        return "[]"
    return df.write_json()


def last_row(batch: Batch) -> dict[str, Any]:
    """The last row of ``batch`` as a dict (empty when the batch is)."""
    if batch.num_rows == 0:
        return {}
    df = pl.DataFrame(batch).tail(1)
    row: dict[str, Any] = json.loads(df.write_json())[0]
    return row
