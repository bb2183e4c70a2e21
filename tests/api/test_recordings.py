from __future__ import annotations

import io
import json
import socket
import struct
from typing import Any

import polars as pl
from litestar.testing import AsyncTestClient
from mcap.reader import make_reader

from paddock import open_recording
from tests.api.conftest import wait_for
from tests.api.packets import telemetry, timings


def _feed_port(client: AsyncTestClient[Any]) -> int:
    port: int = client.app.state.runtime.hub.feed("pcars").port
    return port


def _parse_pdkraw(blob: bytes) -> tuple[dict[str, Any], list[tuple[int, bytes]]]:
    """The documented raw framing, decoded independently of paddock."""
    assert blob[:8] == b"PDKRAW01"
    (hlen,) = struct.unpack_from("<H", blob, 8)
    header = json.loads(blob[10 : 10 + hlen])
    records, pos = [], 10 + hlen
    while pos < len(blob):
        ts, n = struct.unpack_from("<qI", blob, pos)
        records.append((ts, blob[pos + 12 : pos + 12 + n]))
        pos += 12 + n
    return header, records


async def test_record_stop_download_delete(
    client: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    port = _feed_port(client)
    started = await client.post(
        "/api/recordings", json={"name": "stint 1", "game": "project_cars_2", "track": "park"}
    )
    assert started.status_code == 201, started.text
    rec = started.json()
    assert rec["status"] == "recording" and rec["name"] == "stint 1"
    assert (await client.post("/api/recordings", json={})).status_code == 409

    sent = []
    for n in range(40):
        for packet in (timings(2 * n, lap=1, lap_time_s=n / 60), telemetry(2 * n + 1)):
            udp_sender.sendto(packet, ("127.0.0.1", port))
            sent.append(packet)
    udp_sender.sendto(b"garbage", ("127.0.0.1", port))
    sent.append(b"garbage")

    async def all_recorded() -> bool:
        manifest = (await client.get(f"/api/recordings/{rec['id']}")).json()
        return bool(manifest["feeds"]) and manifest["feeds"][0]["packets"] == len(sent)

    await wait_for(all_recorded)
    stopped = await client.post("/api/recordings/stop")
    assert stopped.status_code == 200
    manifest = stopped.json()
    assert manifest["status"] == "stopped" and manifest["stopped_at"]
    (feed,) = manifest["feeds"]
    assert feed["name"] == "pcars" and feed["frames"] == 40
    assert feed["bytes"] == sum(len(p) for p in sent)
    assert (await client.post("/api/recordings/stop")).status_code == 404

    listed = (await client.get("/api/recordings")).json()
    assert [r["id"] for r in listed] == [rec["id"]]

    # The raw feed, exactly as received, in the documented framing.
    raw = await client.get(f"/api/recordings/{rec['id']}/data/pcars")
    assert raw.status_code == 200
    header, records = _parse_pdkraw(raw.content)
    assert header["protocol"] == "project_cars" and header["feed"] == "pcars"
    assert [payload for _, payload in records] == sent
    assert all(b[0] <= a[0] for a, b in zip(records[1:], records, strict=False))

    # MCAP: valid CRCs, frames as JSON, raw datagrams in their own channel.
    blob = (await client.get(f"/api/recordings/{rec['id']}/mcap")).content
    reader = make_reader(io.BytesIO(blob), validate_crcs=True)
    topics: dict[str, int] = {}
    for _schema, channel, message in reader.iter_messages():
        topics[channel.topic] = topics.get(channel.topic, 0) + 1
        if channel.topic == "/pcars/frames":
            assert "speed_kmh" in json.loads(message.data)
    assert topics == {"/pcars/frames": 40, "/pcars/raw": len(sent)}

    # Parquet and the LazyFrame agree.
    frames = open_recording(rec["id"], data_dir=client.app.state.settings.data_dir).collect()
    assert frames.height == 40
    assert frames["speed_kmh"].to_list() == [180.0] * 40
    assert (frames["t_s"] >= 0).all()
    parquet = await client.get(f"/api/recordings/{rec['id']}/frames.parquet")
    assert pl.read_parquet(io.BytesIO(parquet.content)).height == 40

    assert (await client.delete(f"/api/recordings/{rec['id']}")).status_code == 204
    assert (await client.get(f"/api/recordings/{rec['id']}")).status_code == 404


async def test_stop_by_id_and_conflicts(client: AsyncTestClient[Any]) -> None:
    rec = (await client.post("/api/recordings")).json()
    assert rec["name"].startswith("Recording ")
    assert (await client.delete(f"/api/recordings/{rec['id']}")).status_code == 409
    other = "0" * 32
    assert (await client.post(f"/api/recordings/{other}/stop")).status_code == 404
    response = await client.post(f"/api/recordings/{rec['id']}/stop")
    assert response.status_code == 200 and response.json()["status"] == "stopped"
    again = await client.post(f"/api/recordings/{rec['id']}/stop")
    assert again.status_code == 409 and "not running" in again.json()["detail"]


async def test_bad_input_gets_a_clear_4xx(client: AsyncTestClient[Any]) -> None:
    bad_id = await client.get("/api/recordings/not-an-id")
    assert bad_id.status_code == 400
    assert "invalid recording id" in bad_id.json()["detail"]
    rec = (await client.post("/api/recordings")).json()
    await client.post("/api/recordings/stop")
    # (A literal ".." segment is resolved by the client before it is sent; send it encoded.)
    for feed in ("%2e%2e", "..%2f..", "PCARS", "a.b", "x" * 100):
        response = await client.get(f"/api/recordings/{rec['id']}/data/{feed}")
        assert response.status_code in (400, 404), feed
        assert "detail" in response.json()
    escaped = await client.get(f"/api/recordings/{rec['id']}/data/%2e%2e%2fcatalog")
    assert escaped.status_code in (400, 404)
    missing_feed = await client.get(f"/api/recordings/{rec['id']}/data/ksudp")
    assert missing_feed.status_code == 404
    not_json = await client.post(
        "/api/recordings", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400
    assert "detail" in not_json.json()
    wrong_type = await client.post("/api/recordings", json={"name": 5})
    assert wrong_type.status_code == 400


async def test_telemetry_tool_datagrams_are_counted_and_kept_raw(
    client: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    ttool = client.app.state.runtime.hub.feed("ttool")
    rec = (await client.post("/api/recordings", json={"name": "plugin"})).json()
    sent = [bytes([n]) * 357 for n in range(5)] + [b"\x01\x02"]
    for payload in sent:
        udp_sender.sendto(payload, ("127.0.0.1", ttool.port))

    async def counted() -> dict[str, Any] | None:
        feeds = (await client.get("/api/live")).json()["feeds"]
        feed = next(f for f in feeds if f["name"] == "ttool")
        return feed if feed["packets"] == len(sent) else None

    feed = await wait_for(counted)
    assert feed["decode_errors"] == len(sent)
    assert "layout is not public" in feed["last_error"]
    assert feed["health"] == "receiving"

    async def recorded() -> bool:
        manifest = (await client.get(f"/api/recordings/{rec['id']}")).json()
        return any(f["name"] == "ttool" and f["packets"] == len(sent) for f in manifest["feeds"])

    await wait_for(recorded)
    manifest = (await client.post("/api/recordings/stop")).json()
    ttool_files = next(f for f in manifest["feeds"] if f["name"] == "ttool")
    assert ttool_files["frames"] == 0
    raw = await client.get(f"/api/recordings/{rec['id']}/data/ttool")
    header, records = _parse_pdkraw(raw.content)
    assert header["protocol"] == "telemetry_tool"
    assert [payload for _, payload in records] == sent
