"""Starting and stopping a real ``paddock serve`` process for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import free_port


def _free_udp_port() -> int:
    from tests.conftest import free_port

    return free_port(socket.SOCK_DGRAM)


def parse_raw(content: bytes) -> tuple[list[bytes], list[int]]:
    """Datagrams and receive stamps of a raw feed download (``PDKRAW01`` framing)."""
    header_len = int.from_bytes(content[8:10], "little")
    datagrams, stamps, pos = [], [], 10 + header_len
    while pos < len(content):
        ts = int.from_bytes(content[pos : pos + 8], "little", signed=True)
        n = int.from_bytes(content[pos + 8 : pos + 12], "little")
        datagrams.append(content[pos + 12 : pos + 12 + n])
        stamps.append(ts)
        pos += 12 + n
    return datagrams, stamps


class ServerProcess:
    """``paddock serve`` on 127.0.0.1 in a subprocess, stopped by its own PID.

    The Assetto Corsa and ACC feeds handshake with free ports (nothing answers there) unless
    ``extra`` names ``--ac-port`` / ``--acc-port``.
    """

    def __init__(
        self,
        *,
        port: int,
        pcars_port: int,
        data_dir: Path,
        extra: list[str],
        env: dict[str, str] | None = None,
    ) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        self.pcars_port = pcars_port
        self.data_dir = data_dir
        self.log_path = data_dir.parent / f"server-{port}.log"
        args = [
            sys.executable,
            "-m",
            "paddock.cli",
            "serve",
            "--port",
            str(port),
            "--pcars-port",
            str(pcars_port),
            "--listen",
            "127.0.0.1",
            "--ttool-port",
            "0",
            "--data-dir",
            str(data_dir),
            *extra,
        ]
        for flag in ("--ac-port", "--acc-port"):
            if flag not in extra:
                args += [flag, str(_free_udp_port())]
        environ = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        environ.pop("PADDOCK_API_TOKEN", None)
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, env=environ)

    def rss_bytes(self) -> int:
        """Resident memory of the server and its workers (Linux ``/proc``), bytes."""
        total, pending, seen = 0, [self.proc.pid], 0
        while pending and seen < 64:
            pid, seen = pending.pop(), seen + 1
            proc = Path(f"/proc/{pid}")
            try:
                status = (proc / "status").read_text()
                for task in (proc / "task").iterdir():
                    pending += [int(c) for c in (task / "children").read_text().split()]
            except OSError:  # the process ended meanwhile
                continue
            total += next(
                int(line.split()[1]) * 1024
                for line in status.splitlines()
                if line.startswith("VmRSS:")
            )
        return total

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(self.base_url + "/api/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not ready within {timeout_s} s:\n{self.log()}")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.base_url + path, timeout=10.0, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.post(self.base_url + path, timeout=30.0, **kwargs)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self, timeout_s: float = 20.0) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()
        return self.proc.returncode


@contextlib.contextmanager
def running_server(
    data_dir: Path, extra: Sequence[str] = (), env: dict[str, str] | None = None
) -> Iterator[ServerProcess]:
    """A ready ``paddock serve`` on free ports with ``extra`` arguments, stopped on exit."""
    server = ServerProcess(
        port=free_port(), pcars_port=free_port(2), data_dir=data_dir, extra=list(extra), env=env
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
