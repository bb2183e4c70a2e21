"""What a recording directory holds, and whether each of its files reads back whole.

The recorder calls :func:`check_integrity` when a recording stops: every MCAP segment is read in
full with every CRC checked, every raw datagram file is read to its end and its record count
compared with what the feed wrote, and every Parquet part is opened and its rows counted.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import polars as pl

from paddock._native import mcap_info, mcap_verify, read_raw_file

MCAP_STEM = "recording"
MCAP_SEGMENT = re.compile(rf"^{MCAP_STEM}(-[0-9]{{5}})?\.mcap$")
INTEGRITY_FAILED = "Recording pipelines stopped but integrity checks failed"
STOPPED_OK = "Recording stopped successfully"


def mcap_segments(directory: Path) -> list[Path]:
    """The MCAP files of a recording in order (``recording.mcap``, or its numbered segments)."""
    return sorted(p for p in directory.glob(f"{MCAP_STEM}*.mcap") if MCAP_SEGMENT.fullmatch(p.name))


def _entry(path: Path, directory: Path) -> dict[str, Any]:
    stat = path.stat()
    return {
        "name": str(path.relative_to(directory)),
        "size_bytes": stat.st_size,
        "modified_at": stat.st_mtime,
    }


def inventory(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """Every file of a recording grouped as ``mcap``, ``raw``, ``parquet`` and ``other``.

    MCAP entries also say whether the segment is finished and how many messages it holds (from
    its summary; an unfinished segment is scanned).
    """
    groups: dict[str, list[dict[str, Any]]] = {"mcap": [], "raw": [], "parquet": [], "other": []}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        entry = _entry(path, directory)
        if path.parent == directory and MCAP_SEGMENT.fullmatch(path.name):
            try:
                info = mcap_info(str(path))
                entry.update(
                    finished=info["finished"],
                    message_count=info["message_count"],
                    start_ns=info["start_ns"],
                    end_ns=info["end_ns"],
                )
            except Exception as exc:  # a damaged segment is listed, with the reason
                entry.update(finished=False, error=str(exc))
            groups["mcap"].append(entry)
        elif path.suffix == ".pdkraw":
            groups["raw"].append(entry)
        elif path.suffix == ".parquet":
            groups["parquet"].append(entry)
        else:
            groups["other"].append(entry)
    return groups


def _check(name: str, kind: str, error: str | None) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "integrity_checked": True,
        "integrity_ok": error is None,
        "integrity_error": error,
    }


def check_integrity(directory: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Re-reads every file of a stopped recording and says which ones are whole.

    Returns:
        ``{"checked", "all_ok", "reason", "files": [...]}``; each file entry has ``name``,
        ``kind`` (``mcap``, ``raw``, ``parquet``), ``integrity_checked``, ``integrity_ok`` and
        ``integrity_error``.
    """
    files: list[dict[str, Any]] = []
    segments = mcap_segments(directory)
    if not segments:
        files.append(_check(f"{MCAP_STEM}.mcap", "mcap", "no MCAP file was written"))
    for segment in segments:
        try:
            mcap_verify(str(segment))
            files.append(_check(segment.name, "mcap", None))
        except Exception as exc:
            files.append(_check(segment.name, "mcap", str(exc)))
    for feed in manifest.get("feeds", []):
        raw_name = feed["raw_file"]
        try:
            _, _, stats = read_raw_file(str(directory / raw_name))
            error = None
            if stats["truncated_tail_bytes"]:
                error = f"{stats['truncated_tail_bytes']} bytes of a truncated last record"
            elif stats["records"] != feed["packets"]:
                error = f"{stats['records']} records read, {feed['packets']} written"
            files.append(_check(raw_name, "raw", error))
        except Exception as exc:
            files.append(_check(raw_name, "raw", str(exc)))
        rows = 0
        for part in feed.get("parquet_parts", []):
            try:
                rows += pl.scan_parquet(directory / part).select(pl.len()).collect().item()
                files.append(_check(part, "parquet", None))
            except Exception as exc:
                files.append(_check(part, "parquet", str(exc)))
        if feed.get("parquet_parts") and rows != feed["frames"]:
            files.append(
                _check(
                    f"frames/{feed['name']}",
                    "parquet",
                    f"{rows} rows read, {feed['frames']} written",
                )
            )
    failed = [f for f in files if not f["integrity_ok"]]
    return {
        "checked": True,
        "all_ok": not failed,
        "reason": (
            None
            if not failed
            else "; ".join(f"{f['name']}: {f['integrity_error']}" for f in failed)
        ),
        "files": files,
    }


def latest_segment(directory: Path) -> dict[str, Any] | None:
    """The newest MCAP segment of a recording: name, size and age in seconds."""
    segments = mcap_segments(directory)
    if not segments:
        return None
    latest = segments[-1]
    stat = latest.stat()
    return {
        "latest_segment": latest.name,
        "latest_segment_size": stat.st_size,
        "latest_segment_age_seconds": round(max(0.0, time.time() - stat.st_mtime), 3),
        "segment_count": len(segments),
    }
