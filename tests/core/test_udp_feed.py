"""The UdpFeed binding over real loopback sockets: states, counters, drains, unavailability, stop.

The Project CARS 2 frame decoder may still emit no rows, so these tests check transport-level
behaviour with arbitrary datagrams and the raw drain; frame decoding is tested in Rust.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import polars as pl
import pyarrow as pa
import pytest

from paddock import _core

PROTOCOL = "project_cars_2"


def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()


def send_all(port: int, datagrams: list[bytes]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i, d in enumerate(datagrams):
            s.sendto(d, ("127.0.0.1", port))
            if i % 20 == 19:
                time.sleep(0.002)


@pytest.fixture
def feed() -> Iterator[_core.UdpFeed]:
    f = _core.UdpFeed("test", PROTOCOL, "127.0.0.1", 0, stale_after_s=0.2)
    yield f
    f.stop()


def port_of(feed: _core.UdpFeed) -> int:
    port = feed.local_port
    assert isinstance(port, int)
    return port


def test_stats_have_every_field(feed: _core.UdpFeed) -> None:
    stats = feed.stats()
    assert set(stats) == {
        "name", "protocol", "state", "reason", "bind", "peer", "local_addr", "packets", "bytes",
        "decode_errors", "last_error", "detected_format", "ring_rows", "dropped_rows",
        "kernel_drops", "dropped_raw", "dropped_frames", "rate_hz", "last_packet_ns", "started_ns",
    }  # fmt: skip
    assert stats["state"] == "listening"
    assert (stats["name"], stats["protocol"], stats["bind"]) == ("test", PROTOCOL, "127.0.0.1:0")
    assert stats["local_addr"] == f"127.0.0.1:{port_of(feed)}"
    assert stats["packets"] == stats["bytes"] == 0
    assert stats["last_packet_ns"] is None
    assert stats["started_ns"] > 1_600_000_000 * 10**9


def test_listening_receiving_stale_stopped(feed: _core.UdpFeed) -> None:
    assert feed.state == "listening"
    send_all(port_of(feed), [b"hello"])
    assert wait_for(lambda: feed.state == "receiving")
    assert wait_for(lambda: feed.state == "stale")
    send_all(port_of(feed), [b"again"])
    assert wait_for(lambda: feed.state == "receiving")
    feed.stop()
    assert feed.stats()["state"] == "stopped"
    assert feed.local_port is None


def test_counters_and_raw_drain(feed: _core.UdpFeed) -> None:
    datagrams = [bytes([i % 256]) * (i + 1) for i in range(100)] + [b"", b"\x00" * 1500]
    send_all(port_of(feed), datagrams)
    assert wait_for(lambda: feed.stats()["packets"] == len(datagrams))
    stats = feed.stats()
    assert stats["bytes"] == sum(len(d) for d in datagrams)
    assert stats["last_packet_ns"] >= stats["started_ns"]

    raw, frames = feed.drain()
    rb = pa.record_batch(raw)
    assert rb.schema.names == ["ts_ns", "payload"]
    assert rb.column("payload").to_pylist() == datagrams
    ts = rb.column("ts_ns").to_pylist()
    assert ts == sorted(ts)
    assert pa.record_batch(frames).schema.names[:2] == ["ts_ns", "t_s"]

    df = pl.DataFrame(raw)
    assert df.height == len(datagrams)
    assert df["payload"].to_list() == datagrams

    again_raw, again_frames = feed.drain()
    assert (again_raw.num_rows, again_frames.num_rows) == (0, 0)
    assert again_raw.column_names == ["ts_ns", "payload"]


def test_drained_columns_are_zero_copy(feed: _core.UdpFeed) -> None:
    send_all(port_of(feed), [b"a", b"bb", b"ccc"])
    assert wait_for(lambda: feed.stats()["packets"] == 3)
    raw, _ = feed.drain()
    first = pa.record_batch(raw).column("ts_ns")
    second = pa.record_batch(raw).column("ts_ns")
    assert first.buffers()[1].address == second.buffers()[1].address
    assert pl.from_arrow(raw).len() == 3


def test_ring_reads_without_frames_are_empty(feed: _core.UdpFeed) -> None:
    for batch in (feed.latest(), feed.last(10), feed.since(0)):
        assert batch.num_rows == 0
        assert batch.column_names[:2] == ["ts_ns", "t_s"]


def test_a_taken_port_is_unavailable() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        f = _core.UdpFeed("taken", PROTOCOL, "127.0.0.1", port)
        stats = f.stats()
        assert stats["state"] == "unavailable"
        assert f"127.0.0.1:{port}" in stats["reason"]
        assert f.local_port is None
        with pytest.raises(_core.FeedError, match="no socket"):
            f.send_to("127.0.0.1", port, b"x")
        f.stop()
        assert f.stats()["state"] == "stopped"


def test_unknown_protocol_and_bad_arguments() -> None:
    with pytest.raises(_core.InvalidArgument, match="no_such"):
        _core.UdpFeed("x", "no_such", "127.0.0.1", 0)
    with pytest.raises(ValueError, match="stale_after_s"):
        _core.UdpFeed("x", PROTOCOL, "127.0.0.1", 0, stale_after_s=-1.0)
    with pytest.raises(_core.InvalidArgument, match="ring_capacity"):
        _core.UdpFeed("x", PROTOCOL, "127.0.0.1", 0, ring_capacity=0)


def test_stop_is_prompt_and_idempotent() -> None:
    f = _core.UdpFeed("stop", PROTOCOL, "127.0.0.1", 0)
    port = port_of(f)
    started = time.monotonic()
    f.stop()
    assert time.monotonic() - started < 1.0
    f.stop()
    assert f.state == "stopped"
    # The port is free again.
    g = _core.UdpFeed("stop2", PROTOCOL, "127.0.0.1", port)
    assert g.state == "listening"
    g.stop()


def test_send_to_goes_out_of_the_feed_socket(feed: _core.UdpFeed) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        sent = feed.send_to("127.0.0.1", peer.getsockname()[1], b"handshake")
        assert sent == 9
        data, addr = peer.recvfrom(64)
        assert data == b"handshake"
        assert addr == ("127.0.0.1", port_of(feed))


def test_queue_overflow_is_counted() -> None:
    f = _core.UdpFeed("small", PROTOCOL, "127.0.0.1", 0, queue_capacity=5)
    try:
        send_all(port_of(f), [str(i).encode() for i in range(12)])
        assert wait_for(lambda: f.stats()["packets"] == 12)
        assert f.stats()["dropped_raw"] == 7
        raw, _ = f.drain()
        assert pa.record_batch(raw).column("payload").to_pylist() == [
            str(i).encode() for i in range(7, 12)
        ]
    finally:
        f.stop()
