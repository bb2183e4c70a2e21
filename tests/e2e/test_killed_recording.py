"""A recorder killed with SIGKILL mid-write is repaired on the next start, its loss reported."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest
from litestar.testing import AsyncTestClient
from mcap.reader import make_reader

from paddock._native import mcap_info, mcap_verify
from paddock.api.app import create_app
from paddock.config import Settings
from tests.conftest import REPO, free_port
from tests.e2e.server import ServerProcess

pytestmark = pytest.mark.e2e


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
    assert recovery["disk_intact"] is False
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


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from ``/proc``)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _wait_gone(pid: int) -> None:
    """Waits (bounded) until process ``pid`` no longer exists or is a zombie."""
    for _ in range(300):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return
        if state == "Z":
            return
        time.sleep(0.1)
    raise AssertionError(f"process {pid} still runs after SIGKILL")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find workers")
def test_a_real_server_killed_while_recording_recovers_on_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    api_port = free_port()
    first = ServerProcess(
        port=api_port, pcars_port=free_port(2), data_dir=data_dir, extra=["--simulate"]
    )
    try:
        first.wait_ready()
        started = first.post("/api/recordings", json={"name": "pulled plug"})
        assert started.status_code == 201, started.text
        recording_id = started.json()["id"]
        # Wait (bounded) for the recorder's first flush: the MCAP chunks and a Parquet part.
        for _ in range(300):
            manifest = first.get(f"/api/recordings/{recording_id}").json()
            if any(f["parquet_parts"] for f in manifest["feeds"]):
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"no flush while recording:\n{first.log()}")
        # The server's worker process writes the recording: kill it and the server, no warning.
        workers = _children(first.proc.pid)
        assert workers, "the server runs its app in a worker process"
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        os.kill(first.proc.pid, signal.SIGKILL)
        assert first.proc.wait(timeout=30) == -signal.SIGKILL
        for pid in workers:
            _wait_gone(pid)
    finally:
        for pid in _children(first.proc.pid):
            os.kill(pid, signal.SIGKILL)
        first.stop()

    second = ServerProcess(port=api_port, pcars_port=free_port(2), data_dir=data_dir, extra=[])
    try:
        second.wait_ready()
        manifest = second.get(f"/api/recordings/{recording_id}").json()
        assert manifest["status"] == "stopped" and manifest["recovered"] is True
        recovery = manifest["recovery"]
        assert recovery["errors"] == []
        assert recovery["messages"] > 0, recovery
        assert recovery["disk_intact"] is (recovery["lost_bytes"] == 0)
        assert "not stopped cleanly" in recovery["message"]
        assert "recording.mcap" in recovery["segments"]
        mcap = second.get(f"/api/recordings/{recording_id}/mcap")
        assert mcap.status_code == 200
        messages = sum(1 for _ in make_reader(io.BytesIO(mcap.content)).iter_messages())
        assert messages == recovery["messages"]
        assert "recovered 1 unfinished recording" in second.log()
    finally:
        second.stop()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find workers")
def test_a_worker_whose_server_is_killed_stops_and_finalises_its_recording(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    api_port = free_port()
    first = ServerProcess(
        port=api_port, pcars_port=free_port(2), data_dir=data_dir, extra=["--simulate"]
    )
    workers: list[int] = []
    try:
        first.wait_ready()
        started = first.post("/api/recordings", json={"name": "parent killed"})
        assert started.status_code == 201, started.text
        recording_id = started.json()["id"]
        workers = _children(first.proc.pid)
        assert workers, "the server runs its app in a worker process"
        # Only the serving process dies; its worker must notice and shut down cleanly.
        os.kill(first.proc.pid, signal.SIGKILL)
        assert first.proc.wait(timeout=30) == -signal.SIGKILL
        for pid in workers:
            _wait_gone(pid)
    finally:
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        first.stop()

    second = ServerProcess(port=api_port, pcars_port=free_port(2), data_dir=data_dir, extra=[])
    try:
        second.wait_ready()
        manifest = second.get(f"/api/recordings/{recording_id}").json()
        assert manifest["status"] == "stopped", manifest
        assert not manifest.get("recovered"), manifest
    finally:
        second.stop()
