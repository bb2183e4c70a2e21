"""The MCAP reader on real files: the official conformance suite and bags written by rosbag2."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from mcap.reader import make_reader
from mcap.records import Message
from mcap.stream_reader import StreamReader

from paddock._native import mcap_info, mcap_records, mcap_subset, mcap_verify
from paddock.exceptions import RecordingError
from tests.core.mcap_conformance import build, expected, normalise

ROSBAGS = ("talker", "cdr_test", "rewriter_a", "test_bag_for_seek")


def _conformance(testdata: Path) -> list[Path]:
    files = sorted((testdata / "mcap" / "conformance").glob("*/*.json"))
    if not files:
        pytest.skip("no MCAP conformance JSON in the shared test data")
    return files


def _listing(path: Path) -> list[dict[str, Any]]:
    return [
        {"type": r["type"], "fields": normalise(r["fields"])}
        for r in json.loads(mcap_records(str(path)))
    ]


def test_every_conformance_variant_reads_as_the_suite_expects(
    testdata: Path, tmp_path: Path
) -> None:
    files = _conformance(testdata)
    assert len(files) == 416
    path = tmp_path / "variant.mcap"
    for json_path in files:
        doc = json.loads(json_path.read_text())
        path.write_bytes(build(doc))
        assert _listing(path) == expected(doc), json_path.name


def test_conformance_files_agree_with_the_reference_reader_and_the_summary(
    testdata: Path, tmp_path: Path
) -> None:
    path = tmp_path / "variant.mcap"
    checked = 0
    for json_path in _conformance(testdata):
        doc = json.loads(json_path.read_text())
        data = build(doc)
        path.write_bytes(data)
        messages = [r for r in doc["records"] if r["type"] == "Message"]
        # The reference streaming reader (its seeking reader does not take padded records).
        stream = StreamReader(io.BytesIO(data), validate_crcs=True)
        reference = [r for r in stream.records if isinstance(r, Message)]
        assert [bytes(r.data) for r in reference] == [
            bytes(int(b) for b in dict(m["fields"])["data"]) for m in messages
        ], json_path.name
        assert mcap_verify(str(path))["messages"] == len(messages)
        info = mcap_info(str(path))
        assert info["message_count"] == len(messages), json_path.name
        metadata = [dict(r["fields"]) for r in doc["records"] if r["type"] == "Metadata"]
        assert [m["name"] for m in info["metadata"]] == [m["name"] for m in metadata]
        assert [m["metadata"] for m in info["metadata"]] == [m["metadata"] for m in metadata]
        checked += 1
    assert checked == 416


def test_damaged_conformance_files_are_refused(testdata: Path, tmp_path: Path) -> None:
    json_path = testdata / "mcap/conformance/TenMessages/TenMessages-ch-chx-mx-st-sum.json"
    if not json_path.is_file():
        pytest.skip("TenMessages conformance JSON not in the shared test data")
    data = bytearray(build(json.loads(json_path.read_text())))
    path = tmp_path / "damaged.mcap"
    data[60] ^= 0xFF  # inside the chunk: its CRC no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(RecordingError):
        mcap_records(str(path))
    path.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(RecordingError):
        mcap_records(str(path))


def _bag_counts(folder: Path) -> dict[str, int]:
    """Per-topic message counts from rosbag2's ``metadata.yaml``."""
    info = yaml.safe_load((folder / "metadata.yaml").read_text())["rosbag2_bagfile_information"]
    return {
        t["topic_metadata"]["name"]: int(t["message_count"])
        for t in info["topics_with_message_count"]
    }


@pytest.mark.parametrize("bag", ROSBAGS)
def test_rosbag2_files_read_with_the_counts_rosbag2_states(
    testdata: Path, tmp_path: Path, bag: str
) -> None:
    folder = testdata / "mcap" / "rosbag2" / bag
    if not folder.is_dir():
        pytest.skip(f"rosbag2 bag {bag} not in the shared test data")
    (path,) = folder.glob("*.mcap")
    counts = _bag_counts(folder)
    assert counts, "metadata.yaml lists the topics"
    info = mcap_info(str(path))
    assert info["finished"] is True
    got = {c["topic"]: c["message_count"] for c in info["channels"]}
    assert {t: n for t, n in got.items() if n} == {t: n for t, n in counts.items() if n}
    assert info["message_count"] == sum(counts.values())
    assert all(c["kind"] == "other" for c in info["channels"])
    assert mcap_verify(str(path))["messages"] == sum(counts.values())
    listing = _listing(path)
    assert sum(1 for r in listing if r["type"] == "Message") == sum(counts.values())

    # A subset of one topic is a valid file the reference reader opens.
    topic = max(counts, key=lambda t: counts[t])
    out = tmp_path / "subset.mcap"
    stats = mcap_subset([str(path)], str(out), topics=[topic])
    assert stats["messages"] == counts[topic]
    with out.open("rb") as f:
        reader = make_reader(f, validate_crcs=True)
        topics = {channel.topic for _, channel, _ in reader.iter_messages()}
    assert topics == {topic}
    original = make_reader(io.BytesIO(path.read_bytes())).iter_messages(topics=[topic])
    copied = make_reader(io.BytesIO(out.read_bytes())).iter_messages()
    for (_, _, a), (_, _, b) in zip(original, copied, strict=True):
        assert (a.log_time, a.sequence, a.data) == (b.log_time, b.sequence, b.data)
