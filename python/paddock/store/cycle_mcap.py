"""Cycle events in a recording: ``cycles.mcap`` beside its telemetry, topic ``/dam/cycle``.

While a recording runs, every cycle event posted to ``/api/telemetry/cycles`` is written to the
recording's ``cycles.mcap`` as one JSON message (the seed's event shape) logged at the event's
``timestamp``. The file is an ordinary MCAP file (zstd chunks, a ``dam.CycleEvent`` JSON
Schema, a ``json`` channel), finished when the recording stops; a file left unfinished by a
crash is read up to its last complete record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from mcap.exceptions import McapError
from mcap.records import Channel, Message
from mcap.stream_reader import StreamReader
from mcap.writer import CompressionType, Writer

CYCLES_FILE = "cycles.mcap"
CYCLE_TOPIC = "/dam/cycle"
CYCLE_SCHEMA = json.dumps(
    {
        "title": "dam.CycleEvent",
        "type": "object",
        "properties": {
            "cycle_id": {"type": "integer"},
            "risk_level": {"type": "string"},
            "was_rejected": {"type": "boolean"},
            "was_clamped": {"type": "boolean"},
            "timestamp": {"type": "number"},
        },
    }
).encode()
#: Small chunks, so a crash loses little of a slow robot's cycles.
CHUNK_BYTES = 64 * 1024


class CycleMcapWriter:
    """Writes cycle events into one MCAP file (not thread-safe: the recording's lock orders it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] = path.open("wb")
        self._writer = Writer(self._file, chunk_size=CHUNK_BYTES, compression=CompressionType.ZSTD)
        self._writer.start(profile="", library="paddock")
        schema_id = self._writer.register_schema(
            name="dam.CycleEvent", encoding="jsonschema", data=CYCLE_SCHEMA
        )
        self._channel = self._writer.register_channel(
            topic=CYCLE_TOPIC, message_encoding="json", schema_id=schema_id
        )
        self._sequence = 0
        self.messages = 0

    def write(self, ts_ns: int, event_json: bytes) -> None:
        """Appends one encoded cycle event logged at ``ts_ns``."""
        log_time = max(0, ts_ns)
        self._writer.add_message(
            channel_id=self._channel,
            log_time=log_time,
            data=event_json,
            publish_time=log_time,
            sequence=self._sequence,
        )
        self._sequence = (self._sequence + 1) & 0xFFFFFFFF
        self.messages += 1

    def close(self) -> None:
        """Writes the summary and closes the file."""
        try:
            self._writer.finish()  # type: ignore[no-untyped-call]
        finally:
            self._file.close()


def read_cycles(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(sequence, event)`` of every ``/dam/cycle`` message in ``path``, in file order.

    Stops quietly at a truncated end (a recording that was not stopped cleanly); a message that
    is not a JSON object is skipped.
    """
    channels: dict[int, str] = {}
    with path.open("rb") as f:
        records = StreamReader(f, skip_magic=False, emit_chunks=False).records
        try:
            for record in records:
                if isinstance(record, Channel):
                    channels[record.id] = record.topic
                elif isinstance(record, Message) and channels.get(record.channel_id) == CYCLE_TOPIC:
                    try:
                        event = json.loads(record.data)
                    except ValueError:
                        continue
                    if isinstance(event, dict):
                        yield record.sequence, event
        except (McapError, EOFError, ValueError, OSError):
            return
