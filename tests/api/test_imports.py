"""VBO and MCAP imports: Pitwall's ``/session/import`` and the native import routes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
from litestar.testing import AsyncTestClient

from paddock._native import McapWriter
from paddock.store.session_data import open_session
from tests.api.vbo_files import circle_vbo

REAL_VBO = "tracks/vbo/25IR05_RdAm_FP1_Run01_KO.vbo"
T0 = 1_700_000_000_000_000_000


@pytest.fixture
def vbo_file(tmp_path: Path) -> Path:
    path = tmp_path / "circle.vbo"
    path.write_text(circle_vbo(), encoding="utf-8")
    return path


async def test_pitwall_import_of_a_vbo_with_laps(
    client: AsyncTestClient[Any], vbo_file: Path, data_dir: Path
) -> None:
    body = {"vbo_path": str(vbo_file), "driver": "Taha", "driver_level": "intermediate"}
    response = await client.post("/session/import", json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["vbo_source"] == "circle.vbo"
    assert result["n_frames"] == 1300
    assert result["duration_s"] == pytest.approx(129.9)
    # Three laps of a 200 m circle and a quarter: 2π·200·3.25 m.
    assert result["distance_m"] == pytest.approx(2 * 3.14159265 * 200 * 3.25, rel=1e-3)
    # The gate is crossed at 10, 50, 90 s: laps 1 and 2 complete, 40 s each.
    assert result["lap_method"] == "gate"
    assert result["lap_count"] == 2
    assert [lap["lap_time_s"] for lap in result["laps"]] == pytest.approx([40.0, 40.0], abs=0.05)
    assert result["capabilities_count"] >= 6
    sid = result["session_id"]
    session = (await client.get(f"/session/{sid}")).json()["session"]
    assert session["driver"] == "Taha" and session["lap_count"] == 2
    assert session["best_lap_s"] == pytest.approx(40.0, abs=0.05)
    # The session starts at the file's first sample: 2024-03-02T10:00:00Z.
    assert session["started_at"] == "2024-03-02T10:00:00Z"
    frames = open_session(sid, data_dir=data_dir).collect()
    assert frames["lon_deg"].mean() == pytest.approx(-9.0, abs=0.01)
    assert frames["t_s"].min() == 0.0


async def test_import_conflicts_and_bad_paths(
    client: AsyncTestClient[Any], vbo_file: Path, tmp_path: Path
) -> None:
    first = await client.post(
        "/session/import", json={"vbo_path": str(vbo_file), "session_id": "imp-1"}
    )
    assert first.status_code == 200 and first.json()["session_id"] == "imp-1"
    again = await client.post(
        "/session/import", json={"vbo_path": str(vbo_file), "session_id": "imp-1"}
    )
    assert again.status_code == 409 and "already has rows" in again.json()["detail"]
    # An existing session without rows takes the import.
    await client.post("/session/start", json={"session_id": "empty-1"})
    filled = await client.post(
        "/session/import",
        json={"vbo_path": str(vbo_file), "session_id": "empty-1", "driver": "Lee"},
    )
    assert filled.status_code == 200
    assert (await client.get("/api/sessions/empty-1")).json()["driver"] == "Lee"
    garbage = tmp_path / "garbage.vbo"
    garbage.write_text("hello\nworld\n")
    cases = {
        f"{tmp_path}/../{tmp_path.name}/circle.vbo": (422, "'..'"),
        "circle.vbo": (422, "absolute path"),
        str(tmp_path / "missing.vbo"): (404, "no such file"),
        str(tmp_path / "x.txt"): (422, "not a VBO"),
        str(garbage): (422, "not a VBO file"),
    }
    for path, (status, text) in cases.items():
        response = await client.post("/session/import", json={"vbo_path": path})
        assert response.status_code == status, (path, response.text)
        assert text in response.json()["detail"]
    missing = await client.post("/session/import", json={"driver": "x"})
    assert missing.status_code == 422 and "vbo_path" in missing.json()["detail"]
    bad_id = await client.post(
        "/session/import", json={"vbo_path": str(vbo_file), "session_id": "../x"}
    )
    assert bad_id.status_code == 422
    # A failed import leaves no half-made session behind.
    names = [s["id"] for s in (await client.get("/api/sessions")).json()]
    assert sorted(names) == ["empty-1", "imp-1"]


async def test_native_import_by_upload(client: AsyncTestClient[Any], vbo_file: Path) -> None:
    multipart = await client.post(
        "/api/sessions/import",
        files={"file": ("lap.vbo", vbo_file.read_bytes(), "application/octet-stream")},
        data={"driver": "Ana", "session_id": "up-1"},
    )
    assert multipart.status_code == 200, multipart.text
    assert multipart.json()["vbo_source"] == "lap.vbo"
    assert multipart.json()["session_id"] == "up-1"
    assert (await client.get("/api/sessions/up-1")).json()["driver"] == "Ana"
    raw = await client.post(
        "/api/sessions/import?session_id=up-2&filename=raw.vbo",
        content=vbo_file.read_bytes(),
        headers={"content-type": "application/octet-stream"},
    )
    assert raw.status_code == 200, raw.text
    assert raw.json()["lap_count"] == 2 and raw.json()["vbo_source"] == "raw.vbo"
    not_vbo = await client.post(
        "/api/sessions/import",
        content=b"\x89PNG\r\n\x1a\n\x00\x00",
        headers={"content-type": "application/octet-stream"},
    )
    assert not_vbo.status_code == 422 and "not a VBO" in not_vbo.json()["detail"]
    empty = await client.post(
        "/api/sessions/import", content=b"", headers={"content-type": "application/octet-stream"}
    )
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]


async def test_real_vbox_session_imports_with_its_laps(
    client: AsyncTestClient[Any], testdata: Path
) -> None:
    path = testdata / REAL_VBO
    response = await client.post("/session/import", json={"vbo_path": str(path)})
    assert response.status_code == 200, response.text
    result = response.json()
    # 5675 rows, one a repeat of its predecessor; 25 Hz from 19:00:13.04 to 19:04:00.00 UTC.
    assert result["n_frames"] == 5674 and result["duplicate_rows"] == 1
    assert result["duration_s"] == pytest.approx(226.96)
    sid = result["session_id"]
    frames = open_session(sid, data_dir=Path(client.app.state.settings.data_dir)).collect()
    # The file's [laptiming] gate lies at 25.45 N 80.42 W (another circuit's), so laps are split
    # by return to the first point. The logger's own Lap_Number counts one start/finish crossing
    # (0 -> 1 at 191.64 s) and the car then stops in the pit lane before reaching its first
    # position: less than one lap is driven, so the file holds no complete lap.
    assert result["lap_method"] == "first_point"
    crossings = frames.filter(pl.col("vbo.lap_number").diff() == 1)["t_s"].to_list()
    assert crossings[0] == pytest.approx(191.64)
    assert frames["speed_kmh"].tail(25).max() < 1.0
    assert result["distance_m"] < 6_515  # Road America is 6.515 km
    assert result["lap_count"] == 0 and result["laps"] == []
    assert frames["lap"].max() == 1  # the first point opens lap 1, never closed


def _write_paddock_mcap(path: Path, rows: int = 100) -> None:
    batch = pa.record_batch(
        {
            "ts_ns": pa.array([T0 + i * 10_000_000 for i in range(rows)], pa.int64()),
            "speed_kmh": pa.array([float(i) for i in range(rows)], pa.float64()),
            "gear": pa.array([i % 6 for i in range(rows)], pa.int32()),
        }
    )
    with McapWriter(str(path)) as writer:
        writer.write_frames("/pcars/frames", batch)
        writer.write_frames("/ksudp/frames", batch.slice(0, 10))


async def test_mcap_import_by_path_and_upload(
    client: AsyncTestClient[Any], data_dir: Path, tmp_path: Path
) -> None:
    (data_dir / "imports").mkdir()
    mcap = data_dir / "imports" / "run.mcap"
    _write_paddock_mcap(mcap)
    sid = (await client.post("/api/sessions", json={"name": "m"})).json()["id"]
    response = await client.post(
        f"/api/sessions/{sid}/import/mcap", json={"mcap_path": "imports/run.mcap"}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["n_frames"] == 110
    assert result["topics"] == {"/pcars/frames": 100, "/ksudp/frames": 10}
    assert result["duration_s"] == pytest.approx(0.99)
    frames = open_session(sid, data_dir=data_dir).collect()
    assert frames.height == 110
    assert sorted(frames["feed"].unique().to_list()) == ["ksudp", "pcars"]
    assert frames["t_s"].min() == 0.0
    again = await client.post(f"/api/sessions/{sid}/import/mcap", json={"mcap_path": str(mcap)})
    assert again.status_code == 409
    other = (await client.post("/api/sessions", json={"name": "n"})).json()["id"]
    upload = await client.post(
        f"/api/sessions/{other}/import/mcap",
        files={"file": ("run.mcap", mcap.read_bytes(), "application/octet-stream")},
    )
    assert upload.status_code == 200, upload.text
    assert upload.json()["mcap_source"] == "run.mcap" and upload.json()["n_frames"] == 110


async def test_foreign_mcap_is_refused_with_what_it_holds(
    client: AsyncTestClient[Any], testdata: Path
) -> None:
    sid = (await client.post("/api/sessions", json={"name": "m"})).json()["id"]
    talker = testdata / "mcap/rosbag2/talker/talker.mcap"
    foreign = await client.post(
        f"/api/sessions/{sid}/import/mcap",
        content=talker.read_bytes(),
        headers={"content-type": "application/octet-stream"},
    )
    assert foreign.status_code == 422
    detail = foreign.json()["detail"]
    assert "no paddock frame channels" in detail and "/topic" in detail and "cdr" in detail
    # Nothing was written.
    assert (await client.get(f"/api/sessions/{sid}/export.parquet")).status_code == 404


async def test_mcap_import_errors(
    client: AsyncTestClient[Any], data_dir: Path, tmp_path: Path
) -> None:
    sid = (await client.post("/api/sessions", json={"name": "m"})).json()["id"]
    url = f"/api/sessions/{sid}/import/mcap"
    outside = tmp_path / "outside.mcap"
    _write_paddock_mcap(outside)
    for given, status, text in [
        (str(outside), 422, "inside the data directory"),
        ("../outside.mcap", 422, "'..'"),
        ("nope.mcap", 404, "no such file"),
    ]:
        response = await client.post(url, json={"mcap_path": given})
        assert response.status_code == status, (given, response.text)
        assert text in response.json()["detail"]
    (data_dir / "notes.mcap").write_bytes(b"not an mcap file at all")
    garbage = await client.post(url, json={"mcap_path": "notes.mcap"})
    assert garbage.status_code == 422 and "MCAP" in garbage.json()["detail"]
    unknown = await client.post("/api/sessions/nope/import/mcap", json={"mcap_path": "notes.mcap"})
    assert unknown.status_code == 404
    assert (await client.post(url, json={})).status_code == 422
