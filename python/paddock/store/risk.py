"""Boundaries and the risk log in the catalog (SQLite): limit configs and notable events.

Filtered and sorted fields are columns (time, source, risk rank, outcome, latency); the whole
event is a JSON document in ``doc``, as the other catalog tables keep theirs.
"""

from __future__ import annotations

import json
import time
from typing import Any

from paddock.exceptions import Conflict, NotFound
from paddock.store.catalog import Catalog

RISK_LEVELS: tuple[str, ...] = ("NORMAL", "ELEVATED", "CRITICAL", "EMERGENCY")


def risk_rank(level: str) -> int:
    """The rank of a risk level (``NORMAL`` is 0); unknown levels rank as ``NORMAL``."""
    try:
        return RISK_LEVELS.index(level.upper())
    except ValueError:
        return 0


class RiskStore:
    """Boundaries and risk events over the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    # Boundaries -------------------------------------------------------------------------

    def list_boundaries(self) -> list[dict[str, Any]]:
        """Every boundary config, oldest first."""
        rows = self._catalog.query("SELECT doc FROM boundaries ORDER BY created_ns, name")
        return [dict(json.loads(r[0])) for r in rows]

    def get_boundary(self, name: str) -> dict[str, Any]:
        """One boundary config.

        Raises:
            NotFound: No boundary has that name.
        """
        rows = self._catalog.query("SELECT doc FROM boundaries WHERE name = ?", (name,))
        if not rows:
            raise NotFound(f"Boundary {name} not found")
        return dict(json.loads(rows[0][0]))

    def create_boundary(self, doc: dict[str, Any]) -> None:
        """Stores a new boundary config.

        Raises:
            Conflict: A boundary with that name exists.
        """
        with self._catalog.transaction() as db:
            exists = db.execute("SELECT 1 FROM boundaries WHERE name = ?", (doc["name"],))
            if exists.fetchone() is not None:
                raise Conflict(f"Boundary {doc['name']} already exists")
            db.execute(
                "INSERT INTO boundaries (name, created_ns, doc) VALUES (?, ?, ?)",
                (doc["name"], time.time_ns(), json.dumps(doc)),
            )

    def replace_boundary(self, doc: dict[str, Any]) -> None:
        """Replaces an existing boundary config.

        Raises:
            NotFound: No boundary has that name.
        """
        with self._catalog.transaction() as db:
            cur = db.execute(
                "UPDATE boundaries SET doc = ? WHERE name = ?", (json.dumps(doc), doc["name"])
            )
            if cur.rowcount == 0:
                raise NotFound(f"Boundary {doc['name']} not found")

    def delete_boundary(self, name: str) -> None:
        """Removes a boundary config.

        Raises:
            NotFound: No boundary has that name.
        """
        with self._catalog.transaction() as db:
            cur = db.execute("DELETE FROM boundaries WHERE name = ?", (name,))
            if cur.rowcount == 0:
                raise NotFound(f"Boundary {name} not found")

    # Risk events ------------------------------------------------------------------------

    def add_events(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Stores ``events`` (``timestamp`` in seconds); returns them with their ``id``."""
        stored = []
        with self._catalog.transaction() as db:
            for event in events:
                total = event.get("latency_ms")
                cur = db.execute(
                    "INSERT INTO risk_events (ts_ns, source, risk_rank, outcome, latency_ms, doc)"
                    " VALUES (?, ?, ?, ?, ?, '{}')",
                    (
                        int(float(event["timestamp"]) * 1e9),
                        event["source"],
                        risk_rank(event["risk_level"]),
                        event["outcome"],
                        float(total) if isinstance(total, int | float) else None,
                    ),
                )
                full = {"id": cur.lastrowid, **event}
                db.execute(
                    "UPDATE risk_events SET doc = ? WHERE id = ?", (json.dumps(full), full["id"])
                )
                stored.append(full)
        return stored

    def query_events(
        self,
        *,
        since: float | None = None,
        until: float | None = None,
        min_risk_level: str | None = None,
        outcome: str | None = None,
        source: str | None = None,
        limit: int | None = 100,
    ) -> list[dict[str, Any]]:
        """Risk events newest first, filtered; ``limit=None`` returns all that match."""
        where, params = self._where(since, until, min_risk_level, outcome, source)
        sql = f"SELECT doc FROM risk_events{where} ORDER BY ts_ns DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self._catalog.query(sql, tuple(params))
        return [dict(json.loads(r[0])) for r in rows]

    def get_event(self, event_id: int) -> dict[str, Any]:
        """One risk event by id.

        Raises:
            NotFound: No event has that id.
        """
        rows = self._catalog.query("SELECT doc FROM risk_events WHERE id = ?", (event_id,))
        if not rows:
            raise NotFound(f"Risk event {event_id} not found")
        return dict(json.loads(rows[0][0]))

    def stats(self) -> dict[str, Any]:
        """Totals: events, rejected, clamped, passed, by risk level and source, mean latency."""
        total, rejected, clamped, passed, avg = self._catalog.query(
            "SELECT COUNT(*), SUM(outcome = 'reject'), SUM(outcome = 'clamp'),"
            " SUM(outcome = 'pass'), AVG(latency_ms) FROM risk_events"
        )[0]
        by_rank = dict(
            self._catalog.query("SELECT risk_rank, COUNT(*) FROM risk_events GROUP BY risk_rank")
        )
        by_source = dict(
            self._catalog.query("SELECT source, COUNT(*) FROM risk_events GROUP BY source")
        )
        return {
            "total_events": total,
            "rejected": rejected or 0,
            "clamped": clamped or 0,
            "passed": passed or 0,
            "by_risk_level": {level: by_rank.get(i, 0) for i, level in enumerate(RISK_LEVELS)},
            "by_source": by_source,
            "avg_latency_ms": None if avg is None else round(float(avg), 3),
        }

    @staticmethod
    def _where(
        since: float | None,
        until: float | None,
        min_risk_level: str | None,
        outcome: str | None,
        source: str | None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if since is not None:
            clauses.append("ts_ns >= ?")
            params.append(int(since * 1e9))
        if until is not None:
            clauses.append("ts_ns <= ?")
            params.append(int(until * 1e9))
        if min_risk_level is not None:
            clauses.append("risk_rank >= ?")
            params.append(risk_rank(min_risk_level))
        if outcome is not None:
            clauses.append("outcome = ?")
            params.append(outcome)
        if source is not None:
            clauses.append("source = ?")
            params.append(source)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
