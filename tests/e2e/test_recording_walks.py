"""Two seeds' recording workflows walked start to finish against ``paddock serve --simulate``.

- FootballVision (seed 002): status, start, a second start refused, a stop refused inside the
  protected window, health while recording, a forced stop with integrity checks, the inventory,
  segments and the zip of everything.
- DAM (seed 003): the MCAP session list, a detail read from the summary, and a subset download
  (a cycle range on one topic) that reads back as a valid MCAP.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mcap.stream_reader import StreamReader

from tests.e2e.server import ServerProcess, running_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with running_server(
        tmp_path / "data",
        ["--simulate", "--lap-seconds", "10"],
        env={"PADDOCK_RECORDING_PROTECTION_S": "600"},
    ) as server:
        yield server


def _wait_frames(server: ServerProcess, recording_id: str, at_least: int) -> None:
    for _ in range(300):
        manifest = server.get(f"/api/recordings/{recording_id}").json()
        if sum(f.get("frames", 0) for f in manifest["feeds"]) >= at_least:
            return
        time.sleep(0.1)
    raise AssertionError(f"the recording got no frames:\n{server.log()}")


def _delete(server: ServerProcess, path: str) -> dict[str, object]:
    answer = httpx.delete(server.base_url + path, timeout=30.0)
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_football_vision_recording_walk(server: ServerProcess) -> None:
    idle = server.get("/api/recording").json()
    assert idle["recording"] is False

    started = server.post("/api/recording", json={"match_id": "practice-1"}).json()
    assert started["success"] is True, started
    assert started["message"].startswith("Recording started for match:")
    recording_id = started["match_id"]
    again = server.post("/api/recording", json={"match_id": "practice-2"}).json()
    assert again["success"] is False

    status = server.get("/api/recording").json()
    assert status["recording"] is True and status["match_id"] == recording_id
    assert status["protected_for_s"] > 0

    refused = _delete(server, "/api/recording?force=false")
    assert refused["success"] is False and "force=true" in refused["message"]
    assert server.get("/api/recording").json()["recording"] is True

    _wait_frames(server, recording_id, 60)
    health = server.get("/api/recording-health").json()
    assert health["healthy"] is True and health["recording"] is True
    assert health["diagnostics"]["mcap"]["segment_count"] >= 1

    stopped = _delete(server, "/api/recording?force=true")
    assert stopped["success"] is True, stopped
    assert stopped["message"] == "Recording stopped successfully"
    integrity = stopped["integrity"]
    assert integrity["checked"] and integrity["all_ok"], integrity
    assert all(f["integrity_ok"] for f in integrity["files"])

    inventory = server.get("/api/recordings").json()
    assert recording_id in [r["id"] for r in inventory]
    segments = server.get(f"/api/recordings/{recording_id}/segments").json()
    mcap_names = [s["name"] for s in segments["segments"]["mcap"]]
    assert mcap_names and all(s["finished"] for s in segments["segments"]["mcap"])
    archive = server.get(f"/api/recordings/{recording_id}/download")
    assert archive.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert set(mcap_names) <= {Path(n).name for n in names}
    assert server.get("/api/recording-health").json()["message"] == "No recording running"


def test_dam_mcap_session_walk(server: ServerProcess) -> None:
    started = server.post("/api/recordings", json={"name": "cycles"})
    assert started.status_code == 201, started.text
    recording_id = started.json()["id"]
    _wait_frames(server, recording_id, 120)
    stopped = server.post("/api/recordings/stop?force=true")
    assert stopped.status_code == 200, stopped.text

    listed = server.get("/mcap/sessions").json()["sessions"]
    entry = next(s for s in listed if s["session_id"] == recording_id)
    assert entry["total_cycles"] > 0 and entry["file_count"] >= 1

    detail = server.get(f"/api/mcap/sessions/{recording_id}").json()
    assert detail["finished"] is True and detail["total_cycles"] == entry["total_cycles"]
    topic = detail["channels"][0]

    subset = server.get(
        f"/api/mcap/sessions/{recording_id}/download",
        params={"start_cycle": 10, "end_cycle": 40, "topics": topic},
    )
    assert subset.status_code == 200
    assert subset.headers["content-type"].startswith("application/x-mcap")
    records = list(StreamReader(io.BytesIO(subset.content)).records)
    messages = [r for r in records if type(r).__name__ == "Message"]
    assert messages and all(10 <= m.sequence <= 40 for m in messages)
    channels = {r.id: r.topic for r in records if type(r).__name__ == "Channel"}
    assert {channels[m.channel_id] for m in messages} == {topic}
    bad = server.get(
        f"/api/mcap/sessions/{recording_id}/download", params={"start_cycle": 5, "end_cycle": 1}
    )
    assert bad.status_code == 400 and "detail" in bad.json()
