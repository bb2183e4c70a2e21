"""Project CARS 2 native UDP packets (port 5606), over the Rust codec.

A packet is a dict tagged by ``"packet"`` (``telemetry``, ``race``, ``participants``,
``timings``, ``game_state``, ``time_stats``, ``vehicle_names``, ``class_names``) holding the header
fields and the packet's fields at the top level, with raw wire values (see ``docs/protocols.md``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from paddock import _native
from paddock.protocols._common import DecodedBatches, as_list, finite

PROTOCOL = "project_cars_2"
"""The protocol's name in configs and the API."""


def decode(datagram: bytes) -> dict[str, Any]:
    """Decode one datagram into its packet dict.

    Args:
        datagram: The UDP payload.

    Returns:
        The packet as a dict; NaN and infinite floats come back as ``None``.

    Raises:
        paddock.exceptions.DecodeError: The type byte and length match no packet.

    """
    packet: dict[str, Any] = json.loads(_native.pcars2_decode(datagram))
    return packet


def encode(packet: Mapping[str, Any]) -> bytes:
    """Encode a packet dict into its datagram.

    Missing fields take their defaults (0, "", zeros; partial packet index and number 1); strings
    are cut to fit their field with a NUL kept; per-participant lists are padded to their wire
    length. NaN and infinite floats are encoded as NaN.

    Args:
        packet: The packet, tagged by ``"packet"``.

    Returns:
        The datagram at its exact wire size (telemetry at the 559-byte Patch-5 size).

    Raises:
        paddock.exceptions.InvalidArgument: Unknown tag or field, a value out of its wire range,
            or a fixed array of the wrong length.

    """
    data = packet if isinstance(packet, dict) else dict(packet)
    try:
        text = json.dumps(data, allow_nan=False)
    except ValueError:
        text = json.dumps(finite(data), allow_nan=False)
    return _native.pcars2_encode(text)


def decode_batch(
    datagrams: Sequence[bytes], *, ts_ns: Sequence[int] | None = None
) -> DecodedBatches:
    """Decode many datagrams into one Arrow batch per packet type, with the GIL released.

    Columns: ``ts_ns``, the header fields, then every field; fixed arrays are flattened to one
    column per element (``_fl/_fr/_rl/_rr``, ``_x/_y/_z``, ``_0``…), per-participant lists are
    one ``List<Struct>`` column.

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
    batches, decoded, errors, first_errors = _native.pcars2_decode_batch(
        as_list(datagrams), None if ts_ns is None else as_list(ts_ns)
    )
    return DecodedBatches(batches, decoded, errors, first_errors)


def frames(datagrams: Sequence[bytes], *, ts_ns: Sequence[int]) -> _native.Batch:
    """Decode datagrams into canonical frames, one row per telemetry packet.

    The decoder remembers the latest timings, time stats and game state packets, as a live feed
    does; channels whose source packet has not arrived yet are null. Rejected datagrams are
    skipped and counted in the batch's schema metadata (``decoded``, ``errors``).

    Args:
        datagrams: The UDP payloads, in receive order.
        ts_ns: Receive time of each datagram, ns since the epoch.

    Returns:
        The frame batch: ``ts_ns``, ``t_s``, then the canonical and ``pcars2.*`` channels.

    Raises:
        paddock.exceptions.InvalidArgument: ``ts_ns`` and ``datagrams`` differ in length.
        TypeError: A datagram is not ``bytes``.

    """
    return _native.pcars2_frames(as_list(datagrams), as_list(ts_ns))


__all__ = ["PROTOCOL", "DecodedBatches", "decode", "decode_batch", "encode", "frames"]
