"""The MCAP and raw-file bindings, checked against the official `mcap` reader and pyarrow."""

import json
import math
import struct
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from mcap.reader import make_reader
from mcap.records import DataEnd, Message
from mcap.stream_reader import StreamReader

from paddock import _core

T0 = 1_700_000_000_000_000_000
FRAMES = "/pcars2/frames"
RAW = "/pcars2/raw"


def frames_batch(n: int, start: int = 0) -> pa.RecordBatch:
    idx = range(start, start + n)
    return pa.record_batch(
        {
            "ts_ns": pa.array([T0 + i * 10_000_000 for i in idx], pa.int64()),
            "t_s": pa.array([i * 0.01 for i in idx], pa.float64()),
            "speed_kmh": pa.array([None if i % 7 == 0 else i / 3 for i in idx], pa.float64()),
            "gear": pa.array([None if i % 11 == 0 else i % 8 - 1 for i in idx], pa.int32()),
            "pcars2.engine_torque_nm": pa.array([-i * 0.1 for i in idx], pa.float64()),
        }
    )


def raw_batch(n: int) -> pa.RecordBatch:
    payloads = [bytes((i * 7 + j) % 256 for j in range(i * 13 % 600)) for i in range(n)]
    return pa.record_batch(
        {
            "ts_ns": pa.array([T0 + i * 5_000_000 for i in range(n)], pa.int64()),
            "payload": pa.array(payloads, pa.binary()),
        }
    )


def write_session(path: Path, compression: str = "zstd", chunk_size: int = 1 << 20) -> dict:
    writer = _core.McapWriter(str(path), compression=compression, chunk_size=chunk_size)
    writer.add_metadata("recording", {"name": "Monza practice", "game": "project_cars_2"})
    assert writer.write_frames(FRAMES, frames_batch(300)) == 300
    assert writer.write_frames(FRAMES, frames_batch(200, start=300)) == 200
    assert writer.write_raw(RAW, "project_cars_2", raw_batch(120)) == 120
    return writer.close()


@pytest.mark.parametrize(
    ("compression", "chunk_name"), [("zstd", "zstd"), ("lz4", "lz4"), ("none", "")]
)
def test_official_reader_reads_paddock_files(
    tmp_path: Path, compression: str, chunk_name: str
) -> None:
    path = tmp_path / "session.mcap"
    stats = write_session(path, compression, chunk_size=16 << 10)
    assert stats["messages"] == 620
    assert stats["bytes"] == path.stat().st_size

    with path.open("rb") as f:
        reader = make_reader(f, validate_crcs=True)
        summary = reader.get_summary()
        assert summary is not None
        assert summary.statistics.message_count == 620
        assert len(summary.chunk_indexes) > 1
        assert {c.compression for c in summary.chunk_indexes} == {chunk_name}

        (schema,) = summary.schemas.values()
        assert (schema.name, schema.encoding) == ("paddock.Frame", "jsonschema")
        doc = json.loads(schema.data)
        assert doc["x-paddock-columns"] == frames_batch(1).schema.names
        assert doc["properties"]["gear"]["type"] == ["integer", "null"]

        channels = {c.topic: c for c in summary.channels.values()}
        assert channels[FRAMES].message_encoding == "json"
        assert channels[FRAMES].schema_id == schema.id
        assert channels[RAW].schema_id == 0
        assert channels[RAW].message_encoding == "application/octet-stream"
        assert channels[RAW].metadata == {"protocol": "project_cars_2", "framing": "udp-datagram"}

        rows = pa.concat_batches([frames_batch(300), frames_batch(200, start=300)]).to_pylist()
        payloads = raw_batch(120).column("payload").to_pylist()
        got_rows, got_raw = [], []
        for _, channel, message in reader.iter_messages(log_time_order=False):
            if channel.topic == FRAMES:
                row = json.loads(message.data)
                assert message.log_time == message.publish_time == row["ts_ns"]
                assert message.sequence == len(got_rows)
                got_rows.append(row)
            else:
                got_raw.append(message.data)
        assert got_rows == rows
        assert got_raw == payloads

        (meta,) = list(reader.iter_metadata())
        assert meta.name == "recording"
        assert meta.metadata == {"name": "Monza practice", "game": "project_cars_2"}

    # The linear reader checks every chunk CRC and the data-section CRC on the way.
    with path.open("rb") as f:
        records = list(StreamReader(f, validate_crcs=True).records)
    assert sum(isinstance(r, Message) for r in records) == 620
    assert any(isinstance(r, DataEnd) and r.data_section_crc != 0 for r in records)


