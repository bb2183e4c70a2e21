from __future__ import annotations

import socket
from typing import Any

from litestar.testing import AsyncTestClient

from paddock.config import Settings
from tests.api.conftest import wait_for
from tests.api.packets import telemetry, timings


def _feed_port(client: AsyncTestClient[Any]) -> int:
    port: int = client.app.state.runtime.hub.feed("pcars").port
    return port


async def test_health_games_use_cases_channels(client: AsyncTestClient[Any]) -> None:
    health = (await client.get("/api/health")).json()
    assert health["status"] == "ok"
    assert health["feeds"] == {
        "pcars": "listening",
        "ksudp": "handshaking",
        "acc": "handshaking",
        "ttool": "listening",
    }
    games = (await client.get("/api/games")).json()
    assert [g["id"] for g in games] == [
        "assetto_corsa",
        "assetto_corsa_competizione",
        "project_cars_1",
        "project_cars_2",
    ]
    assert {u["id"] for u in (await client.get("/api/use-cases")).json()} == {
        "shift_points",
        "racing_line",
        "braking_analysis",
        "lap_times",
        "sector_analysis",
        "track_map",
        "general",
    }
    channels = {c["name"]: c for c in (await client.get("/api/channels")).json()}
    assert channels["speed_kmh"]["unit"] == "km/h"
    assert channels["gear"]["dtype"] == "int32"
    assert any(name.startswith("pcars2.") for name in channels)


