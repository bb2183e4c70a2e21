"""``GET /api/risk-log/mcap/{filename}``: notable cycles of a recording, read from its MCAP.

A recording's cycle events are in its ``cycles.mcap`` (see :mod:`paddock.store.cycle_mcap`).
They are read back through the same contract as the risk log: only notable cycles (rejected,
clamped, above ``NORMAL``, a fallback or a failing guard), each in the risk log's event shape,
newest last, with its MCAP ``sequence``.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from paddock.exceptions import InvalidArgument, NotFound
from paddock.realtime.cycles import CycleEvent, is_notable
from paddock.realtime.state import cycle_risk_event
from paddock.store.cycle_mcap import CYCLES_FILE, read_cycles
from paddock.store.recordings import RECORDING_ID, Recorder
from paddock.store.risk import risk_rank

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")


def recording_of(filename: str) -> str:
    """The recording id ``filename`` names (``<id>`` or ``<id>.mcap``).

    Raises:
        InvalidArgument: ``filename`` holds a path (``/``, ``..``) or other characters than
            letters, digits, ``_``, ``.`` and ``-``.
        NotFound: It names no recording.
    """
    if not _NAME.fullmatch(filename) or ".." in filename:
        raise InvalidArgument(
            f"invalid MCAP file name {filename!r}: a session id (with or without .mcap), no path"
        )
    stem = filename.removesuffix(".mcap")
    if not RECORDING_ID.fullmatch(stem):
        raise NotFound(f"MCAP session {filename!r} not found")
    return stem


def notable_cycles_from_recording(
    recorder: Recorder,
    filename: str,
    *,
    min_risk_level: str | None = None,
    outcome: str | None = None,
    failure_type: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """The notable cycles of the recording ``filename`` names, filtered (see the module doc).

    Raises:
        InvalidArgument: A bad file name.
        NotFound: No such recording.
    """
    recording_id = recording_of(filename)
    recorder.get(recording_id)
    path = recorder.recordings_dir / recording_id / CYCLES_FILE
    floor = risk_rank(min_risk_level) if min_risk_level else 0
    events: list[dict[str, Any]] = []
    total = notable = 0
    if path.is_file():
        for sequence, doc in read_cycles(path):
            total += 1
            try:
                event = msgspec.convert(doc, CycleEvent)
            except msgspec.ValidationError:
                continue
            if not is_notable(event):
                continue
            notable += 1
            entry = cycle_risk_event(event)
            if risk_rank(entry["risk_level"]) < floor:
                continue
            if outcome is not None and entry["outcome"] != outcome:
                continue
            if failure_type is not None and entry["failure_type"] != failure_type:
                continue
            if len(events) < limit:
                events.append({"sequence": sequence, **entry})
    return {
        "filename": filename,
        "session_id": recording_id,
        "total_cycles": total,
        "notable_cycles": notable,
        "count": len(events),
        "events": events,
    }
