"""A datagram flood: ten times the normal rate, then an unpaced burst, into a real server.

Memory stays bounded (the ring buffer holds at most its capacity; the server's resident memory
grows by little), every datagram sent is either counted by the feed or counted as dropped by the
operating system, the recording keeps every datagram the feed counted, and the API keeps
answering throughout.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.packets import telemetry, timings
from tests.conftest import free_port
from tests.e2e.server import ServerProcess

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

NORMAL_HZ = 60 * 2
"""The simulator's normal rate: telemetry and timings at 60 Hz."""
WARM_UP_S = 6
FLOOD_S = 6.0
RING = 2_000
BURST = 20_000


def test_a_flood_keeps_memory_bounded_counts_drops_and_the_api_answers(tmp_path: Path) -> None:
    server = ServerProcess(
        port=free_port(),
        pcars_port=free_port(socket.SOCK_DGRAM),
        data_dir=tmp_path / "data",
        extra=[],
        env={"PADDOCK_RING_CAPACITY": str(RING)},
    )
    answers: list[int] = []
    failures: list[str] = []
    done = threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=server.base_url, timeout=10.0) as client:
            while not done.is_set():
                for path in ("/api/live", "/api/health"):
                    try:
                        answers.append(client.get(path).status_code)
                    except httpx.HTTPError as exc:
                        failures.append(f"{path}: {exc!r}")
                done.wait(0.1)

    try:
        server.wait_ready()
        started = server.post("/api/recordings", json={"name": "flood"})
        assert started.status_code in (200, 201), started.text
        to = ("127.0.0.1", server.pcars_port)
        packets = [telemetry(n, speed_ms=40.0 + n % 20) for n in range(200)]
        packets += [timings(n, lap=1, lap_time_s=n / 60) for n in range(200)]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            # Warm up at the normal rate past the recorder's first flush, then measure memory.
            for n in range(NORMAL_HZ * WARM_UP_S):
                sock.sendto(packets[n % len(packets)], to)
                time.sleep(1 / NORMAL_HZ)
            time.sleep(0.5)
            rss_before = server.rss_bytes()
            poller = threading.Thread(target=poll, name="api-poller")
            poller.start()
            sent = NORMAL_HZ * WARM_UP_S
            # Ten times the normal rate, paced in 10 ms slices.
            per_slice = NORMAL_HZ * 10 // 100
            deadline = time.monotonic() + FLOOD_S
            while time.monotonic() < deadline:
                for _ in range(per_slice):
                    sock.sendto(packets[sent % len(packets)], to)
                    sent += 1
                time.sleep(0.01)
            # Then as fast as this loop can send.
            for _ in range(BURST):
                sock.sendto(packets[sent % len(packets)], to)
                sent += 1
        time.sleep(1.0)
        done.set()
        poller.join(30)
        rss_after = server.rss_bytes()
        feed = next(f for f in server.get("/api/live").json()["feeds"] if f["name"] == "pcars")
        stopped = server.post("/api/recordings/stop")
    finally:
        done.set()
        server.stop()

    assert not failures, failures
    assert answers and set(answers) == {200}
    assert feed["decode_errors"] == 0
    kernel_drops = feed["kernel_drops"]
    assert kernel_drops is not None
    assert feed["packets"] + kernel_drops == sent, (feed, sent)
    assert feed["drops"] == kernel_drops  # the recorder drained every row in time
    assert feed["ring_rows"] <= RING and feed["ring_evicted"] > 0
    assert rss_after - rss_before < 32 * 2**20, (rss_before, rss_after)
    assert stopped.status_code == 200, stopped.text
    recorded = next(f for f in stopped.json()["feeds"] if f["name"] == "pcars")
    assert recorded["packets"] == feed["packets"]
