"""CAN log files through python-can's readers.

Every frame is kept raw; data frames are decoded in batches by the Rust decoder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import can
import polars as pl

from paddock.can._decoder import CanDecoder, Decoded, DecodeStats, concat_decoded
from paddock.exceptions import InvalidArgument

#: The suffixes python-can reads (a ``.gz`` after any of them is decompressed).
LOG_SUFFIXES = (".asc", ".blf", ".csv", ".log", ".trc", ".mf4", ".db")
#: Frames per batch handed to the decoder.
CHUNK = 200_000

RAW_SCHEMA = {
    "ts_ns": pl.Int64,
    "channel": pl.String,
    "id": pl.UInt32,
    "extended": pl.Boolean,
    "remote": pl.Boolean,
    "error": pl.Boolean,
    "fd": pl.Boolean,
    "brs": pl.Boolean,
    "esi": pl.Boolean,
    "rx": pl.Boolean,
    "dlc": pl.Int32,
    "data": pl.Binary,
}


class DecodedLog(Decoded):
    """``{message_name: polars.DataFrame}`` of a log file.

    Every frame of the file is kept raw in ``frames``; the counts are in ``stats``.
    """

    frames: pl.DataFrame
    path: Path

    def __init__(
        self, decoded: Decoded, frames: pl.DataFrame, path: Path, stats: DecodeStats
    ) -> None:
        super().__init__(decoded, stats)
        self.frames = frames
        self.path = path


def _check(path: Path) -> None:
    if not path.is_file():
        raise InvalidArgument(f"{path}: no such log file")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in LOG_SUFFIXES:
        raise InvalidArgument(
            f"{path}: not a CAN log python-can reads (suffix one of {', '.join(LOG_SUFFIXES)})"
        )


def _columns() -> dict[str, list[Any]]:
    return {name: [] for name in RAW_SCHEMA}


def _fraction_read(reader: Any, size: int) -> float | None:
    """How far into the file the reader is (0..1), when its file object tells."""
    file = getattr(reader, "file", None)
    if size <= 0 or file is None:
        return None
    try:
        return min(1.0, float(file.tell()) / size)
    except (OSError, ValueError, AttributeError):
        return None


def iter_frame_chunks(
    path: str | os.PathLike[str],
    chunk: int = CHUNK,
    *,
    progress: Callable[[float | None], None] | None = None,
) -> Iterator[pl.DataFrame]:
    """The raw frames of a log file, ``chunk`` frames at a time, as polars DataFrames.

    ``progress`` is called after each chunk with the fraction of the file read (None where the
    reader does not tell; a compressed file's fraction is of the uncompressed stream).

    Raises:
        InvalidArgument: the file is missing, of a format python-can does not read, or
            unreadable (the message names the file and python-can's reason).
    """
    p = Path(path)
    _check(p)
    size = p.stat().st_size
    cols = _columns()
    try:
        with ExitStack() as stack:
            if p.suffix.lower() == ".blf":
                # Opened here so that a file whose header python-can rejects is still closed.
                reader: Any = can.BLFReader(stack.enter_context(p.open("rb")))
            else:
                reader = can.LogReader(str(p))
            stack.enter_context(reader)
            for msg in reader:
                cols["ts_ns"].append(round(msg.timestamp * 1e9))
                cols["channel"].append(None if msg.channel is None else str(msg.channel))
                cols["id"].append(msg.arbitration_id)
                cols["extended"].append(bool(msg.is_extended_id))
                cols["remote"].append(bool(msg.is_remote_frame))
                cols["error"].append(bool(msg.is_error_frame))
                cols["fd"].append(bool(msg.is_fd))
                cols["brs"].append(bool(msg.bitrate_switch))
                cols["esi"].append(bool(msg.error_state_indicator))
                cols["rx"].append(bool(msg.is_rx))
                cols["dlc"].append(msg.dlc)
                cols["data"].append(bytes(msg.data or b""))
                if len(cols["ts_ns"]) >= chunk:
                    if progress is not None:
                        progress(_fraction_read(reader, size))
                    yield pl.DataFrame(cols, schema=RAW_SCHEMA)
                    cols = _columns()
    except Exception as exc:  # python-can's readers raise many unrelated types on bad files
        raise InvalidArgument(f"{p}: cannot be read as a CAN log: {exc}") from exc
    if progress is not None:
        progress(1.0)
    if cols["ts_ns"]:
        yield pl.DataFrame(cols, schema=RAW_SCHEMA)


def read_frames(path: str | os.PathLike[str]) -> pl.DataFrame:
    """Every frame of a CAN log file, raw.

    Columns ``ts_ns, channel, id, extended, remote, error, fd, brs, esi, rx, dlc, data``: data,
    remote and error frames, classic and CAN FD alike.
    """
    chunks = list(iter_frame_chunks(path))
    if not chunks:
        return pl.DataFrame(schema=RAW_SCHEMA)
    return pl.concat(chunks)


def _decoder(dbc: CanDecoder | str | os.PathLike[str] | Sequence[Any] | None) -> CanDecoder | None:
    if dbc is None or isinstance(dbc, CanDecoder):
        return dbc
    if isinstance(dbc, str | os.PathLike):
        return CanDecoder.from_dbc(dbc)
    return CanDecoder.from_dbc(*dbc)


def decode_frames(decoder: CanDecoder, frames: pl.DataFrame) -> Decoded:
    """Decode the data frames of raw frames (error and remote frames are kept raw only)."""
    data = frames.filter(~pl.col("error") & ~pl.col("remote"))
    return decoder.decode(
        data["ts_ns"].to_arrow(),
        data["id"].to_arrow(),
        data["data"].to_arrow(),
        data["extended"].to_arrow(),
    )


def read_log(
    path: str | os.PathLike[str],
    dbc: CanDecoder | str | os.PathLike[str] | Sequence[Any] | None = None,
) -> DecodedLog:
    """Read a CAN log file and decode it with a DBC.

    Formats: candump ``.log``, Vector ``.asc``/``.blf``, PEAK ``.trc``, python-can ``.csv``
    (optionally ``.gz``).

    Args:
        path: the log file.
        dbc: a DBC path, several paths, or a :class:`CanDecoder`; ``None`` reads frames only.

    Returns:
        ``{message_name: polars.DataFrame}`` as :meth:`CanDecoder.decode` returns it, with every
        frame of the file in ``.frames`` (raw, including error, remote and CAN FD frames) and
        the counts in ``.stats``.
    """
    decoder = _decoder(dbc)
    raw: list[pl.DataFrame] = []
    parts: list[Decoded] = []
    for chunk in iter_frame_chunks(path):
        raw.append(chunk)
        if decoder is not None:
            parts.append(decode_frames(decoder, chunk))
    frames = pl.concat(raw) if raw else pl.DataFrame(schema=RAW_SCHEMA)
    decoded = concat_decoded(parts)
    return DecodedLog(decoded, frames, Path(path), decoded.stats)
