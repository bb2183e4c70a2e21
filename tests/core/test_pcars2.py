"""The Project CARS 2 binding: JSON round trips, Arrow batches into pyarrow and polars, errors."""

from __future__ import annotations

import json
import math
import struct

import polars as pl
import pyarrow as pa
import pytest

from paddock import _core
from paddock.protocols import pcars2

TAGS = [
    "telemetry",
    "race",
    "participants",
    "timings",
    "game_state",
    "time_stats",
    "vehicle_names",
    "class_names",
]
SIZES = {
    "telemetry": 559,
    "race": 308,
    "participants": 1136,
    "timings": 1063,
    "game_state": 24,
    "time_stats": 1040,
    "vehicle_names": 1164,
    "class_names": 1452,
}
TYPES = {tag: t for tag, t in zip(TAGS, [0, 1, 2, 3, 4, 7, 8, 8], strict=True)}


def telemetry(**fields: object) -> dict[str, object]:
    return {"packet": "telemetry", **fields}


def test_telemetry_round_trip() -> None:
    packet = telemetry(
        packet_number=12,
        speed=41.5,
        gear_num_gears=0x63,
        orientation=[0.25, -1.5, 0.0],
        tyre_temp=[80, 81, 82, 83],
        tyre_compound=["Slick Soft", "", "", "Wet"],
        full_position=[1.0, 2.0, 3.0],
        joy_pad0=0xDEADBEEF,
    )
    datagram = pcars2.encode(packet)
    assert len(datagram) == 559
    assert datagram[10] == 0
    assert struct.unpack_from("<f", datagram, 36)[0] == 41.5
    assert struct.unpack_from("<I", datagram, 373)[0] == 0xDEADBEEF
    back = pcars2.decode(datagram)
    for key, value in packet.items():
        assert back[key] == value, key
    assert back["partial_packet_index"] == 1
    assert back["rpm"] == 0
    assert "packet_type" not in back


@pytest.mark.parametrize("tag", TAGS)
def test_every_packet_type_round_trips(tag: str) -> None:
    datagram = pcars2.encode({"packet": tag, "packet_version": 3})
    assert len(datagram) == SIZES[tag]
    assert datagram[10] == TYPES[tag]
    back = pcars2.decode(datagram)
    assert back["packet"] == tag
    assert back["packet_version"] == 3
    assert pcars2.encode(back) == datagram


def test_lists_are_padded_to_the_wire_length() -> None:
    back = pcars2.decode(pcars2.encode({"packet": "timings", "participants": [{"current_lap": 5}]}))
    assert len(back["participants"]) == 32
    assert back["participants"][0]["current_lap"] == 5


def test_non_finite_floats_encode_as_nan() -> None:
    back = pcars2.decode(pcars2.encode(telemetry(speed=math.nan, engine_torque=math.inf)))
    assert back["speed"] is None
    assert back["engine_torque"] is None


@pytest.mark.parametrize(
    "packet",
    [
        {"packet": "weather"},
        {"speed": 1.0},
        {"packet": "telemetry", "sped": 1.0},
        {"packet": "telemetry", "rpm": 70000},
        {"packet": "telemetry", "orientation": [1.0]},
    ],
)
def test_bad_packets_are_invalid_arguments(packet: dict[str, object]) -> None:
    with pytest.raises(_core.InvalidArgument):
        pcars2.encode(packet)


def test_bad_json_is_an_invalid_argument() -> None:
    with pytest.raises(ValueError, match="not a pcars2 packet"):
        _core.pcars2_encode("{not json")


@pytest.mark.parametrize(
    ("datagram", "message"),
    [
        (b"", "too short: expected 12 bytes, got 0"),
        (bytes(11), "too short: expected 12 bytes, got 11"),
        (bytes(300), "telemetry packet too short: expected 559 bytes, got 300"),
        (bytes(2000), "telemetry packet too long: expected 559 bytes, got 2000"),
        (bytes(10) + b"\x05" + bytes(13), "packet type 5 is unknown"),
    ],
)
def test_garbage_is_a_decode_error(datagram: bytes, message: str) -> None:
    with pytest.raises(_core.DecodeError, match=message):
        pcars2.decode(datagram)


def _mixed_datagrams() -> list[bytes]:
    return [
        pcars2.encode(telemetry(speed=10.0, tyre_temp=[1, 2, 3, 4], tyre_compound=["A"] * 4)),
        pcars2.encode(
            {"packet": "timings", "participants": [{"current_lap": 2, "world_position": [1, 2, 3]}]}
        ),
        b"garbage",
        pcars2.encode(telemetry(speed=20.0)),
        pcars2.encode({"packet": "participants", "name": [f"p{i}" for i in range(16)]}),
    ]


