"""HTTP ingest into a session's files: tall channel samples, wide frames, signals, video frames.

Every path lands in the same per-session tables that runs fill from UDP feeds (see
``store/session_data.py``), so ``open_session`` and every analysis read them alike.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import polars as pl

from paddock.exceptions import NotFound
from paddock.store.sessions import SessionStore

_SCALARS = (int, float, bool, str)


class SessionIngest:
    """Writes and queries session time series through ``sessions``' data files."""

    def __init__(self, sessions: SessionStore) -> None:
        self.sessions = sessions
        self.data = sessions.data

    def _started_ns(self, session_id: str) -> int:
        started: int = self.sessions.get(session_id)["started_ns"]
        return started

    def add_samples(
        self,
        session_id: str,
        *,
        ts_ns: Sequence[int],
        channels: Sequence[str],
        values: Sequence[float],
        units: Sequence[str | None],
        source: str,
    ) -> int:
        """Appends tall samples (columns of equal length); returns how many."""
        started = self._started_ns(session_id)
        rows = pl.DataFrame(
            {"ts_ns": ts_ns, "channel": channels, "value": values, "unit": units},
            schema={
                "ts_ns": pl.Int64(),
                "channel": pl.String(),
                "value": pl.Float64(),
                "unit": pl.String(),
            },
        ).with_columns(
            ((pl.col("ts_ns") - started) / 1e9).alias("t_s"), pl.lit(source).alias("source")
        )
        self.data.append(session_id, "channels", rows)
        return rows.height

    def query_samples(
        self,
        session_id: str,
        *,
        channel: str | None = None,
        from_ns: int | None = None,
        to_ns: int | None = None,
        limit: int = 1000,
    ) -> pl.DataFrame:
        """Samples newest first, filtered by channel and time (inclusive), at most ``limit``."""
        lf = self.sessions.open_session(session_id, table="channels")
        if channel is not None:
            lf = lf.filter(pl.col("channel") == channel)
        if from_ns is not None:
            lf = lf.filter(pl.col("ts_ns") >= from_ns)
        if to_ns is not None:
            lf = lf.filter(pl.col("ts_ns") <= to_ns)
        return (
            lf.select("ts_ns", "channel", "value", "unit")
            .sort("ts_ns", descending=True, maintain_order=True)
            .head(limit)
            .collect()
        )

    def latest_sample(self, session_id: str, channel: str) -> dict[str, Any]:
        """The newest sample of ``channel``.

        Raises:
            NotFound: No such session, or the channel has no samples in it.
        """
        rows = self.query_samples(session_id, channel=channel, limit=1)
        if rows.is_empty():
            raise NotFound(f"Telemetry channel {channel} not found in session {session_id}")
        return rows.row(0, named=True)

    def channel_names(self, session_id: str) -> list[str]:
        """Every channel with samples in the session, sorted."""
        lf = self.sessions.open_session(session_id, table="channels")
        names = lf.select(pl.col("channel").unique()).collect().to_series().drop_nulls()
        return sorted(names.to_list())

    def add_frames(self, session_id: str, frames: Sequence[dict[str, Any]]) -> tuple[int, int]:
        """Appends wide frames; returns ``(first frame_idx, count)``.

        Each frame's time is ``ts_ns``, else ``t_s`` or ``t`` (seconds since the session's
        start), else the receive time. Scalar fields are kept under their own names; nested ones
        are dropped.
        """
        if not frames:
            self.sessions.get(session_id)
            return 0, 0
        first, started = self.sessions.reserve_frames(session_id, len(frames))
        now = time.time_ns()
        rows = []
        for offset, frame in enumerate(frames):
            row = {k: v for k, v in frame.items() if isinstance(v, _SCALARS)}
            row["ts_ns"] = _frame_ts(row, started, now)
            row["frame_idx"] = first + offset
            rows.append(row)
        df = pl.DataFrame(rows, infer_schema_length=None).with_columns(
            pl.col("ts_ns").cast(pl.Int64),
            ((pl.col("ts_ns").cast(pl.Int64) - started) / 1e9).alias("t_s"),
            pl.lit("http").alias("feed"),
        )
        self.data.append(session_id, "frames", df)
        return first, len(frames)

    def add_video_frames(self, session_id: str, frames: Sequence[dict[str, Any]]) -> int:
        """Appends video frame metadata rows (time rules as for :meth:`add_frames`)."""
        started = self._started_ns(session_id)
        if not frames:
            return 0
        now = time.time_ns()
        rows = []
        for frame in frames:
            row = {k: v for k, v in frame.items() if isinstance(v, _SCALARS)}
            row["ts_ns"] = _frame_ts(row, started, now)
            rows.append(row)
        df = pl.DataFrame(rows, infer_schema_length=None).with_columns(
            pl.col("ts_ns").cast(pl.Int64),
            ((pl.col("ts_ns").cast(pl.Int64) - started) / 1e9).alias("t_s"),
        )
        self.data.append(session_id, "video_frames", df)
        return df.height

    def register_signals(self, names: dict[str, str | None], *, source: str) -> list[str]:
        """Adds unknown signal names (with their unit) to the registry; returns the new ones."""
        if not names:
            return []
        now = time.time_ns()
        with self.sessions.catalog.transaction() as db:
            marks = ",".join("?" * len(names))
            known = {
                r[0]
                for r in db.execute(
                    f"SELECT name FROM signal_registry WHERE name IN ({marks})", tuple(names)
                ).fetchall()
            }
            new = [n for n in names if n not in known]
            db.executemany(
                "INSERT INTO signal_registry (name, unit, source, first_seen_ns)"
                " VALUES (?, ?, ?, ?)",
                [(n, names[n], source, now) for n in new],
            )
        return sorted(new)


def _frame_ts(row: dict[str, Any], started_ns: int, now_ns: int) -> int:
    ts = row.get("ts_ns")
    if isinstance(ts, int) and not isinstance(ts, bool):
        return ts
    for key in ("t_s", "t"):
        value = row.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return started_ns + round(value * 1e9)
    return now_ns