def test_frames_round_trip_through_the_bindings(tmp_path: Path) -> None:
    path = tmp_path / "s.mcap"
    write_session(path)
    (batch,) = _core.mcap_read_frames(str(path))
    back = pa.record_batch(batch)
    expected = pa.concat_batches([frames_batch(300), frames_batch(200, start=300)])
    assert back.equals(expected, check_metadata=True)
    assert back.schema.names == expected.schema.names
    assert pl.DataFrame(batch).shape == (500, 5)

    raw = pa.record_batch(_core.mcap_read_raw(str(path), RAW))
    assert raw.schema.field("payload").type == pa.binary()
    assert raw.to_pydict() == raw_batch(120).to_pydict()

    window = pa.record_batch(
        _core.mcap_read_frames(
            str(path), topic=FRAMES, from_ns=T0 + 1_000_000_000, to_ns=T0 + 2_000_000_000
        )[0]
    )
    assert window.equals(expected.slice(100, 100))
    early = pa.record_batch(_core.mcap_read_raw(str(path), RAW, to_ns=T0 + 10_000_000))
    assert early.num_rows == 2


def test_nan_becomes_null_and_json_never_holds_nan(tmp_path: Path) -> None:
    path = tmp_path / "n.mcap"
    batch = pa.record_batch(
        {"ts_ns": pa.array([1, 2], pa.int64()), "x": pa.array([math.nan, math.inf], pa.float64())}
    )
    with _core.McapWriter(str(path)) as writer:
        writer.write_frames("f", batch)
    with path.open("rb") as f:
        texts = [m.data for _, _, m in make_reader(f).iter_messages()]
    assert texts == [b'{"ts_ns":1,"x":null}', b'{"ts_ns":2,"x":null}']
    (back,) = _core.mcap_read_frames(str(path))
    assert pa.record_batch(back).column("x").null_count == 2


def test_close_is_idempotent_and_writes_after_close_raise(tmp_path: Path) -> None:
    path = tmp_path / "c.mcap"
    writer = _core.McapWriter(path)
    writer.write_frames("f", frames_batch(3))
    first = writer.close()
    assert writer.closed
    assert writer.close() == first
    with pytest.raises(_core.RecordingError):
        writer.write_frames("f", frames_batch(3))
    with pytest.raises(_core.RecordingError):
        writer.add_metadata("x", {})


def test_bad_arguments_raise_invalid_argument(tmp_path: Path) -> None:
    with pytest.raises(_core.InvalidArgument):
        _core.McapWriter(tmp_path / "x.mcap", compression="brotli")
    writer = _core.McapWriter(tmp_path / "y.mcap")
    no_ts = pa.record_batch({"speed_kmh": pa.array([1.0])})
    with pytest.raises(_core.InvalidArgument, match="ts_ns"):
        writer.write_frames("f", no_ts)
    with pytest.raises(_core.InvalidArgument, match="ts_ns"):
        writer.write_raw("r", "p", no_ts)
    no_payload = pa.record_batch({"ts_ns": pa.array([1], pa.int64())})
    with pytest.raises(_core.InvalidArgument, match="payload"):
        writer.write_raw("r", "p", no_payload)
    with pytest.raises(ValueError, match="Utf8"):
        writer.write_frames("f", pa.record_batch({"ts_ns": pa.array([1]), "s": pa.array(["a"])}))
    assert writer.write_frames("f", frames_batch(0)) == 0
    writer.close()
    with pytest.raises(_core.InvalidArgument, match="no frames topic"):
        _core.mcap_read_frames(tmp_path / "y.mcap", topic="nope")
    with pytest.raises(FileNotFoundError):
        _core.mcap_read_frames(tmp_path / "missing.mcap")


def test_info_and_verify(tmp_path: Path) -> None:
    path = tmp_path / "i.mcap"
    write_session(path)
    info = _core.mcap_info(path)
    assert info["finished"] and info["message_count"] == 620
    assert [(c["topic"], c["kind"], c["message_count"]) for c in info["channels"]] == [
        (FRAMES, "frames", 500),
        (RAW, "raw", 120),
    ]
    assert info["metadata"] == [
        {"name": "recording", "metadata": {"name": "Monza practice", "game": "project_cars_2"}}
    ]
    assert _core.mcap_verify(path)["messages"] == 620


