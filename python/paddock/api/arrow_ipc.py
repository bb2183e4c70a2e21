"""Arrow IPC stream messages of the canonical channels, for ``/ws/live``.

pyarrow has no type stubs, so it stays inside this module behind typed functions. Each message
is one encapsulated IPC message: the schema first, then one record batch per send; their
concatenation is a valid Arrow IPC stream (``pyarrow.ipc.open_stream``, ``apache-arrow``'s
``RecordBatchReader`` in a browser). Strings use the classic layout (``large_utf8``), not string
views, so every Arrow reader can read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import polars as pl
import pyarrow as pa

from paddock._native import Batch, live_message
from paddock.channels import registry

_DTYPES: dict[str, Any] = {"float64": pl.Float64, "int32": pl.Int32, "int64": pl.Int64}
_COMPAT = pl.CompatLevel.oldest()


@cache
def canonical_channels() -> tuple[tuple[str, Any], ...]:
    """``(name, polars dtype)`` of every canonical channel (those without a protocol prefix)."""
    return tuple(
        (c.name, _DTYPES.get(c.dtype, pl.Float64)) for c in registry() if "." not in c.name
    )


def live_schema(channels: Sequence[str] | None = None) -> dict[str, Any]:
    """The stream's columns: ``feed``, ``ts_ns``, ``t_s``, then the canonical channels.

    Raises:
        ValueError: ``channels`` names something that is not a canonical channel.
    """
    known = dict(canonical_channels())
    if channels:
        unknown = [c for c in channels if c not in known]
        if unknown:
            raise ValueError(f"not canonical channels: {', '.join(unknown)}")
        picked = [(c, known[c]) for c in channels]
    else:
        picked = list(known.items())
    return {"feed": pl.String, "ts_ns": pl.Int64, "t_s": pl.Float64, **dict(picked)}


def conform(feed: str, batch: Batch, schema: dict[str, Any]) -> pl.DataFrame:
    """A feed's frames in the stream's columns (missing channels null, others cast)."""
    df = pl.DataFrame(batch)
    columns = [pl.lit(feed, dtype=pl.String).alias("feed")]
    for name, dtype in list(schema.items())[1:]:
        if name in df.columns:
            columns.append(pl.col(name).cast(dtype, strict=False))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    return df.select(columns)


def _arrow_schema(schema: dict[str, Any]) -> Any:
    """The ``pyarrow.Schema`` of a stream's columns."""
    return pl.DataFrame(schema=schema).to_arrow(compat_level=_COMPAT).schema


def schema_message(schema: dict[str, Any]) -> bytes:
    """The IPC message carrying the schema (the first of the stream)."""
    data: bytes = _arrow_schema(schema).serialize().to_pybytes()
    return data


class LiveEncoder:
    """Encodes feeds' batches as record batch messages of one stream's schema, in Rust.

    The same message :func:`conform` and :func:`batch_message` give, without a DataFrame in
    between: a one-row batch takes microseconds instead of most of a millisecond.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        self._schema = _arrow_schema(schema)

    def message(self, parts: Sequence[tuple[str, Batch]]) -> bytes:
        """One record batch message of every ``(feed, batch)`` part, in order."""
        return live_message(list(parts), self._schema)


def batch_message(frames: pl.DataFrame) -> bytes:
    """One IPC record batch message holding every row of ``frames``."""
    table = frames.to_arrow(compat_level=_COMPAT).combine_chunks()
    batches = table.to_batches()
    if not batches:
        return b""
    data: bytes = batches[0].serialize().to_pybytes()
    return data


def read_stream(messages: Sequence[bytes]) -> Any:
    """The ``pyarrow.Table`` of a sequence of messages (for clients and tests)."""
    return pa.ipc.open_stream(b"".join(messages)).read_all()
