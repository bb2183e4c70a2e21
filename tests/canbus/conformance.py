"""Reference decoding with cantools, and random frames that reach every multiplexer page."""

from __future__ import annotations

import math
import os
import random
import struct
from typing import Any

import cantools
from cantools.database.can import Message
from cantools.database.utils import create_encode_decode_formats, decode_data, start_bit

#: Every DBC file of the shared test data (under ``dbc/``) except ``opendbc/mazda_2017.dbc``,
#: which cantools rejects (a message name starting with a digit): the negative case.
REAL_DBCS = [
    *(
        f"cantools/{name}.dbc"
        for name in [
            "abs",
            "choices",
            "cp1252",
            "fd_test",
            "floating_point",
            "foobar",
            "issue_184_extended_mux_cascaded",
            "j1939",
            "motohawk",
            "msxii_system_can",
            "multiplex_2",
            "multiplex_choices",
            "padding_bit_order",
            "signed",
            "socialledge",
            "vehicle",
        ]
    ),
    *(
        f"opendbc/{name}.dbc"
        for name in [
            "ESR",
            "_toyota_2017",
            "bmw_e9x_e8x",
            "ford_lincoln_base_pt",
            "gm_global_a_high_voltage_management",
            "hyundai_2015_ccan",
            "tesla_model3_party",
            "toyota_adas",
            "vw_mqb",
        ]
    ),
]
FRAMES_PER_MESSAGE = int(os.environ.get("PADDOCK_CAN_FRAMES", "200"))


def _le_network(bit: int) -> int:
    # An Intel bit number as a network (Motorola-linear) one, to compare positions across orders.
    return 8 * (bit // 8) + (7 - bit % 8)


def _positions(signal: Any) -> set[int]:
    if signal.byte_order == "little_endian":
        return {_le_network(b) for b in range(signal.start, signal.start + signal.length)}
    first = start_bit(signal)
    return set(range(first, first + signal.length))


def overlapping(message: Message) -> bool:
    """Whether two signals that can be present together share bits: cantools' bitstruct layout
    then shifts the later ones (it assumes no overlap), so such messages are checked signal by
    signal against cantools' own single-signal decoding instead."""
    signals = message.signals
    for i, a in enumerate(signals):
        for b in signals[i + 1 :]:
            exclusive = (
                a.multiplexer_signal is not None
                and a.multiplexer_signal == b.multiplexer_signal
                and not set(a.multiplexer_ids or ()) & set(b.multiplexer_ids or ())
            )
            if not exclusive and _positions(a) & _positions(b):
                return True
    return False


def _walk(message: Message, data: bytes, node: Any, out: dict[str, Any]) -> None:
    out.update(
        decode_data(
            data, message.length, node["signals"], node["formats"], False, True, False, True
        )
    )
    for mux, pages in node["multiplexers"].items():
        if mux not in out:
            continue
        try:
            key = int(out[mux])
        except (ValueError, OverflowError):
            continue
        if key in pages:
            _walk(message, data, pages[key], out)


def reference(db: Any, message: Message, data: bytes) -> tuple[str, dict[str, Any]]:
    """cantools' decoding of one frame: ``("ok", values)``, ``("short", {})`` or, when cantools
    rejects the frame for a multiplexer value without a page, ``("mux", values of the pages that
    are known)`` (cantools' own tree walk, minus the exception)."""
    if len(data) < message.length:
        try:
            db.decode_message(
                message.frame_id,
                data,
                decode_choices=False,
                force_extended_id=message.is_extended_frame,
            )
        except cantools.database.DecodeError:
            return "short", {}
        raise AssertionError("cantools decoded a short frame")
    if overlapping(message):
        return _per_signal(message, data)
    try:
        values = db.decode_message(
            message.frame_id,
            data,
            decode_choices=False,
            force_extended_id=message.is_extended_frame,
        )
        return "ok", dict(values)
    except (cantools.database.DecodeError, ValueError, OverflowError):
        out: dict[str, Any] = {}
        _walk(message, data[: message.length], message._codecs, out)
        return "mux", out


def _per_signal(message: Message, data: bytes) -> tuple[str, dict[str, Any]]:
    data = data[: message.length]
    out: dict[str, Any] = {}
    unknown = False

    def walk(node: Any) -> None:
        nonlocal unknown
        for signal in node["signals"]:
            formats = create_encode_decode_formats([signal], message.length)
            out.update(
                decode_data(data, message.length, [signal], formats, False, True, False, True)
            )
        for mux, pages in node["multiplexers"].items():
            key = int(out[mux])
            if key in pages:
                walk(pages[key])
            else:
                unknown = True

    walk(message._codecs)
    return ("mux" if unknown else "ok"), out


def _raw_value(rng: random.Random, signal: Any) -> int | float:
    if signal.is_float:
        if signal.length == 32:
            return float(struct.unpack("<f", rng.randbytes(4))[0])
        return float(struct.unpack("<d", rng.randbytes(8))[0])
    if signal.is_signed:
        return rng.randrange(-(2 ** (signal.length - 1)), 2 ** (signal.length - 1))
    return rng.randrange(2**signal.length)


def _pages(message: Message) -> dict[str, list[int]]:
    pages: dict[str, list[int]] = {}

    def walk(node: Any) -> None:
        for mux, children in node["multiplexers"].items():
            pages.setdefault(mux, [])
            for key, child in children.items():
                if key not in pages[mux]:
                    pages[mux].append(key)
                walk(child)

    walk(message._codecs)
    return pages


def random_frames(rng: random.Random, message: Message, n: int) -> list[bytes]:
    """``n`` random payloads: most of the message's length, some longer, a few shorter; and for
    multiplexed messages as many again encoded by cantools on randomly chosen known pages."""
    length = message.length
    frames: list[bytes] = []
    for i in range(n):
        if i % 20 == 19 and length > 0:
            size = rng.randrange(0, length)
        elif i % 10 == 9:
            size = length + rng.randrange(1, 4)
        else:
            size = length
        frames.append(rng.randbytes(size))
    pages = _pages(message)
    if pages:
        for _ in range(n):
            values = {s.name: _raw_value(rng, s) for s in message.signals}
            for mux, keys in pages.items():
                values[mux] = rng.choice(keys)
            try:
                encoded = message.encode(values, scaling=False, padding=False, strict=False)
            except Exception:  # a page whose raw value cannot be encoded in the signal's width
                continue
            frames.append(bytes(encoded))
    return frames


def same(expected: Any, actual: Any) -> bool:
    """Equal values of the same Python type; NaN equals NaN."""
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, float) and math.isnan(expected):
        return math.isnan(actual)
    return bool(expected == actual)
