"""The runnable example of docs/can.md runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "can.md"


def test_runnable_example_runs() -> None:
    text = DOC.read_text()
    section = text[text.index("### Runnable example") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), str(DOC), "exec"), {})
    printed = out.getvalue()
    assert "2000.0" in printed
    assert "['2nd', '1st']" in printed
    assert "(3, 4)" in printed
