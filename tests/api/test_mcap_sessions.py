"""DAM's MCAP sessions: list, header-only detail, and a subset download that is a valid MCAP."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from mcap.reader import make_reader

from paddock._native import mcap_info, mcap_read_frames, mcap_verify
from paddock.api.app import create_app
from paddock.config import Settings
from tests.api.test_recording_control import _send_burst


@pytest.fixture
async def segmented(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(settings.with_(recording_segment_s=0.001))
    async with AsyncTestClient(app) as client:
        yield client


async def _session(client: AsyncTestClient[Any], sock: socket.socket) -> tuple[str, int]:
    rec = (await client.post("/api/recordings", json={"name": "dam"})).json()
    total = 0
    for _ in range(3):
        total = await _send_burst(client, sock, rec["id"], 20, total)
    await client.post("/api/recordings/stop")
    return rec["id"], total


async def test_sessions_list_and_detail_on_both_paths(
    segmented: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    client = segmented
    assert (await client.get("/api/mcap/sessions")).json() == {"sessions": []}
    session_id, total = await _session(client, udp_sender)
    manifest = (await client.get(f"/api/recordings/{session_id}")).json()
    frames = manifest["feeds"][0]["frames"]

    for prefix in ("/api/mcap/sessions", "/mcap/sessions"):
        listed = (await client.get(prefix)).json()["sessions"]
        (entry,) = listed
        assert set(entry) == {
            "session_id",
            "filename",
            "size_mb",
            "created_at",
            "rotated_at",
            "file_count",
            "total_cycles",
            "violation_cycles",
            "clamp_cycles",
            "has_images",
        }
        assert entry["session_id"] == session_id
        assert entry["filename"] == "recording-00000.mcap"
        assert entry["file_count"] == len(manifest["mcap_segments"]) >= 2
        assert entry["rotated_at"] is not None and entry["size_mb"] > 0
        assert entry["created_at"] == manifest["started_ns"] / 1e9
        assert entry["total_cycles"] == frames
        assert entry["has_images"] is False

        detail = (await client.get(f"{prefix}/{session_id}")).json()
        assert detail["session_id"] == session_id
        assert sorted(detail["channels"]) == ["/pcars/frames", "/pcars/raw"]
        assert detail["compression"] == "zstd"
        assert detail["total_cycles"] == frames
        assert detail["start_time"] <= detail["end_time"]
        assert detail["finished"] is True
        assert {"violation_cycles", "clamp_cycles", "filename", "size_mb"} <= set(detail)

    assert (await client.get(f"/api/mcap/sessions/{'0' * 32}")).status_code == 404
    assert (await client.get("/api/mcap/sessions/not-a-session")).status_code == 404
    assert total == 60


async def test_subset_download_is_a_valid_mcap(
    segmented: AsyncTestClient[Any], udp_sender: socket.socket, tmp_path: Path
) -> None:
    client = segmented
    session_id, total = await _session(client, udp_sender)
    frames = (await client.get(f"/api/recordings/{session_id}")).json()["feeds"][0]["frames"]

    whole = await client.get(f"/mcap/sessions/{session_id}/download")
    assert whole.status_code == 200
    assert whole.headers["content-type"] == "application/x-mcap"
    assert "attachment" in whole.headers["content-disposition"]
    reader = make_reader(io.BytesIO(whole.content), validate_crcs=True)
    counts: dict[str, int] = {}
    for _schema, channel, _message in reader.iter_messages():
        counts[channel.topic] = counts.get(channel.topic, 0) + 1
    assert counts == {"/pcars/frames": frames, "/pcars/raw": total}

    part = await client.get(
        f"/api/mcap/sessions/{session_id}/download",
        params={"start_cycle": 3, "end_cycle": 12, "topics": "/pcars/frames"},
    )
    assert part.status_code == 200
    path = tmp_path / "incident.mcap"
    path.write_bytes(part.content)
    assert mcap_verify(str(path))["messages"] == 10
    info = mcap_info(str(path))
    assert [c["topic"] for c in info["channels"]] == ["/pcars/frames"]
    (batch,) = mcap_read_frames(str(path))
    assert batch.num_rows == 10
    sequences = []
    reader = make_reader(io.BytesIO(part.content), validate_crcs=True)
    for _schema, _channel, message in reader.iter_messages():
        sequences.append(message.sequence)
        assert "speed_kmh" in json.loads(message.data)
    assert sequences == list(range(3, 13))

    both = await client.get(
        f"/api/mcap/sessions/{session_id}/download",
        params={"start_cycle": total - 2, "topics": "/pcars/raw, /pcars/frames"},
    )
    reader = make_reader(io.BytesIO(both.content), validate_crcs=True)
    assert sum(1 for _ in reader.iter_messages()) == 2

    for params, status in (
        ({"start_cycle": -1}, 400),
        ({"start_cycle": 5, "end_cycle": 4}, 400),
        ({"end_cycle": -2}, 400),
        ({"topics": "/nope"}, 400),
        ({"topics": " , "}, 400),
        ({"start_cycle": "x"}, 400),
    ):
        response = await client.get(f"/api/mcap/sessions/{session_id}/download", params=params)
        assert response.status_code == status, (params, response.text)
        assert "detail" in response.json()
    missing = await client.get(f"/api/mcap/sessions/{'0' * 32}/download")
    assert missing.status_code == 404
    leftovers = list(client.app.state.settings.recordings_dir.glob(".*"))
    assert leftovers == [], "temporary subsets are removed"
