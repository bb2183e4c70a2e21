"""Shared fixtures: test data location, free loopback ports, settings in a temporary data dir."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The shared real-world test data (``PADDOCK_TESTDATA``, default ``../shared/testdata``)."""
    path = Path(os.environ.get("PADDOCK_TESTDATA", REPO.parent / "shared" / "testdata"))
    if not path.is_dir():
        pytest.skip(f"shared test data not found at {path} (set PADDOCK_TESTDATA)")
    return path


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until(predicate: Callable[[], object], timeout_s: float = 5.0) -> bool:
    """Polls ``predicate`` every 20 ms until it is true (True) or ``timeout_s`` passes (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def tcp_port() -> int:
    return free_port(socket.SOCK_STREAM)


@pytest.fixture
def udp_port() -> int:
    return free_port(socket.SOCK_DGRAM)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings(data_dir: Path):  # type: ignore[no-untyped-def]
    from paddock.config import Settings

    # Nothing answers on ac_port or acc_port: those feeds stay handshaking.
    return Settings.from_env(
        {},
        data_dir=data_dir,
        listen="127.0.0.1",
        pcars_port=0,
        game_host="127.0.0.1",
        ac_port=free_port(socket.SOCK_DGRAM),
        acc_port=free_port(socket.SOCK_DGRAM),
        ttool_port=0,
        log_level="warning",
    )


@pytest.fixture
def udp_sender() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        yield sock
    finally:
        sock.close()
