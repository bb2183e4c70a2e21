"""CAN log files imported into a session: decoded signals as telemetry, raw frames beside them.

Every format python-can reads (candump ``.log``, Vector ``.asc``/``.blf``, PEAK ``.trc``,
python-can ``.csv``, optionally ``.gz``) is read in chunks; the data frames of each chunk are
decoded in one call by the Rust ``CanDecoder`` (DBC files, or a car config's decoder and
canonical channels). Written into the session:

- ``frames/import-can-<digest>.parquet``: one row per decoded frame (feed ``can``): the frame's
  signals as ``<message>.<signal>`` columns (nulls elsewhere), or the car's canonical channels;
- ``can/import-can-<digest>.frames.parquet``: every frame of the file, raw (data, remote, error and
  CAN FD frames alike; the columns of :func:`paddock.can.read_frames`), so nothing is lost;
- ``can/import-can-<digest>.signals.json``: per signal column its message, unit and the DBC's
  range (the capabilities' plausible range), plus the file's counts.

The signals join the signal registry (source ``import:<file>``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from paddock.can._decoder import CanDecoder, DecodeStats
from paddock.can._logs import LOG_SUFFIXES, decode_frames, iter_frame_chunks
from paddock.can._wide import dbc_signals, wide_rows_for
from paddock.exceptions import InvalidArgument
from paddock.store import registry
from paddock.store.imports import _part_name, _store_frames, file_digest, session_rows
from paddock.store.sessions import SessionStore

#: Frames read (and decoded) per step.
CHUNK = 100_000
#: The directory of a session holding raw CAN frames and signal descriptions.
CAN_DIR = "can"

Progress = Callable[[str], None]
Fraction = Callable[[int, float | None], None]


def _quiet(_: str) -> None:
    return None


def is_can_log(path: Path, name: str | None = None) -> bool:
    """True when ``name`` (or the path's name) ends in a suffix python-can reads."""
    suffixes = [s.lower() for s in Path(name or path.name).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in LOG_SUFFIXES


def load_decoder(
    dbc: Sequence[str | os.PathLike[str]] = (), car: str | None = None, data_dir: Path | None = None
) -> tuple[CanDecoder | None, Any]:
    """The decoder and car config for an import: a car's decoder, else the DBC files.

    Raises:
        InvalidArgument: a DBC file or car config that does not load (the message says why).
    """
    if car:
        from paddock.can.cars import load_car

        try:
            config = load_car(car, data_dir)
        except ValueError as exc:
            raise InvalidArgument(f"car: {exc}") from None
        return config.decoder(), config
    if dbc:
        return CanDecoder.from_dbc(*dbc), None
    return None, None


def import_can_log(
    store: SessionStore,
    session_id: str,
    path: Path,
    *,
    decoder: CanDecoder | None,
    car: Any = None,
    source_name: str | None = None,
    progress: Progress = _quiet,
    fraction: Fraction | None = None,
) -> dict[str, Any]:
    """Imports a CAN log into an existing session.

    Args:
        store: The session store.
        session_id: The session (it must exist).
        path: The log file (its suffix, or ``source_name``'s, tells the format).
        decoder: The DBC(s) compiled; None imports the raw frames only.
        car: A car config: its canonical channels instead of DBC signal columns.
        source_name: The file's name as the user knows it (uploads are spooled to a temp name).
        progress: Told what happens, a line at a time.
        fraction: Called after each chunk with the frames read so far and the fraction of the
            file read (None when unknown).

    Returns:
        ``session_id``, ``n_frames`` (raw frames read: all kept), ``n_decoded_rows``,
        ``data_frames``, ``error_frames``, ``remote_frames``, ``fd_frames``, ``decoded``,
        ``unknown_id``, ``short``, ``unknown_ids`` (``{"0x123": count}``), ``signals``,
        ``duration_s``, ``can_source``, ``raw_file``.

    Raises:
        NotFound: No such session.
        InvalidArgument: Not a CAN log python-can reads, or unreadable.
        Conflict: The same file is already imported into the session.
    """
    store.get(session_id)
    source = source_name or path.name
    if not is_can_log(path, source):
        raise InvalidArgument(
            f"{source}: not a CAN log python-can reads (suffix one of {', '.join(LOG_SUFFIXES)})"
        )
    reader_path = path
    if source_name is not None and path.name != source_name:
        # python-can picks the reader by suffix: give the spooled upload its name's suffixes.
        suffix = "".join(Path(source_name).suffixes[-2:]) or Path(source_name).suffix
        reader_path = path.with_name(path.name + suffix)
        path.rename(reader_path)
    try:
        return _import(store, session_id, reader_path, source, decoder, car, progress, fraction)
    finally:
        if reader_path != path:
            reader_path.rename(path)


def _import(
    store: SessionStore,
    session_id: str,
    path: Path,
    source: str,
    decoder: CanDecoder | None,
    car: Any,
    progress: Progress,
    fraction: Fraction | None,
) -> dict[str, Any]:
    name = _part_name(store, session_id, "can", file_digest(path))
    was_empty = session_rows(store, session_id) == 0
    wide, units = wide_rows_for(decoder, car) if decoder is not None else (None, {})
    raw_parts: list[pl.DataFrame] = []
    rows: list[pl.DataFrame] = []
    stats = DecodeStats()
    read = 0
    progress(f"reading {source}")
    last_fraction: list[float | None] = [None]

    def note(f: float | None) -> None:
        last_fraction[0] = f

    for chunk in iter_frame_chunks(path, CHUNK, progress=note):
        read += chunk.height
        raw_parts.append(chunk)
        if decoder is not None and wide is not None:
            decoded = decode_frames(decoder, chunk)
            stats = stats + decoded.stats
            part = wide(decoded)
            if part.height:
                rows.append(part)
        if fraction is not None:
            fraction(read, last_fraction[0])
    if not raw_parts:
        raise InvalidArgument(f"{source}: the log holds no CAN frames")
    raw = pl.concat(raw_parts)
    counts = raw.select(
        pl.col("error").sum().alias("error"),
        pl.col("remote").sum().alias("remote"),
        pl.col("fd").sum().alias("fd"),
        pl.col("ts_ns").min().alias("t0"),
        pl.col("ts_ns").max().alias("t1"),
    ).row(0, named=True)
    directory = store.data.directory(session_id) / CAN_DIR
    directory.mkdir(parents=True, exist_ok=True)
    raw_file = f"{CAN_DIR}/{name}.frames.parquet"
    tmp = directory / f".{name}.frames.parquet.tmp"
    raw.write_parquet(tmp, compression="zstd")
    tmp.replace(directory / f"{name}.frames.parquet")
    n_rows = 0
    signals: list[str] = []
    if rows:
        table = pl.concat(rows).sort("ts_ns", maintain_order=True)
        present = [
            c for c in table.columns if c != "ts_ns" and table[c].null_count() < table.height
        ]
        table = table.select("ts_ns", *present).with_columns(pl.lit("can").alias("feed"))
        progress(f"writing {table.height} decoded rows ({len(present)} signals)")
        stored = _store_frames(store, session_id, table, name=name, was_empty=was_empty)
        n_rows = stored.height
        signals = present
        registry.register(
            store.catalog, {s: units.get(s) for s in present}, source=f"import:{source}"
        )
    elif was_empty and counts["t0"] is not None:
        store.set_started(session_id, int(counts["t0"]))
    described = dbc_signals(decoder) if decoder is not None and car is None else {}
    unknown = {
        f"0x{frame_id:X}{'x' if ext else ''}": n
        for (frame_id, ext), n in sorted(stats.unknown_ids.items())
    }
    summary = {
        "session_id": session_id,
        "n_frames": read,
        "n_decoded_rows": n_rows,
        "data_frames": read - int(counts["error"]) - int(counts["remote"]),
        "error_frames": int(counts["error"]),
        "remote_frames": int(counts["remote"]),
        "fd_frames": int(counts["fd"]),
        "decoded": stats.decoded,
        "unknown_id": stats.unknown_id,
        "short": stats.short,
        "unknown_ids": unknown,
        "signals": signals,
        "duration_s": (int(counts["t1"]) - int(counts["t0"])) / 1e9,
        "can_source": source,
        "raw_file": raw_file,
        "car": getattr(car, "id", None),
    }
    sidecar = {
        "summary": summary,
        "signals": {s: described.get(s, {"unit": units.get(s)}) for s in signals},
    }
    (directory / f"{name}.signals.json").write_text(json.dumps(sidecar, indent=1, default=str))
    progress(f"done: {read} frames, {stats.decoded} decoded, {n_rows} rows")
    return summary


def signal_ranges(
    store: SessionStore, session_id: str
) -> dict[str, tuple[float | None, float | None]]:
    """The DBC range of every signal column imported from CAN logs into the session."""
    out: dict[str, tuple[float | None, float | None]] = {}
    directory = store.data.directory(session_id) / CAN_DIR
    for sidecar in sorted(directory.glob("*.signals.json")):
        try:
            signals = json.loads(sidecar.read_text())["signals"]
        except (OSError, ValueError, KeyError):
            continue
        for name, info in signals.items():
            if isinstance(info, dict) and ("min" in info or "max" in info):
                out[name] = (info.get("min"), info.get("max"))
    return out


def read_raw_frames(store: SessionStore, session_id: str) -> pl.DataFrame:
    """Every raw CAN frame imported into the session (all files, in time order)."""
    directory = store.data.directory(session_id) / CAN_DIR
    parts = sorted(directory.glob("*.frames.parquet"))
    if not parts:
        return pl.DataFrame()
    return pl.concat([pl.read_parquet(p) for p in parts]).sort("ts_ns", maintain_order=True)
