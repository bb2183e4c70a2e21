from __future__ import annotations

import socket
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import wait_for
from tests.api.packets import telemetry


async def test_transitions_and_409_reasons(client: AsyncTestClient[Any]) -> None:
    status = (await client.get("/api/control/status")).json()
    assert status["state"] == "running"  # the feeds start with the server
    assert set(status["feeds"]) == {"pcars", "ksudp", "acc", "ttool"}

    refused = await client.post("/api/control/start")
    assert refused.status_code == 409
    assert refused.json() == {"detail": "cannot start: runtime is running (start needs idle)"}
    assert (await client.post("/api/control/resume")).status_code == 409
    assert (await client.post("/api/control/reset")).status_code == 409

    paused = await client.post("/api/control/pause")
    assert paused.status_code == 200
    assert paused.json()["state"] == "paused"
    assert client.app.state.runtime.hub.publishing is False
    again = await client.post("/api/control/pause")
    assert again.status_code == 409
    assert "runtime is paused" in again.json()["detail"]
    assert (await client.post("/api/control/resume")).json()["state"] == "running"
    assert client.app.state.runtime.hub.publishing is True

    stopped = (await client.post("/api/control/stop")).json()
    assert stopped["state"] == "stopped"
    assert set(stopped["feeds"].values()) == {"stopped"}
    assert (await client.post("/api/control/stop")).status_code == 409
    assert (await client.post("/api/control/start")).status_code == 409
    assert (await client.post("/api/control/reset")).json()["state"] == "idle"

    started = await client.post(
        "/api/control/start",
        params={"task_name": "pick", "n_cycles": 10, "cycle_budget_ms": 5.0},
    )
    body = started.json()
    assert body["state"] == "running"
    assert (body["task_name"], body["n_cycles"], body["cycle_budget_ms"]) == ("pick", 10, 5.0)
    assert "stopped" not in body["feeds"].values()
    for params in ({"n_cycles": -2}, {"cycle_budget_ms": 0}, {"n_cycles": "many"}):
        response = await client.post("/api/control/start", params=params)
        assert response.status_code == 422, params


async def test_estop_stops_every_feed_and_finalises_the_recording(
    client: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    runtime = client.app.state.runtime
    port = runtime.hub.feed("pcars").port
    recording = (await client.post("/api/recordings", json={"name": "estop"})).json()
    for n in range(5):
        udp_sender.sendto(telemetry(n), ("127.0.0.1", port))
    await wait_for(lambda: runtime.recorder.active and runtime.recorder.active.snapshot()["feeds"])

    estop = await client.post("/api/control/estop", params={"reason": "operator"})
    assert estop.status_code == 200
    body = estop.json()
    assert body["state"] == "emergency"
    assert body["reason"] == "operator"
    assert set(body["feeds"].values()) == {"stopped"}
    assert runtime.recorder.active is None
    stored = (await client.get(f"/api/recordings/{recording['id']}")).json()
    assert stored["status"] == "stopped"
    assert (await client.get(f"/api/recordings/{recording['id']}/mcap")).status_code == 200

    # Estop is accepted in any state; only reset leaves the emergency.
    assert (await client.post("/api/control/estop")).json()["state"] == "emergency"
    assert (await client.post("/api/control/resume")).status_code == 409
    assert (await client.post("/api/control/reset")).json()["state"] == "idle"
