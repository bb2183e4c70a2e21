"""The simulator as Assetto Corsa, over real loopback UDP: the native ``UdpFeed`` with a peer
handshakes, subscribes, receives ``RTCarInfo`` carrying the simulator's speed, and dismisses; a
raw client checks the handshake response, ``RTLap`` on lap completion and DISMISS."""

from __future__ import annotations

import socket
import time
from typing import Any

import pyarrow as pa

from paddock import _core
from paddock.protocols import ac
from paddock.sources.simulator.runner import Simulator
from tests.conftest import free_port, wait_until


def test_native_feed_receives_from_the_simulated_ac() -> None:
    port = free_port(socket.SOCK_DGRAM)
    sim = Simulator(game="assetto_corsa", to=("127.0.0.1", port), rate_hz=100.0)
    assert "Assetto Corsa" in sim.describe()
    assert sim.ac_sender is not None
    sent: list[float] = []
    native_encode = sim.ac_sender.encode

    def recording_encode(packet: dict[str, Any]) -> bytes:
        if packet["packet"] == "car_info":
            sent.append(packet["speed_kmh"])
        return native_encode(packet)

    sim.ac_sender.encode = recording_encode
    sim.start_thread()
    feed = _core.UdpFeed(
        "ksudp", ac.PROTOCOL, "127.0.0.1", 0, peer_host="127.0.0.1", peer_port=port
    )
    try:
        # The simulator binds in its own thread: a first handshake sent before that is lost and
        # sent again after the feed's retry interval (5 s), so wait past one retry.
        assert wait_until(lambda: feed.state == "receiving", timeout_s=15), feed.stats()
        assert wait_until(lambda: feed.latest().num_rows == 1)
        row = pa.record_batch(feed.latest()).to_pylist()[0]
        assert row["speed_kmh"] > 0.0
        assert min(abs(row["speed_kmh"] - s) for s in sent) < 1e-3
        assert row["gear"] >= 1
        assert sim.ac_session.update and sim.ac_session.spot
    finally:
        feed.stop()
    assert wait_until(lambda: sim.ac_session.client is None), sim.ac_session
    assert sim.ac_session.log[-1] == ac.DISMISS
    sim.stop()


def test_raw_client_sees_response_laps_and_dismiss() -> None:
    port = free_port(socket.SOCK_DGRAM)
    sim = Simulator(game="assetto_corsa", to=("127.0.0.1", port), rate_hz=200.0, lap_seconds=1.5)
    sim.start_thread()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.bind(("127.0.0.1", 0))
        client.settimeout(0.1)
        response: dict[str, Any] | None = None
        deadline = time.monotonic() + 3
        while response is None and time.monotonic() < deadline:
            client.sendto(ac.handshaker(ac.HANDSHAKE), ("127.0.0.1", port))
            try:
                data, _ = client.recvfrom(2048)
            except TimeoutError:
                continue
            response = ac.decode(data)
        assert response is not None
        assert response["packet"] == "handshake_response"
        assert response["car_name"] == sim.car.name
        assert response["track_name"] == sim.track.name
        client.sendto(ac.handshaker(ac.SUBSCRIBE_UPDATE), ("127.0.0.1", port))
        client.sendto(ac.handshaker(ac.SUBSCRIBE_SPOT), ("127.0.0.1", port))
        kinds: dict[str, int] = {}
        speeds: list[float] = []
        deadline = time.monotonic() + 6
        while kinds.get("lap", 0) < 1 and time.monotonic() < deadline:
            try:
                data, _ = client.recvfrom(2048)
            except TimeoutError:
                continue
            packet = ac.decode(data)
            kinds[packet["packet"]] = kinds.get(packet["packet"], 0) + 1
            if packet["packet"] == "car_info":
                speeds.append(packet["speed_kmh"])
                assert abs(packet["speed_kmh"] - packet["speed_ms"] * 3.6) < 0.01
        assert kinds.get("car_info", 0) > 50
        assert kinds.get("lap", 0) >= 1
        assert max(speeds) > 0.0
        client.sendto(ac.handshaker(ac.DISMISS), ("127.0.0.1", port))
        assert wait_until(lambda: sim.ac_session.client is None)
    sim.stop()
