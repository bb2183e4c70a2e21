"""Assetto Corsa remote telemetry packets ("KSUDP", UDP port 9996), over the Rust codec.

A packet is a dict tagged by ``"packet"`` (``handshaker``, ``handshake_response``, ``car_info``,
``lap``) holding the record's fields at the top level, with raw wire values (gear 0 = reverse,
1 = neutral; times in ms; see ``docs/protocols.md``). Packets are told apart by length: 12, 408,
328 and 212 bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from paddock import _native
from paddock.protocols._common import DecodedBatches, as_list, finite

PROTOCOL = "assetto_corsa"
"""The protocol's name in configs and the API."""

PORT = 9996
"""The UDP port Assetto Corsa listens on for handshakes."""

HANDSHAKE, SUBSCRIBE_UPDATE, SUBSCRIBE_SPOT, DISMISS = 0, 1, 2, 3
"""The handshaker's operation ids."""


def decode(datagram: bytes) -> dict[str, Any]:
    """Decode one datagram into its packet dict.

    Args:
        datagram: The UDP payload.

    Returns:
        The packet as a dict; NaN and infinite floats come back as ``None``.

    Raises:
        paddock.exceptions.DecodeError: The length matches no packet, or a 328-byte datagram
            lacks the ``'a'`` identifier or the 328 size.

    """
    packet: dict[str, Any] = json.loads(_native.ac_decode(datagram))
    return packet


def encode(packet: Mapping[str, Any]) -> bytes:
    """Encode a packet dict into its datagram.

    Missing fields take their defaults (0, "", zeros; ``car_info`` identifier 97 and size 328;
    response identifier 4242 and version 1; handshaker identifier and version 1); strings are
    written as UTF-16LE, cut to 49 code units, then ``%`` and NULs. NaN and infinite floats are
    encoded as NaN.

    Args:
        packet: The packet, tagged by ``"packet"``.

    Returns:
        The datagram at its exact wire size .

    Raises:
        paddock.exceptions.InvalidArgument: Unknown tag or field, a value out of its wire range,
            or a fixed array of the wrong length.

    """
    data = packet if isinstance(packet, dict) else dict(packet)
    try:
        text = json.dumps(data, allow_nan=False)
    except ValueError:
        text = json.dumps(finite(data), allow_nan=False)
    return _native.ac_encode(text)


def decode_batch(
    datagrams: Sequence[bytes], *, ts_ns: Sequence[int] | None = None
) -> DecodedBatches:
    """Decode many datagrams into one Arrow batch per packet type, with the GIL released.

    Columns: ``ts_ns``, then every field; per-wheel arrays are flattened to one column per wheel
    (``_fl/_fr/_rl/_rr``), ``car_coordinates`` to ``_x/_y/_z``.

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
    batches, decoded, errors, first_errors = _native.ac_decode_batch(
        as_list(datagrams), None if ts_ns is None else as_list(ts_ns)
    )
    return DecodedBatches(batches, decoded, errors, first_errors)


def frames(datagrams: Sequence[bytes], *, ts_ns: Sequence[int]) -> _native.Batch:
    """Decode datagrams into canonical frames, one row per ``car_info`` packet.

    Other packets give no rows. Rejected datagrams are skipped and counted in the batch's schema
    metadata (``decoded``, ``errors``).

    Args:
        datagrams: The UDP payloads, in receive order.
        ts_ns: Receive time of each datagram, ns since the epoch.

    Returns:
        The frame batch: ``ts_ns``, ``t_s``, then the canonical and ``ac.*`` channels.

    Raises:
        paddock.exceptions.InvalidArgument: ``ts_ns`` and ``datagrams`` differ in length.
        TypeError: A datagram is not ``bytes``.

    """
    return _native.ac_frames(as_list(datagrams), as_list(ts_ns))


def handshaker(operation_id: int) -> bytes:
    """The 12-byte datagram a client sends for an operation.

    Args:
        operation_id: :data:`HANDSHAKE`, :data:`SUBSCRIBE_UPDATE`, :data:`SUBSCRIBE_SPOT` or
            :data:`DISMISS`.

    Returns:
        The datagram (identifier 1, version 1).

    """
    return encode({"packet": "handshaker", "operation_id": operation_id})


__all__ = [
    "DISMISS",
    "HANDSHAKE",
    "PORT",
    "PROTOCOL",
    "SUBSCRIBE_SPOT",
    "SUBSCRIBE_UPDATE",
    "DecodedBatches",
    "decode",
    "decode_batch",
    "encode",
    "frames",
    "handshaker",
]