async def test_live_follows_the_feed(
    client: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    port = _feed_port(client)
    live = (await client.get("/api/live")).json()
    assert [f["name"] for f in live["feeds"]] == ["pcars", "ksudp", "acc", "ttool"]
    feed = live["feeds"][0]
    assert feed["health"] == "listening" and feed["packets"] == 0
    for n in range(30):
        udp_sender.sendto(timings(2 * n, lap=2, lap_time_s=10.0 + n / 60), ("127.0.0.1", port))
        udp_sender.sendto(telemetry(2 * n + 1, speed_ms=50.0, gear=4), ("127.0.0.1", port))

    async def receiving() -> dict[str, Any] | None:
        feed = (await client.get("/api/live")).json()["feeds"][0]
        return feed if feed["packets"] == 60 and feed["speed_kmh"] is not None else None

    feed = await wait_for(receiving)
    assert feed["health"] == "receiving"
    assert feed["speed_kmh"] == 180.0
    assert feed["gear"] == 4 and feed["rpm"] == 6000
    assert feed["inputs"]["throttle"] == 1.0 and feed["inputs"]["brake"] == 0.0
    assert feed["lap"] == 2
    assert abs(feed["lap_time_s"] - (10.0 + 29 / 60)) < 1e-4
    assert feed["frequency_hz"] >= 0


async def test_garbage_is_counted_not_fatal(
    client: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    port = _feed_port(client)
    for payload in (b"", b"\x00" * 11, b"\xff" * 559, b"x" * 1499):
        udp_sender.sendto(payload, ("127.0.0.1", port))
    udp_sender.sendto(telemetry(1), ("127.0.0.1", port))

    async def counted() -> dict[str, Any] | None:
        feed = (await client.get("/api/live")).json()["feeds"][0]
        return feed if feed["packets"] == 5 else None

    feed = await wait_for(counted)
    assert feed["decode_errors"] == 4
    assert feed["last_error"]
    assert feed["speed_kmh"] == 180.0


async def test_a_taken_port_leaves_the_feed_unavailable(data_dir: Any) -> None:
    from paddock.api.app import create_app

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        settings = Settings.from_env(
            {},
            data_dir=data_dir,
            listen="127.0.0.1",
            pcars_port=port,
            ac_port=port,
            acc_port=port,
            ttool_port=port,
        )
        async with AsyncTestClient(create_app(settings)) as client:
            health = (await client.get("/api/health")).json()
            assert health["status"] == "ok"
            assert health["feeds"]["pcars"] == "unavailable"
            assert health["feeds"]["ksudp"] in ("handshaking", "unavailable")
            assert health["feeds"]["ttool"] == "unavailable"
            feed = (await client.get("/api/live")).json()["feeds"][0]
            assert feed["health"] == "unavailable"
            assert feed["reason"]


async def test_unknown_route_and_openapi(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/nope")
    assert response.status_code == 404
    assert "detail" in response.json()
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/live" in schema["paths"]
    assert "/api/recordings/{recording_id}/data/{feed_name}" in schema["paths"]
    docs = await client.get("/docs", follow_redirects=False)
    assert docs.status_code in (301, 302, 307, 308)


async def test_the_pcars_feed_tells_pcars1_from_pcars2(
    client: AsyncTestClient[Any], udp_sender: socket.socket
) -> None:
    from paddock.protocols import pcars1

    port = _feed_port(client)
    udp_sender.sendto(telemetry(1, speed_ms=20.0), ("127.0.0.1", port))

    async def detected(fmt: str, packets: int) -> dict[str, Any] | None:
        feed = (await client.get("/api/live")).json()["feeds"][0]
        return feed if feed["packets"] == packets and feed["detected_format"] == fmt else None

    feed = await wait_for(lambda: detected("project_cars_2", 1))
    assert feed["speed_kmh"] == 72.0
    udp_sender.sendto(pcars1.encode({"packet": "telemetry", "speed": 30.0}), ("127.0.0.1", port))
    feed = await wait_for(lambda: detected("project_cars_1", 2))
    assert feed["speed_kmh"] == 108.0
    assert feed["decode_errors"] == 0


async def test_the_assetto_corsa_feed_handshakes_with_the_game(data_dir: Any) -> None:
    from paddock.api.app import create_app
    from paddock.sources.simulator.runner import Simulator
    from tests.conftest import free_port

    ac_port = free_port(socket.SOCK_DGRAM)
    simulator = Simulator(game="assetto_corsa", to=("127.0.0.1", ac_port), lap_seconds=20)
    simulator.start_thread()
    try:
        settings = Settings.from_env(
            {},
            data_dir=data_dir,
            listen="127.0.0.1",
            pcars_port=0,
            ac_port=ac_port,
            acc_port=free_port(socket.SOCK_DGRAM),
            ttool_port=0,
        )
        async with AsyncTestClient(create_app(settings)) as client:
            games = {g["id"]: g for g in (await client.get("/api/games")).json()}
            assert games["assetto_corsa"]["port"] == ac_port and games["assetto_corsa"]["live"]

            async def receiving() -> dict[str, Any] | None:
                feeds = (await client.get("/api/live")).json()["feeds"]
                ksudp = next(f for f in feeds if f["name"] == "ksudp")
                ok = ksudp["health"] == "receiving" and (ksudp["speed_kmh"] or 0) > 0
                return ksudp if ok else None

            ksudp = await wait_for(receiving, timeout_s=15)
            assert ksudp["protocol"] == "assetto_corsa"
            assert ksudp["rpm"] > 0 and ksudp["gear"] >= 1
            assert ksudp["decode_errors"] == 0
    finally:
        simulator.stop()


async def test_the_acc_feed_registers_with_the_game(data_dir: Any) -> None:
    from paddock.api.app import create_app
    from tests.conftest import free_port

    acc_port = free_port(socket.SOCK_DGRAM)
    settings = Settings.from_env(
        {"PADDOCK_ACC_PASSWORD": "pit-wall"},
        data_dir=data_dir,
        listen="127.0.0.1",
        pcars_port=0,
        ac_port=free_port(socket.SOCK_DGRAM),
        acc_port=acc_port,
        ttool_port=0,
        simulate=True,
        sim_game="assetto_corsa_competizione",
        sim_lap_seconds=20,
    )
    assert settings.acc_password == "pit-wall"
    async with AsyncTestClient(create_app(settings)) as client:
        games = {g["id"]: g for g in (await client.get("/api/games")).json()}
        acc_game = games["assetto_corsa_competizione"]
        assert acc_game["port"] == acc_port and acc_game["live"] and acc_game["simulated"]

        async def receiving() -> dict[str, Any] | None:
            feeds = (await client.get("/api/live")).json()["feeds"]
            acc = next(f for f in feeds if f["name"] == "acc")
            ok = acc["health"] == "receiving" and (acc["speed_kmh"] or 0) > 0
            return acc if ok else None

        acc = await wait_for(receiving, timeout_s=15)
        assert acc["protocol"] == "assetto_corsa_competizione"
        assert acc["gear"] >= 1 and acc["decode_errors"] == 0
        assert client.app.state.runtime.simulator.acc_session.registrations == 1


async def test_acc_standings_list_every_car_in_race_order(data_dir: Any) -> None:
    from paddock.api.app import create_app
    from paddock.sources.simulator.acc import FOCUSED_CAR, RIVALS
    from tests.conftest import free_port

    settings = Settings.from_env(
        {},
        data_dir=data_dir,
        listen="127.0.0.1",
        pcars_port=0,
        ac_port=free_port(socket.SOCK_DGRAM),
        acc_port=free_port(socket.SOCK_DGRAM),
        ttool_port=0,
        simulate=True,
        sim_game="assetto_corsa_competizione",
        sim_lap_seconds=20,
    )
    async with AsyncTestClient(create_app(settings)) as client:

        async def full_field() -> list[dict[str, Any]] | None:
            cars: list[dict[str, Any]] = (await client.get("/api/live/acc/cars")).json()
            named = [c for c in cars if c["driver"]]
            return cars if len(cars) == 3 and len(named) == 3 else None

        cars = await wait_for(full_field, timeout_s=15)
        assert [c["position"] for c in cars] == [1, 2, 3]
        assert {c["car_index"] for c in cars} == {FOCUSED_CAR} | {i for i, *_ in RIVALS}
        # The rival 2 s ahead leads; the one 3 s behind may still wait on the grid.
        assert cars[0]["car_index"] == RIVALS[0][0]
        assert cars[0]["driver"] == f"{RIVALS[0][2]} {RIVALS[0][3]}"
        assert all(c["race_number"] == 10 + c["car_index"] for c in cars)
        missing = await client.get("/api/live/nope/cars")
        assert missing.status_code == 404 and "nope" in missing.json()["detail"]
        single = await client.get("/api/live/pcars/cars")
        assert single.status_code == 400 and "one car only" in single.json()["detail"]
