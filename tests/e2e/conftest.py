"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import ServerProcess, running_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A plain ``paddock serve`` (no simulator) with its data under ``tmp_path``."""
    with running_server(tmp_path / "data") as server:
        yield server
