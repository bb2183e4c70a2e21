"""Lap rows written by clients (Pitwall's ``POST /lap``): a lap timer's own figures.

These sit beside the laps paddock detects in the telemetry and never replace them: listings
show both, each with its ``source`` (``posted`` or ``detected``).
"""

from __future__ import annotations

import json
import time
from typing import Any

from paddock.store.catalog import Catalog
from paddock.store.sessions import iso

POSTED_FIELDS = ("s1_s", "s2_s", "s3_s", "t_start", "t_end", "valid", "driver", "note")
"""Optional fields a posted lap keeps (besides ``session_id``, ``lap`` and ``lap_time_s``)."""


class LapStore:
    """Posted lap rows in the catalog's ``laps`` table."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def add(
        self, session_id: str, lap: int | None, lap_time_s: float, **fields: Any
    ) -> dict[str, Any]:
        """Stores one lap; without ``lap`` it takes the session's next number (from 1)."""
        now = time.time_ns()
        doc = {k: v for k, v in fields.items() if k in POSTED_FIELDS and v is not None}
        with self.catalog.transaction() as db:
            if lap is None:
                row = db.execute(
                    "SELECT COALESCE(MAX(lap), 0) + 1 FROM laps WHERE session_id = ?",
                    (session_id,),
                ).fetchone()
                lap = int(row[0])
            cursor = db.execute(
                "INSERT INTO laps (session_id, lap, lap_time_s, created_ns, doc)"
                " VALUES (?, ?, ?, ?, ?)",
                (session_id, lap, lap_time_s, now, json.dumps(doc)),
            )
            lap_id = int(cursor.lastrowid or 0)
        return self._row((lap_id, session_id, lap, lap_time_s, now, json.dumps(doc)))

    def list_laps(self, session_id: str | None = None, *, limit: int = 20) -> list[dict[str, Any]]:
        """Posted laps, newest first (one session's, or every session's)."""
        sql = "SELECT id, session_id, lap, lap_time_s, created_ns, doc FROM laps"
        params: tuple[Any, ...] = ()
        if session_id is not None:
            sql += " WHERE session_id = ?"
            params = (session_id,)
        sql += " ORDER BY created_ns DESC, id DESC LIMIT ?"
        return [self._row(r) for r in self.catalog.query(sql, (*params, limit))]

    @staticmethod
    def _row(row: tuple[Any, ...]) -> dict[str, Any]:
        lap_id, session_id, lap, lap_time_s, created_ns, doc = row
        fields = json.loads(doc) if doc else {}
        return {
            "id": lap_id,
            "session_id": session_id,
            "lap": lap,
            "lap_time_s": lap_time_s,
            **{k: fields.get(k) for k in POSTED_FIELDS},
            "source": "posted",
            "created_at": iso(created_ns),
        }
