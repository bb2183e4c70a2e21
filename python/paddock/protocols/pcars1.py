"""Project CARS 1 UDP packets (port 5606), over the Rust codec.

A packet is a dict tagged by ``"packet"`` (``telemetry``, ``participant_strings``,
``participant_strings_additional``) holding the header fields (``build_version_number``,
``packet_type_sequence``) and the packet's fields at the top level, with raw wire values (see
``docs/protocols.md``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from paddock import _native
from paddock.protocols._common import DecodedBatches, as_list, finite

PROTOCOL = "project_cars_1"
"""The protocol's name in configs and the API."""

AUTO_PROTOCOL = "project_cars"
"""The auto-detecting protocol (PCARS1 or PCARS2 format, per datagram)."""


def decode(datagram: bytes) -> dict[str, Any]:
    """Decode one datagram into its packet dict.

    Args:
        datagram: The UDP payload.

    Returns:
        The packet as a dict; NaN and infinite floats come back as ``None``.

    Raises:
        paddock.exceptions.DecodeError: The type bits (byte 2 & 3) and length match no packet.

    """
    packet: dict[str, Any] = json.loads(_native.pcars1_decode(datagram))
    return packet


def encode(packet: Mapping[str, Any]) -> bytes:
    """Encode a packet dict into its datagram.

    Missing fields take their defaults (0, "", zeros); the type bits of byte 2 follow the tag
    (the sequence bits of ``packet_type_sequence`` are kept); strings are cut to fit their field
    with a NUL kept; the participant list is padded to 56 entries. NaN and infinite floats are
    encoded as NaN.

    Args:
        packet: The packet, tagged by ``"packet"``.

    Returns:
        The datagram at its exact wire size (1367, 1347 or 1028 bytes).

    Raises:
        paddock.exceptions.InvalidArgument: Unknown tag or field, a value out of its wire range,
            or a fixed array of the wrong length.

    """
    data = packet if isinstance(packet, dict) else dict(packet)
    try:
        text = json.dumps(data, allow_nan=False)
    except ValueError:
        text = json.dumps(finite(data), allow_nan=False)
    return _native.pcars1_encode(text)


def decode_batch(
    datagrams: Sequence[bytes], *, ts_ns: Sequence[int] | None = None
) -> DecodedBatches:
    """Decode many datagrams into one Arrow batch per packet type, with the GIL released.

    Columns: ``ts_ns``, the header fields, then every field; fixed arrays are flattened to one
    column per element (``_fl/_fr/_rl/_rr``, ``_x/_y/_z``, ``_0``…), the telemetry's 56
    participants are one ``List<Struct>`` column, the 16 names one ``List<Utf8>`` column.

    Args:
        datagrams: The UDP payloads.
        ts_ns: Receive time of each datagram, ns since the epoch; the datagram's index if omitted.

    Returns:
        The batches, the counts of decoded and rejected datagrams, and the first rejections'
        messages.

    Raises:
        paddock.exceptions.InvalidArgument: ``ts_ns`` and ``datagrams`` differ in length.
        TypeError: A datagram is not ``bytes``.

    """
    batches, decoded, errors, first_errors = _native.pcars1_decode_batch(
        as_list(datagrams), None if ts_ns is None else as_list(ts_ns)
    )
    return DecodedBatches(batches, decoded, errors, first_errors)


def frames(
    datagrams: Sequence[bytes],
    *,
    ts_ns: Sequence[int],
    protocol: Literal["project_cars_1", "project_cars"] = "project_cars_1",
) -> _native.Batch:
    """Decode datagrams into canonical frames, one row per telemetry packet.

    Rejected datagrams are skipped and counted in the batch's schema metadata (``decoded``,
    ``errors``).

    Args:
        datagrams: The UDP payloads, in receive order.
        ts_ns: Receive time of each datagram, ns since the epoch.
        protocol: ``project_cars_1``, or ``project_cars`` to accept PCARS1 and PCARS2 datagrams
            alike (rows then carry the union of both formats' channels).

    Returns:
        The frame batch: ``ts_ns``, ``t_s``, then the canonical and namespaced channels.

    Raises:
        paddock.exceptions.InvalidArgument: ``ts_ns`` and ``datagrams`` differ in length, or an
            unknown ``protocol``.
        TypeError: A datagram is not ``bytes``.

    """
    return _native.pcars1_frames(as_list(datagrams), as_list(ts_ns), protocol)


__all__ = [
    "AUTO_PROTOCOL",
    "PROTOCOL",
    "DecodedBatches",
    "decode",
    "decode_batch",
    "encode",
    "frames",
]
