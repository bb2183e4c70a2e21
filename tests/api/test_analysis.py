"""Laps, analytics and the synchroniser through the API, on a session holding simulator data."""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest
from litestar.testing import AsyncTestClient

from paddock.analysis.analytics import ANALYTICS

pytest.importorskip("paddock.protocols.pcars2")

from paddock.sources.simulator.frames import simulate_frames


@pytest.fixture(scope="module")
def simulated() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    frames, truth = simulate_frames(laps=2.05, rate_hz=20.0)
    canonical = frames.select(c for c in frames.columns if "." not in c and c != "ts_ns")
    return canonical.to_dicts(), truth


async def _session_with(client: AsyncTestClient[Any], frames: list[dict[str, Any]]) -> str:
    started = await client.post("/session/start", json={"track": "Paddock Park"})
    sid: str = started.json()["session_id"]
    for i in range(0, len(frames), 1000):
        response = await client.post(
            f"/session/{sid}/frames", json={"frames": frames[i : i + 1000]}
        )
        assert response.status_code == 200, response.text
    return sid


async def test_laps_envelope_and_every_analytic(
    client: AsyncTestClient[Any], simulated: tuple[list[dict[str, Any]], dict[str, Any]]
) -> None:
    frames, truth = simulated
    sid = await _session_with(client, frames)
    for path in (f"/api/sessions/{sid}/laps", f"/session/{sid}/laps"):
        response = await client.get(path)
        assert response.status_code == 200, response.text
        laps = response.json()["laps"]
        assert laps[0]["name"] == "Full session" and laps[0]["method"] == "all"
        assert [lap["name"] for lap in laps[1:]] == ["Lap 1", "Lap 2"]
        assert laps[1]["duration_s"] == pytest.approx(truth["laps"][0]["lap_time_s"], abs=0.05)
        assert response.json()["track_length_m"] == pytest.approx(
            truth["track"]["length_m"], rel=0.01
        )
    table = (await client.get(f"/api/sessions/{sid}/analytics/lap_time_table")).json()
    assert [row["lap"] for row in table["laps"]] == [1, 2]
    for row in table["laps"]:
        got = [row["s1_s"], row["s2_s"], row["s3_s"]]
        assert got == pytest.approx(truth["laps"][0]["sector_times_s"], abs=0.05)
    ideal = (await client.get(f"/session/{sid}/ideal_lap")).json()
    assert ideal["ideal_lap_s"] == pytest.approx(math.fsum(ideal["best_sectors_s"]))
    corners = (await client.get(f"/session/{sid}/corners")).json()
    assert corners["count"] == len(truth["track"]["corners"])
    for name in ANALYTICS:
        native = await client.get(f"/api/sessions/{sid}/analytics/{name}")
        alias = await client.get(f"/session/{sid}/{name}")
        assert native.status_code == alias.status_code == 200, (name, native.text)
        assert native.json()["analytic"] == name
    tuned = (
        await client.get(f"/session/{sid}/pedal_behavior?throttle_th=0.99&brake_th=0.5")
    ).json()
    default = (await client.get(f"/session/{sid}/pedal_behavior")).json()
    assert tuned["distribution"]["coast"] > default["distribution"]["coast"]
    bands = (
        await client.get(f"/session/{sid}/corner_classification?low_max=300&med_max=400")
    ).json()
    assert bands["counts"] == {"low": corners["count"], "medium": 0, "high": 0}
    bad = await client.get(f"/session/{sid}/pedal_behavior?throttle_th=2")
    assert bad.status_code == 400
    assert (await client.get(f"/api/sessions/{sid}/analytics/nonsense")).status_code == 404


