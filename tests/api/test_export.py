"""Pitwall's ``export.parquet`` and its native twin: tables, headers, capabilities, errors."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from litestar.testing import AsyncTestClient

from paddock.store import _parquet_stream

TABLES = ("telemetry", "telemetry_signals", "signal_registry", "capabilities")


@pytest.fixture
async def sid(client: AsyncTestClient[Any]) -> str:
    started = await client.post("/session/start", json={"driver": "D", "track": "Sonoma Raceway"})
    session_id: str = started.json()["session_id"]
    frames = [
        {"t": i * 0.1, "speed_kmh": 100 + i, "rpm": 6000.0, "gear": 3, "steer": 5.0 if i else 0.0}
        for i in range(50)
    ]
    assert (await client.post(f"/session/{session_id}/frames", json={"frames": frames})).is_success
    signals = [["oil_temp_c", i * 0.5, 90 + i % 3] for i in range(20)]
    assert (await client.post(f"/session/{session_id}/signals", json=signals)).is_success
    return session_id


def _read(body: bytes) -> pl.DataFrame:
    return pl.read_parquet(io.BytesIO(body))


@pytest.mark.parametrize("prefix", ["/session", "/api/sessions"])
async def test_every_table_with_headers(
    client: AsyncTestClient[Any], sid: str, prefix: str
) -> None:
    for table in TABLES:
        response = await client.get(f"{prefix}/{sid}/export.parquet", params={"table": table})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["x-pitwall-session"] == sid
        assert response.headers["x-pitwall-table"] == table
        frame = _read(response.content)
        assert int(response.headers["x-pitwall-rows"]) == frame.height
        if table == "telemetry":
            # 50 wide frames and 20 tall samples widened into columns.
            assert frame.height == 70
            assert frame["session_id"].unique().to_list() == [sid]
            assert frame["speed_kmh"].drop_nulls().len() == 50
            assert frame["oil_temp_c"].drop_nulls().len() == 20
        elif table == "telemetry_signals":
            assert frame.height == 20
            assert set(frame.columns) >= {"session_id", "signal_name", "t", "value"}
            assert frame["t"].to_list() == pytest.approx([i * 0.5 for i in range(20)])
        elif table == "signal_registry":
            assert "oil_temp_c" in frame["name"].to_list()
            assert frame["session_id"].unique().to_list() == [sid]


async def test_default_table_is_telemetry(client: AsyncTestClient[Any], sid: str) -> None:
    response = await client.get(f"/session/{sid}/export.parquet")
    assert response.headers["x-pitwall-table"] == "telemetry"


async def test_capabilities_are_computed_from_the_data(
    client: AsyncTestClient[Any], sid: str
) -> None:
    response = await client.get(f"/session/{sid}/export.parquet", params={"table": "capabilities"})
    caps = {row["signal"]: row for row in _read(response.content).to_dicts()}
    # speed varies within its range: useful, 10 Hz.
    assert caps["speed_kmh"]["useful"] is True
    assert caps["speed_kmh"]["n_samples"] == 50
    assert caps["speed_kmh"]["rate_hz"] == pytest.approx(10.0)
    # rpm never changes: it appeared, but carries nothing.
    assert caps["rpm"]["useful"] is False and caps["rpm"]["n_distinct"] == 1
    # steer is -1..1 in the registry: 5.0 is out of range, so not useful although it varies.
    assert caps["steer"]["in_range"] is False and caps["steer"]["useful"] is False
    # A tall channel counts like a column.
    assert caps["oil_temp_c"]["useful"] is True
    assert caps["oil_temp_c"]["rate_hz"] == pytest.approx(2.0)
    assert "frame_idx" not in caps and "ts_ns" not in caps


async def test_export_errors(client: AsyncTestClient[Any], sid: str) -> None:
    bad = await client.get(f"/session/{sid}/export.parquet", params={"table": "laps"})
    assert bad.status_code == 400 and "telemetry_signals" in bad.json()["detail"]
    unknown = await client.get("/session/nope/export.parquet")
    assert unknown.status_code == 404
    empty = (await client.post("/session/start", json={})).json()["session_id"]
    for table in ("telemetry", "telemetry_signals", "capabilities"):
        response = await client.get(f"/api/sessions/{empty}/export.parquet?table={table}")
        assert response.status_code == 404, table
        assert "no rows" in response.json()["detail"]


async def test_no_temporary_file_is_left(
    client: AsyncTestClient[Any], sid: str, data_dir: Path
) -> None:
    for table in TABLES:
        await client.get(f"/session/{sid}/export.parquet", params={"table": table})
    assert list((data_dir / "tmp").glob("*")) == []


def test_stream_is_one_record_batch_at_a_time(tmp_path: Path) -> None:
    source = pl.DataFrame({"ts_ns": range(1000), "value": [i / 7 for i in range(1000)]})
    path = tmp_path / "t.parquet"
    source.write_parquet(path)
    chunks = list(_parquet_stream.rewrite(path, batch_rows=100))
    # Ten row groups, each sent as written, then the footer.
    assert len(chunks) >= 10
    assert chunks[0][:4] == b"PAR1" and chunks[-1][-4:] == b"PAR1"
    result = pl.read_parquet(io.BytesIO(b"".join(chunks)))
    assert result.equals(source)
    import pyarrow.parquet as pq

    assert pq.ParquetFile(io.BytesIO(b"".join(chunks))).metadata.num_row_groups == 10
