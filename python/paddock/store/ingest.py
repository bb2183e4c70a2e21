"""HTTP ingest into a session's files: tall channel samples, wide frames, signals, video frames.

Every path lands in the same per-session tables that runs fill from UDP feeds (see
``store/session_data.py``), so ``open_session`` and every analysis read them alike.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import polars as pl

from paddock.exceptions import InvalidArgument, NotFound
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
        started = self._started_ns(session_id)
        if not frames:
            return 0, 0
        now = time.time_ns()
        rows = []
        for offset, frame in enumerate(frames):
            row = _scalars(frame)
            row["ts_ns"] = _frame_ts(row, started, now, f"frames[{offset}]")
            rows.append(row)
        df = _frame_table(rows, started).with_columns(pl.lit("http").alias("feed"))
        # Indices are reserved only once every frame is known to be valid.
        first, _ = self.sessions.reserve_frames(session_id, len(rows))
        df = df.with_columns(
            pl.int_range(first, first + df.height, dtype=pl.Int64).alias("frame_idx")
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
        for offset, frame in enumerate(frames):
            row = _scalars(frame)
            row["ts_ns"] = _frame_ts(row, started, now, f"frames[{offset}]")
            rows.append(row)
        df = _frame_table(rows, started)
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


_INT64 = 2**63


def _scalars(frame: dict[str, Any]) -> dict[str, Any]:
    """The frame's scalar fields; integers beyond int64 become floats, nested values are dropped."""
    row: dict[str, Any] = {}
    for key, value in frame.items():
        if not isinstance(value, _SCALARS):
            continue
        if isinstance(value, int) and not isinstance(value, bool) and not -_INT64 <= value < _INT64:
            value = float(value)
        row[key] = value
    return row


def _frame_table(rows: list[dict[str, Any]], started_ns: int) -> pl.DataFrame:
    """Rows of scalars as one frame with ``ts_ns`` and ``t_s``.

    Raises:
        InvalidArgument: Fields whose values polars cannot put in one column.
    """
    try:
        df = pl.DataFrame(rows, infer_schema_length=None)
    except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError) as exc:
        raise InvalidArgument(f"frames: fields with values of incompatible types ({exc})") from None
    return df.with_columns(
        pl.col("ts_ns").cast(pl.Int64),
        ((pl.col("ts_ns").cast(pl.Int64) - started_ns) / 1e9).alias("t_s"),
    )


def sample_time_ns(*, ts_ns: Any, seconds: Any, started_ns: int, now_ns: int, where: str) -> int:
    """A sample's time in ns since the epoch.

    ``ts_ns`` (ns since the epoch) if given, else ``seconds`` since the session's start, else
    ``now_ns``.

    Raises:
        InvalidArgument: A time that int64 ns cannot hold (the message names ``where``).
    """
    if isinstance(ts_ns, int | float) and not isinstance(ts_ns, bool):
        if not (math.isfinite(ts_ns) and -_INT64 <= ts_ns < _INT64):
            raise InvalidArgument(f"{where}.ts_ns: {ts_ns!r} is out of range for ns since 1970")
        return int(ts_ns)
    if isinstance(seconds, int | float) and not isinstance(seconds, bool):
        if not math.isfinite(seconds) or abs(seconds) > 1e9:
            raise InvalidArgument(f"{where}.t: {seconds!r} seconds is out of range")
        return started_ns + round(seconds * 1e9)
    return now_ns


def _frame_ts(row: dict[str, Any], started_ns: int, now_ns: int, where: str) -> int:
    seconds = row.get("t_s", row.get("t"))
    return sample_time_ns(
        ts_ns=row.get("ts_ns"), seconds=seconds, started_ns=started_ns, now_ns=now_ns, where=where
    )
