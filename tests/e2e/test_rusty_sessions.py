"""rusty-telemetry's session workflow against a real server with its built-in simulator.

Create a use-case session → start a run on the simulated Project CARS feed → drive two laps → stop
the run → complete (auto-analysis) → read the analysis → reopen (analysis cleared).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from paddock.store.session_data import open_session
from tests.e2e.server import ServerProcess, running_server

pytestmark = pytest.mark.e2e

LAP_SECONDS = 5.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with running_server(
        tmp_path / "data", ["--simulate", "--lap-seconds", str(LAP_SECONDS)]
    ) as server:
        yield server


def _live_lap(server: ServerProcess) -> int | None:
    feed = server.get("/api/live").json()["feeds"][0]
    lap: int | None = feed.get("lap")
    return lap


def test_use_case_session_with_a_run(server: ServerProcess) -> None:
    created = server.post("/api/sessions", json={"use_case": "lap_times", "label": "baseline"})
    assert created.status_code == 200, created.text
    session = created.json()
    assert session["use_case"] == "lap_times" and session["label"] == "baseline"
    assert session["status"] == "active" and session["runs"] == [] and session["analysis"] is None
    sid = session["id"]

    deadline = time.monotonic() + 30
    while _live_lap(server) is None:
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.2)
    run = server.post(f"/api/sessions/{sid}/runs", json={"feed_name": "pcars", "label": "two laps"})
    assert run.status_code == 201, run.text
    run_id = run.json()["id"]
    first_lap = _live_lap(server)
    assert first_lap is not None
    # Two whole laps inside the run: its first lap is partial, the next two are complete once
    # the one after them begins.
    deadline = time.monotonic() + 6 * LAP_SECONDS
    while (_live_lap(server) or 0) < first_lap + 3:
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.2)

    stopped = server.post(f"/api/sessions/{sid}/runs/{run_id}/stop")
    assert stopped.status_code == 200, stopped.text
    run_out = stopped.json()
    assert run_out["status"] == "stopped" and run_out["data_truncated"] is False
    assert run_out["frame_count"] > 2 * LAP_SECONDS * 30
    assert run_out["end_marker"] - run_out["start_marker"] == run_out["frame_count"]

    completed = server.post(f"/api/sessions/{sid}/complete")
    assert completed.status_code == 200, completed.text
    body = completed.json()
    assert body["status"] == "completed" and body["completed_at"]
    assert body["analysis"]["lap_count"] >= 2
    best = body["analysis"]["best_lap_s"]
    assert best == pytest.approx(LAP_SECONDS, rel=0.25)
    assert body["guidance"] and "complete lap" in body["guidance"]
    frames = open_session(sid, data_dir=server.data_dir, table="frames").collect()
    assert frames.height == run_out["rows_saved"]

    analysis = server.get(f"/api/sessions/{sid}/analysis")
    assert analysis.status_code == 200 and analysis.json()["analysis"]["best_lap_s"] == best
    again = server.post(f"/api/sessions/{sid}/analyze")
    assert again.status_code == 200 and again.json()["analysis"]["lap_count"] >= 2

    reopened = server.post(f"/api/sessions/{sid}/reopen").json()
    assert reopened["status"] == "active" and reopened["analysis"] is None
    assert reopened["guidance"] is None
    assert server.get(f"/api/sessions/{sid}/analysis").status_code == 404

    deleted = server.post(f"/api/sessions/{sid}/runs", json={"feed_name": "pcars"}).json()
    response = httpx.delete(f"{server.base_url}/api/sessions/{sid}/runs/{deleted['id']}")
    assert response.status_code == 204
    assert [r["id"] for r in server.get(f"/api/sessions/{sid}").json()["runs"]] == [run_id]
