"""Assetto Corsa Competizione broadcasting messages (UDP, usually port 9000), over the Rust codec.

A message is a dict tagged by ``"packet"`` (``registration_result``, ``realtime_update``,
``realtime_car_update``, ``entry_list``, ``entry_list_car``, ``track_data``,
``broadcasting_event``; client side ``register_command_application``,
``unregister_command_application``, ``request_entry_list``, ``request_track_data``) holding the
record's fields at the top level, with raw wire values (gear + 2; times in ms; lap times
2147483647 = none; see ``docs/protocols.md``). Messages are told apart by their first byte.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from paddock import _native
from paddock.protocols._common import DecodedBatches, as_list, finite

PROTOCOL = "assetto_corsa_competizione"
"""The protocol's name in configs and the API."""

PORT = 9000
"""The ``updListenerPort`` every guide configures in ``broadcasting.json``."""

NO_TIME = 2147483647
"""The "no time" value of lap and split times."""


def decode(datagram: bytes, *, outbound: bool = False) -> dict[str, Any]:
    """Decode one datagram into its message dict.

    Args:
        datagram: The UDP payload.
        outbound: Read it as a client → ACC message (type 1 is then the registration request,
            not ACC's result).

    Returns:
        The message as a dict.

    Raises:
        paddock.exceptions.DecodeError: Unknown type byte, a datagram that ends inside a field
            or has trailing bytes, or a string that is not UTF-8.

    """
    packet: dict[str, Any] = json.loads(_native.acc_decode(datagram, outbound))
    return packet


def encode(packet: Mapping[str, Any]) -> bytes:
    """Encode a message dict into its datagram.

    Missing fields take their defaults (0, "", empty lists; registration: protocol version 4,
    display name "paddock", 100 ms).

    Args:
        packet: The message, tagged by ``"packet"``.

    Returns:
        The datagram.

    Raises:
        paddock.exceptions.InvalidArgument: Unknown tag or field, or a value out of its wire
            range.

    """
    data = packet if isinstance(packet, dict) else dict(packet)
    try:
        text = json.dumps(data, allow_nan=False)
    except ValueError:
        text = json.dumps(finite(data), allow_nan=False)
    return _native.acc_encode(text)


def decode_batch(
    datagrams: Sequence[bytes], *, ts_ns: Sequence[int] | None = None
) -> DecodedBatches:
    """Decode many datagrams into one Arrow batch per message type, with the GIL released.

    Columns: ``ts_ns``, then every field; each lap flattened as ``<lap>_laptime_ms`` …
    ``<lap>_splits`` (a list); lists of numbers and strings as Arrow lists.

    Args:
        datagrams: The UDP payloads.
        ts_ns: Receive time of each datagram, ns since the epoch; the datagram's index if omitted.

    Returns:
        The batches (readable by ``pyarrow.record_batch`` and ``polars.from_arrow``), the counts
        of decoded and rejected datagrams, and the first rejections' messages.

    Raises:
        paddock.exceptions.InvalidArgument: ``ts_ns`` and ``datagrams`` differ in length.
        TypeError: A datagram is not ``bytes``.

    """
    batches, decoded, errors, first_errors = _native.acc_decode_batch(
        as_list(datagrams), None if ts_ns is None else as_list(ts_ns)
    )
    return DecodedBatches(batches, decoded, errors, first_errors)


def frames(
    datagrams: Sequence[bytes], *, ts_ns: Sequence[int], all_cars: bool = False
) -> _native.Batch:
    """Decode datagrams into canonical frames, one row per car update of the focused car.

    The focused car comes from ``realtime_update``; with ``all_cars`` every car's update gives a
    row (told apart by ``acc.car_index``). Rejected datagrams are skipped and counted in the
    batch's schema metadata (``decoded``, ``errors``).

    Args:
        datagrams: The UDP payloads, in receive order.
        ts_ns: Receive time of each datagram, ns since the epoch.
        all_cars: Emit rows for every car, not only the focused one.

    Returns:
        The frame batch: ``ts_ns``, ``t_s``, then the canonical and ``acc.*`` channels.

    Raises:
        paddock.exceptions.InvalidArgument: ``ts_ns`` and ``datagrams`` differ in length.
        TypeError: A datagram is not ``bytes``.

    """
    return _native.acc_frames(as_list(datagrams), as_list(ts_ns), all_cars)


__all__ = [
    "NO_TIME",
    "PORT",
    "PROTOCOL",
    "DecodedBatches",
    "decode",
    "decode_batch",
    "encode",
    "frames",
]
