"""CAN through the API: the feed in /api/live and recordings, diagnostics, the signal registry,
CAN log imports and session capabilities."""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import can
import polars as pl
import pytest
from litestar.testing import AsyncTestClient

from paddock.api.app import create_app
from paddock.can._raw import decode_records
from paddock.config import Settings
from tests.api.conftest import wait_for
from tests.canbus.small_dbc import write_small_dbc
from tests.canbus.test_can_feed import engine, wheels
from tests.canbus.test_can_import import messages


@pytest.fixture
def channel() -> str:
    return f"paddock-api-{time.monotonic_ns()}"


@pytest.fixture
async def can_client(
    settings: Settings, data_dir: Path, channel: str
) -> AsyncIterator[AsyncTestClient[Any]]:
    dbc = write_small_dbc(data_dir)
    app = create_app(settings.with_(can_channel=channel, can_dbc=(dbc,)))
    async with AsyncTestClient(app) as client:
        yield client


async def test_live_bus_in_live_view_diagnostics_registry_and_recordings(
    can_client: AsyncTestClient[Any], channel: str
) -> None:
    client = can_client
    rec = (await client.post("/api/recordings", json={"name": "can"})).json()
    sent = [engine(1500 + i, 85, 3) for i in range(30)] + [wheels(50.0, 1.5) for _ in range(10)]
    sent.append(can.Message(arbitration_id=0x55, data=b"\x00\x01", is_extended_id=False))
    sent.append(can.Message(is_error_frame=True, arbitration_id=0x2))
    with can.Bus(interface="virtual", channel=channel) as bus:
        for msg in sent:
            bus.send(msg)

    async def live_can() -> dict[str, Any] | None:
        feeds = (await client.get("/api/live")).json()["feeds"]
        feed = next(f for f in feeds if f["name"] == "can")
        return feed if feed["packets"] == len(sent) else None

    feed = await wait_for(live_can)
    assert feed["kind"] == "can" and feed["protocol"] == "can"
    assert feed["health"] == "receiving" and feed["ring_rows"] == 40

    diag = (await client.get("/api/diagnostics/can")).json()
    assert diag["enabled"] and diag["connected"] and diag["state"] == "receiving"
    assert (diag["interface"], diag["channel"], diag["bitrate"]) == ("virtual", channel, 500000)
    assert diag["frames_total"] == len(sent) and diag["decoded_frames"] == 40
    assert diag["error_frames"] == 1 and diag["unknown_id_frames"] == 1
    assert diag["unknown_ids"] == [{"id": "0x55", "extended": False, "frames": 1}]
    assert diag["messages"] == 2 and diag["reconnects"] == 0
    assert diag["dbc"][0].endswith("small.dbc")
    assert (await client.get("/diagnostics/can")).json()["frames_total"] == len(sent)
    health = (await client.get("/api/health")).json()
    assert health["can"]["connected"] and health["can"]["frames_total"] == len(sent)
    assert health["feeds"]["can"] == "receiving"

    async def registered() -> dict[str, Any] | None:
        signals = (await client.get("/api/signals/registry")).json()["signals"]
        return next((s for s in signals if s["name"] == "ENGINE.RPM"), None)

    rpm = await wait_for(registered)
    assert rpm["unit"] == "rpm" and rpm["source"] == "feed:can"
    registry = (await client.get("/signals/registry")).json()
    assert registry["seeded"] >= 54
    obd_rpm = next(s for s in registry["signals"] if s["name"] == "obd2.engine_rpm")
    assert obd_rpm["pid"] == "0x0C" and obd_rpm["unit"] == "rpm"
    assert obd_rpm["formula"] == "(256 * A + B) / 4"

    manifest = (await client.post("/api/recordings/stop")).json()
    (can_feed,) = [f for f in manifest["feeds"] if f["name"] == "can"]
    assert can_feed["packets"] == len(sent) and can_feed["frames"] == 40
    raw = await client.get(f"/api/recordings/{rec['id']}/data/can")
    assert raw.status_code == 200
    parquet = await client.get(f"/api/recordings/{rec['id']}/frames.parquet")
    frames = pl.read_parquet(io.BytesIO(parquet.content))
    assert frames.filter(pl.col("ENGINE.RPM").is_not_null())["ENGINE.RPM"].to_list() == [
        1500 + i for i in range(30)
    ]
    from paddock._native import mcap_read_raw

    recording = client.app.state.settings.data_dir / "recordings" / rec["id"]
    records = decode_records(
        pl.DataFrame(mcap_read_raw(str(recording / "recording.mcap"), topic="/can/raw"))
    )
    assert records["id"].to_list() == [m.arbitration_id for m in sent]


