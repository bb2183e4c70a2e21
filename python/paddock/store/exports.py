"""Session tables as Parquet, streamed in record batches (Pitwall's ``export.parquet``).

Tables:

- ``telemetry``: the wide view of the session (frames and tall channels as columns, see
  ``SessionData.open``) with a ``session_id`` column.
- ``telemetry_signals``: the tall samples (``session_id``, ``signal_name``, ``t``, ``value``,
  ``unit``, ``source``, ``ts_ns``).
- ``signal_registry``: the signal catalog, each row stamped with the requested ``session_id``.
- ``capabilities``: one row per signal that has values in the session (see :func:`capabilities`).

An export is first written by Polars' streaming engine to a temporary Parquet file under
``<data_dir>/tmp`` (so the row count is known before the first byte is sent), then read back
``BATCH_ROWS`` rows at a time and re-written into the response one record batch at a time, so the
response never holds more than one batch; the temporary file is removed when the stream ends.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from paddock.channels import lookup
from paddock.exceptions import InvalidArgument, NotFound
from paddock.store.sessions import SessionStore

EXPORT_TABLES = ("telemetry", "telemetry_signals", "signal_registry", "capabilities")
BATCH_ROWS = 50_000
#: Columns of the wide view that are bookkeeping, not signals.
_NOT_SIGNALS = {"ts_ns", "t_s", "feed", "run_id", "frame_idx", "session_id"}
#: A signal needs this many samples to have a rate and to count as useful.
MIN_SAMPLES = 2

CAPABILITY_SCHEMA: dict[str, pl.DataType] = {
    "session_id": pl.String(),
    "signal": pl.String(),
    "n_samples": pl.Int64(),
    "first_t_s": pl.Float64(),
    "last_t_s": pl.Float64(),
    "rate_hz": pl.Float64(),
    "min": pl.Float64(),
    "max": pl.Float64(),
    "std": pl.Float64(),
    "n_distinct": pl.Int64(),
    "in_range": pl.Boolean(),
    "useful": pl.Boolean(),
}


@dataclass
class Export:
    """A finished export file waiting to be streamed."""

    session_id: str
    table: str
    rows: int
    path: Path

    def batches(self, *, batch_rows: int = BATCH_ROWS) -> Iterator[bytes]:
        """The Parquet file's bytes, one record batch at a time; removes the file at the end."""
        from paddock.store import _parquet_stream

        try:
            yield from _parquet_stream.rewrite(self.path, batch_rows=batch_rows)
        finally:
            self.path.unlink(missing_ok=True)


def _signals(store: SessionStore, session_id: str) -> pl.LazyFrame:
    return store.open_session(session_id, table="channels").select(
        pl.lit(session_id).alias("session_id"),
        pl.col("channel").alias("signal_name"),
        pl.col("t_s").alias("t"),
        "value",
        "unit",
        "source",
        "ts_ns",
    )


def _registry(store: SessionStore, session_id: str) -> pl.LazyFrame:
    rows = store.catalog.query(
        "SELECT name, unit, source, first_seen_ns FROM signal_registry ORDER BY name"
    )
    return pl.DataFrame(
        {
            "session_id": [session_id] * len(rows),
            "name": [r[0] for r in rows],
            "unit": [r[1] for r in rows],
            "source": [r[2] for r in rows],
            "first_seen_ns": [r[3] for r in rows],
        },
        schema={
            "session_id": pl.String(),
            "name": pl.String(),
            "unit": pl.String(),
            "source": pl.String(),
            "first_seen_ns": pl.Int64(),
        },
    ).lazy()


def capabilities(store: SessionStore, session_id: str) -> pl.DataFrame:
    """Per signal of the session: whether it appeared, its mean rate and a useful flag.

    A signal is every numeric column of the session's frames and every tall channel. For each:
    ``n_samples`` (non-null, finite values), the first and last ``t_s`` with a value, ``rate_hz``
    (samples after the first per second between the first and the last), ``min``, ``max``,
    ``std`` and ``n_distinct``. ``in_range`` says every value lies within the range the channel
    registry gives for that name, or the DBC for a signal imported from a CAN log (true when
    neither gives one). ``useful``: at least
    :data:`MIN_SAMPLES` samples, more than one distinct value (a signal stuck at one value
    carries nothing) and ``in_range``.
    """
    wide = store.open_session(session_id, table="frames")
    schema = wide.collect_schema()
    numeric = [n for n, t in schema.items() if n not in _NOT_SIGNALS and t.is_numeric()]
    parts: list[pl.DataFrame] = []
    if numeric:
        parts.append(_column_stats(wide, numeric))
    tall = store.open_session(session_id, table="channels").select(
        "t_s", pl.col("channel").alias("signal"), "value"
    )
    parts.append(_stats(tall))
    stats = (
        pl.concat(parts)
        .group_by("signal")
        .agg(
            # A name in both (a wide column and a tall channel) is merged: the wider span wins.
            pl.col("n_samples").sum(),
            pl.col("first_t_s").min(),
            pl.col("last_t_s").max(),
            pl.col("min").min(),
            pl.col("max").max(),
            pl.col("std").max(),
            pl.col("n_distinct").max(),
        )
    )
    stats = stats.filter(pl.col("n_samples") > 0)
    from paddock.store.imports_can import signal_ranges

    ranges = signal_ranges(store, session_id)
    low, high = [], []
    for name in stats["signal"].to_list():
        info = lookup(name)
        low_high = ranges.get(name) or ((info.min, info.max) if info is not None else (None, None))
        low.append(low_high[0])
        high.append(low_high[1])
    bounds = pl.DataFrame(
        {"signal": stats["signal"], "range_min": low, "range_max": high},
        schema={"signal": pl.String(), "range_min": pl.Float64(), "range_max": pl.Float64()},
    )
    span = pl.col("last_t_s") - pl.col("first_t_s")
    table = stats.join(bounds, on="signal", how="left").with_columns(
        pl.lit(session_id).alias("session_id"),
        pl.when((pl.col("n_samples") >= MIN_SAMPLES) & (span > 0))
        .then((pl.col("n_samples") - 1) / span)
        .otherwise(None)
        .alias("rate_hz"),
        (
            (pl.col("range_min").is_null() | (pl.col("min") >= pl.col("range_min")))
            & (pl.col("range_max").is_null() | (pl.col("max") <= pl.col("range_max")))
        ).alias("in_range"),
    )
    table = table.with_columns(
        (
            (pl.col("n_samples") >= MIN_SAMPLES) & (pl.col("n_distinct") > 1) & pl.col("in_range")
        ).alias("useful")
    )
    return table.select([pl.col(n).cast(t) for n, t in CAPABILITY_SCHEMA.items()]).sort("signal")


