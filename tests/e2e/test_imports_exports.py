"""The real VBOX session uploaded to ``paddock serve``, exported as Parquet in streamed batches."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import polars as pl
import pytest

from tests.e2e.server import ServerProcess

pytestmark = pytest.mark.e2e


def test_vbo_upload_then_parquet_export(server: ServerProcess, testdata: Path) -> None:
    vbo = testdata / "tracks/vbo/25IR05_RdAm_FP1_Run01_KO.vbo"
    with vbo.open("rb") as f:
        imported = server.post(
            "/api/sessions/import",
            files={"file": (vbo.name, f, "application/octet-stream")},
            data={"session_id": "road-america-fp1", "track": "Road America"},
        )
    assert imported.status_code == 200, imported.text
    assert imported.json()["n_frames"] == 5674
    # The same id again: 409, through Pitwall's route with a path on the server's disk.
    again = server.post(
        "/session/import", json={"vbo_path": str(vbo), "session_id": "road-america-fp1"}
    )
    assert again.status_code == 409

    chunks = 0
    body = bytearray()
    url = server.base_url + "/session/road-america-fp1/export.parquet?table=telemetry"
    with httpx.stream("GET", url, timeout=30.0) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["x-pitwall-session"] == "road-america-fp1"
        assert response.headers["x-pitwall-table"] == "telemetry"
        rows = int(response.headers["x-pitwall-rows"])
        for chunk in response.iter_bytes():
            chunks += 1
            body.extend(chunk)
    assert chunks >= 1
    frame = pl.read_parquet(io.BytesIO(bytes(body)))
    assert frame.height == rows == 5674
    assert frame["lat_deg"].mean() == pytest.approx(43.80, abs=0.01)

    caps = server.get("/api/sessions/road-america-fp1/export.parquet?table=capabilities")
    assert caps.status_code == 200
    table = pl.read_parquet(io.BytesIO(caps.content))
    useful = set(table.filter(pl.col("useful"))["signal"].to_list())
    assert {"speed_kmh", "lat_deg", "lon_deg", "rpm", "throttle"} <= useful
    # Channels the logger wrote but never changed appear, and are not useful.
    for constant in ("vbo.solution_type", "vbo.fuel_probe", "vbo.tc_active"):
        assert constant in table["signal"].to_list() and constant not in useful
    assert table.filter(pl.col("signal") == "speed_kmh")["rate_hz"].item() == pytest.approx(
        25.0, rel=0.01
    )
    assert imported.json()["capabilities_count"] == table.height
