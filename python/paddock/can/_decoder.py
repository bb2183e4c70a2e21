"""``CanDecoder``: DBC files compiled once, frames decoded in batches by the Rust core."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pyarrow as pa

from paddock import _native
from paddock.can._dbc import Description, MessageInfo, describe, load
from paddock.exceptions import InvalidArgument

_ID_TYPES = (pa.int32(), pa.int64(), pa.uint32(), pa.uint64())


@dataclass(frozen=True)
class DecodeStats:
    """What a decode saw. Every frame is exactly one of decoded, unknown id or short."""

    frames: int = 0
    """Frames given."""
    decoded: int = 0
    """Frames decoded into a row of their message."""
    unknown_id: int = 0
    """Frames whose id (and extended flag) no message has."""
    short: int = 0
    """Frames shorter than their message (not decoded; cantools refuses them too)."""
    mux_unknown: int = 0
    """Decoded frames whose multiplexer value selects no page: row kept, page signals null."""
    unknown_ids: dict[tuple[int, bool], int] = field(default_factory=dict)
    """Frames per unknown ``(id, extended)``."""
    short_by_message: dict[str, int] = field(default_factory=dict)
    """Short frames per message."""

    @classmethod
    def from_native(cls, stats: Mapping[str, Any]) -> DecodeStats:
        """From the dict the native decoder returns."""
        return cls(**dict(stats))

    def __add__(self, other: DecodeStats) -> DecodeStats:
        def merged(a: Mapping[Any, int], b: Mapping[Any, int]) -> dict[Any, int]:
            out = dict(a)
            for k, v in b.items():
                out[k] = out.get(k, 0) + v
            return out

        return DecodeStats(
            frames=self.frames + other.frames,
            decoded=self.decoded + other.decoded,
            unknown_id=self.unknown_id + other.unknown_id,
            short=self.short + other.short,
            mux_unknown=self.mux_unknown + other.mux_unknown,
            unknown_ids=merged(self.unknown_ids, other.unknown_ids),
            short_by_message=merged(self.short_by_message, other.short_by_message),
        )


class Decoded(dict[str, pl.DataFrame]):
    """``{message_name: polars.DataFrame}`` with the decode's counts in ``stats``.

    Each frame has a ``ts_ns`` column, then one column per signal of the message.
    """

    stats: DecodeStats

    def __init__(self, frames: Mapping[str, pl.DataFrame], stats: DecodeStats) -> None:
        super().__init__(frames)
        self.stats = stats


def _as_array(values: Any, what: str) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, pl.Series):
        return _as_array(values.to_arrow(), what)
    try:
        return pa.array(values)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise InvalidArgument(f"{what}: cannot be read as an array: {exc}") from exc


def int_array(values: Any, what: str, *, ids: bool = False) -> pa.Array:
    """An Arrow integer array (ids: one of the types the native decoder reads; else int64)."""
    array = _as_array(values, what)
    if pa.types.is_null(array.type):  # an empty sequence
        array = array.cast(pa.int64())
    if not pa.types.is_integer(array.type):
        raise InvalidArgument(f"{what} must be integers, not {array.type}")
    if ids and array.type in _ID_TYPES:
        return array
    if array.type != pa.int64():
        array = array.cast(pa.int64())
    return array


def binary_array(data: Any) -> pa.Array:
    """Payloads as an Arrow binary array, without copying Arrow or NumPy fixed-width input.

    Accepts a sequence of ``bytes``, an Arrow binary/large-binary/fixed-size-binary (or view)
    array, a polars binary Series, a NumPy ``S<n>`` array (read at its full width, so NumPy's
    stripped trailing zero bytes are restored) or a 2-D ``uint8`` NumPy array (one row per frame).
    """
    shape = getattr(data, "shape", None)
    dtype = getattr(data, "dtype", None)
    if shape is not None and dtype is not None and not isinstance(data, pl.Series):
        import numpy as np

        arr = np.ascontiguousarray(data)
        if arr.dtype.kind == "S" and arr.ndim == 1:
            width = arr.dtype.itemsize
            arr = arr.view(np.uint8).reshape(len(arr), width)
        if arr.dtype == np.uint8 and arr.ndim == 2:
            n, width = arr.shape
            return pa.FixedSizeBinaryArray.from_buffers(
                pa.binary(width), n, [None, pa.py_buffer(np.ascontiguousarray(arr))]
            )
        raise InvalidArgument(
            f"data: a NumPy array must be of dtype S<n> or 2-D uint8, not {arr.dtype}"
        )
    if isinstance(data, pa.Array | pa.ChunkedArray | pl.Series):
        array = _as_array(data, "data")
    else:
        try:
            items = data if isinstance(data, list) else list(data)
            array = pa.array(items, type=pa.binary())
        except (pa.ArrowException, TypeError) as exc:
            raise InvalidArgument(f"data must be a sequence of bytes: {exc}") from exc
    if pa.types.is_binary_view(array.type):
        array = array.cast(pa.binary())
    if not (
        pa.types.is_binary(array.type)
        or pa.types.is_large_binary(array.type)
        or pa.types.is_fixed_size_binary(array.type)
    ):
        raise InvalidArgument(f"data must be binary, not {array.type}")
    return array


class CanDecoder:
    """Messages of one or more DBC files, compiled once for decoding arrays of frames in Rust.

    Values equal cantools' ``decode_message(id, data, decode_choices=False)``: value tables are
    kept as the raw number, with the labels in :attr:`value_tables` and :meth:`label`.

    Example::

        decoder = CanDecoder.from_dbc("car.dbc")
        frames = decoder.decode(ts_ns, ids, data)   # {message_name: polars.DataFrame}
    """

    def __init__(self, description: Description) -> None:
        self._description = description
        self._native = _native.CanDecoder(json.dumps(description.spec))

    @classmethod
    def from_dbc(cls, *paths: str | os.PathLike[str], strict: bool = False) -> CanDecoder:
        """Load and compile DBC files (several: their messages together, ids must not clash).

        Raises:
            DbcError: a file is missing or malformed (the message names the file and line), or
                two messages share an id or a name.
        """
        return cls(load(paths, strict=strict))

    @classmethod
    def from_databases(cls, *databases: Any) -> CanDecoder:
        """Compile already-loaded cantools databases."""
        return cls(describe([(f"database {i}", db) for i, db in enumerate(databases)]))

    @property
    def messages(self) -> dict[str, MessageInfo]:
        """Every message by name: id, length, signals (with units, ranges, value tables)."""
        return dict(self._description.messages)

    @property
    def databases(self) -> list[Any]:
        """The cantools databases the decoder was built from (for encoding and lookups)."""
        return list(self._description.databases)

    @property
    def warnings(self) -> list[str]:
        """Signals that can never be decoded (beyond their message, missing multiplexer)."""
        return list(self._native.warnings)

    @property
    def value_tables(self) -> dict[str, dict[str, dict[int, str]]]:
        """``{message: {signal: {raw: label}}}`` for every signal with a value table."""
        return {
            m.name: {s.name: dict(s.choices) for s in m.signals if s.choices}
            for m in self._description.messages.values()
            if any(s.choices for s in m.signals)
        }

    def label(self, message: str, signal: str, values: pl.Series | Iterable[int]) -> pl.Series:
        """The value-table labels of raw values (null where the table has no entry)."""
        try:
            info = next(s for s in self._description.messages[message].signals if s.name == signal)
        except (KeyError, StopIteration):
            raise InvalidArgument(f"no signal {signal!r} in message {message!r}") from None
        series = values if isinstance(values, pl.Series) else pl.Series(signal, list(values))
        mapping = {int(k): v for k, v in info.choices.items()}
        return series.cast(pl.Int64).replace_strict(mapping, default=None, return_dtype=pl.String)

    def decode_arrow(
        self, ts_ns: Any, ids: Any, data: Any, extended: Any = None
    ) -> tuple[dict[str, _native.Batch], DecodeStats]:
        """Decode to Arrow batches (``pyarrow.record_batch(b)`` reads one in place)."""
        ts = int_array(ts_ns, "ts_ns")
        id_array = int_array(ids, "ids", ids=True)
        ext = None
        if extended is not None:
            ext = _as_array(extended, "extended")
            if not pa.types.is_boolean(ext.type):
                ext = ext.cast(pa.bool_())
        if isinstance(data, list) and all(type(item) is bytes for item in data[:1]):
            # A list of bytes is read in place by the native decoder (no Arrow copy); a list
            # with other items falls back to the Arrow conversion.
            try:
                batches, stats = self._native.decode(ts, id_array, data, ext)
                return batches, DecodeStats.from_native(stats)
            except InvalidArgument as exc:
                if "must be bytes" not in str(exc):
                    raise
        batches, stats = self._native.decode(ts, id_array, binary_array(data), ext)
        return batches, DecodeStats.from_native(stats)

    def decode(self, ts_ns: Any, ids: Any, data: Any, extended: Any = None) -> Decoded:
        """Decode frames in one batch.

        Args:
            ts_ns: receive times in ns (integer NumPy/Arrow array or sequence).
            ids: frame ids as cantools numbers them (the 29-bit value for extended frames).
            data: payloads: a sequence of ``bytes``, an Arrow binary array, a NumPy ``S8`` or
                2-D ``uint8`` array.
            extended: optional booleans; without them an id above 0x7FF is extended.

        Returns:
            ``{message_name: polars.DataFrame}`` for every message with decoded frames, with the
            counts (unknown ids, short frames, unknown multiplexer pages) in ``.stats``.
        """
        batches, stats = self.decode_arrow(ts_ns, ids, data, extended)
        frames = {name: _frame(batch) for name, batch in batches.items()}
        order = {name: i for i, name in enumerate(self._description.messages)}
        return Decoded(dict(sorted(frames.items(), key=lambda kv: order.get(kv[0], 0))), stats)

    def __repr__(self) -> str:
        return f"CanDecoder(messages={len(self._description.messages)})"


def _frame(batch: _native.Batch) -> pl.DataFrame:
    return pl.DataFrame(batch)


def concat_decoded(parts: Sequence[Decoded]) -> Decoded:
    """Concatenate decodes of consecutive chunks of frames."""
    stats = DecodeStats()
    by_name: dict[str, list[pl.DataFrame]] = {}
    for part in parts:
        stats = stats + part.stats
        for name, frame in part.items():
            by_name.setdefault(name, []).append(frame)
    return Decoded({n: pl.concat(fs, rechunk=False) for n, fs in by_name.items()}, stats)
