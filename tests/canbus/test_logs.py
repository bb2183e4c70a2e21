"""CAN log files: every real log of the test data imports without loss (frame for frame what
python-can's reader yields), and written logs of every writable format decode with a DBC."""

from __future__ import annotations

from pathlib import Path

import can
import cantools
import pytest

from paddock.can import CanDecoder, read_frames, read_log
from paddock.exceptions import InvalidArgument

LOGS = [
    *(
        f"python-can/{name}"
        for name in [
            "issue_1256.asc",
            "issue_1299.asc",
            "issue_1905.blf",
            "logfile.asc",
            "logfile_errorframes.asc",
            "single_frame.asc",
            "single_frame_us_locale.asc",
            "test_CanErrorFrameExt.blf",
            "test_CanErrorFrames.asc",
            "test_CanFdMessage.asc",
            "test_CanFdMessage.blf",
            "test_CanFdMessage64.asc",
            "test_CanFdMessage64.blf",
            "test_CanFdRemoteMessage.asc",
            "test_CanMessage.asc",
            "test_CanMessage.asc.gz",
            "test_CanMessage.blf",
            "test_CanMessage.trc",
            "test_CanMessage2.blf",
            "test_CanMessage_V1_0_BUS1.trc",
            "test_CanMessage_V1_1.trc",
            "test_CanMessage_V1_3.trc",
            "test_CanMessage_V2_0_BUS1.trc",
            "test_CanMessage_V2_1.trc",
            "test_CanRemoteMessage.asc",
        ]
    ),
    "savvycan/candump.log",
]


@pytest.mark.parametrize("name", LOGS)
def test_real_logs_import_without_loss(testdata: Path, name: str) -> None:
    path = testdata / "canlogs" / name
    with can.LogReader(str(path)) as reader:
        expected = list(reader)
    log = read_log(path)
    frames = log.frames
    assert len(frames) == len(expected) > 0
    for row, msg in zip(frames.iter_rows(named=True), expected, strict=True):
        assert row["ts_ns"] == round(msg.timestamp * 1e9)
        assert row["id"] == msg.arbitration_id
        assert row["extended"] == msg.is_extended_id
        assert row["remote"] == msg.is_remote_frame
        assert row["error"] == msg.is_error_frame
        assert row["fd"] == msg.is_fd
        assert row["brs"] == msg.bitrate_switch
        assert row["esi"] == msg.error_state_indicator
        assert row["dlc"] == msg.dlc
        assert row["data"] == bytes(msg.data or b"")
        assert row["channel"] == (None if msg.channel is None else str(msg.channel))
    assert dict(log) == {}  # no DBC: frames only


def test_fd_and_error_frames_are_kept(testdata: Path) -> None:
    fd = read_frames(testdata / "canlogs" / "python-can" / "test_CanFdMessage64.asc")
    assert fd["fd"].all()
    assert fd["data"].bin.size().max() == 64
    errors = read_frames(testdata / "canlogs" / "python-can" / "logfile_errorframes.asc")
    assert errors["error"].sum() == 3


@pytest.mark.parametrize("suffix", [".log", ".asc", ".csv", ".blf", ".trc"])
def test_written_logs_decode_with_a_dbc(testdata: Path, tmp_path: Path, suffix: str) -> None:
    dbc = testdata / "dbc" / "cantools" / "motohawk.dbc"
    db = cantools.database.load_file(str(dbc))
    payloads = [
        bytes.fromhex("c006e00000000000"),
        bytes.fromhex("0000000000000000"),
        bytes.fromhex("ff7fff0000000000"),
    ]
    path = tmp_path / f"drive{suffix}"
    with can.Logger(str(path)) as logger:
        for i, data in enumerate(payloads):
            logger.on_message_received(
                can.Message(
                    timestamp=100.0 + i / 10,
                    arbitration_id=0x1F0,
                    data=data,
                    is_extended_id=False,
                    channel=0,
                )
            )
        logger.on_message_received(
            can.Message(
                timestamp=101.0, arbitration_id=0x7FF, data=b"\1", is_extended_id=False, channel=0
            )
        )
    log = read_log(path, dbc=dbc)
    assert len(log.frames) == 4
    assert log.stats.decoded == 3
    assert log.stats.unknown_id == 1
    frame = log["ExampleMessage"]
    for row, data in zip(frame.iter_rows(named=True), payloads, strict=True):
        expected = db.decode_message(0x1F0, data, decode_choices=False)
        assert {k: row[k] for k in expected} == expected


def test_a_decoder_or_several_dbcs_are_accepted(testdata: Path) -> None:
    log_path = testdata / "canlogs" / "python-can" / "test_CanMessage.asc"
    dbc = testdata / "dbc" / "cantools" / "motohawk.dbc"
    by_path = read_log(log_path, dbc=[dbc])
    by_decoder = read_log(log_path, dbc=CanDecoder.from_dbc(dbc))
    assert by_path.stats == by_decoder.stats
    assert by_path.stats.frames == 2


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="no such log file"):
        read_log(tmp_path / "missing.asc")
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(InvalidArgument, match="not a CAN log"):
        read_log(other)
    broken = tmp_path / "broken.blf"
    broken.write_bytes(b"LOGG" + bytes(20))
    with pytest.raises(InvalidArgument, match=r"broken\.blf"):
        read_log(broken)
