"""The notebook example in docs/examples runs as written."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("paddock.protocols.pcars2")

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "session_notebook.py"


def test_the_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("session_notebook", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.main(tmp_path)
    assert table["lap"].to_list() == [1, 2]
    assert "ideal_lap_s" in capsys.readouterr().out
