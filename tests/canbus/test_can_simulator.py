"""The CAN simulator: the simulated car's frames on a python-can bus decode back to its values."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import can
import numpy as np
import polars as pl
import pytest

from paddock.can import load_car
from paddock.sources.simulator.canbus import CanSimulator, bus_factory, canonical_values
from paddock.sources.simulator.driver import CarState, Driver

LAP_SECONDS = 20.0


@pytest.fixture
def channel() -> str:
    return f"paddock-test-{uuid.uuid4().hex}"


@pytest.fixture
def listener(channel: str) -> Iterator[can.BusABC]:
    bus = can.Bus(interface="virtual", channel=channel, preserve_timestamps=True)
    yield bus
    bus.shutdown()


def _drain(bus: can.BusABC) -> list[can.Message]:
    out = []
    while (message := bus.recv(timeout=0)) is not None:
        out.append(message)
    return out


def _decode(sim: CanSimulator, messages: list[can.Message]):  # type: ignore[no-untyped-def]
    decoder = sim.car.decoder()
    return decoder.decode(
        [round((m.timestamp - sim.epoch_s) * 1e9) for m in messages],
        [m.arbitration_id for m in messages],
        [bytes(m.data) for m in messages],
    )


def _truth(sim: CanSimulator, ticks: int) -> list[CarState]:
    """The same car driven again, tick for tick, without a bus."""
    driver = Driver(sim.profile, rate_hz=sim.tick_hz, ambient_c=sim.ambient_c)
    return [driver.step() for _ in range(ticks)]


def test_frames_decode_to_the_simulated_values(channel: str, listener: can.BusABC) -> None:
    sim = CanSimulator(
        "bmw_e46_m3",
        bus_factory("virtual", channel),
        lap_seconds=LAP_SECONDS,
        realtime=False,
    )
    duration = 1.1 * LAP_SECONDS
    stats = sim.run(duration_s=duration)
    messages = _drain(listener)
    assert stats.send_errors == 0
    assert len(messages) == stats.frames > 0
    decoded = _decode(sim, messages)
    assert decoded.stats.unknown_id == decoded.stats.short == 0
    assert decoded.stats.decoded == len(messages)

    # Every frame at its own rate.
    car = sim.car
    rates = car.frame_rates()
    assert set(stats.frames_by_id) == set(rates)
    for frame_id, rate in rates.items():
        expected = duration * rate
        assert abs(stats.frames_by_id[frame_id] - expected) <= 1, hex(frame_id)

    # Values at each frame's tick equal the simulated car's, within the DBC's resolution.
    truth = _truth(sim, stats.ticks)
    tick_of = lambda df: np.rint(df["ts_ns"].to_numpy() / 1e9 * sim.tick_hz).astype(int)  # noqa: E731
    engine = decoded["AIM_ENGINE"]
    vehicle = decoded["AIM_VEHICLE"]
    brakes = decoded["AIM_BRAKES"]
    steering = decoded["AIM_STEERING"]
    for row, tick in zip(engine.iter_rows(named=True), tick_of(engine), strict=True):
        state = truth[tick]
        assert row["rpm"] == pytest.approx(state.rpm, abs=0.5)
        assert row["throttle_pos"] == pytest.approx(100 * state.throttle, abs=0.05 + 1e-9)
    for row, tick in zip(vehicle.iter_rows(named=True), tick_of(vehicle), strict=True):
        state = truth[tick]
        assert row["vehicle_speed"] == pytest.approx(state.speed_ms * 3.6, abs=0.005 + 1e-9)
        assert row["gear"] == state.gear
        assert row["clutch_pos"] == pytest.approx(100 * state.clutch, abs=0.25 + 1e-9)
    for row, tick in zip(brakes.iter_rows(named=True), tick_of(brakes), strict=True):
        assert row["brake_press_front"] == pytest.approx(100 * truth[tick].brake, abs=0.005 + 1e-9)
    for row, tick in zip(steering.iter_rows(named=True), tick_of(steering), strict=True):
        assert row["steering_angle"] == pytest.approx(-400 * truth[tick].steering, abs=0.05 + 1e-9)
    # The car really drove: braking, full throttle and several gears are in there.
    assert brakes["brake_press_front"].max() > 50
    assert engine["throttle_pos"].max() > 99
    assert vehicle["gear"].n_unique() >= 2

    # Canonical view: the car's conversion gives the registry's channels back.
    wide = car.canonical(decoded)
    ticks = np.rint(wide["ts_ns"].to_numpy() / 1e9 * sim.tick_hz).astype(int)
    speeds = wide["speed_kmh"].to_numpy()
    for tick, speed, brake in itertools.islice(
        zip(ticks, speeds, wide["brake"].to_numpy(), strict=True), 5, None, 37
    ):
        # Held values lag at most one frame period behind the tick.
        lagged = [truth[t] for t in range(max(tick - 2, 0), tick + 1)]
        assert min(abs(speed - s.speed_ms * 3.6) for s in lagged) < 0.01
        assert min(abs(brake - s.brake) for s in lagged) < 0.001
    assert wide.schema["gear"] == pl.Int32


def test_lap_time_follows_lap_seconds(channel: str, listener: can.BusABC) -> None:
    sim = CanSimulator(
        "bmw_e46_m3", bus_factory("virtual", channel), lap_seconds=LAP_SECONDS, realtime=False
    )
    stats = sim.run(laps=2, duration_s=3 * LAP_SECONDS)
    assert stats.laps_completed == 2
    decoded = _decode(sim, _drain(listener))
    laps = decoded["AIM_LAP_TIMES"]
    page0 = laps.filter(pl.col("lap_times_page") == 0)
    page1 = laps.filter(pl.col("lap_times_page") == 1)
    assert page0.height > 0 and page1.height > 0
    assert page0["predicted_lap_time"].null_count() == page0.height  # not on this page
    last = page0.filter(pl.col("last_lap_time") > 0)["last_lap_time"]
    assert last.len() > 0
    assert last[-1] == pytest.approx(sim.lap_time_s, abs=0.001)
    assert sim.lap_time_s == pytest.approx(LAP_SECONDS, rel=0.01)
    lap = decoded["AIM_LAP"]
    assert lap["lap_number"].min() == 1 and lap["lap_number"].max() >= 2
    # Lap 2 starts one lap time in (the first 10 Hz frame after the line), with the beacon.
    second = lap.filter(pl.col("lap_number") == 2)["ts_ns"][0] / 1e9
    assert sim.lap_time_s - 1e-6 <= second < sim.lap_time_s + 0.1 + 1e-6
    beacons = lap.filter(pl.col("beacon") == 1)["ts_ns"] / 1e9
    assert beacons[0] == pytest.approx(second) and beacons.max() <= second + 0.1 + 1e-6


def test_realtime_pacing_honours_speed(channel: str, listener: can.BusABC) -> None:
    sim = CanSimulator(
        "bmw_e46_m3", bus_factory("virtual", channel), speed=20.0, lap_seconds=LAP_SECONDS
    )
    assert sim.wall_seconds_per_tick == pytest.approx(1 / (sim.tick_hz * 20.0))
    stats = sim.run(duration_s=2.0)
    messages = _drain(listener)
    span = messages[-1].timestamp - messages[0].timestamp
    assert span == pytest.approx(2.0 - 1 / sim.tick_hz, abs=1e-6)
    assert stats.ticks == 200


def test_start_stop_in_a_thread(channel: str, listener: can.BusABC) -> None:
    sim = CanSimulator("bmw_e46_m3", bus_factory("virtual", channel), speed=5.0)
    sim.start()
    try:
        deadline = time.monotonic() + 10
        got: list[can.Message] = []
        while len(got) < 200 and time.monotonic() < deadline:
            message = listener.recv(timeout=0.5)
            if message is not None:
                got.append(message)
        assert len(got) >= 200
        with pytest.raises(RuntimeError, match="already running"):
            sim.start()
    finally:
        sim.stop()
    assert not sim.running
    assert sim.last_stats is not None and sim.last_stats.frames >= 200


def test_canonical_values_of_a_state() -> None:
    car = load_car("bmw_e46_m3")
    sim = CanSimulator(car, bus_factory("virtual", "unused"), lap_seconds=LAP_SECONDS)
    state = _truth(sim, 1)[0]
    values = canonical_values(state, (50.0, 7.0, 100.0), 20.0)
    assert values["speed_kmh"] == pytest.approx(state.speed_ms * 3.6)
    assert values["lat_deg"] == pytest.approx(50.0, abs=0.05)
    assert 0.0 <= values["heading_deg"] < 360.0
    # Every canonical channel the car feeds gets a value from the simulator.
    assert {c.canonical for c in car.canonical_channels()} - set(values) <= {
        "last_lap_s",
        "best_lap_s",
    }


def test_bad_speed_is_refused() -> None:
    with pytest.raises(ValueError, match="speed"):
        CanSimulator("bmw_e46_m3", bus_factory("virtual", "unused"), speed=0.0)


@pytest.mark.e2e
def test_simulator_process_feeds_another_process_over_udp_multicast() -> None:
    """``paddock simulate --can`` in its own process reaches this one on ``udp_multicast``."""
    pytest.importorskip("msgpack")
    group = f"239.74.{random.randint(1, 254)}.{random.randint(1, 254)}"
    try:
        bus = can.Bus(interface="udp_multicast", channel=group)
    except OSError as exc:  # no multicast on this machine's loopback
        pytest.skip(f"udp_multicast bus cannot be opened here: {exc}")
    command = [
        sys.executable,
        "-m",
        "paddock.cli",
        "simulate",
        "--can",
        "--can-interface",
        "udp_multicast",
        "--can-channel",
        group,
        "--simulate-speed",
        "4",
        "--duration",
        "4",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        got: list[can.Message] = []
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            message = bus.recv(timeout=0.2)
            if message is not None:
                got.append(message)
        got.extend(_drain(bus))
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)
        bus.shutdown()
    assert process.returncode == 0, err
    assert "sent " in out
    car = load_car("bmw_e46_m3")
    decoded = car.decoder().decode(
        [round(m.timestamp * 1e9) for m in got],
        [m.arbitration_id for m in got],
        [bytes(m.data) for m in got],
    )
    assert decoded.stats.unknown_id == 0 and decoded.stats.short == 0
    # Multicast on loopback may drop a datagram; nearly all 4 s of every frame arrive.
    for frame_id, rate in car.frame_rates().items():
        name = next(c.message for c in car.channels if c.frame_id == frame_id)
        assert decoded[name].height >= 0.9 * 4 * rate, name
    assert decoded["AIM_VEHICLE"]["vehicle_speed"].max() > 10