def test_recovery_of_a_truncated_file(tmp_path: Path) -> None:
    full = tmp_path / "full.mcap"
    write_session(full, chunk_size=8 << 10)
    data = full.read_bytes()
    cut, out = tmp_path / "cut.mcap", tmp_path / "out.mcap"
    cut.write_bytes(data[: len(data) * 2 // 3])
    stats = _core.mcap_recover(cut, out)
    assert 0 < stats["messages"] < 620
    assert not stats["data_intact"] and stats["stopped_by"]
    with full.open("rb") as f:
        original = [
            (c.topic, m.data) for _, c, m in make_reader(f).iter_messages(log_time_order=False)
        ]
    with out.open("rb") as f:
        reader = make_reader(f, validate_crcs=True)
        assert reader.get_summary() is not None
        got = [(c.topic, m.data) for _, c, m in reader.iter_messages(log_time_order=False)]
    assert got == original[: len(got)]
    assert len(got) == stats["messages"]


def test_raw_file_round_trip_and_truncated_tail(tmp_path: Path) -> None:
    path = tmp_path / "feed.raw"
    batch = raw_batch(50)
    with _core.RawWriter(path, protocol="project_cars_2", feed="rig-1", started_ns=T0) as writer:
        assert writer.write(batch.slice(0, 30)) == 30
        writer.flush()
        writer.write(batch.slice(30))
    header, back, stats = _core.read_raw_file(path)
    assert header == {"protocol": "project_cars_2", "feed": "rig-1", "started_ns": T0}
    assert pa.record_batch(back).to_pydict() == batch.to_pydict()
    assert stats == {"records": 50, "truncated_tail_bytes": 0}

    data = path.read_bytes()
    assert data[:8] == b"PDKRAW01"
    path.write_bytes(data[:-5])
    _, back, stats = _core.read_raw_file(path)
    assert pa.record_batch(back).to_pydict() == batch.slice(0, 49).to_pydict()
    assert stats["records"] == 49
    assert stats["truncated_tail_bytes"] == 12 + len(batch.column("payload")[49].as_py()) - 5


def test_raw_framing_decodes_in_plain_python(tmp_path: Path) -> None:
    """The framing docs/formats.md describes, decoded with struct alone."""
    path = tmp_path / "feed.raw"
    batch = raw_batch(10)
    writer = _core.RawWriter(str(path), protocol="project_cars_2", feed="f", started_ns=T0)
    writer.write(batch)
    writer.close()

    data = path.read_bytes()
    assert data[:8] == b"PDKRAW01"
    (hlen,) = struct.unpack_from("<H", data, 8)
    header = json.loads(data[10 : 10 + hlen])
    pos, records = 10 + hlen, []
    while pos + 12 <= len(data):
        ts, n = struct.unpack_from("<qI", data, pos)
        if pos + 12 + n > len(data):
            break
        records.append((ts, data[pos + 12 : pos + 12 + n]))
        pos += 12 + n
    assert header["protocol"] == "project_cars_2"
    assert records == list(
        zip(batch.column("ts_ns").to_pylist(), batch.column("payload").to_pylist(), strict=True)
    )


def test_rotation_attachments_and_subsets_through_the_binding(tmp_path: Path) -> None:
    base = tmp_path / "session.mcap"
    writer = _core.McapWriter(str(base), compression="lz4", rotate_ns=2_000_000_000)
    writer.add_metadata("recording", {"name": "rotating"})
    writer.add_attachment("setup.json", "application/json", b'{"wing": 3}', log_time=T0)
    for k in range(5):  # 100 rows 10 ms apart: 1 s a batch
        writer.write_frames(FRAMES, frames_batch(100, start=k * 100))
        assert writer.segment == k // 2
    stats = writer.close()
    assert writer.segment is None
    assert stats["segments"] == 3 and stats["messages"] == 500 and stats["attachments"] == 1
    names = sorted(p.name for p in tmp_path.glob("*.mcap"))
    assert names == ["session-00000.mcap", "session-00001.mcap", "session-00002.mcap"]
    with (tmp_path / names[0]).open("rb") as f:
        reader = make_reader(f, validate_crcs=True)
        (attachment,) = list(reader.iter_attachments())
        assert attachment.name == "setup.json" and attachment.data == b'{"wing": 3}'
    sequences = []
    for name in names:
        with (tmp_path / name).open("rb") as f:
            reader = make_reader(f, validate_crcs=True)
            assert [m.name for m in reader.iter_metadata()] == ["recording"]
            sequences += [m.sequence for _, _, m in reader.iter_messages()]
    assert sequences == list(range(500))

    out = tmp_path / "part.mcap"
    copied = _core.mcap_subset(
        [str(tmp_path / n) for n in names], str(out), start_sequence=150, end_sequence=349
    )
    assert copied["messages"] == 200 and copied["metadata"] == 1 and copied["attachments"] == 1
    (batch,) = _core.mcap_read_frames(str(out))
    assert pa.record_batch(batch).column("ts_ns")[0].as_py() == T0 + 150 * 10_000_000
    listing = json.loads(_core.mcap_records(str(out)))
    assert sum(r["type"] == "Message" for r in listing) == 200
    with pytest.raises(_core.InvalidArgument):
        _core.McapWriter(str(tmp_path / "x.mcap"), rotate_bytes=0)
    with pytest.raises(_core.InvalidArgument):
        _core.mcap_subset([str(out)], str(tmp_path / "y.mcap"), topics=["/missing"])
