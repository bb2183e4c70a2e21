"""``GET /api/cars``, ``GET /api/cars/{id}`` and Pitwall's ``GET /cars``."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from paddock.api.app import create_app
from paddock.can.cars import SHIPPED_CARS_DIR
from paddock.config import Settings


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    own = settings.data_dir / "cars"
    own.mkdir()
    shutil.copy(SHIPPED_CARS_DIR / "bmw_e46_m3.dbc", own / "e46.dbc")
    text = (SHIPPED_CARS_DIR / "bmw_e46_m3.yaml").read_text()
    text = text.replace("id: bmw_e46_m3", "id: track_e46").replace("bmw_e46_m3.dbc", "e46.dbc")
    (own / "track_e46.yaml").write_text(text.replace("year: 2003", "year: 2002"))
    (own / "broken.yaml").write_text("id: broken\nmake: [\n")
    app = create_app(settings.with_(car="bmw_e46_m3"))
    async with AsyncTestClient(app) as client:
        yield client


async def test_cars_in_the_seed_shape(client: AsyncTestClient[Any], settings: Settings) -> None:
    body = (await client.get("/api/cars")).json()
    assert body["loaded_id"] == "bmw_e46_m3"
    assert body["cars_dir"] == str(Path(settings.data_dir) / "cars")
    cars = {c["id"]: c for c in body["cars"]}
    assert set(cars) == {"bmw_e46_m3", "track_e46"}
    e46 = cars["bmw_e46_m3"]
    assert e46["loaded"] is True and cars["track_e46"]["loaded"] is False
    assert cars["track_e46"]["year"] == 2002 and cars["track_e46"]["shipped"] is False
    assert (e46["make"], e46["model"], e46["chassis"], e46["year"]) == ("BMW", "M3", "E46", 2003)
    assert e46["engine"] == "S54B32 (MSS54HP DME)"
    assert e46["dash_logger"] == {
        "make": "AiM",
        "model": "MXP",
        "protocol": "paddock example data-logger CAN output (AiM MXP-style)",
        "total_frames": 20,
        "total_channels": 66,
    }
    assert e46["can_bus"] == {
        "name": "data-logger output",
        "bitrate_bps": 1_000_000,
        "frame_format": "classic",
        "id_width": 11,
    }
    assert (e46["frame_count"], e46["channel_count"]) == (20, 66)
    assert len(e46["channels"]) == 66
    rpm = e46["channels"][0]
    assert rpm == {
        "name": "rpm",
        "frame_id": "0x400",
        "rate_hz": 50.0,
        "role": "engine",
        "canonical": "rpm",
    }
    # A broken file is reported, not fatal.
    assert len(body["errors"]) == 1 and "broken.yaml: not valid YAML" in body["errors"][0]
    assert (await client.get("/cars")).json() == body


async def test_car_detail(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/cars/bmw_e46_m3")
    assert response.status_code == 200
    car = response.json()
    assert car["loaded"] is True
    oil = next(c for c in car["channels"] if c["name"] == "oil_press")
    assert oil == {
        "name": "oil_press",
        "frame_id": "0x408",
        "message": "AIM_PRESSURES",
        "rate_hz": 20.0,
        "role": "pressure",
        "unit": "bar",
        "canonical": "oil_press_kpa",
        "canonical_unit": "kPa",
        "scale": 100.0,
        "offset": 0.0,
    }
    assert len(car["frames"]) == 20
    laps = next(f for f in car["frames"] if f["message"] == "AIM_LAP_TIMES")
    assert laps["frame_id"] == "0x40F" and laps["rate_hz"] == 10.0 and laps["length"] == 8
    assert (await client.get("/api/cars/track_e46")).json()["year"] == 2002


async def test_car_errors(client: AsyncTestClient[Any]) -> None:
    missing = await client.get("/api/cars/nope")
    assert missing.status_code == 404
    assert "no car config 'nope'" in missing.json()["detail"]
    broken = await client.get("/api/cars/broken")
    assert broken.status_code == 400
    assert "broken.yaml: not valid YAML" in broken.json()["detail"]


def test_car_setting_from_flag_and_env(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert Settings.from_env({"PADDOCK_CAR": "bmw_e46_m3"}, data_dir=tmp_path).car == "bmw_e46_m3"
    assert Settings.from_env({"PADDOCK_CAR": "a"}, data_dir=tmp_path, car="b").car == "b"
    from paddock.cli import main

    # An unknown car stops serve before anything starts, naming the known ones.
    assert main(["serve", "--data-dir", str(tmp_path), "--car", "nope"]) == 2
    err = capsys.readouterr().err
    assert "--car: no car config 'nope'; known: bmw_e46_m3" in err
