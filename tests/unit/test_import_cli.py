"""``paddock import``: VBO and MCAP files into a data directory's sessions, with progress."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from paddock._native import McapWriter
from paddock.cli import main
from paddock.store.session_data import open_session
from tests.api.vbo_files import circle_vbo


def test_import_vbo_and_mcap(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vbo = tmp_path / "circle.vbo"
    vbo.write_text(circle_vbo(), encoding="utf-8")
    code = main(["import", str(vbo), "--data-dir", str(data_dir), "--session", "cli-1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["session_id"] == "cli-1" and result["lap_count"] == 2
    assert "reading circle.vbo" in err and "done: 1300 frames" in err
    assert open_session("cli-1", data_dir=data_dir).collect().height == 1300

    mcap = tmp_path / "run.mcap"
    batch = pa.record_batch(
        {"ts_ns": pa.array([10**18 + i for i in range(5)], pa.int64()), "rpm": [1.0] * 5}
    )
    with McapWriter(str(mcap)) as writer:
        writer.write_frames("/pcars/frames", batch)
    code = main(["import", str(mcap), "--data-dir", str(data_dir), "--session", "cli-1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["n_frames"] == 5
    assert open_session("cli-1", data_dir=data_dir).collect().height == 1305

    code = main(
        [
            "import",
            str(mcap),
            "--data-dir",
            str(data_dir),
            "--session",
            "cli-2",
            "--create",
            "--quiet",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert json.loads(out)["session_id"] == "cli-2"


def test_import_errors(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("x")
    assert main(["import", str(other), "--data-dir", str(data_dir)]) == 2
    assert "--format" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "none.vbo"), "--data-dir", str(data_dir)]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.vbo"
    bad.write_text("not a vbo")
    assert main(["import", str(bad), "--data-dir", str(data_dir)]) == 1
    assert "not a VBO file" in capsys.readouterr().err
    mcap = tmp_path / "x.mcap"
    mcap.write_bytes(b"x")
    assert main(["import", str(mcap), "--data-dir", str(data_dir)]) == 2
    assert "--session" in capsys.readouterr().err
    assert main(["import", str(mcap), "--data-dir", str(data_dir), "--session", "nope"]) == 1
    assert "not found" in capsys.readouterr().err
