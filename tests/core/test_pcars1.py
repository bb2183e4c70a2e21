"""The Project CARS 1 binding: JSON round trips, the real capture into pyarrow and polars,
canonical frames, the auto-detecting ``project_cars`` decoder and feed, errors."""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from paddock import _core
from paddock.protocols import pcars1, pcars2

SIZES = {"telemetry": 1367, "participant_strings": 1347, "participant_strings_additional": 1028}
TYPES = {"telemetry": 0, "participant_strings": 1, "participant_strings_additional": 2}


def split_capture(data: bytes) -> list[bytes]:
    """Split the concatenated capture: each datagram's size follows from ``byte[2] & 3``."""
    sizes = {0: 1367, 1: 1347, 2: 1028}
    out, at = [], 0
    while at < len(data):
        size = sizes[data[at + 2] & 3]
        out.append(data[at : at + size])
        at += size
    return out


@pytest.fixture(scope="module")
def capture(testdata: Path) -> list[bytes]:
    path = testdata / "udp" / "pcars1" / "pcars.bin.raw"
    if not path.is_file():
        pytest.skip(f"PCARS1 capture not found at {path} (set PADDOCK_TESTDATA)")
    return split_capture(path.read_bytes())


def test_telemetry_round_trip() -> None:
    packet = {
        "packet": "telemetry",
        "build_version_number": 1200,
        "packet_type_sequence": 21 << 2,
        "speed": 41.5,
        "gear_num_gears": 0x63,
        "orientation": [0.25, -1.5, 0.0],
        "tyre_temp": [80, 81, 82, 83],
        "track_length": 5390.0,
    }
    datagram = pcars1.encode(packet)
    assert len(datagram) == 1367
    assert datagram[2] == 21 << 2
    assert struct.unpack_from("<f", datagram, 120)[0] == 41.5
    assert struct.unpack_from("<f", datagram, 1360)[0] == 5390.0
    back = pcars1.decode(datagram)
    for key, value in packet.items():
        assert back[key] == value, key
    assert len(back["participants"]) == 56


@pytest.mark.parametrize("tag", list(SIZES))
def test_every_packet_type_round_trips(tag: str) -> None:
    datagram = pcars1.encode({"packet": tag})
    assert len(datagram) == SIZES[tag]
    assert datagram[2] & 3 == TYPES[tag]
    back = pcars1.decode(datagram)
    assert back["packet"] == tag
    assert pcars1.encode(back) == datagram


def test_errors() -> None:
    with pytest.raises(_core.DecodeError, match="1347 bytes, got 1367"):
        pcars1.decode(b"\x00\x00\x01" + bytes(1364))
    with pytest.raises(_core.DecodeError):
        pcars1.decode(b"\x00")
    with pytest.raises(_core.InvalidArgument, match="pcars1"):
        pcars1.encode({"packet": "timings"})
    with pytest.raises(_core.InvalidArgument):
        pcars1.frames([pcars1.encode({"packet": "telemetry"})], ts_ns=[0], protocol="nope")  # type: ignore[arg-type]


def test_real_capture_into_pyarrow_and_polars(capture: list[bytes]) -> None:
    out = pcars1.decode_batch(capture, ts_ns=[i * 33_000_000 for i in range(len(capture))])
    assert (out.decoded, out.errors, out.first_errors) == (2900, 0, [])
    counts = {name: pa.record_batch(batch).num_rows for name, batch in out.batches.items()}
    assert counts == {
        "telemetry": 2880,
        "participant_strings": 11,
        "participant_strings_additional": 9,
    }
    telemetry = pl.from_arrow(pa.record_batch(out.batches["telemetry"]))
    assert isinstance(telemetry, pl.DataFrame)
    assert telemetry.columns[0] == "ts_ns"
    assert telemetry["build_version_number"].unique().to_list() == [1200]
    assert telemetry["speed"].max() * 3.6 < 400  # type: ignore[operator]
    strings = pa.record_batch(out.batches["participant_strings"]).to_pydict()
    # The last two strings packets have every string's first byte zeroed (stale tails after it).
    assert strings["car_name"].count("Audi A1 quattro") == 9
    assert set(strings["track_location"]) == {"Dubai Autodrome", ""}
    assert set(strings["track_variation"]) == {"International", ""}
    assert set(strings["car_class_name"]) == {"Road C2", ""}


def test_frames_of_the_real_capture(capture: list[bytes]) -> None:
    ts = [i * 33_000_000 for i in range(len(capture))]
    batch = pa.record_batch(pcars1.frames(capture, ts_ns=ts))
    meta = batch.schema.metadata
    assert meta[b"protocol"] == b"project_cars_1"
    assert (meta[b"decoded"], meta[b"errors"]) == (b"2900", b"0")
    df = pl.from_arrow(batch)
    assert isinstance(df, pl.DataFrame)
    assert df.height == 2880
    assert df["speed_kmh"].max() > 150  # type: ignore[operator]
    assert set(df["gear"].drop_nulls().to_list()) <= set(range(-1, 7))
    assert "pcars1.sequence" in df.columns
    laps = df.drop_nulls("lap_time_s")
    assert (laps["lap_time_s"].diff().drop_nulls() >= 0).all()


def test_project_cars_frames_take_both_formats() -> None:
    p1 = pcars1.encode({"packet": "telemetry", "speed": 10.0, "packet_type_sequence": 3 << 2})
    p2 = pcars2.encode({"packet": "telemetry", "speed": 20.0, "tick_count": 5})
    batch = pa.record_batch(pcars1.frames([p1, p2, p1], ts_ns=[1, 2, 3], protocol="project_cars"))
    rows = batch.to_pydict()
    assert batch.schema.metadata[b"protocol"] == b"project_cars"
    assert rows["speed_kmh"] == pytest.approx([36.0, 72.0, 36.0])
    assert rows["pcars1.sequence"] == [3, None, 3]
    assert rows["pcars2.tick_count"] == [None, 5, None]


def test_feed_reports_the_detected_format() -> None:
    feed = _core.UdpFeed("auto", "project_cars", "127.0.0.1", 0, stale_after_s=1.0)
    try:
        assert feed.stats()["detected_format"] is None
        port = feed.local_port
        assert isinstance(port, int)

        def send_until(datagram: bytes, expected: str) -> None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                deadline = time.monotonic() + 5
                s.sendto(datagram, ("127.0.0.1", port))
                while feed.stats()["detected_format"] != expected:
                    assert time.monotonic() < deadline, feed.stats()
                    time.sleep(0.01)

        send_until(pcars1.encode({"packet": "telemetry"}), "project_cars_1")
        send_until(pcars2.encode({"packet": "telemetry"}), "project_cars_2")
        assert feed.stats()["decode_errors"] == 0
    finally:
        feed.stop()
