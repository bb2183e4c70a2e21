"""FootballVision's recording semantics: protected stop, integrity on stop, health, files."""

from __future__ import annotations

import io
import socket
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from mcap.reader import make_reader

import paddock.store.integrity
from paddock.api.app import create_app
from paddock.config import Settings
from paddock.exceptions import RecordingError
from tests.api.conftest import wait_for
from tests.api.packets import telemetry, timings


@pytest.fixture
async def protected(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(settings.with_(recording_protection_s=3600.0))
    async with AsyncTestClient(app) as client:
        yield client


@pytest.fixture
async def segmented(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    # Every batch drained at least 1 ms after the segment's first starts a new segment.
    app = create_app(settings.with_(recording_segment_s=0.001))
    async with AsyncTestClient(app) as client:
        yield client


async def _send_burst(
    client: AsyncTestClient[Any], sock: socket.socket, recording_id: str, n: int, total: int
) -> int:
    """Sends ``n`` telemetry packets and waits until the recording counted all ``total + n``."""
    port = client.app.state.runtime.hub.feed("pcars").port
    for i in range(n):
        packet = timings(total + i, lap=1, lap_time_s=1.0) if i % 2 else telemetry(total + i)
        sock.sendto(packet, ("127.0.0.1", port))

    async def recorded() -> bool:
        manifest = (await client.get(f"/api/recordings/{recording_id}")).json()
        return bool(manifest["feeds"]) and manifest["feeds"][0]["packets"] == total + n

    await wait_for(recorded)
    return total + n


async def test_protected_stop_window_needs_force(protected: AsyncTestClient[Any]) -> None:
    started = await protected.post("/api/recording", json={"match_id": "practice 1"})
    assert started.status_code == 200
    body = started.json()
    assert body["success"] is True and body["message"] == "Recording started for match: practice 1"
    state = (await protected.get("/api/recording")).json()
    assert state["recording"] is True and state["match_id"] == body["match_id"]
    assert state["protected_for_s"] > 0

    refused = await protected.delete("/api/recording")
    assert refused.status_code == 200
    assert refused.json()["success"] is False
    assert "force=true" in refused.json()["message"]
    native = await protected.post("/api/recordings/stop")
    assert native.status_code == 409 and "protected" in native.json()["detail"]
    assert (await protected.get("/api/recording")).json()["recording"] is True

    again = await protected.post("/api/recording", json={})
    assert again.json()["success"] is False and "force=true" in again.json()["message"]

    stopped = await protected.delete("/api/recording", params={"force": "true"})
    result = stopped.json()
    assert result["success"] is True and result["message"] == "Recording stopped successfully"
    assert result["transport_success"] is True and result["graceful_stop"] is True
    assert result["integrity"]["checked"] is True and result["integrity"]["all_ok"] is True
    assert result["integrity"]["reason"] is None
    assert {f["kind"] for f in result["integrity"]["files"]} == {"mcap"}
    assert (await protected.get("/api/recording")).json()["recording"] is False
    nothing = (await protected.delete("/api/recording")).json()
    assert nothing == {"success": False, "message": "No recording is running"}


async def test_force_start_replaces_a_running_recording(protected: AsyncTestClient[Any]) -> None:
    first = (await protected.post("/api/recording", json={})).json()
    second = (await protected.post("/api/recording", json={"force": True})).json()
    assert second["success"] is True and second["match_id"] != first["match_id"]
    replaced = (await protected.get(f"/api/recordings/{first['match_id']}")).json()
    assert replaced["status"] == "stopped" and replaced["integrity"]["all_ok"] is True
    await protected.delete("/api/recording", params={"force": "true"})


async def test_integrity_failure_on_stop_says_so(
    client: AsyncTestClient[Any], udp_sender: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = (await client.post("/api/recordings", json={"name": "bad disk"})).json()
    await _send_burst(client, udp_sender, rec["id"], 10, 0)

    def damaged(path: str) -> dict[str, Any]:
        raise RecordingError(f"chunk CRC mismatch in {path.rsplit('/', 1)[-1]}")

    monkeypatch.setattr(paddock.store.integrity, "mcap_verify", damaged)
    result = (await client.delete("/api/recording")).json()
    assert result["success"] is False
    assert result["message"] == "Recording pipelines stopped but integrity checks failed"
    assert result["transport_success"] is True
    integrity = result["integrity"]
    assert integrity["checked"] is True and integrity["all_ok"] is False
    assert "recording.mcap: chunk CRC mismatch" in integrity["reason"]
    by_kind = {f["kind"]: f for f in integrity["files"]}
    assert by_kind["mcap"]["integrity_ok"] is False
    assert by_kind["raw"]["integrity_ok"] is True
    stored = (await client.get(f"/api/recordings/{rec['id']}")).json()
    assert stored["stop_result"]["success"] is False
    assert stored["integrity"]["all_ok"] is False


async def test_health_segments_files_and_zip(
    segmented: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    client = segmented
    idle = (await client.get("/api/recording-health")).json()
    assert idle["healthy"] is True and idle["recording"] is False
    rec = (await client.post("/api/recordings", json={"name": "long stint"})).json()
    total = 0
    for _ in range(3):
        total = await _send_burst(client, udp_sender, rec["id"], 6, total)

    health = (await client.get("/api/recording-health")).json()
    assert health["healthy"] is True and health["message"] == "Recording healthy"
    mcap = health["diagnostics"]["mcap"]
    assert mcap["latest_segment"].startswith("recording-") and mcap["latest_segment_size"] > 0
    assert mcap["latest_segment_age_seconds"] >= 0
    assert health["diagnostics"]["pcars"]["packets"] == total
    assert (await client.get(f"/api/recordings/{rec['id']}/download")).status_code == 409

    manifest = (await client.post("/api/recordings/stop")).json()
    assert manifest["integrity"]["all_ok"] is True, manifest["integrity"]
    names = manifest["mcap_segments"]
    assert len(names) >= 2 and names[0] == "recording-00000.mcap"
    assert manifest["files"]["mcap"] == names[0]

    listing = (await client.get(f"/api/recordings/{rec['id']}/segments")).json()
    mcaps = listing["segments"]["mcap"]
    assert [m["name"] for m in mcaps] == names
    assert all(m["finished"] for m in mcaps)
    assert sum(m["message_count"] for m in mcaps) == total + manifest["feeds"][0]["frames"]
    assert [r["name"] for r in listing["segments"]["raw"]] == ["pcars.pdkraw"]
    assert {o["name"] for o in listing["segments"]["other"]} == {"manifest.json"}

    messages = 0
    for name in names:
        segment = await client.get(f"/api/recordings/{rec['id']}/segments/{name}")
        assert segment.status_code == 200
        reader = make_reader(io.BytesIO(segment.content), validate_crcs=True)
        messages += sum(1 for _ in reader.iter_messages())
    assert messages == sum(m["message_count"] for m in mcaps)

    raw = await client.get(f"/api/recordings/{rec['id']}/files/pcars.pdkraw")
    assert raw.status_code == 200 and raw.content.startswith(b"PDKRAW01")
    for bad in ("%2e%2e", ".hidden", "..%2fcatalog.sqlite3", "a%5cb"):
        response = await client.get(f"/api/recordings/{rec['id']}/files/{bad}")
        assert response.status_code in (400, 404), bad
        assert "detail" in response.json()
    assert (await client.get(f"/api/recordings/{rec['id']}/files/nope.bin")).status_code == 404
    assert (await client.get(f"/api/recordings/{rec['id']}/segments/x.mcap")).status_code == 400
    missing = await client.get(f"/api/recordings/{rec['id']}/segments/recording-00099.mcap")
    assert missing.status_code == 404
    assert (await client.get(f"/api/recordings/{'0' * 32}/segments")).status_code == 404

    archive = await client.get(f"/api/recordings/{rec['id']}/download")
    assert archive.status_code == 200
    assert archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        assert z.testzip() is None
        zipped = set(z.namelist())
    assert set(names) | {"manifest.json", "pcars.pdkraw"} <= zipped
    assert any(n.startswith("frames/pcars/part-") for n in zipped)
    leftovers = list(client.app.state.settings.recordings_dir.glob(".*"))
    assert leftovers == [], "the zip is removed once sent"
