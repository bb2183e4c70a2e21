"""DBC files → the compact description the Rust decoder is compiled from.

cantools parses the DBC text (it is the reference the decoded values are held to, and it copes
with the dialects real files are written in); this module walks its database once and writes,
per signal, only what decoding needs: bit position, byte order, signedness, float-ness, the
conversion cantools itself would apply, and the multiplexer page it belongs to.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cantools
from cantools.database.can import Database, Message, Signal
from cantools.database.conversion import (
    BaseConversion,
    IdentityConversion,
    LinearIntegerConversion,
)

from paddock.exceptions import InvalidArgument

_I64 = (-(2**63), 2**63 - 1)


class DbcError(InvalidArgument):
    """A DBC file that cannot be loaded.

    The message names the file and, for syntax errors, the line and column.
    """


@dataclass(frozen=True)
class SignalInfo:
    """What a notebook wants to know about one signal."""

    name: str
    start: int
    length: int
    byte_order: str
    signed: bool
    is_float: bool
    scale: float
    offset: float
    minimum: float | None
    maximum: float | None
    unit: str | None
    multiplexer: str | None
    multiplexer_ids: tuple[int, ...] | None
    is_multiplexer: bool
    choices: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MessageInfo:
    """One message: id, length, source file and signals."""

    name: str
    frame_id: int
    extended: bool
    length: int
    is_fd: bool
    cycle_time_ms: int | None
    senders: tuple[str, ...]
    source: str
    signals: tuple[SignalInfo, ...]


def load_database(path: str | os.PathLike[str], *, strict: bool = False) -> Database:
    """Load one DBC (or another format cantools reads) with cantools.

    ``strict=False`` (the default) accepts what real-world files contain and cantools' strict
    mode refuses, such as overlapping signals (``_toyota_2017.dbc``).

    Raises:
        DbcError: the file does not exist or does not parse; the message names the file and
            cantools' line and column.
    """
    p = Path(path)
    if not p.is_file():
        raise DbcError(f"{p}: no such DBC file")
    try:
        db = cantools.database.load_file(str(p), strict=strict)
    except Exception as exc:  # cantools raises several unrelated types
        raise DbcError(f"{p}: {_describe(exc)}") from exc
    if not isinstance(db, Database):
        raise DbcError(f"{p}: not a CAN database")
    return db


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    # cantools: 'DBC: "Invalid syntax at line 273, column 10: "BO_ 1275 >>!<<2017_5: 8 XXX""'
    if text.startswith('DBC: "') and text.endswith('"'):
        text = text[len('DBC: "') : -1]
    return text or type(exc).__name__


def _num(value: Any) -> dict[str, Any]:
    if isinstance(value, int) and not isinstance(value, bool) and _I64[0] <= value <= _I64[1]:
        return {"int": value}
    return {"float": repr(float(value))}


def _conversion(signal: Signal, where: str) -> dict[str, Any]:
    # The conversion cantools applies when decode_choices=False: the numeric one, value table
    # set aside (NamedSignalConversion builds exactly this one internally).
    conv = BaseConversion.factory(
        scale=signal.scale, offset=signal.offset, choices=None, is_float=signal.is_float
    )
    if isinstance(conv, IdentityConversion):
        return {"conversion": "identity"}
    if isinstance(conv, LinearIntegerConversion):
        scale, offset = int(conv.scale), int(conv.offset)
        for v in (scale, offset):
            if not _I64[0] <= v <= _I64[1]:
                raise DbcError(f"{where}: scale/offset {v} does not fit 64 bits")
        return {"conversion": "integer", "scale": {"int": scale}, "offset": {"int": offset}}
    return {"conversion": "float", "scale": _num(conv.scale), "offset": _num(conv.offset)}


def _pages(message: Message, signal: Signal) -> list[int] | None:
    if not signal.is_multiplexer:
        return None
    # As cantools' codec: the ids of the signals it multiplexes, plus its value-table keys.
    pages: set[int] = set()
    for child in message.signals:
        if child.multiplexer_signal == signal.name and child.multiplexer_ids is not None:
            pages.update(child.multiplexer_ids)
    if signal.conversion.choices:
        pages.update(int(k) for k in signal.conversion.choices)
    return sorted(pages)


def _signal_spec(message: Message, signal: Signal, where: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": signal.name,
        "start": signal.start,
        "length": signal.length,
        "byte_order": signal.byte_order,
        "signed": bool(signal.is_signed),
        "float": bool(signal.is_float),
        **_conversion(signal, where),
        "unit": signal.unit or None,
    }
    if signal.multiplexer_signal is not None:
        spec["multiplexer"] = {
            "signal": signal.multiplexer_signal,
            "ids": sorted(signal.multiplexer_ids or ()),
        }
    pages = _pages(message, signal)
    if pages is not None:
        spec["pages"] = pages
    return spec


def _choices(signal: Signal) -> dict[int, str]:
    choices: Mapping[Any, Any] = signal.conversion.choices or {}
    return {int(k): str(getattr(v, "name", v)) for k, v in choices.items()}


def _signal_info(signal: Signal) -> SignalInfo:
    return SignalInfo(
        name=signal.name,
        start=signal.start,
        length=signal.length,
        byte_order=signal.byte_order,
        signed=bool(signal.is_signed),
        is_float=bool(signal.is_float),
        scale=signal.scale,
        offset=signal.offset,
        minimum=signal.minimum,
        maximum=signal.maximum,
        unit=signal.unit or None,
        multiplexer=signal.multiplexer_signal,
        multiplexer_ids=tuple(signal.multiplexer_ids) if signal.multiplexer_ids else None,
        is_multiplexer=bool(signal.is_multiplexer),
        choices=_choices(signal),
    )


@dataclass
class Description:
    """The decoder description of one or more databases, and what Python keeps beside it."""

    spec: dict[str, Any]
    messages: dict[str, MessageInfo]
    databases: list[Database]


def describe(databases: Sequence[tuple[str, Database]]) -> Description:
    """Build the description of the messages of ``(source, database)`` pairs.

    Raises:
        DbcError: two messages share an id (or a name), in one file or across files.
    """
    specs: list[dict[str, Any]] = []
    infos: dict[str, MessageInfo] = {}
    by_id: dict[tuple[int, bool], str] = {}
    for source, db in databases:
        for message in db.messages:
            where = f"{source}: message {message.name}"
            if message.is_container:
                continue
            key = (message.frame_id, bool(message.is_extended_frame))
            if key in by_id:
                raise DbcError(f"{where}: id {message.frame_id:#x} is already used by {by_id[key]}")
            if message.name in infos:
                other = infos[message.name]
                raise DbcError(f"{where}: the name is already used by {other.source}")
            by_id[key] = f"{source}: message {message.name}"
            specs.append(
                {
                    "name": message.name,
                    "id": message.frame_id,
                    "extended": bool(message.is_extended_frame),
                    "length": message.length,
                    "signals": [
                        _signal_spec(message, s, f"{where} signal {s.name}")
                        for s in message.signals
                    ],
                }
            )
            infos[message.name] = MessageInfo(
                name=message.name,
                frame_id=message.frame_id,
                extended=bool(message.is_extended_frame),
                length=message.length,
                is_fd=bool(message.is_fd),
                cycle_time_ms=message.cycle_time,
                senders=tuple(message.senders or ()),
                source=source,
                signals=tuple(_signal_info(s) for s in message.signals),
            )
    return Description(
        spec={"messages": specs}, messages=infos, databases=[db for _, db in databases]
    )


def load(paths: Iterable[str | os.PathLike[str]], *, strict: bool = False) -> Description:
    """Load DBC files and describe them together."""
    loaded = [(str(p), load_database(p, strict=strict)) for p in paths]
    if not loaded:
        raise DbcError("no DBC file given")
    return describe(loaded)
