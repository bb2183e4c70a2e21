"""Live standings of a whole field, for feeds whose protocol reports every car (ACC).

A feed's canonical rows follow one car (ACC: the focused one). The raw datagrams carry the
others too: :class:`Standings` is a hub sink that decodes each drained raw batch of such a feed
with the protocol's batch decoder (in Rust, into Arrow) and keeps the newest update and entry of
every car, so ``GET /api/live/{feed}/cars`` can list the field in race order.
"""

from __future__ import annotations

import threading
from typing import Any

import polars as pl

from paddock.protocols import acc
from paddock.sources.base import FeedBatch

NO_TIME = acc.NO_TIME


def _lap_s(ms: Any) -> float | None:
    if ms is None or ms <= 0 or ms == NO_TIME:
        return None
    return float(ms) / 1000.0


class Standings:
    """The newest update and entry-list record of every car, per feed."""

    PROTOCOLS = frozenset({acc.PROTOCOL})
    """Protocols whose datagrams describe the whole field."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cars: dict[str, dict[int, dict[str, Any]]] = {}
        self._entries: dict[str, dict[int, dict[str, Any]]] = {}

    async def on_batch(self, batch: FeedBatch) -> None:
        """Hub sink: folds the raw datagrams of a whole-field feed into the standings."""
        if batch.protocol not in self.PROTOCOLS:
            return
        if batch.raw.num_rows == 0:
            return
        raw = pl.DataFrame(batch.raw)
        decoded = acc.decode_batch(raw["payload"].to_list(), ts_ns=raw["ts_ns"].to_list())
        with self._lock:
            cars = self._cars.setdefault(batch.feed, {})
            entries = self._entries.setdefault(batch.feed, {})
            if "entry_list_car" in decoded.batches:
                frame = pl.DataFrame(decoded.batches["entry_list_car"])
                for row in frame.unique("car_index", keep="last").iter_rows(named=True):
                    entries[int(row["car_index"])] = row
            if "realtime_car_update" in decoded.batches:
                frame = pl.DataFrame(decoded.batches["realtime_car_update"])
                for row in frame.unique("car_index", keep="last").iter_rows(named=True):
                    cars[int(row["car_index"])] = row

    def cars(self, feed: str) -> list[dict[str, Any]]:
        """The field of ``feed`` in race order: position, identity, lap and timing of each car."""
        with self._lock:
            cars = dict(self._cars.get(feed, {}))
            entries = dict(self._entries.get(feed, {}))
        out = []
        for index, car in cars.items():
            entry = entries.get(index, {})
            first = (entry.get("driver_first_names") or [None])[0]
            last = (entry.get("driver_last_names") or [None])[0]
            driver = " ".join(part for part in (first, last) if part) or None
            out.append(
                {
                    "car_index": index,
                    "position": car["position"],
                    "cup_position": car["cup_position"],
                    "track_position": car["track_position"],
                    "race_number": entry.get("race_number"),
                    "team_name": entry.get("team_name"),
                    "driver": driver,
                    "laps": car["laps"],
                    "lap": car["laps"] + 1,
                    "spline_position": car["spline_position"],
                    "speed_kmh": float(car["kmh"]),
                    "gear": int(car["gear"]) - 2,
                    "car_location": car["car_location"],
                    "delta_ms": car["delta_ms"],
                    "lap_time_s": _lap_s(car["current_lap_laptime_ms"]),
                    "last_lap_s": _lap_s(car["last_lap_laptime_ms"]),
                    "best_lap_s": _lap_s(car["best_session_lap_laptime_ms"]),
                    "ts_ns": car["ts_ns"],
                }
            )
        out.sort(key=lambda c: (c["position"] or 10_000, c["car_index"]))
        return out

    def tracks(self, feed: str) -> bool:
        """Whether standings are kept for ``feed`` (it has sent a whole-field datagram)."""
        with self._lock:
            return feed in self._cars