async def test_synchroniser(
    client: AsyncTestClient[Any], simulated: tuple[list[dict[str, Any]], dict[str, Any]]
) -> None:
    frames, _ = simulated
    sid = await _session_with(client, frames[:400])
    samples = {"signals": [["oil_temp_x", 1.0, 90.0], ["oil_temp_x", 3.0, 94.0]]}
    assert (await client.post(f"/session/{sid}/signals", json=samples)).status_code == 200
    response = await client.get(
        f"/session/{sid}/signals?names=speed_kmh,gear,oil_temp_x&rate_hz=1&t_from=1&t_to=3"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["t_s"] == [1.0, 2.0, 3.0]
    assert body["signals"]["oil_temp_x"] == pytest.approx([90.0, 92.0, 94.0])
    speeds = pl.DataFrame(frames[:400]).filter(pl.col("t_s").is_between(0.9, 1.1))["speed_kmh"]
    assert speeds.min() <= body["signals"]["speed_kmh"][0] <= speeds.max()
    held = (
        await client.get(f"/api/sessions/{sid}/signals?names=gear&interp=previous&rate_hz=2")
    ).json()
    assert set(held["signals"]["gear"]) <= {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, None}
    by_distance = (
        await client.get(f"/api/sessions/{sid}/signals?names=speed_kmh&axis=distance&rate_hz=0.1")
    ).json()
    assert by_distance["distance_m"][1] == pytest.approx(10.0)
    for query in ("names=", "names=speed_kmh&axis=space", "names=speed_kmh&t_from=5&t_to=1"):
        assert (await client.get(f"/session/{sid}/signals?{query}")).status_code == 400


async def test_status_codes(
    client: AsyncTestClient[Any], simulated: tuple[list[dict[str, Any]], dict[str, Any]]
) -> None:
    frames, _ = simulated
    assert (await client.get("/session/no-such-session/laps")).status_code == 404
    empty = (await client.post("/session/start", json={})).json()["session_id"]
    assert (await client.get(f"/session/{empty}/laps")).status_code == 404
    assert (await client.get(f"/session/{empty}/scorecard")).status_code == 404
    assert (await client.get(f"/api/sessions/{empty}/analytics/stats")).status_code == 404
    short = await _session_with(client, frames[:300])
    response = await client.get(f"/session/{short}/lap_time_table")
    assert response.status_code == 400
    assert "complete lap" in response.json()["detail"]
    stats = await client.get(f"/session/{short}/stats")
    assert stats.status_code == 200 and stats.json()["rows"] == 300
    laps = (await client.get(f"/api/sessions/{short}/laps")).json()["laps"]
    assert laps[0]["name"] == "Full session"
    assert (await client.get(f"/api/sessions/{short}/laps?method=bogus")).status_code == 400


async def test_complete_with_a_use_case_and_compare_across_sessions(
    client: AsyncTestClient[Any], simulated: tuple[list[dict[str, Any]], dict[str, Any]]
) -> None:
    frames, _ = simulated
    created = (await client.post("/api/sessions", json={"use_case": "braking_analysis"})).json()
    sid = created["id"]
    for i in range(0, len(frames), 1000):
        response = await client.post(
            f"/session/{sid}/frames", json={"frames": frames[i : i + 1000]}
        )
        assert response.status_code == 200
    done = (await client.post(f"/api/sessions/{sid}/complete")).json()
    assert done["analysis"]["use_case_result"]["summary"]
    assert "braking zones" in done["guidance"]
    other = await _session_with(client, frames)
    response = await client.get(
        f"/api/compare?laps={sid}:1,{other}:2&channels=speed_kmh,brake&step_m=10"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reference"] == f"{sid}:1"
    assert abs(body["final_delta_s"][f"{other}:2"]) < 0.05
    assert f"{other}:2.brake" in body["columns"]
    for query, status in (
        (f"laps={sid}:1", 400),
        (f"laps={sid}:x", 400),
        (f"laps={sid}:1,{sid}:7", 404),
        (f"laps=nobody:1,{sid}:1", 404),
    ):
        assert (await client.get(f"/api/compare?{query}")).status_code == status, query
