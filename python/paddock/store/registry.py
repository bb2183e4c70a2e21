"""The signal registry: every signal paddock knows, seeded with the standard OBD-II PIDs.

The catalog's ``signal_registry`` table (name, unit, source, first seen) holds one row per
signal. It is seeded with the service 01 parameter ids of SAE J1979 (``obd2.<name>``, source
``obd2``, from ``paddock/data/registry/obd2_pids.json``: PID, unit, formula and range) and grows
with every signal seen at run time: a feed's columns (source ``feed:<name>``), tall samples posted
to a session (``session:<id>``) and imported logs (``import:<file>``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from paddock.channels import lookup
from paddock.sources.base import FeedBatch
from paddock.store.catalog import Catalog

OBD2_SOURCE = "obd2"
OBD2_FILE = Path(__file__).resolve().parents[1] / "data" / "registry" / "obd2_pids.json"


class RegistryEntry(msgspec.Struct, kw_only=True):
    """One signal of the registry."""

    name: str
    unit: str | None
    source: str
    first_seen_ns: int
    description: str | None = None
    pid: str | None = None
    formula: str | None = None
    min: float | None = None
    max: float | None = None


@cache
def obd2_pids() -> tuple[dict[str, Any], ...]:
    """The seeded OBD-II service 01 PIDs.

    Each: ``pid``, ``name``, ``description``, ``unit``, ``formula``, ``min``, ``max``.
    """
    return tuple(json.loads(OBD2_FILE.read_text("utf-8"))["pids"])


def seed(catalog: Catalog) -> int:
    """Adds the OBD-II PIDs the registry lacks; returns how many were added."""
    rows = [(p["name"], p["unit"], OBD2_SOURCE, 0) for p in obd2_pids()]
    with catalog.transaction() as db:
        before = db.total_changes
        db.executemany(
            "INSERT OR IGNORE INTO signal_registry (name, unit, source, first_seen_ns)"
            " VALUES (?, ?, ?, ?)",
            rows,
        )
        return int(db.total_changes - before)


def register(catalog: Catalog, units: Mapping[str, str | None], *, source: str) -> list[str]:
    """Adds the signals of ``units`` the registry lacks (with their unit); returns them."""
    if not units:
        return []
    now = time.time_ns()
    names = list(units)
    with catalog.transaction() as db:
        known: set[str] = set()
        for start in range(0, len(names), 500):
            part = names[start : start + 500]
            marks = ",".join("?" * len(part))
            known.update(
                r[0]
                for r in db.execute(
                    f"SELECT name FROM signal_registry WHERE name IN ({marks})", part
                ).fetchall()
            )
        new = [n for n in names if n not in known]
        db.executemany(
            "INSERT INTO signal_registry (name, unit, source, first_seen_ns) VALUES (?, ?, ?, ?)",
            [(n, units[n], source, now) for n in new],
        )
    return sorted(new)


def entries(catalog: Catalog) -> list[RegistryEntry]:
    """Every signal, by name, with what is known of it.

    The OBD-II details (PID, formula, range) where it is one, the channel registry's description
    and range where it is a canonical channel.
    """
    details = {p["name"]: p for p in obd2_pids()}
    out: list[RegistryEntry] = []
    for name, unit, source, first_seen in catalog.query(
        "SELECT name, unit, source, first_seen_ns FROM signal_registry ORDER BY name"
    ):
        entry = RegistryEntry(name=name, unit=unit, source=source, first_seen_ns=first_seen)
        pid = details.get(name)
        if pid is not None:
            entry.description = pid["description"]
            entry.pid = pid["pid"]
            entry.formula = pid["formula"]
            entry.min, entry.max = pid["min"], pid["max"]
        elif (info := lookup(name)) is not None:
            entry.description = info.description
            entry.min, entry.max = info.min, info.max
        out.append(entry)
    return out


class SeenSignals:
    """A hub sink adding every signal a feed delivers to the registry (once per name).

    Args:
        catalog: The catalog holding the registry.
        units: ``feed name → {column: unit}`` for feeds whose columns the channel registry does
            not describe (the CAN feed's DBC signals).
    """

    def __init__(self, catalog: Catalog, units: Mapping[str, Mapping[str, str | None]]) -> None:
        self.catalog = catalog
        self.units = units
        self._seen: set[tuple[str, str]] = set()

    async def on_batch(self, batch: FeedBatch) -> None:
        """Registers the columns of ``batch.frames`` that carry a value and are new."""
        if not batch.frames.num_rows:
            return
        names = [
            c
            for c in batch.frames.column_names
            if c not in ("ts_ns", "t_s") and (batch.feed, c) not in self._seen
        ]
        if not names:
            return
        import asyncio

        import polars as pl

        frame = pl.DataFrame(batch.frames.select(names))
        present = [c for c in names if frame[c].null_count() < frame.height]
        if not present:
            return
        feed_units = self.units.get(batch.feed, {})
        units: dict[str, str | None] = {}
        for name in present:
            if name in feed_units:
                units[name] = feed_units[name]
            else:
                info = lookup(name)
                units[name] = info.unit if info is not None else None
        await asyncio.to_thread(register, self.catalog, units, source=f"feed:{batch.feed}")
        self._seen.update((batch.feed, n) for n in present)
