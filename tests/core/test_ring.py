"""The RingBuffer binding: appends from pyarrow, reads into pyarrow and polars without copies."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paddock import _core


def frame(ts: list[int]) -> pa.RecordBatch:
    return pa.record_batch(
        {
            "ts_ns": pa.array(ts, pa.int64()),
            "speed_kmh": pa.array([float(t) for t in ts], pa.float64()),
        }
    )


def ts_of(batch: object) -> list[int]:
    rb = pa.record_batch(batch)
    ts: list[int] = rb.column("ts_ns").to_pylist()
    assert rb.column("speed_kmh").to_pylist() == [float(t) for t in ts]
    return ts


def test_append_and_read() -> None:
    ring = _core.RingBuffer(5)
    assert len(ring) == 0
    assert ring.latest().num_rows == 0
    ring.append(frame([1, 2, 3]))
    ring.append(frame([4, 5, 6]))
    assert (len(ring), ring.capacity, ring.appended_rows, ring.dropped_rows) == (5, 5, 6, 1)
    assert ts_of(ring.latest()) == [6]
    assert ts_of(ring.last(2)) == [5, 6]
    assert ts_of(ring.last(100)) == [2, 3, 4, 5, 6]
    assert ts_of(ring.since(4)) == [5, 6]
    assert ts_of(ring.between(3, 5)) == [3, 4, 5]
    assert ts_of(ring.between(5, 3)) == []
    assert (ring.first_ts_ns, ring.last_ts_ns) == (2, 6)


def from_arrow(batch: object) -> pl.DataFrame:
    """``polars.from_arrow``: polars 2 gives a struct Series for capsule objects, unnest it."""
    out = pl.from_arrow(batch)
    return out.struct.unnest() if isinstance(out, pl.Series) else out


def test_reads_go_to_polars() -> None:
    ring = _core.RingBuffer(100)
    ring.append(frame([10, 20, 30]))
    for df in (from_arrow(ring.since(10)), pl.DataFrame(ring.since(10))):
        assert df.columns == ["ts_ns", "speed_kmh"]
        assert df["ts_ns"].to_list() == [20, 30]
        assert df["speed_kmh"].to_list() == [20.0, 30.0]
        assert df["speed_kmh"].dtype == pl.Float64


def test_reads_are_zero_copy() -> None:
    ring = _core.RingBuffer(100)
    ring.append(frame(list(range(50))))
    batch = ring.since(9)
    first = pa.record_batch(batch).column("speed_kmh")
    second = pa.record_batch(batch).column("speed_kmh")
    assert first.buffers()[1].address == second.buffers()[1].address
    assert first.to_pylist() == [float(t) for t in range(10, 50)]


def test_schema_mismatch_names_both() -> None:
    ring = _core.RingBuffer(10)
    ring.append(frame([1]))
    other = pa.record_batch({"ts_ns": pa.array([2], pa.int64()), "rpm": pa.array([1.0])})
    with pytest.raises(_core.InvalidArgument, match=r"rpm: Float64.*speed_kmh: Float64"):
        ring.append(other)
    assert ring.appended_rows == 1


def test_schema_given_up_front() -> None:
    ring = _core.RingBuffer(10, schema=frame([]).schema)
    assert ring.latest().column_names == ["ts_ns", "speed_kmh"]
    with pytest.raises(ValueError, match="ts_ns"):
        _core.RingBuffer(10, schema=pa.schema([("x", pa.float64())]))
    with pytest.raises(_core.InvalidArgument, match="at least 1 row"):
        _core.RingBuffer(0)


def test_first_column_must_be_int64_ts() -> None:
    ring = _core.RingBuffer(10)
    with pytest.raises(_core.InvalidArgument, match="ts_ns"):
        ring.append(pa.record_batch({"t": pa.array([1.0])}))


def test_a_ring_batch_appends_to_another_ring() -> None:
    a = _core.RingBuffer(10)
    a.append(frame([1, 2, 3]))
    b = _core.RingBuffer(10)
    b.append(a.last(2))
    assert ts_of(b.last(10)) == [2, 3]


def test_rate_hz() -> None:
    ring = _core.RingBuffer(1000)
    ring.append(frame([i * 10_000_000 for i in range(101)]))  # 100 Hz for 1 s
    assert ring.rate_hz() == pytest.approx(100.0)
    assert ring.rate_hz(0.5) == pytest.approx(100.0)
    assert _core.RingBuffer(3).rate_hz() == 0.0
    with pytest.raises(_core.InvalidArgument):
        ring.rate_hz(-1.0)


@settings(deadline=None, max_examples=60)
@given(
    capacity=st.integers(1, 50),
    batches=st.lists(st.lists(st.integers(0, 3), max_size=20), max_size=15),
    probe=st.integers(-1, 40),
    n=st.integers(0, 60),
)
def test_matches_a_list_model(capacity: int, batches: list[list[int]], probe: int, n: int) -> None:
    ring = _core.RingBuffer(capacity, schema=frame([]).schema)
    model: list[int] = []
    t = 0
    for gaps in batches:
        ts = []
        for g in gaps:
            t += g
            ts.append(t)
        ring.append(frame(ts))
        model.extend(ts)
    kept = model[-capacity:] if model else []
    assert len(ring) == len(kept)
    assert ring.dropped_rows + len(ring) == ring.appended_rows == len(model)
    assert ts_of(ring.since(probe)) == [x for x in kept if x > probe]
    assert ts_of(ring.last(n)) == (kept[-n:] if n else [])
