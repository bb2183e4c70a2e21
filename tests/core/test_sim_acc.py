"""The simulator as Assetto Corsa Competizione, over real loopback UDP.

The native ``UdpFeed`` registers with the password, gets a connection id, asks for the entry list
and track data, receives the focused car's updates as canonical rows (with ``lap_distance_m``
once the track length is known) and unregisters on stop; a wrong password is refused and shows
in the feed's state; a raw client checks entry list, standings of the three cars and the
broadcast events of a completed lap.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import pyarrow as pa

from paddock import _core
from paddock.protocols import acc
from paddock.sources.simulator.acc import FOCUSED_CAR, RIVALS
from paddock.sources.simulator.runner import Simulator
from tests.conftest import free_port, wait_until


def test_native_feed_registers_with_the_simulated_acc() -> None:
    port = free_port(socket.SOCK_DGRAM)
    sim = Simulator(
        game="assetto_corsa_competizione",
        to=("127.0.0.1", port),
        rate_hz=100.0,
        password="s3cret",
    )
    assert "answering registrations" in sim.describe()
    sim.start_thread()
    feed = _core.UdpFeed(
        "acc",
        acc.PROTOCOL,
        "127.0.0.1",
        0,
        peer_host="127.0.0.1",
        peer_port=port,
        password="s3cret",
        update_interval_ms=20,
    )
    try:
        # The simulator binds in its own thread: a first handshake sent before that is lost and
        # sent again after the feed's retry interval (5 s), so wait past one retry.
        assert wait_until(lambda: feed.state == "receiving", timeout_s=15), feed.stats()
        assert wait_until(lambda: feed.latest().num_rows == 1)
        # Track data arrives after the registration; rows from then on carry the lap distance.
        assert wait_until(
            lambda: pa.record_batch(feed.latest()).to_pylist()[0]["lap_distance_m"] is not None
        )
        rows = pa.record_batch(feed.last(200)).to_pylist()
        assert {r["acc.car_index"] for r in rows} == {FOCUSED_CAR}
        row = rows[-1]
        assert row["speed_kmh"] > 0 and 1 <= row["gear"] <= 6
        assert 0 <= row["lap_distance_m"] <= sim.track.length_m + 1
        assert row["lap"] == 1
        session = sim.acc_session
        assert session.registrations == 1 and session.interval_s == 0.02
        assert session.log[:3] == [
            "register_command_application",
            "request_entry_list",
            "request_track_data",
        ]
        assert feed.stats()["decode_errors"] == 0
    finally:
        feed.stop()
    assert wait_until(lambda: sim.acc_session.client is None), sim.acc_session
    assert sim.acc_session.log[-1] == "unregister_command_application"
    sim.stop()


def test_a_wrong_password_is_refused_and_reported() -> None:
    port = free_port(socket.SOCK_DGRAM)
    sim = Simulator(
        game="assetto_corsa_competizione", to=("127.0.0.1", port), rate_hz=50.0, password="right"
    )
    sim.start_thread()
    feed = _core.UdpFeed(
        "acc", acc.PROTOCOL, "127.0.0.1", 0, peer_host="127.0.0.1", peer_port=port, password="x"
    )
    try:
        assert wait_until(lambda: sim.acc_session.refusals >= 1)
        time.sleep(0.2)
        assert feed.latest().num_rows == 0
        assert sim.acc_session.client is None and sim.acc_session.registrations == 0
    finally:
        feed.stop()
        sim.stop()


def _register(client: socket.socket, port: int, password: str = "") -> dict[str, Any]:
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        client.sendto(
            acc.encode(
                {
                    "packet": "register_command_application",
                    "connection_password": password,
                    "update_interval_ms": 10,
                }
            ),
            ("127.0.0.1", port),
        )
        try:
            data, _ = client.recvfrom(4096)
        except TimeoutError:
            continue
        message = acc.decode(data)
        if message["packet"] == "registration_result":
            return message
    raise AssertionError("no registration result")


def test_raw_client_sees_entry_list_standings_and_lap_events() -> None:
    port = free_port(socket.SOCK_DGRAM)
    sim = Simulator(
        game="assetto_corsa_competizione", to=("127.0.0.1", port), rate_hz=200.0, lap_seconds=1.5
    )
    sim.start_thread()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.bind(("127.0.0.1", 0))
        client.settimeout(0.1)
        result = _register(client, port)
        assert result["connection_success"] == 1 and result["error_message"] == ""
        request = {"connection_id": result["connection_id"]}
        client.sendto(acc.encode({"packet": "request_entry_list", **request}), ("127.0.0.1", port))
        client.sendto(acc.encode({"packet": "request_track_data", **request}), ("127.0.0.1", port))
        seen: dict[str, list[dict[str, Any]]] = {}
        deadline = time.monotonic() + 8
        while len(seen.get("broadcasting_event", [])) < 1 and time.monotonic() < deadline:
            try:
                data, _ = client.recvfrom(4096)
            except TimeoutError:
                continue
            message = acc.decode(data)
            seen.setdefault(message["packet"], []).append(message)
    sim.stop()
    cars = {FOCUSED_CAR} | {index for index, *_ in RIVALS}
    assert set(seen["entry_list"][0]["car_indices"]) == cars
    assert {c["car_index"] for c in seen["entry_list_car"]} == cars
    assert seen["track_data"][0]["track_meters"] == round(sim.track.length_m)
    assert seen["realtime_update"][-1]["focused_car_index"] == FOCUSED_CAR
    updates = seen["realtime_car_update"]
    assert {u["car_index"] for u in updates} == cars
    # Every update round ranks the three cars 1..3 by distance covered.
    last_round = updates[-3:]
    assert sorted(u["position"] for u in last_round) == [1, 2, 3]
    event = seen["broadcasting_event"][0]
    assert event["event_type"] == 5 and event["car_id"] == FOCUSED_CAR
    assert abs(event["time_ms"] - sim.lap_time_s * 1000) < 50
