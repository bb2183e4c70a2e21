"""A recorder killed with SIGKILL mid-write is repaired on the next start, its loss reported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import IO

from litestar.testing import AsyncTestClient
from mcap.reader import make_reader

from paddock._native import mcap_info, mcap_verify
from paddock.api.app import create_app
from paddock.config import Settings
from tests.conftest import REPO


def _expect(stream: IO[str], word: str) -> list[str]:
    line = stream.readline()
    assert line.split()[:1] == [word], f"expected {word!r}, got {line!r}"
    return line.split()


async def test_sigkill_mid_write_is_repaired_and_reported(settings: Settings) -> None:
    data_dir = settings.data_dir
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.killed_writer", str(data_dir)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        recording_id = _expect(proc.stdout, "started")[1]
        flushed = int(_expect(proc.stdout, "flushed")[1])
        _expect(proc.stdout, "pending")
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()

    mcap_path = data_dir / "recordings" / recording_id / "recording.mcap"
    killed_size = mcap_path.stat().st_size
    assert not mcap_info(str(mcap_path))["finished"], "the killed writer left no footer"

    # The server starts again: its startup repairs the recording.
    async with AsyncTestClient(create_app(settings)) as client:
        response = await client.get(f"/api/recordings/{recording_id}")
        assert response.status_code == 200
        manifest = response.json()
    assert manifest["status"] == "stopped" and manifest["recovered"] is True
    recovery = manifest["recovery"]
    assert recovery["complete"] is False
    assert recovery["lost_bytes"] > 0
    assert "lost" in recovery["message"]
    (segment,) = recovery["segments"].values()
    assert segment["input_bytes"] == killed_size
    assert segment["valid_bytes"] + segment["lost_bytes"] == killed_size
    # Everything flushed before the kill is back; the unfinished chunk is what was lost.
    assert recovery["messages"] == flushed
    assert mcap_verify(str(mcap_path))["messages"] == flushed
    with mcap_path.open("rb") as f:
        summary = make_reader(f).get_summary()
        assert summary is not None and summary.statistics is not None
        assert summary.statistics.message_count == flushed
    on_disk = (data_dir / "recordings" / recording_id / "manifest.json").read_text()
    assert '"lost_bytes"' in on_disk