def test_decode_batch_into_pyarrow_and_polars() -> None:
    result = pcars2.decode_batch(_mixed_datagrams(), ts_ns=[100, 200, 300, 400, 500])
    assert (result.decoded, result.errors) == (4, 1)
    assert len(result.first_errors) == 1
    assert result.first_errors[0].startswith("datagram 2: ")
    assert sorted(result.batches) == ["participants", "telemetry", "timings"]

    tel = result.batches["telemetry"]
    assert tel.num_rows == 2
    rb = pa.record_batch(tel)
    assert rb.schema.names[:2] == ["ts_ns", "packet_number"]
    assert rb.column("ts_ns").to_pylist() == [100, 400]
    assert rb.column("speed").type == pa.float32()
    assert rb.column("speed").to_pylist() == [10.0, 20.0]
    assert rb.column("tyre_temp_rr").to_pylist() == [4, 0]
    assert rb.column("tyre_compound_fl").to_pylist() == ["A", ""]
    assert rb.schema.metadata[b"packet"] == b"telemetry"

    # polars reads an Arrow C stream as a DataFrame; `from_arrow` gives the same rows as one
    # struct Series.
    df = pl.DataFrame(tel)
    assert df.height == 2
    series = pl.from_arrow(tel)
    assert isinstance(series, pl.Series)
    assert series.struct.unnest().equals(df)
    assert df["speed"].to_list() == [10.0, 20.0]
    assert df["full_position_z"].dtype == pl.Float32

    timings = pl.DataFrame(result.batches["timings"])
    participants = timings["participants"]
    assert isinstance(participants.dtype, pl.List)
    first = participants[0]
    assert len(first) == 32
    assert first[0]["current_lap"] == 2
    assert first[0]["world_position_z"] == 3

    names = pl.DataFrame(result.batches["participants"])
    assert names["participants"][0][15]["name"] == "p15"


def test_decode_batch_shares_buffers() -> None:
    tel = pcars2.decode_batch(_mixed_datagrams()).batches["telemetry"]
    first = pa.record_batch(tel).column("speed").buffers()[1]
    second = pa.record_batch(tel).column("speed").buffers()[1]
    assert first is not None and second is not None
    assert first.address == second.address


def test_decode_batch_default_timestamps_are_indices() -> None:
    result = pcars2.decode_batch(_mixed_datagrams())
    ts = pa.record_batch(result.batches["telemetry"]).column("ts_ns").to_pylist()
    assert ts == [0, 3]


def test_decode_batch_argument_errors() -> None:
    with pytest.raises(_core.InvalidArgument, match="ts_ns has 1 entries for 5 datagrams"):
        pcars2.decode_batch(_mixed_datagrams(), ts_ns=[1])
    with pytest.raises(TypeError):
        _core.pcars2_decode_batch(["not bytes"])  # type: ignore[list-item]
    empty = pcars2.decode_batch([])
    assert (empty.batches, empty.decoded, empty.errors) == ({}, 0, 0)


def test_frames_map_onto_canonical_channels() -> None:
    datagrams = [
        pcars2.encode(telemetry(speed=50.0, gear_num_gears=0x6F, odometer_km=10.0)),
        pcars2.encode(
            {
                "packet": "timings",
                "local_participant_index": 0,
                "participants": [{"current_lap": 3, "current_time": 12.5, "sector": 1}],
            }
        ),
        pcars2.encode({"packet": "time_stats", "stats": [{"last_lap_time": 90.5}]}),
        pcars2.encode({"packet": "game_state", "ambient_temperature": 21}),
        b"junk",
        pcars2.encode(
            telemetry(
                speed=25.0,
                gear_num_gears=0x62,
                odometer_km=10.5,
                local_acceleration=[0.0, 0.0, 9.80665],
            )
        ),
    ]
    batch = pcars2.frames(datagrams, ts_ns=[1_000_000_000 + i for i in range(6)])
    rb = pa.record_batch(batch)
    assert rb.num_rows == 2
    assert rb.schema.metadata[b"errors"] == b"1"
    assert rb.schema.metadata[b"decoded"] == b"5"
    df = pl.DataFrame(batch)
    assert df["speed_kmh"].to_list() == pytest.approx([180.0, 90.0])
    assert df["gear"].to_list() == [-1, 2]
    assert df["lap"].to_list() == [None, 3]
    assert df["lap_time_s"].to_list() == [None, 12.5]
    assert df["sector"].to_list() == [None, 2]
    assert df["last_lap_s"].to_list() == [None, 90.5]
    assert df["best_lap_s"].to_list() == [None, None]
    assert df["air_temp_c"].to_list() == [None, 21.0]
    assert df["g_long"].to_list() == pytest.approx([0.0, -1.0])
    assert df["distance_m"].to_list() == pytest.approx([0.0, 500.0])
    assert "pcars2.engine_torque_nm" in df.columns
    registry = {c["name"] for c in _core.channel_registry()}
    assert set(df.columns) - {"ts_ns", "t_s"} <= registry


def test_decode_json_is_the_contract_shape() -> None:
    text = _core.pcars2_decode(pcars2.encode({"packet": "vehicle_names"}))
    value = json.loads(text)
    assert value["packet"] == "vehicle_names"
    assert len(value["vehicles"]) == 16
    assert value["vehicles"][0] == {"index": 0, "class": 0, "name": ""}
