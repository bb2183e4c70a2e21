"""Real game captures replayed into a real server over loopback UDP, recorded, and read back.

The Project CARS 1 capture goes to the ``pcars`` feed's port (which detects the format); the
Assetto Corsa capture is streamed by a stand-in game that answers the ``ksudp`` feed's handshake
and subscription, as AC does. Each replay is paced by the feed's own packet counter (the next
chunk goes out when the server has counted the last one), so a busy machine slows the test down
instead of dropping datagrams. Checked: every datagram is counted and decoded, the recording holds
one frame per telemetry packet, and the raw feed download gives back the capture byte for byte.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from paddock import open_recording
from paddock.protocols import ac
from tests.conftest import free_port
from tests.core.test_pcars1 import split_capture
from tests.e2e.server import ServerProcess, parse_raw

pytestmark = pytest.mark.e2e

CHUNK = 64
"""Datagrams sent before waiting for the server to count them."""


def _capture(testdata: Path, relative: str) -> bytes:
    path = testdata / relative
    if not path.is_file():
        pytest.skip(f"capture not found at {path} (set PADDOCK_TESTDATA)")
    return path.read_bytes()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    servers: list[ServerProcess] = []

    def start(*extra: str) -> ServerProcess:
        server = ServerProcess(
            port=free_port(),
            pcars_port=free_port(socket.SOCK_DGRAM),
            data_dir=tmp_path / "data",
            extra=list(extra),
        )
        servers.append(server)
        server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()


def _feed(server: ServerProcess, name: str) -> dict[str, Any]:
    feeds = server.get("/api/live").json()["feeds"]
    feed: dict[str, Any] = next(f for f in feeds if f["name"] == name)
    return feed


def _replay(
    server: ServerProcess,
    feed: str,
    datagrams: list[bytes],
    send: Callable[[bytes], None],
    timeout_s: float = 120.0,
) -> dict[str, Any]:
    """Send ``datagrams`` in chunks, each once the server has counted the previous ones."""
    base = _feed(server, feed)["packets"]
    deadline = time.monotonic() + timeout_s
    for start in range(0, len(datagrams), CHUNK):
        for datagram in datagrams[start : start + CHUNK]:
            send(datagram)
        goal = base + min(start + CHUNK, len(datagrams))
        while (state := _feed(server, feed))["packets"] < goal:
            assert time.monotonic() < deadline, (state, goal, server.log())
            time.sleep(0.005)
    return state


def _record(server: ServerProcess, name: str) -> str:
    started = server.post("/api/recordings", json={"name": name})
    assert started.status_code in (200, 201), started.text
    recording_id: str = started.json()["id"]
    return recording_id


def _stop(server: ServerProcess) -> dict[str, Any]:
    time.sleep(0.3)  # the recorder drains feeds on its own beat
    stopped = server.post("/api/recordings/stop")
    assert stopped.status_code == 200, stopped.text
    manifest: dict[str, Any] = stopped.json()
    return manifest


def test_project_cars_1_capture_through_the_server(
    testdata: Path, start_server: Callable[..., ServerProcess]
) -> None:
    capture = _capture(testdata, "udp/pcars1/pcars.bin.raw")
    datagrams = split_capture(capture)
    server = start_server()
    recording_id = _record(server, "pcars1-capture")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        feed = _replay(
            server, "pcars", datagrams, lambda d: sock.sendto(d, ("127.0.0.1", server.pcars_port))
        )
    assert feed["packets"] == 2900 and feed["decode_errors"] == 0
    assert feed["detected_format"] == "project_cars_1"
    manifest = _stop(server)
    pcars = next(f for f in manifest["feeds"] if f["name"] == "pcars")
    assert pcars["packets"] == 2900
    frames = open_recording(recording_id, data_dir=server.data_dir, feed="pcars").collect()
    assert frames.height == 2880  # one per telemetry packet; the 20 strings packets add none
    assert frames["speed_kmh"].max() > 150  # type: ignore[operator]
    raw = server.get(f"/api/recordings/{recording_id}/data/pcars")
    assert raw.status_code == 200
    got, stamps = parse_raw(raw.content)
    assert b"".join(got) == capture
    assert stamps == sorted(stamps)


def _stand_in_ac(sock: socket.socket, datagrams: list[bytes], server: ServerProcess) -> None:
    """Answer the feed's handshake and subscription, then stream ``datagrams`` to it."""
    client: tuple[str, int] | None = None
    deadline = time.monotonic() + 30
    subscribed = False
    while not subscribed and time.monotonic() < deadline:
        try:
            data, addr = sock.recvfrom(2048)
        except TimeoutError:
            continue
        op = int.from_bytes(data[8:12], "little") if len(data) == 12 else None
        if op == ac.HANDSHAKE:
            sock.sendto(
                ac.encode(
                    {
                        "packet": "handshake_response",
                        "car_name": "ks_audi_r8_lms",
                        "driver_name": "capture",
                        "track_name": "monza",
                        "track_config": "",
                    }
                ),
                addr,
            )
        elif op == ac.SUBSCRIBE_UPDATE:
            client, subscribed = addr, True
    assert client is not None, "the ksudp feed never subscribed"
    target = client
    _replay(server, "ksudp", datagrams, lambda d: sock.sendto(d, target))


def test_assetto_corsa_capture_through_the_server(
    testdata: Path, start_server: Callable[..., ServerProcess]
) -> None:
    capture = _capture(testdata, "udp/assetto_corsa/AssettoCorsa_monza_A8LMS.raw")
    datagrams = [capture[i : i + 328] for i in range(0, len(capture), 328)]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as game:
        game.bind(("127.0.0.1", 0))
        game.settimeout(0.1)
        server = start_server("--ac-port", str(game.getsockname()[1]))
        recording_id = _record(server, "ac-capture")
        errors: list[BaseException] = []

        def play() -> None:
            try:
                _stand_in_ac(game, datagrams, server)
            except BaseException as exc:  # handed to the test thread
                errors.append(exc)

        player = threading.Thread(target=play, name="stand-in-ac")
        player.start()
        player.join(180)
        assert not player.is_alive()
        if errors:
            raise errors[0]
    feed = _feed(server, "ksudp")
    # The handshake response counts as a packet too.
    assert feed["packets"] == 8641 + 1 and feed["decode_errors"] == 0
    manifest = _stop(server)
    assert next(f for f in manifest["feeds"] if f["name"] == "ksudp")["packets"] == 8642
    frames = open_recording(recording_id, data_dir=server.data_dir, feed="ksudp").collect()
    assert frames.height == 8641
    assert frames["best_lap_s"].drop_nulls()[-1] == pytest.approx(344.684)
    assert frames.select(pl.col("lap").max()).item() == 2
    got, _ = parse_raw(server.get(f"/api/recordings/{recording_id}/data/ksudp").content)
    assert b"".join(got[1:]) == capture
