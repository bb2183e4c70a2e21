"""The Assetto Corsa binding: JSON round trips, the real capture into pyarrow and polars, errors,
and a feed holding a session with a fake AC over loopback UDP."""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from paddock import _core
from paddock.exceptions import DecodeError, InvalidArgument
from paddock.protocols import ac

SIZES = {"handshaker": 12, "handshake_response": 408, "car_info": 328, "lap": 212}
CAPTURE = "udp/assetto_corsa/AssettoCorsa_monza_A8LMS.raw"


@pytest.fixture(scope="module")
def capture(testdata: Path) -> list[bytes]:
    path = testdata / CAPTURE
    if not path.is_file():
        pytest.skip(f"AC capture not found at {path} (set PADDOCK_TESTDATA)")
    data = path.read_bytes()
    return [data[i : i + 328] for i in range(0, len(data), 328)]


@pytest.mark.parametrize("tag", list(SIZES))
def test_defaults_round_trip_at_exact_sizes(tag: str) -> None:
    datagram = ac.encode({"packet": tag})
    assert len(datagram) == SIZES[tag]
    packet = ac.decode(datagram)
    assert packet["packet"] == tag
    assert ac.encode(packet) == datagram


def test_handshake_response_strings_are_utf16_percent_terminated() -> None:
    datagram = ac.encode(
        {"packet": "handshake_response", "car_name": "ks_audi_r8_lms", "driver_name": "Zoë"}
    )
    assert datagram[:30] == "ks_audi_r8_lms%".encode("utf-16-le")
    packet = ac.decode(datagram)
    assert packet["car_name"] == "ks_audi_r8_lms"
    assert packet["driver_name"] == "Zoë"
    assert packet["identifier"] == 4242


def test_handshaker_operations() -> None:
    assert ac.handshaker(ac.DISMISS) == struct.pack("<3i", 1, 1, 3)
    assert ac.decode(ac.handshaker(ac.SUBSCRIBE_UPDATE))["operation_id"] == 1


def test_errors() -> None:
    with pytest.raises(DecodeError, match="329 bytes"):
        ac.decode(b"\0" * 329)
    bad = bytearray(ac.encode({"packet": "car_info"}))
    bad[0] = ord("b")
    with pytest.raises(DecodeError, match="identifier"):
        ac.decode(bytes(bad))
    with pytest.raises(InvalidArgument):
        ac.encode({"packet": "car_info", "nope": 1})


def test_whole_capture(capture: list[bytes]) -> None:
    assert len(capture) == 8641
    out = ac.decode_batch(capture)
    assert (out.decoded, out.errors) == (8641, 0)
    table = pa.record_batch(out.batches["car_info"])
    assert table.schema.names[0] == "ts_ns"
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    laps = df["lap_count"].to_list()
    assert laps.index(1) == 7899
    assert df["last_lap"][-1] == df["best_lap"][-1] == 344_684
    assert 251.5 < df["speed_kmh"].max() < 253.0  # type: ignore[operator]
    frames = pl.from_arrow(pa.record_batch(ac.frames(capture, ts_ns=list(range(len(capture))))))
    assert isinstance(frames, pl.DataFrame)
    assert frames.height == 8641
    assert frames["best_lap_s"][-1] == pytest.approx(344.684)
    assert frames["lap"].max() == 2
    assert frames["gear"].min() >= -1
    assert "ac.car_position_normalized" in frames.columns


def _ops(game: socket.socket, count: int) -> list[tuple[int, tuple[str, int]]]:
    got = []
    deadline = time.monotonic() + 3
    while len(got) < count and time.monotonic() < deadline:
        try:
            data, addr = game.recvfrom(2048)
        except TimeoutError:
            continue
        if len(data) == 12:
            got.append((struct.unpack("<3i", data)[2], addr))
    return got


def test_feed_session_with_a_fake_ac() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as game:
        game.bind(("127.0.0.1", 0))
        game.settimeout(0.05)
        port = game.getsockname()[1]
        feed = _core.UdpFeed(
            "ac", ac.PROTOCOL, "127.0.0.1", 0, peer_host="127.0.0.1", peer_port=port
        )
        try:
            start = _ops(game, 2)
            assert [op for op, _ in start] == [ac.DISMISS, ac.HANDSHAKE]
            assert feed.state == "handshaking"
            assert feed.stats()["peer"] == f"127.0.0.1:{port}"
            client = start[0][1]
            game.sendto(ac.encode({"packet": "handshake_response", "car_name": "x"}), client)
            assert [op for op, _ in _ops(game, 2)] == [ac.SUBSCRIBE_SPOT, ac.SUBSCRIBE_UPDATE]
            for _ in range(5):
                game.sendto(ac.encode({"packet": "car_info", "speed_kmh": 150.0}), client)
            deadline = time.monotonic() + 2
            while feed.latest().num_rows == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert feed.state == "receiving"
            latest = pa.record_batch(feed.latest())
            assert latest.column("speed_kmh")[0].as_py() == 150.0
        finally:
            feed.stop()
        assert [op for op, _ in _ops(game, 1)] == [ac.DISMISS]


def test_peer_arguments_go_together() -> None:
    with pytest.raises(InvalidArgument, match="together"):
        _core.UdpFeed("x", ac.PROTOCOL, "127.0.0.1", 0, peer_port=9996)
