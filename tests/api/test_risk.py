from __future__ import annotations

import csv
import io
import socket
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import wait_for
from tests.api.packets import telemetry
from tests.api.test_cycles import cycle

BOUNDARY = {
    "name": "speed-limit",
    "channel": "speed_kmh",
    "feed": "pcars",
    "max": 100.0,
    "risk_level": "CRITICAL",
    "description": "pit lane",
}


async def test_boundaries_crud(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/api/boundaries")).json() == []
    created = await client.post("/api/boundaries", json=BOUNDARY)
    assert created.status_code == 201
    assert created.json() == {**BOUNDARY, "min": None, "max_rate": None, "enabled": True}
    again = await client.post("/api/boundaries", json=BOUNDARY)
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]
    assert (await client.get("/api/boundaries/speed-limit")).json()["max"] == 100.0

    replaced = await client.put("/api/boundaries/speed-limit", json={**BOUNDARY, "max": 80.0})
    assert replaced.status_code == 200
    assert (await client.get("/api/boundaries")).json()[0]["max"] == 80.0
    mismatch = await client.put("/api/boundaries/speed-limit", json={**BOUNDARY, "name": "x"})
    assert mismatch.status_code == 422
    missing = await client.put("/api/boundaries/nope", json={**BOUNDARY, "name": "nope"})
    assert missing.status_code == 404
    for body in ({"name": "x"}, {**BOUNDARY, "max": None}, {**BOUNDARY, "min": 200.0}):
        response = await client.post("/api/boundaries", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"]

    assert (await client.delete("/api/boundaries/speed-limit")).json() == {
        "deleted": True,
        "name": "speed-limit",
    }
    assert (await client.get("/api/boundaries/speed-limit")).status_code == 404
    assert (await client.delete("/api/boundaries/speed-limit")).status_code == 404


async def test_boundary_violation_on_a_live_feed_reaches_the_risk_log(
    client: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    await client.post("/api/boundaries", json=BOUNDARY)
    port = client.app.state.runtime.hub.feed("pcars").port
    for n, speed_ms in enumerate([20.0, 25.0, 40.0, 45.0]):  # 40 m/s = 144 km/h
        udp_sender.sendto(telemetry(n, speed_ms=speed_ms), ("127.0.0.1", port))

    async def logged() -> list[dict[str, Any]]:
        response = await client.get("/api/risk-log", params={"source": "boundary"})
        events: list[dict[str, Any]] = response.json()
        return events

    events = await wait_for(logged)
    assert len(events) == 1
    event = events[0]
    assert event["boundary"] == "speed-limit"
    assert event["feed"] == "pcars"
    assert event["channel"] == "speed_kmh"
    assert event["value"] == 144.0
    assert event["risk_level"] == "CRITICAL"
    assert event["failure_type"] == "max"
    assert (await client.get(f"/api/risk-log/{event['id']}")).json() == event


async def test_risk_log_filters_stats_and_exports(client: AsyncTestClient[Any]) -> None:
    guard_fail = [{"name": "MotionGuard", "layer": "L2", "decision": "REJECT", "reason": "jerk"}]
    posted = await client.post(
        "/api/telemetry/cycles",
        json=[
            cycle(1),  # nothing notable: not logged
            cycle(2, was_rejected=True, risk_level="CRITICAL", guard_statuses=guard_fail),
            cycle(3, was_clamped=True, risk_level="ELEVATED"),
            cycle(4, risk_level="EMERGENCY", fallback_triggered="safe_stop"),
            cycle(5, was_clamped=True, latency_ms={"total": 3.3}),
        ],
    )
    assert posted.json() == {"accepted": 5, "risk_events": 4}

    async def ids(**params: Any) -> list[int]:
        response = await client.get("/api/risk-log", params=params)
        assert response.status_code == 200, response.text
        return [e["cycle_id"] for e in response.json()]

    assert await ids() == [5, 4, 3, 2]
    assert await ids(outcome="reject") == [2]
    assert await ids(rejected_only="true") == [2]
    assert await ids(outcome="clamp") == [5, 3]
    assert await ids(clamped_only="true") == [5, 3]
    assert await ids(outcome="pass") == [4]
    assert await ids(min_risk_level="CRITICAL") == [4, 2]
    assert await ids(since=1700000003.0) == [5, 4, 3]
    assert await ids(since=1700000003.0, until=1700000004.0) == [4, 3]
    assert await ids(limit=2) == [5, 4]

    first = (await client.get("/api/risk-log", params={"outcome": "reject"})).json()[0]
    assert first["failure_type"] == "MotionGuard"
    assert first["reason"] == "jerk"
    assert first["latency_ms"] == 8.7
    assert first["source"] == "cycle"

    for params in (
        {"limit": 0},
        {"limit": 5001},
        {"outcome": "maybe"},
        {"min_risk_level": "LOW"},
        {"rejected_only": "true", "clamped_only": "true"},
        {"outcome": "pass", "rejected_only": "true"},
    ):
        response = await client.get("/api/risk-log", params=params)
        assert response.status_code == 422, params
        assert response.json()["detail"]

    stats = (await client.get("/api/risk-log/stats")).json()
    assert stats == {
        "total_events": 4,
        "rejected": 1,
        "clamped": 2,
        "passed": 1,
        "by_risk_level": {"NORMAL": 1, "ELEVATED": 1, "CRITICAL": 1, "EMERGENCY": 1},
        "by_source": {"cycle": 4},
        "avg_latency_ms": round((8.7 * 3 + 3.3) / 4, 3),
    }

    exported = await client.get("/api/risk-log/export/json")
    assert exported.headers["content-disposition"] == 'attachment; filename="risk_log.json"'
    assert [e["cycle_id"] for e in exported.json()] == [5, 4, 3, 2]
    as_csv = await client.get("/api/risk-log/export/csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert 'filename="risk_log.csv"' in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["cycle_id"] for r in rows] == ["5", "4", "3", "2"]
    assert rows[3]["outcome"] == "reject"

    assert (await client.get("/api/risk-log/999")).status_code == 404
    assert (await client.get("/api/risk-log/999")).json()["detail"] == "Risk event 999 not found"
