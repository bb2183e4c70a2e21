"""Fixtures for the simulator tests: the bundled track, its profile, a 12 s lap, TUM FTM data."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from paddock.sources.simulator import (
    Car,
    SpeedProfile,
    Track,
    bundled_track,
    compute_profile,
    fit_lap_time,
)

REPO = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="session")
def car() -> Car:
    return Car()


@pytest.fixture(scope="session")
def park() -> Track:
    return bundled_track("paddock_park")


@pytest.fixture(scope="session")
def park_profile(park: Track, car: Car) -> SpeedProfile:
    return compute_profile(park, car)


@pytest.fixture(scope="session")
def short_lap(park: Track, car: Car) -> SpeedProfile:
    """The bundled track scaled to a 12 s lap."""
    return fit_lap_time(park, car, 12.0)[1]


@pytest.fixture(scope="session")
def fake_encode() -> Callable[[dict[str, Any]], bytes]:
    """Stands in for the native encoder: compact JSON."""

    def encode(packet: dict[str, Any]) -> bytes:
        return json.dumps(packet, separators=(",", ":")).encode()

    return encode


@pytest.fixture(scope="session")
def tumftm_tracks() -> Path:
    """Folder of TUM FTM centre lines under ``PADDOCK_TESTDATA`` (skips when absent)."""
    root = Path(os.environ.get("PADDOCK_TESTDATA", REPO.parent / "shared" / "testdata"))
    folder = root / "tracks" / "tumftm" / "tracks"
    if not folder.is_dir():
        pytest.skip(f"TUM FTM track data not found at {folder} (set PADDOCK_TESTDATA)")
    return folder
