"""Batches handed to clients: the live stream's Rust encoder against the DataFrame path, and
``Batch.select``."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest

from paddock._native import Batch, pcars2_frames
from paddock.api.arrow_ipc import (
    LiveEncoder,
    batch_message,
    conform,
    live_schema,
    read_stream,
    schema_message,
)
from tests.api.packets import telemetry


def _frames(first: int, n: int) -> Batch:
    packets = [telemetry(first + i, speed_ms=10.0 + i, gear=2 + i % 4) for i in range(n)]
    return pcars2_frames(packets, [1_000 + first + i for i in range(n)])


@pytest.mark.parametrize("channels", [["speed_kmh", "gear", "rpm"], None])
def test_the_rust_encoder_writes_what_the_dataframe_path_writes(
    channels: list[str] | None,
) -> None:
    schema = live_schema(channels)
    encoder = LiveEncoder(schema)
    a, b = _frames(0, 3), _frames(3, 2)
    expected = pl.concat([conform("pcars", a, schema), conform("ac", b, schema)])
    got = read_stream(
        [schema_message(schema), encoder.message([("pcars", a)]), encoder.message([("ac", b)])]
    )
    want = read_stream(
        [
            schema_message(schema),
            batch_message(conform("pcars", a, schema)),
            batch_message(conform("ac", b, schema)),
        ]
    )
    assert got.equals(want)
    assert got.num_rows == expected.height == 5
    assert got.column("feed").to_pylist() == ["pcars"] * 3 + ["ac"] * 2
    assert got.column("speed_kmh").to_pylist() == pytest.approx(
        [(10.0 + i) * 3.6 for i in (0, 1, 2, 0, 1)]
    )
    joined = read_stream([schema_message(schema), encoder.message([("pcars", a), ("ac", b)])])
    assert joined.equals(want.combine_chunks())


def test_channels_a_feed_lacks_come_as_nulls_and_types_are_cast() -> None:
    schema = live_schema(["speed_kmh", "gear", "water_temp_c"])
    frames = pa.record_batch(
        {
            "ts_ns": pa.array([5], pa.int64()),
            "t_s": [0.5],
            "gear": pa.array([3], pa.int64()),
            "unknown": ["x"],
        }
    )
    message = LiveEncoder(schema).message([("rig", Batch.from_arrow(frames))])
    table = read_stream([schema_message(schema), message]).to_pydict()
    assert table == {
        "feed": ["rig"],
        "ts_ns": [5],
        "t_s": [0.5],
        "speed_kmh": [None],
        "gear": [3],
        "water_temp_c": [None],
    }
    assert read_stream([schema_message(schema), message]).schema.field("gear").type == pa.int32()


def test_batch_select_keeps_named_columns_in_order_once() -> None:
    batch = _frames(0, 2)
    picked = batch.select(["speed_kmh", "ts_ns", "nope", "speed_kmh"])
    assert picked.column_names == ["speed_kmh", "ts_ns"]
    assert picked.num_rows == 2
    assert pa.record_batch(picked).column("speed_kmh").to_pylist() == pytest.approx([36.0, 39.6])
    assert batch.select([]).column_names == []
