"""Raw CAN frames as records: how the CAN feed keeps every frame in recordings.

Each frame is one record (one ``payload`` of a ``ts_ns, payload`` raw batch, the same shape the
UDP feeds record datagrams in), laid out like Linux SocketCAN's ``struct canfd_frame`` cut to the
frame's data length (see docs/formats.md):

======  =====  ===============================================================================
offset  bytes  field
======  =====  ===============================================================================
0       4      ``can_id``, little-endian: the 11- or 29-bit id, ``0x80000000`` extended,
               ``0x40000000`` remote, ``0x20000000`` error frame (SocketCAN's flag bits)
4       1      data length in bytes (0-64)
5       1      flags: ``0x01`` bit rate switch, ``0x02`` error state indicator, ``0x04`` CAN FD
6       1      DLC as the interface reported it
7       1      ``0x01`` received (not sent by this host)
8       len    the data bytes
======  =====  ===============================================================================

Both directions are vectorised (NumPy), never one Python call per frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from paddock.exceptions import InvalidArgument

HEADER = 8
EFF_FLAG = 0x8000_0000
RTR_FLAG = 0x4000_0000
ERR_FLAG = 0x2000_0000
ID_MASK = 0x1FFF_FFFF
FLAG_BRS = 0x01
FLAG_ESI = 0x02
FLAG_FD = 0x04

#: Columns of raw frames, as ``paddock.can.read_frames`` returns them (minus ``channel``).
FRAME_SCHEMA: dict[str, pl.DataType] = {
    "ts_ns": pl.Int64(),
    "id": pl.UInt32(),
    "extended": pl.Boolean(),
    "remote": pl.Boolean(),
    "error": pl.Boolean(),
    "fd": pl.Boolean(),
    "brs": pl.Boolean(),
    "esi": pl.Boolean(),
    "rx": pl.Boolean(),
    "dlc": pl.Int32(),
    "data": pl.Binary(),
}

RAW_SCHEMA = pa.schema([("ts_ns", pa.int64()), ("payload", pa.binary())])


def _bools(values: Sequence[bool] | np.ndarray, n: int) -> np.ndarray:
    array = np.asarray(values, dtype=bool)
    if array.shape != (n,):
        raise InvalidArgument(f"expected {n} flags, got {array.shape}")
    return array


def join_payloads(data: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """The payloads as one contiguous ``uint8`` buffer and ``n + 1`` int64 offsets."""
    lengths = np.fromiter((len(d) for d in data), dtype=np.int64, count=len(data))
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return np.frombuffer(b"".join(data), dtype=np.uint8), offsets


def binary_from_buffer(buffer: np.ndarray, offsets: np.ndarray) -> pa.Array:
    """An Arrow binary array over ``buffer`` split at ``offsets`` (no per-item copies)."""
    n = len(offsets) - 1
    if len(buffer) >= 2**31:
        return pa.LargeBinaryArray.from_buffers(
            pa.large_binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(buffer)]
        )
    return pa.BinaryArray.from_buffers(
        pa.binary(), n, [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(buffer)]
    )


def encode_records(
    ts_ns: Sequence[int] | np.ndarray,
    ids: Sequence[int] | np.ndarray,
    data: Sequence[bytes],
    *,
    extended: Sequence[bool] | np.ndarray,
    remote: Sequence[bool] | np.ndarray,
    error: Sequence[bool] | np.ndarray,
    fd: Sequence[bool] | np.ndarray,
    brs: Sequence[bool] | np.ndarray,
    esi: Sequence[bool] | np.ndarray,
    rx: Sequence[bool] | np.ndarray,
    dlc: Sequence[int] | np.ndarray,
) -> pa.RecordBatch:
    """Frames as a ``ts_ns, payload`` record batch of frame records (see the module doc)."""
    n = len(data)
    ts = np.asarray(ts_ns, dtype=np.int64)
    id_array = np.asarray(ids, dtype=np.int64)
    if ts.shape != (n,) or id_array.shape != (n,):
        raise InvalidArgument("ts_ns, ids and data must have the same length")
    if n and (id_array.min() < 0 or id_array.max() > ID_MASK):
        raise InvalidArgument("CAN ids must be 0..0x1FFFFFFF")
    can_id = (
        id_array.astype(np.uint32)
        | np.where(_bools(extended, n), EFF_FLAG, 0).astype(np.uint32)
        | np.where(_bools(remote, n), RTR_FLAG, 0).astype(np.uint32)
        | np.where(_bools(error, n), ERR_FLAG, 0).astype(np.uint32)
    )
    flags = (
        np.where(_bools(brs, n), FLAG_BRS, 0)
        | np.where(_bools(esi, n), FLAG_ESI, 0)
        | np.where(_bools(fd, n), FLAG_FD, 0)
    ).astype(np.uint8)
    payload, data_offsets = join_payloads(data)
    lengths = np.diff(data_offsets)
    if n and lengths.max() > 64:
        raise InvalidArgument("a CAN frame holds at most 64 data bytes")
    header = np.zeros((n, HEADER), dtype=np.uint8)
    header[:, 0:4] = can_id.astype("<u4").view(np.uint8).reshape(n, 4)
    header[:, 4] = lengths.astype(np.uint8)
    header[:, 5] = flags
    header[:, 6] = np.clip(np.asarray(dlc, dtype=np.int64), 0, 255).astype(np.uint8)
    header[:, 7] = _bools(rx, n).astype(np.uint8)
    out_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths + HEADER, out=out_offsets[1:])
    out = np.empty(int(out_offsets[-1]), dtype=np.uint8)
    starts = out_offsets[:-1]
    out[(starts[:, None] + np.arange(HEADER)).ravel()] = header.ravel()
    if len(payload):
        within = np.arange(len(payload)) - np.repeat(data_offsets[:-1], lengths)
        out[np.repeat(starts + HEADER, lengths) + within] = payload
    return pa.RecordBatch.from_arrays(
        [pa.array(ts, type=pa.int64()), binary_from_buffer(out, out_offsets)], schema=RAW_SCHEMA
    )


def decode_records(raw: Any) -> pl.DataFrame:
    """Frame records (a ``ts_ns, payload`` batch or DataFrame) back into frame columns.

    Records shorter than their header or their stated length are refused.

    Raises:
        InvalidArgument: a record is malformed.
    """
    frame = raw if isinstance(raw, pl.DataFrame) else pl.DataFrame(raw)
    if frame.height == 0:
        return pl.DataFrame(schema=FRAME_SCHEMA)
    payload = frame["payload"].to_arrow()
    if isinstance(payload, pa.ChunkedArray):
        payload = payload.combine_chunks()
    payload = payload.cast(pa.large_binary())
    buffers = payload.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[
        payload.offset : payload.offset + len(payload) + 1
    ]
    body = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0)
    sizes = np.diff(offsets)
    if (sizes < HEADER).any():
        raise InvalidArgument("a CAN frame record is shorter than its 8-byte header")
    starts = offsets[:-1]
    header = body[(starts[:, None] + np.arange(HEADER)).ravel()].reshape(-1, HEADER)
    can_id = np.ascontiguousarray(header[:, 0:4]).view("<u4").ravel()
    lengths = header[:, 4].astype(np.int64)
    if (lengths != sizes - HEADER).any():
        raise InvalidArgument("a CAN frame record's length byte disagrees with its size")
    data = _slices(body, starts + HEADER, lengths)
    flags = header[:, 5]
    return pl.DataFrame(
        {
            "ts_ns": frame["ts_ns"].cast(pl.Int64),
            "id": pl.Series(can_id & ID_MASK, dtype=pl.UInt32),
            "extended": pl.Series((can_id & EFF_FLAG) != 0),
            "remote": pl.Series((can_id & RTR_FLAG) != 0),
            "error": pl.Series((can_id & ERR_FLAG) != 0),
            "fd": pl.Series((flags & FLAG_FD) != 0),
            "brs": pl.Series((flags & FLAG_BRS) != 0),
            "esi": pl.Series((flags & FLAG_ESI) != 0),
            "rx": pl.Series(header[:, 7] != 0),
            "dlc": pl.Series(header[:, 6].astype(np.int32)),
            "data": pl.Series(data, dtype=pl.Binary),
        },
        schema=FRAME_SCHEMA,
    )


def _slices(body: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """Binary values ``body[starts[i] : starts[i] + lengths[i]]``, gathered in one pass."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    if total:
        index = np.repeat(starts, lengths) + (np.arange(total) - np.repeat(offsets[:-1], lengths))
        gathered = body[index]
    else:
        gathered = np.zeros(0, dtype=np.uint8)
    return binary_from_buffer(np.ascontiguousarray(gathered), offsets)
