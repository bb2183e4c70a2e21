"""``paddock serve --simulate --car``: the simulated E46 on a python-can bus, read by the CAN feed
of a real server — live view, diagnostics, a recording with every frame raw, a run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from paddock.can._raw import decode_records
from paddock.can.cars import load_car
from tests.e2e.server import ServerProcess, parse_raw, running_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with running_server(
        tmp_path / "data",
        [
            "--simulate",
            "--car",
            "bmw_e46_m3",
            "--can-channel",
            f"e2e-{time.monotonic_ns()}",
            "--simulate-lap-seconds",
            "30",
        ],
    ) as server:
        yield server


def _can_feed(server: ServerProcess) -> dict[str, Any]:
    feeds = server.get("/api/live").json()["feeds"]
    feed: dict[str, Any] = next(f for f in feeds if f["name"] == "can")
    return feed


def test_simulated_car_through_a_real_server(server: ServerProcess) -> None:
    deadline = time.monotonic() + 30
    while not (_can_feed(server).get("speed_kmh") or 0) > 0:
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.2)
    rec = server.post("/api/recordings", json={"name": "e46"}).json()
    sid = server.post("/api/sessions", json={"name": "e46"}).json()["id"]
    run = server.post(f"/api/sessions/{sid}/runs", json={"feed_name": "can"})
    assert run.status_code == 201, run.text
    time.sleep(3)
    stopped = server.post(f"/api/sessions/{sid}/runs/{run.json()['id']}/stop").json()
    assert stopped["frame_count"] > 0 and stopped["data_truncated"] is False
    manifest = server.post("/api/recordings/stop").json()
    (feed,) = [f for f in manifest["feeds"] if f["name"] == "can"]
    assert feed["packets"] > 1000 and feed["frames"] > 0

    # Every frame raw in the recording: all of the car's ids, nothing else.
    datagrams, stamps = parse_raw(server.get(f"/api/recordings/{rec['id']}/data/can").content)
    assert len(datagrams) == feed["packets"]
    records = decode_records(
        pl.DataFrame(
            {"ts_ns": stamps, "payload": datagrams},
            schema={"ts_ns": pl.Int64, "payload": pl.Binary},
        )
    )
    car = load_car("bmw_e46_m3")
    assert set(records["id"].unique().to_list()) <= set(car.frame_ids)

    diag = server.get("/api/diagnostics/can").json()
    assert diag["connected"] and diag["car"] == "bmw_e46_m3"
    assert diag["frames_total"] >= feed["packets"] and diag["fps"] > 100
    assert diag["unknown_id_frames"] == 0 and diag["short_frames"] == 0

    live = _can_feed(server)
    assert live["health"] == "receiving" and live["rpm"] > 0 and live["gear"] is not None