async def test_can_log_import_and_capabilities(
    can_client: AsyncTestClient[Any], data_dir: Path, tmp_path: Path
) -> None:
    client = can_client
    log = data_dir / "logs" / "drive.asc"
    log.parent.mkdir()
    with can.Logger(str(log)) as logger:
        for msg in messages():
            logger(msg)
    sid = (await client.post("/api/sessions", json={"name": "can"})).json()["id"]
    response = await client.post(
        f"/api/sessions/{sid}/import/can", json={"log_path": "logs/drive.asc", "dbc": "small.dbc"}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["n_frames"] == 303 and result["decoded"] == 300
    assert result["error_frames"] == 1 and result["unknown_ids"] == {"0x7AB": 1}
    # Again: the same file is refused.
    again = await client.post(
        f"/api/sessions/{sid}/import/can", json={"log_path": "logs/drive.asc", "dbc": "small.dbc"}
    )
    assert again.status_code == 409

    caps = (await client.get(f"/api/sessions/{sid}/capabilities")).json()
    by_name = {c["signal"]: c for c in caps["signals"]}
    assert by_name["ENGINE.RPM"]["rate_hz"] == pytest.approx(100.0)
    assert by_name["ENGINE.RPM"]["useful"] and caps["useful_count"] >= 4
    recomputed = await client.post(f"/session/{sid}/capabilities/recompute")
    assert recomputed.status_code == 200 and recomputed.json()["count"] == caps["count"]
    assert (await client.get(f"/session/{sid}/capabilities")).json()["count"] == caps["count"]

    # An upload into a second session, decoded with the server's DBC (none given).
    sid2 = (await client.post("/api/sessions", json={"name": "upload"})).json()["id"]
    shutil.copy(log, tmp_path / "upload.asc")
    uploaded = await client.post(
        f"/api/sessions/{sid2}/import/can",
        files={"file": ("drive.asc", (tmp_path / "upload.asc").read_bytes())},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["decoded"] == 300 and uploaded.json()["can_source"] == "drive.asc"

    # Bad input: 4xx with a detail, never a 500.
    cases = [
        ({"log_path": "../etc/passwd"}, 422),
        ({"log_path": "logs/missing.asc"}, 404),
        ({}, 422),
        ({"log_path": "logs/drive.asc", "dbc": "nope.dbc"}, 404),
        ({"log_path": "logs/drive.asc", "dbc": 5}, 422),
    ]
    for body, status in cases:
        bad = await client.post(f"/api/sessions/{sid2}/import/can", json=body)
        assert bad.status_code == status, (body, bad.text)
        assert "detail" in bad.json()
    (data_dir / "notes.txt").write_text("x")
    bad = await client.post(f"/api/sessions/{sid2}/import/can", json={"log_path": "notes.txt"})
    assert bad.status_code == 422 and "not a CAN log" in bad.json()["detail"]
    unnamed = await client.post(
        f"/api/sessions/{sid2}/import/can",
        content=b"garbage",
        headers={"content-type": "application/octet-stream"},
    )
    assert unnamed.status_code == 422 and "filename" in unnamed.json()["detail"]
    garbage = await client.post(
        f"/api/sessions/{sid2}/import/can?filename=x.blf",
        content=b"garbage",
        headers={"content-type": "application/octet-stream"},
    )
    assert garbage.status_code == 422 and "cannot be read" in garbage.json()["detail"]
    missing = await client.post("/api/sessions/nope/import/can", json={"log_path": "x.asc"})
    assert missing.status_code == 404
    assert (await client.get("/api/sessions/nope/capabilities")).status_code == 404


async def test_diagnostics_when_can_is_off(client: AsyncTestClient[Any]) -> None:
    diag = (await client.get("/api/diagnostics/can")).json()
    assert diag["enabled"] is False and diag["state"] == "off"
    assert diag["interface"] == "virtual" and diag["bitrate"] == 500000
    feeds = (await client.get("/api/live")).json()["feeds"]
    assert "can" not in [f["name"] for f in feeds]
    assert (await client.get("/api/health")).json()["can"] is None


async def test_simulated_car_on_the_can_feed(
    settings: Settings, data_dir: Path, channel: str
) -> None:
    app = create_app(
        settings.with_(car="bmw_e46_m3", simulate=True, can_channel=channel, sim_speed=2.0)
    )
    async with AsyncTestClient(app) as client:

        async def moving() -> dict[str, Any] | None:
            feeds = (await client.get("/api/live")).json()["feeds"]
            feed = next(f for f in feeds if f["name"] == "can")
            return feed if feed["speed_kmh"] and feed["rpm"] and feed["gear"] else None

        feed = await wait_for(moving, timeout_s=20.0)
        assert feed["health"] == "receiving" and feed["decode_errors"] == 0
        assert 0 < feed["speed_kmh"] < 350 and 500 < feed["rpm"] < 9000
        diag = (await client.get("/api/diagnostics/can")).json()
        assert diag["car"] == "bmw_e46_m3" and diag["messages"] == 20
        assert diag["unknown_id_frames"] == 0 and diag["short_frames"] == 0
        cars = (await client.get("/api/cars")).json()
        assert cars["loaded_id"] == "bmw_e46_m3"
