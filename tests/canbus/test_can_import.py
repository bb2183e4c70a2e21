"""CAN logs into sessions: every frame of every real log kept, signals decoded, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import can
import polars as pl
import pytest

from paddock.can import CanDecoder, read_frames
from paddock.cli import main
from paddock.exceptions import Conflict, InvalidArgument
from paddock.store.catalog import Catalog
from paddock.store.exports import capabilities
from paddock.store.imports_can import import_can_log, read_raw_frames
from paddock.store.session_data import SessionData, open_session
from paddock.store.sessions import SessionStore
from tests.canbus.small_dbc import ENGINE_ID, WHEELS_ID, database, write_small_dbc
from tests.canbus.test_logs import LOGS

T0 = 1_700_000_000.0


@pytest.fixture
def store(data_dir: Path) -> SessionStore:
    catalog = Catalog(data_dir / "catalog.sqlite3")
    return SessionStore(catalog, SessionData(data_dir / "sessions"), {})


def messages() -> list[can.Message]:
    """200 ENGINE and 100 WHEELS frames, an unknown id, a short frame and an error frame."""
    db = database()
    out = []
    for i in range(200):
        data = db.get_message_by_name("ENGINE").encode(
            {"RPM": 1000 + 10 * i, "COOLANT": 60 + i % 50, "GEAR": 1 + i % 6}
        )
        out.append(
            can.Message(
                timestamp=T0 + i * 0.01,
                arbitration_id=ENGINE_ID,
                data=data,
                is_extended_id=False,
                channel=0,
            )
        )
        if i % 2 == 0:
            data = db.get_message_by_name("WHEELS").encode({"SPEED": i * 0.5, "STEER": -i / 10})
            out.append(
                can.Message(
                    timestamp=T0 + i * 0.01 + 0.005,
                    arbitration_id=WHEELS_ID,
                    data=data,
                    is_extended_id=True,
                    channel=0,
                )
            )
    out.append(
        can.Message(
            timestamp=T0 + 3, arbitration_id=0x7AB, data=b"\x01", is_extended_id=False, channel=0
        )
    )
    out.append(
        can.Message(
            timestamp=T0 + 3.1,
            arbitration_id=ENGINE_ID,
            data=b"\x01",
            is_extended_id=False,
            channel=0,
        )
    )
    out.append(can.Message(timestamp=T0 + 3.2, is_error_frame=True, channel=0))
    return out


@pytest.mark.parametrize("suffix", [".asc", ".blf", ".log", ".trc", ".csv"])
def test_a_written_log_imports_decoded_and_raw(
    tmp_path: Path, store: SessionStore, suffix: str
) -> None:
    dbc = write_small_dbc(tmp_path)
    path = tmp_path / f"drive{suffix}"
    sent = messages()
    with can.Logger(str(path)) as logger:
        for msg in sent:
            logger(msg)
    expected = read_frames(path)
    sid = store.create({"name": "can"})["id"]
    result = import_can_log(store, sid, path, decoder=CanDecoder.from_dbc(dbc))
    assert result["n_frames"] == expected.height
    assert result["decoded"] == 300
    assert result["n_decoded_rows"] == 300
    if suffix != ".trc":  # the TRC writer has no error-frame record
        assert result["error_frames"] == 1
    assert result["unknown_ids"] == {"0x7AB": 1}
    assert result["short"] == 1
    assert set(result["signals"]) == {
        "ENGINE.RPM",
        "ENGINE.COOLANT",
        "ENGINE.GEAR",
        "WHEELS.SPEED",
        "WHEELS.STEER",
    }
    frames = open_session(sid, data_dir=store.data.root.parent, table="frames").collect()
    rpm = frames.filter(pl.col("ENGINE.RPM").is_not_null())["ENGINE.RPM"].to_list()
    assert rpm == [1000 + 10 * i for i in range(200)]
    speed = frames.filter(pl.col("WHEELS.SPEED").is_not_null())["WHEELS.SPEED"].to_list()
    assert speed == pytest.approx([i * 0.5 for i in range(0, 200, 2)])
    assert set(frames["feed"].unique()) == {"can"}
    raw = read_raw_frames(store, sid)
    assert raw.drop("channel").equals(expected.drop("channel"))
    # Capabilities: each signal at its own rate, the DBC's range as the plausible one.
    caps = {r["signal"]: r for r in capabilities(store, sid).iter_rows(named=True)}
    assert caps["ENGINE.RPM"]["n_samples"] == 200
    assert caps["ENGINE.RPM"]["rate_hz"] == pytest.approx(100.0, rel=1e-6)
    assert caps["WHEELS.SPEED"]["rate_hz"] == pytest.approx(50.0, rel=1e-6)
    assert caps["ENGINE.RPM"]["useful"] and caps["ENGINE.RPM"]["in_range"]
    with pytest.raises(Conflict):
        import_can_log(store, sid, path, decoder=CanDecoder.from_dbc(dbc))


@pytest.mark.parametrize("name", LOGS)
def test_every_real_log_imports_without_loss(
    testdata: Path, store: SessionStore, name: str
) -> None:
    path = testdata / "canlogs" / name
    with can.LogReader(str(path)) as reader:
        expected = list(reader)
    sid = store.create({"name": name})["id"]
    result = import_can_log(store, sid, path, decoder=None)
    assert result["n_frames"] == len(expected)
    assert result["error_frames"] == sum(m.is_error_frame for m in expected)
    assert result["fd_frames"] == sum(m.is_fd for m in expected)
    raw = read_raw_frames(store, sid)
    assert raw.height == len(expected)
    assert sorted(raw["data"].to_list()) == sorted(bytes(m.data or b"") for m in expected)


def test_real_log_decoded_with_a_real_dbc(testdata: Path, store: SessionStore) -> None:
    path = testdata / "canlogs" / "python-can" / "logfile.asc"
    dbc = testdata / "dbc" / "cantools" / "vehicle.dbc"
    if not dbc.is_file():
        pytest.skip(f"{dbc} not in the test data")
    sid = store.create({"name": "asc"})["id"]
    result = import_can_log(store, sid, path, decoder=CanDecoder.from_dbc(dbc))
    assert result["n_frames"] == 20
    assert result["decoded"] + result["unknown_id"] + result["short"] == result["data_frames"]


def test_not_a_can_log_is_refused(tmp_path: Path, store: SessionStore) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    sid = store.create({"name": "x"})["id"]
    with pytest.raises(InvalidArgument, match="not a CAN log"):
        import_can_log(store, sid, path, decoder=None)


def test_cli_imports_a_log_with_a_progress_bar(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dbc = write_small_dbc(tmp_path)
    path = tmp_path / "drive.asc"
    with can.Logger(str(path)) as logger:
        for msg in messages():
            logger(msg)
    code = main(["import", str(path), "--data-dir", str(data_dir), "--dbc", str(dbc), "--create"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["n_frames"] == 303 and result["decoded"] == 300
    assert "100%" in err and "303 frames" in err
    frames = open_session(result["session_id"], data_dir=data_dir, table="frames").collect()
    assert frames.height == 300
    # Without --session or --create the CLI says what is missing.
    code = main(["import", str(path), "--data-dir", str(data_dir), "--dbc", str(dbc)])
    _, err = capsys.readouterr()
    assert code == 2 and "--session" in err
    # A DBC that does not load: a clear message, exit 1.
    bad = tmp_path / "bad.dbc"
    bad.write_text("BO_ !!")
    code = main(["import", str(path), "--data-dir", str(data_dir), "--dbc", str(bad), "--create"])
    _, err = capsys.readouterr()
    assert code == 1 and "bad.dbc" in err
