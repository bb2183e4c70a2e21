"""``GET /api/risk-log/mcap/{filename}``: notable cycles read back from a recording's MCAP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from mcap.reader import make_reader

from tests.api.test_cycles import cycle

FAILING = [{"name": "WorkspaceGuard", "layer": "L2", "decision": "REJECT", "reason": "out"}]


async def _recorded(client: AsyncTestClient[Any]) -> str:
    recording = (await client.post("/api/recordings", json={"name": "robot"})).json()
    posted = [
        cycle(1),
        cycle(2, was_clamped=True, risk_level="ELEVATED"),
        cycle(3),
        cycle(4, was_rejected=True, risk_level="CRITICAL", guard_statuses=FAILING),
        cycle(5, fallback_triggered="hold"),
        cycle(6),
    ]
    response = await client.post("/api/telemetry/cycles", json=posted)
    assert response.json() == {"accepted": 6, "risk_events": 3}
    stopped = (await client.post(f"/api/recordings/{recording['id']}/stop")).json()
    assert stopped["files"]["cycles"] == "cycles.mcap"
    manifest = client.app.state.runtime.recorder.get(recording["id"])
    assert manifest["cycle_events"] == 6
    recording_id: str = recording["id"]
    return recording_id


async def test_notable_cycles_in_the_risk_log_shape(
    client: AsyncTestClient[Any], data_dir: Path
) -> None:
    recording_id = await _recorded(client)
    # An ordinary MCAP file: any reader finds every cycle on /dam/cycle.
    path = data_dir / "recordings" / recording_id / "cycles.mcap"
    with path.open("rb") as f:
        messages = list(make_reader(f).iter_messages(topics=["/dam/cycle"]))
    assert len(messages) == 6
    assert messages[0][1].message_encoding == "json"
    assert messages[3][2].log_time == 1_700_000_004 * 10**9

    for name in (recording_id, f"{recording_id}.mcap"):
        response = await client.get(f"/api/risk-log/mcap/{name}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["session_id"] == recording_id
        assert body["total_cycles"] == 6 and body["notable_cycles"] == 3
        assert [e["cycle_id"] for e in body["events"]] == [2, 4, 5]
    # The same contract as the live risk log: compare with what ingest logged.
    logged = {e["cycle_id"]: e for e in (await client.get("/api/risk-log")).json()}
    for event in body["events"]:
        live = logged[event["cycle_id"]]
        assert {k: v for k, v in event.items() if k != "sequence"} == {
            k: v for k, v in live.items() if k != "id"
        }
    assert [e["sequence"] for e in body["events"]] == [1, 3, 4]
    rejected = body["events"][1]
    assert rejected["outcome"] == "reject" and rejected["failure_type"] == "WorkspaceGuard"


async def test_filters_and_limits(client: AsyncTestClient[Any]) -> None:
    recording_id = await _recorded(client)
    url = f"/api/risk-log/mcap/{recording_id}.mcap"

    async def ids(**params: Any) -> list[int]:
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
        return [e["cycle_id"] for e in response.json()["events"]]

    assert await ids(outcome="clamp") == [2]
    assert await ids(outcome="reject") == [4]
    assert await ids(outcome="pass") == [5]
    assert await ids(min_risk_level="ELEVATED") == [2, 4]
    assert await ids(min_risk_level="CRITICAL") == [4]
    assert await ids(failure_type="WorkspaceGuard") == [4]
    assert await ids(failure_type="hold") == [5]
    assert await ids(limit=1) == [2]
    for params in ({"limit": 0}, {"limit": 5001}, {"outcome": "maybe"}):
        assert (await client.get(url, params=params)).status_code in (400, 422), params


async def test_file_names_are_checked(client: AsyncTestClient[Any]) -> None:
    # (A bare ".." is resolved by the client before it is sent; encoded, it reaches the server.)
    for bad in ("a..b.mcap", "%2E%2E", "%2E%2E%2Fcatalog.sqlite3", "%2Fetc%2Fpasswd"):
        response = await client.get(f"/api/risk-log/mcap/{bad}")
        assert 400 <= response.status_code < 500, (bad, response.status_code)
        assert response.status_code != 200
    for missing in ("0" * 32 + ".mcap", "nope.mcap", "session_20241210_143022_abc123.mcap"):
        response = await client.get(f"/api/risk-log/mcap/{missing}")
        assert response.status_code == 404, (missing, response.text)
        assert response.json()["detail"]
    # A recording without cycle events: nothing notable in it.
    recording = (await client.post("/api/recordings", json={})).json()
    await client.post(f"/api/recordings/{recording['id']}/stop")
    body = (await client.get(f"/api/risk-log/mcap/{recording['id']}")).json()
    assert body["events"] == [] and body["total_cycles"] == 0
