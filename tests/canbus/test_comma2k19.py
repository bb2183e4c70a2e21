"""Real data with a known answer: comma2k19's RAV4 CAN log decoded with opendbc's
``_toyota_2017.dbc`` reproduces comma's own decoded wheel speeds, vehicle speed and steering
angle for every sample.

The two catches (``SOURCES.md``): NumPy's ``S8`` payloads have their trailing zero bytes
stripped when read as ``bytes`` (paddock reads the array at its full 8-byte width), and the log
holds four buses — only bus 0 (powertrain) is the DBC's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from paddock.can import CanDecoder

LOG = Path("canlogs") / "comma2k19" / "processed_log" / "CAN"
DBC = Path("dbc") / "opendbc" / "_toyota_2017.dbc"
_root: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def _data(testdata: Path) -> None:
    _root[:] = [testdata]


def _load(name: str) -> np.ndarray:
    return np.load(_root[0] / LOG / name, allow_pickle=False)


def _ns(seconds: np.ndarray) -> np.ndarray:
    return np.round(seconds * 1e9).astype(np.int64)


@pytest.fixture(scope="module")
def decoded() -> dict[str, pl.DataFrame]:
    t, address, data, src = (_load(f"raw_can/{n}") for n in ("t", "address", "data", "src"))
    bus0 = src == 0
    decoder = CanDecoder.from_dbc(_root[0] / DBC)
    out = decoder.decode(_ns(t[bus0]), address[bus0], data[bus0])
    assert out.stats.frames == 53_800
    assert out.stats.short == 0
    return out


def test_wheel_speeds_and_vehicle_speed(decoded: dict[str, pl.DataFrame]) -> None:
    wheels = decoded["WHEEL_SPEEDS"]
    t = _load("wheel_speed/t")
    expected = _load("wheel_speed/value")
    assert len(wheels) == len(t) == 4974
    assert (wheels["ts_ns"].to_numpy() == _ns(t)).all()
    kmh = np.column_stack([wheels[f"WHEEL_SPEED_{w}"].to_numpy() for w in ("FL", "FR", "RL", "RR")])
    ms = kmh / 3.6
    assert np.abs(ms - expected).max() < 1e-12
    speed = _load("speed/value")[:, 0]
    assert (_load("speed/t") == t).all()
    assert np.abs(ms.mean(axis=1) - speed).max() < 1e-12


def test_steering_angle(decoded: dict[str, pl.DataFrame]) -> None:
    steer = decoded["STEER_ANGLE_SENSOR"]
    t = _load("steering_angle/t")
    expected = _load("steering_angle/value")
    assert len(steer) == len(t) == 4974
    assert (steer["ts_ns"].to_numpy() == _ns(t)).all()
    angle = steer["STEER_ANGLE"].to_numpy() + steer["STEER_FRACTION"].to_numpy()
    assert np.abs(angle - expected).max() < 1e-12


def test_stripped_payloads_are_the_catch() -> None:
    # Read as Python bytes, NumPy drops the trailing zeros: those frames come out short.
    t, address, data, src = (_load(f"raw_can/{n}") for n in ("t", "address", "data", "src"))
    bus0 = src == 0
    decoder = CanDecoder.from_dbc(_root[0] / DBC)
    stripped = decoder.decode(_ns(t[bus0]), address[bus0], list(data[bus0]))
    assert stripped.stats.short > 0
    padded = decoder.decode(
        _ns(t[bus0]), address[bus0], [bytes(d).ljust(8, b"\0") for d in data[bus0]]
    )
    assert padded.stats.short == 0
