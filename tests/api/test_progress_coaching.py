"""Leaderboard, driver evolution and the rule-based coach through the API."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import start_session
from tests.unit.analysis import stadium


@pytest.fixture(scope="module")
def lap_frames() -> list[dict[str, Any]]:
    frames = stadium.frames(laps=2.02, rate_hz=10.0).drop("ts_ns")
    return frames.to_dicts()


async def test_leaderboard_and_evolution(
    client: AsyncTestClient[Any], lap_frames: list[dict[str, Any]]
) -> None:
    empty = (await client.get("/leaderboard")).json()
    assert empty == {"entries": [], "count": 0}
    slow = [dict(f, t_s=f["t_s"] * 1.05) for f in lap_frames]
    await start_session(client, lap_frames, driver="Ana Lima", track="Stadium", car="GT3")
    await start_session(client, slow, driver="Ben Ode", track="Stadium", car="GT3")
    await start_session(client, [], driver="Cy", track="Stadium", car="GT3")
    board = (await client.get("/api/leaderboard?track=stadium")).json()
    assert [e["initials"] for e in board["entries"]] == ["AL", "BO"]
    assert [e["rank"] for e in board["entries"]] == [1, 2]
    assert board["entries"][0]["time"].startswith("0:")
    assert board["entries"][0]["best_lap_s"] == pytest.approx(stadium.lap_time_s(), abs=0.05)
    assert (await client.get("/leaderboard?track=elsewhere")).json()["count"] == 0
    assert (await client.get("/leaderboard?limit=0")).status_code == 400
    assert (await client.get("/driver/Ana Lima/evolution?track=Stadium")).status_code == 204
    for k in range(4):
        faster = [dict(f, t_s=f["t_s"] * (1.04 - 0.01 * k)) for f in lap_frames]
        await start_session(client, faster, driver="Ana Lima", track="Stadium", car="GT3")
    response = await client.get("/api/drivers/Ana Lima/evolution?track=Stadium")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["summary"]["sessions"] == 5
    assert len(body["sessions"]) == 5
    assert body["summary"]["best_s"] == pytest.approx(stadium.lap_time_s(), abs=0.05)
    assert (await client.get("/driver/Ana Lima/evolution?track=Stadium")).status_code == 200


async def test_rule_coach(client: AsyncTestClient[Any], lap_frames: list[dict[str, Any]]) -> None:
    concepts = (await client.get("/coach/concepts")).json()
    assert concepts["count"] == 9
    assert all({"id", "description", "fires_when"} <= set(c) for c in concepts["concepts"])
    sid = await start_session(client, lap_frames, driver="Ana", track="Stadium")
    summary = {"speed_kmh": 180, "min_speed_kmh": 175, "max_speed_kmh": 185, "throttle": 0.7}
    burst = (await client.post("/analyze", json={"summary": summary, "session_id": sid})).json()
    assert burst["coach_source"] == "rule"
    assert [c["concept"] for c in burst["cues"]] == ["full_throttle"]
    assert burst["coaching"] and burst["pace_note"] and burst["burst_id"] >= 1
    notes = (await client.get(f"/api/sessions/{sid}/notes")).json()
    assert any(
        n["type"] == "coaching" for n in (notes if isinstance(notes, list) else notes["notes"])
    )
    clean = (await client.post("/analyze", json={"speed_kmh": 100})).json()
    assert clean["cues"] == []
    assert (await client.post("/analyze", json={"summary": [1, 2]})).status_code in (400, 422)
    debrief = (await client.post("/coach/debrief", json={"session_id": sid})).json()
    assert debrief["markdown"].startswith("## Debrief") and "2 lap(s)" in debrief["markdown"]
    assert debrief["emotion"] in ("proud", "encouraging", "neutral")
    assert (await client.post("/coach/debrief", json={})).status_code == 400
    brief = (await client.get("/coach/brief?driver_id=Ana&track=Stadium")).json()
    assert brief["source"] == "template" and "Ana" in brief["brief"]
    for path in ("/coach/ask", "/coach/ask/stream", "/coach/ask/end", "/score"):
        response = await client.post(path, json={"question": "why?"})
        assert response.status_code == 503
        assert "error" in response.json() and "detail" in response.json()
    assert (await client.post("/coach/ask", json={})).json()["error"] == "ADK not available"
    for path in ("/coach/agents", "/coach/traces?limit=5"):
        response = await client.get(path)
        assert response.status_code == 200 and response.json()["available"] is False
