"""Driver profile, Pitwall's lap rows, video sync and clips, /sessions laps, track uploads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import start_session
from tests.unit.analysis import stadium


@pytest.fixture(scope="module")
def lap_frames() -> list[dict[str, Any]]:
    return stadium.frames(laps=2.05, rate_hz=10.0).drop("ts_ns").to_dicts()


async def test_driver_profile(
    client: AsyncTestClient[Any], lap_frames: list[dict[str, Any]]
) -> None:
    assert (await client.get("/api/drivers/Nobody/profile")).status_code == 404
    slow = [dict(f, t_s=f["t_s"] * 1.02) for f in lap_frames]
    await start_session(client, slow, driver="Ana Lima", track="Stadium", car="GT3")
    await start_session(client, lap_frames, driver="Ana Lima", track="Stadium", car="GT3")
    await start_session(client, lap_frames, driver="Ana Lima", track="Oval", car="GT3")
    await start_session(client, lap_frames, driver="Ben", track="Stadium", car="GT3")
    response = await client.get("/api/drivers/ana lima/profile")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sessions"] == 3 and body["laps"] == 6
    assert sorted(t["track"] for t in body["tracks"]) == ["Oval", "Stadium"]
    stadium_row = next(t for t in body["tracks"] if t["track"] == "Stadium")
    assert stadium_row["best_lap_s"] == pytest.approx(stadium.lap_time_s(), abs=0.05)
    assert [e["kind"] for e in body["events"]].count("personal_best") == 3
    assert len(body["progression"]) == 3
    assert body["progression"][1]["delta_s"] < 0
    assert body["consistency"]["sessions"] == 3
    assert set(body["pedal"]) == {"throttle_only", "brake_only", "trail_brake", "coast"}
    # The stadium's hairpins are slow right-handers, driven the same way every lap: graded A.
    assert "low-speed corners" in {s["area"] for s in body["strengths"]}
    pitwall = (await client.get("/driver/Ana Lima/profile?track=Oval")).json()
    assert pitwall["sessions"] == 1
    assert (await client.get("/driver/Ana Lima/profile?track=Nowhere")).status_code == 404


async def test_sessions_count_detected_laps_and_cache(
    client: AsyncTestClient[Any], lap_frames: list[dict[str, Any]]
) -> None:
    # The frames have no lap counter: the laps come from returns to the start line.
    sid = await start_session(client, lap_frames, driver="Ana", track="Stadium")
    await client.post("/session/reset")
    listed = (await client.get("/sessions")).json()["sessions"]
    row = next(s for s in listed if s["session_id"] == sid)
    assert row["lap_count"] == 2
    assert row["best_lap_s"] == pytest.approx(stadium.lap_time_s(), abs=0.05)
    detail = (await client.get(f"/session/{sid}")).json()
    assert detail["session"]["lap_count"] == 2 and len(detail["laps"]) == 2
    # More data: the cached figures are replaced.
    later = [dict(f, t_s=f["t_s"] + 200.0) for f in lap_frames]
    await client.post(f"/session/{sid}/frames", json={"frames": later})
    await client.post("/session/reset")
    listed = (await client.get("/sessions")).json()["sessions"]
    assert next(s for s in listed if s["session_id"] == sid)["lap_count"] == 4


async def test_lap_rows(client: AsyncTestClient[Any], lap_frames: list[dict[str, Any]]) -> None:
    sid = await start_session(client, lap_frames, driver="Ana", track="Stadium")
    other = await start_session(client, [], driver="Ben")
    response = await client.post("/lap", json={"session_id": other, "lap_time_s": 95.5})
    assert response.status_code == 200, response.text
    saved = response.json()
    assert saved["saved"] is True
    assert saved["lap"]["lap"] == 1 and saved["lap"]["time"] == "1:35.500"
    posted = await client.post(
        "/lap", json={"session_id": sid, "lap": 9, "lap_time_s": 40.0, "s1_s": 12.0}
    )
    assert posted.status_code == 200
    rows = (await client.get(f"/laps?session_id={sid}")).json()
    assert rows["count"] == 3
    assert [r["source"] for r in rows["laps"]] == ["posted", "detected", "detected"]
    assert [r["lap"] for r in rows["laps"]] == [9, 2, 1]
    detected = rows["laps"][1]
    assert detected["lap_time_s"] == pytest.approx(stadium.lap_time_s(), abs=0.05)
    assert detected["method"] == "gps"
    assert (await client.get(f"/laps?session_id={sid}&limit=1")).json()["count"] == 1
    everything = (await client.get("/laps")).json()
    assert {r["session_id"] for r in everything["laps"]} == {sid, other}
    assert (await client.get("/laps?session_id=nope")).status_code == 404
    assert (await client.get("/laps?limit=0")).status_code in (400, 422)
    assert (
        await client.post("/lap", json={"session_id": "nope", "lap_time_s": 1.0})
    ).status_code == 404
    bad = await client.post("/lap", json={"session_id": sid, "lap_time_s": -1})
    assert bad.status_code == 422 and "lap_time_s" in bad.json()["detail"]
    missing = await client.post("/lap", json={"lap_time_s": 10.0})
    assert missing.status_code == 422 and "session_id" in missing.json()["detail"]


async def test_sync_and_clips(
    client: AsyncTestClient[Any], lap_frames: list[dict[str, Any]]
) -> None:
    sid = await start_session(client, lap_frames, driver="Ana", track="Stadium")
    empty = await start_session(client, [], driver="Ana")
    assert (await client.get(f"/session/{empty}/sync")).status_code == 404
    assert (await client.get(f"/session/{empty}/clips")).status_code == 404
    none = (await client.get(f"/session/{sid}/sync")).json()
    assert none["video_frames"] == 0 and none["frames"] == []
    t = np.arange(0.0, 50.0, 1 / 25)
    video = [{"t_s": float(v) + 0.013, "frame_no": i, "file": "cam1.mp4"} for i, v in enumerate(t)]
    response = await client.post(f"/session/{sid}/video_frames", json={"frames": video})
    assert response.status_code == 200
    await client.post("/session/reset")
    synced = (await client.get(f"/session/{sid}/sync?names=speed_kmh,throttle")).json()
    assert synced["video_frames"] == len(video)
    assert synced["matched"] == len(video) and synced["unmatched"] == 0
    first = synced["frames"][0]
    assert first["frame_no"] == 0 and first["file"] == "cam1.mp4"
    assert abs(first["offset_ms"]) <= 50.0 and first["speed_kmh"] > 0
    tight = (await client.get(f"/api/sessions/{sid}/video/sync?tolerance_ms=5&limit=3")).json()
    assert tight["matched"] == 0 and tight["count"] == 3
    clips = (await client.get(f"/session/{sid}/clips")).json()
    kinds = [c["kind"] for c in clips["clips"]]
    assert kinds.count("lap") == 2 and kinds.count("corner") == 4
    lap1 = next(c for c in clips["clips"] if c["kind"] == "lap" and c["lap"] == 1)
    assert lap1["frame_count"] > 0 and lap1["first_frame"]["file"] == "cam1.mp4"
    only = (await client.get(f"/api/sessions/{sid}/video/clips?kind=corner&pad_s=0")).json()
    assert {c["kind"] for c in only["clips"]} == {"corner"}
    assert (await client.get(f"/session/{sid}/clips?kind=goal")).status_code == 400
    short = await start_session(client, lap_frames[:50], driver="Ana")
    assert (await client.get(f"/session/{short}/clips")).status_code == 400
    assert (await client.get(f"/session/{short}/sync")).status_code == 200


async def test_track_upload(client: AsyncTestClient[Any], testdata: Path) -> None:
    monza = (testdata / "tracks/tumftm/tracks/Monza.csv").read_bytes()
    response = await client.post(
        "/api/tracks?id=monza", files={"file": ("Monza.csv", monza, "text/csv")}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] == "monza" and body["source"] == "user" and body["format"] == "csv"
    assert body["markers_from"] == "derived" and body["markers"][0]["kind"] == "start_finish"
    listed = (await client.get("/api/tracks")).json()
    assert [t["id"] for t in listed][-1] == "monza"
    assert (await client.get("/api/tracks/monza")).json()["length_m"] == body["length_m"]
    assert (await client.get("/track/monza/elevation?step_m=500")).status_code == 200
    again = await client.post("/api/tracks?id=monza", files={"file": ("Monza.csv", monza)})
    assert again.status_code == 409
    bad = await client.post("/api/tracks?id=junk", files={"file": ("junk.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 422 and "csv" in bad.json()["detail"]
    assert (await client.get("/api/tracks/junk")).status_code == 404
    park = Path(__file__).parents[2] / "python/paddock/data/tracks/paddock_park.json"
    definition = json.loads(park.read_text())
    definition["markers"] = [{"kind": "brake_board", "name": "T1 board", "distance_m": 300.0}]
    raw = await client.post(
        "/api/tracks?id=park2&format=json",
        content=json.dumps(definition).encode(),
        headers={"content-type": "application/octet-stream"},
    )
    assert raw.status_code == 201, raw.text
    assert raw.json()["markers_from"] == "file"
    markers = (await client.get("/markers?track=park2&kind=brake_board")).json()
    assert markers["count"] == 1 and markers["markers"][0]["name"] == "T1 board"
    assert (await client.post("/api/tracks", json={"id": "x"})).status_code == 422
