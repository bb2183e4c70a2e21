"""The spine end to end: a real server, the simulator over real UDP, a recording, a lap table."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_sse import connect_sse

from paddock import open_recording
from paddock.analysis.laps import lap_table
from paddock.protocols import pcars2
from tests.conftest import free_port
from tests.e2e.server import ServerProcess, parse_raw

pytestmark = pytest.mark.e2e

LAP_SECONDS = 10.0
DURATION_S = 36.0
# Lap and sector times come from the game's own clock (packets carry them as f32), so the only
# error is f32 rounding (the sector crossings come from the game's sector timer too).
LAP_TOLERANCE_S = 0.005
SECTOR_TOLERANCE_S = 0.005


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    data_dir = tmp_path / "data"
    server = ServerProcess(port=free_port(), pcars_port=free_port(2), data_dir=data_dir, extra=[])
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _collect_sse(url: str, events: list[dict[str, Any]], stop: threading.Event) -> None:
    with (
        httpx.Client(timeout=httpx.Timeout(5.0, read=20.0)) as client,
        connect_sse(client, "GET", url) as source,
    ):
        for event in source.iter_sse():
            if event.event == "telemetry":
                events.append(json.loads(event.data) | {"id": event.id})
            if stop.is_set() or len(events) >= 20:
                return


def test_simulated_laps_are_recorded_and_timed(server: ServerProcess, tmp_path: Path) -> None:
    truth_path = tmp_path / "truth.json"
    started = server.post("/api/recordings", json={"name": "e2e", "game": "project_cars_2"})
    assert started.status_code == 201, started.text
    recording_id = started.json()["id"]

    events: list[dict[str, Any]] = []
    stop = threading.Event()
    sse = threading.Thread(
        target=_collect_sse,
        args=(server.base_url + "/api/stream/telemetry?channels=speed_kmh,gear", events, stop),
        daemon=True,
    )
    sse.start()

    simulator = subprocess.run(
        [
            sys.executable,
            "-m",
            "paddock.cli",
            "simulate",
            "--game",
            "project_cars_2",
            "--to",
            f"127.0.0.1:{server.pcars_port}",
            "--rate",
            "60",
            "--lap-seconds",
            str(LAP_SECONDS),
            "--duration",
            str(DURATION_S),
            "--truth-out",
            str(truth_path),
        ],
        capture_output=True,
        text=True,
        timeout=DURATION_S + 60,
        check=False,
    )
    assert simulator.returncode == 0, simulator.stderr
    stop.set()
    sse.join(timeout=25)

    live = server.get("/api/live").json()["feeds"][0]
    assert live["health"] in ("receiving", "stale")
    assert live["decode_errors"] == 0
    time.sleep(0.3)
    stopped = server.post("/api/recordings/stop")
    assert stopped.status_code == 200, stopped.text
    manifest = stopped.json()
    assert manifest["feeds"][0]["packets"] == live["packets"]

    # The SSE stream carried decoded frames with the channels asked for.
    assert events, server.log()
    assert set(events[0]["frames"][0]) == {"ts_ns", "t_s", "speed_kmh", "gear"}
    assert int(events[-1]["id"]) == events[-1]["frames"][-1]["ts_ns"]

    truth = json.loads(truth_path.read_text())
    laps = lap_table(open_recording(recording_id, data_dir=server.data_dir))
    truth_laps = {lap["lap"]: lap for lap in truth["laps"]}
    assert laps.height >= 2, (laps, truth)
    for row in laps.iter_rows(named=True):
        expected = truth_laps[row["lap"]]
        assert row["lap_time_s"] == pytest.approx(expected["lap_time_s"], abs=LAP_TOLERANCE_S)
        for k, key in enumerate(("s1_s", "s2_s", "s3_s")):
            assert row[key] == pytest.approx(
                expected["sector_times_s"][k], abs=SECTOR_TOLERANCE_S
            ), (row, expected)

    # The API serves the same table.
    api_laps = server.get(f"/api/recordings/{recording_id}/laps").json()
    assert [lap["lap"] for lap in api_laps] == laps["lap"].to_list()

    # The raw feed re-decodes to the same frames.
    raw = server.get(f"/api/recordings/{recording_id}/data/pcars")
    assert raw.status_code == 200
    datagrams, stamps = parse_raw(raw.content)
    redecoded = pcars2.frames(datagrams, ts_ns=stamps)
    assert redecoded.num_rows == manifest["feeds"][0]["frames"]


def test_serve_simulate_goes_live(tmp_path: Path) -> None:
    server = ServerProcess(
        port=free_port(),
        pcars_port=free_port(2),
        data_dir=tmp_path / "data",
        extra=["--simulate", "--lap-seconds", "10"],
    )
    try:
        server.wait_ready()
        deadline = time.monotonic() + 20
        feed: dict[str, Any] = {}
        while time.monotonic() < deadline:
            feed = server.get("/api/live").json()["feeds"][0]
            if feed["health"] == "receiving" and (feed["speed_kmh"] or 0) > 0:
                break
            time.sleep(0.2)
        assert feed["health"] == "receiving", server.log()
        assert feed["speed_kmh"] > 0 and feed["rpm"] > 0 and feed["gear"] >= 1
        assert feed["frequency_hz"] > 30
        assert feed["lap"] >= 1
        assert "paddock serving on http://127.0.0.1:" in server.log()
    finally:
        assert server.stop() in (0, -2, 130)
