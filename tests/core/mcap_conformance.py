"""Rebuilds the MCAP files of the conformance suite from their expected-output JSON.

The suite's ``.mcap`` inputs are not in the shared test data, but each JSON lists, in file order,
every record a streaming reader must produce, with every field (CRCs and offsets included). The
file is those records serialised as the MCAP specification lays them out, with the chunk and
message index records the JSON leaves out put back where the variant's features say. The CRCs
the JSON carries then check the rebuild: a reader that validates them accepts the file only if
it is byte for byte the suite's.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

MAGIC = b"\x89MCAP0\r\n"
OPCODES = {
    "Header": 0x01,
    "Footer": 0x02,
    "Schema": 0x03,
    "Channel": 0x04,
    "Message": 0x05,
    "Chunk": 0x06,
    "MessageIndex": 0x07,
    "ChunkIndex": 0x08,
    "Attachment": 0x09,
    "AttachmentIndex": 0x0A,
    "Statistics": 0x0B,
    "Metadata": 0x0C,
    "MetadataIndex": 0x0D,
    "SummaryOffset": 0x0E,
    "DataEnd": 0x0F,
}
CHUNKED = {"Schema", "Channel", "Message"}
# The bytes the suite's writer appends to records outside chunks in `pad` variants (found from
# the data section CRCs of the suite's JSON).
PADDING = b"\x01\xff\xff"


def _u8(v: Any) -> bytes:
    return struct.pack("<B", int(v))


def _u16(v: Any) -> bytes:
    return struct.pack("<H", int(v))


def _u32(v: Any) -> bytes:
    return struct.pack("<I", int(v))


def _u64(v: Any) -> bytes:
    return struct.pack("<Q", int(v))


def _str(v: str) -> bytes:
    raw = v.encode()
    return _u32(len(raw)) + raw


def _bytes(v: list[str]) -> bytes:
    return bytes(int(b) for b in v)


def _prefixed(v: list[str]) -> bytes:
    raw = _bytes(v)
    return _u32(len(raw)) + raw


def _map(entries: bytes) -> bytes:
    return _u32(len(entries)) + entries


def _str_map(v: dict[str, str]) -> bytes:
    return _map(b"".join(_str(k) + _str(x) for k, x in v.items()))


def body(kind: str, f: dict[str, Any]) -> bytes:
    """The body of one record from its JSON fields."""
    if kind == "Header":
        return _str(f["profile"]) + _str(f["library"])
    if kind == "Footer":
        return _u64(f["summary_start"]) + _u64(f["summary_offset_start"]) + _u32(f["summary_crc"])
    if kind == "Schema":
        return _u16(f["id"]) + _str(f["name"]) + _str(f["encoding"]) + _prefixed(f["data"])
    if kind == "Channel":
        return (
            _u16(f["id"])
            + _u16(f["schema_id"])
            + _str(f["topic"])
            + _str(f["message_encoding"])
            + _str_map(f["metadata"])
        )
    if kind == "Message":
        return (
            _u16(f["channel_id"])
            + _u32(f["sequence"])
            + _u64(f["log_time"])
            + _u64(f["publish_time"])
            + _bytes(f["data"])
        )
    if kind == "ChunkIndex":
        offsets = b"".join(_u16(k) + _u64(v) for k, v in f["message_index_offsets"].items())
        return (
            _u64(f["message_start_time"])
            + _u64(f["message_end_time"])
            + _u64(f["chunk_start_offset"])
            + _u64(f["chunk_length"])
            + _map(offsets)
            + _u64(f["message_index_length"])
            + _str(f["compression"])
            + _u64(f["compressed_size"])
            + _u64(f["uncompressed_size"])
        )
    if kind == "Attachment":
        head = (
            _u64(f["log_time"]) + _u64(f["create_time"]) + _str(f["name"]) + _str(f["media_type"])
        )
        data = _bytes(f["data"])
        fields = head + _u64(len(data)) + data
        return fields + _u32(zlib.crc32(fields))
    if kind == "AttachmentIndex":
        return (
            _u64(f["offset"])
            + _u64(f["length"])
            + _u64(f["log_time"])
            + _u64(f["create_time"])
            + _u64(f["data_size"])
            + _str(f["name"])
            + _str(f["media_type"])
        )
    if kind == "Statistics":
        counts = b"".join(_u16(k) + _u64(v) for k, v in f["channel_message_counts"].items())
        return (
            _u64(f["message_count"])
            + _u16(f["schema_count"])
            + _u32(f["channel_count"])
            + _u32(f["attachment_count"])
            + _u32(f["metadata_count"])
            + _u32(f["chunk_count"])
            + _u64(f["message_start_time"])
            + _u64(f["message_end_time"])
            + _map(counts)
        )
    if kind == "Metadata":
        return _str(f["name"]) + _str_map(f["metadata"])
    if kind == "MetadataIndex":
        return _u64(f["offset"]) + _u64(f["length"]) + _str(f["name"])
    if kind == "SummaryOffset":
        return _u8(f["group_opcode"]) + _u64(f["group_start"]) + _u64(f["group_length"])
    if kind == "DataEnd":
        return _u32(f["data_section_crc"])
    raise ValueError(f"unknown record type {kind}")


def record(kind: str, payload: bytes) -> bytes:
    """One record: opcode, length, body."""
    return _u8(OPCODES[kind]) + _u64(len(payload)) + payload


def build(doc: dict[str, Any]) -> bytes:
    """The MCAP file a conformance JSON describes."""
    features = set(doc["meta"]["variant"]["features"])
    pad = PADDING if "pad" in features else b""
    out = bytearray(MAGIC)
    chunk: list[tuple[str, dict[str, Any]]] = []

    def flush_chunk() -> None:
        if not chunk:
            return
        records = bytearray()
        indexes: dict[int, list[tuple[int, int]]] = {}
        times = []
        for kind, f in chunk:
            if kind == "Message":
                times.append(int(f["log_time"]))
                indexes.setdefault(int(f["channel_id"]), []).append(
                    (int(f["log_time"]), len(records))
                )
            records += record(kind, body(kind, f))
        payload = (
            _u64(min(times, default=0))
            + _u64(max(times, default=0))
            + _u64(len(records))
            + _u32(zlib.crc32(records))
            + _str("")
            + _u64(len(records))
            + bytes(records)
        )
        out.extend(record("Chunk", payload))
        if "mx" in features:
            for channel_id in sorted(indexes):
                entries = b"".join(_u64(t) + _u64(o) for t, o in indexes[channel_id])
                out.extend(record("MessageIndex", _u16(channel_id) + _map(entries) + pad))
        chunk.clear()

    in_data = True
    for r in doc["records"]:
        kind, f = r["type"], dict(r["fields"])
        if in_data and "ch" in features and kind in CHUNKED:
            chunk.append((kind, f))
            continue
        if in_data:
            flush_chunk()
        if kind == "DataEnd":
            in_data = False
        # A message's data runs to the end of its record: nothing can follow it. The footer and
        # the data end record are not padded (the footer's summary_start says so).
        extra = b"" if kind in ("Footer", "Message", "DataEnd") else pad
        out.extend(record(kind, body(kind, f) + extra))
    out.extend(MAGIC)
    return bytes(out)


def normalise(value: Any) -> Any:
    """A value of paddock's record listing in the suite's notation (numbers as strings)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    return value


def expected(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The suite's records as ``{"type", "fields": {...}}``."""
    return [{"type": r["type"], "fields": dict(r["fields"])} for r in doc["records"]]