_STATS = ("n_samples", "first_t_s", "last_t_s", "min", "max", "std", "n_distinct")


def _column_stats(wide: pl.LazyFrame, names: list[str]) -> pl.DataFrame:
    """:func:`_stats` of each of ``names`` (wide columns), in one pass without reshaping."""
    exprs: list[pl.Expr] = []
    for index, name in enumerate(names):
        value = pl.col(name).cast(pl.Float64)
        present = value.is_not_null() & value.is_finite()
        finite = value.filter(present)
        t_s = pl.col("t_s").filter(present)
        exprs += [
            finite.len().cast(pl.Int64).alias(f"{index}:n_samples"),
            t_s.min().alias(f"{index}:first_t_s"),
            t_s.max().alias(f"{index}:last_t_s"),
            finite.min().alias(f"{index}:min"),
            finite.max().alias(f"{index}:max"),
            finite.std().alias(f"{index}:std"),
            finite.n_unique().cast(pl.Int64).alias(f"{index}:n_distinct"),
        ]
    row = wide.select(exprs).collect(engine="streaming").row(0)
    width = len(_STATS)
    columns = {
        stat: [row[i * width + k] for i in range(len(names))] for k, stat in enumerate(_STATS)
    }
    return pl.DataFrame(
        {"signal": names, **columns},
        schema={
            "signal": pl.String(),
            "n_samples": pl.Int64(),
            "first_t_s": pl.Float64(),
            "last_t_s": pl.Float64(),
            "min": pl.Float64(),
            "max": pl.Float64(),
            "std": pl.Float64(),
            "n_distinct": pl.Int64(),
        },
    )


def _stats(samples: pl.LazyFrame) -> pl.DataFrame:
    """Per ``signal`` statistics of its finite values (see :func:`capabilities`)."""
    finite = samples.filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
    return (
        finite.group_by("signal")
        .agg(
            pl.len().cast(pl.Int64).alias("n_samples"),
            pl.col("t_s").min().alias("first_t_s"),
            pl.col("t_s").max().alias("last_t_s"),
            pl.col("value").min().alias("min"),
            pl.col("value").max().alias("max"),
            pl.col("value").std().alias("std"),
            pl.col("value").n_unique().cast(pl.Int64).alias("n_distinct"),
        )
        .collect(engine="streaming")
    )


def export_table(store: SessionStore, session_id: str, table: str, *, tmp_dir: Path) -> Export:
    """Writes one table of a session to a temporary Parquet file, ready to stream.

    Raises:
        InvalidArgument: ``table`` is not one of :data:`EXPORT_TABLES`.
        NotFound: No such session, or the table has no rows for it.
    """
    if table not in EXPORT_TABLES:
        raise InvalidArgument(f"table: {table!r} is not one of {', '.join(EXPORT_TABLES)}")
    store.get(session_id)
    lf: pl.LazyFrame
    if table == "telemetry":
        lf = store.open_session(session_id).with_columns(pl.lit(session_id).alias("session_id"))
    elif table == "telemetry_signals":
        lf = _signals(store, session_id).sort("ts_ns")
    elif table == "signal_registry":
        lf = _registry(store, session_id)
    else:
        lf = capabilities(store, session_id).lazy()
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path = tmp_dir / f"export-{secrets.token_hex(8)}.parquet"
    try:
        lf.sink_parquet(path, compression="zstd", row_group_size=BATCH_ROWS)
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if rows == 0:
        path.unlink(missing_ok=True)
        raise NotFound(f"Session {session_id} has no rows in {table}")
    return Export(session_id=session_id, table=table, rows=int(rows), path=path)


def read_export(data: bytes) -> pl.DataFrame:
    """An exported Parquet stream read back (for tests and notebooks)."""
    return pl.read_parquet(io.BytesIO(data))
