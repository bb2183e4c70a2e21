"""The CAN feed on python-can buses: decoded rows and raw frames, counters, a bus that fails."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import can
import polars as pl
import pytest

from paddock.can import CanDecoder
from paddock.can._raw import decode_records, encode_records
from paddock.config import Settings
from paddock.sources.can_bus import CanSource, can_feed
from tests.canbus.small_dbc import ENGINE_ID, WHEELS_ID, database, write_small_dbc
from tests.conftest import wait_until

_channels = itertools.count()


@pytest.fixture
def channel() -> str:
    """A virtual bus channel of this test alone."""
    return f"paddock-test-{time.monotonic_ns()}-{next(_channels)}"


@pytest.fixture
def dbc(tmp_path: Path) -> Path:
    return write_small_dbc(tmp_path)


@pytest.fixture
def sender(channel: str) -> Iterator[can.BusABC]:
    bus = can.Bus(interface="virtual", channel=channel)
    yield bus
    bus.shutdown()


def engine(rpm: float, coolant: int, gear: int) -> can.Message:
    data = (
        database()
        .get_message_by_name("ENGINE")
        .encode({"RPM": rpm, "COOLANT": coolant, "GEAR": gear})
    )
    return can.Message(arbitration_id=ENGINE_ID, data=data, is_extended_id=False)


def wheels(speed: float, steer: float) -> can.Message:
    data = database().get_message_by_name("WHEELS").encode({"SPEED": speed, "STEER": steer})
    return can.Message(arbitration_id=WHEELS_ID, data=data, is_extended_id=True)


def drained(feed: CanSource, frames: int, timeout_s: float = 10.0) -> tuple[pl.DataFrame, ...]:
    """Drains the feed until ``frames`` raw frames came out; returns (raw, rows)."""
    raws: list[pl.DataFrame] = []
    rows: list[pl.DataFrame] = []

    def enough() -> bool:
        batch = feed.drain()
        raws.append(pl.DataFrame(batch.raw))
        rows.append(pl.DataFrame(batch.frames))
        return sum(r.height for r in raws) >= frames

    assert wait_until(enough, timeout_s), f"fewer than {frames} frames arrived"
    return pl.concat(raws), pl.concat(rows, how="diagonal_relaxed")


def test_frames_on_a_virtual_bus_are_decoded_and_kept_raw(
    channel: str, dbc: Path, sender: can.BusABC
) -> None:
    feed = CanSource(
        interface="virtual",
        channel=channel,
        decoder=CanDecoder.from_dbc(dbc),
        dbc_paths=[dbc],
        ring_capacity=1000,
    )
    feed.start()
    try:
        assert wait_until(lambda: feed.status().state == "listening")
        sent = [engine(1000 + 250 * i, 80 + i, i % 7) for i in range(50)]
        sent += [wheels(10.5 * i, -20.0 + i) for i in range(30)]
        sent.append(can.Message(arbitration_id=0x7AB, data=b"\x01\x02", is_extended_id=False))
        sent.append(can.Message(arbitration_id=ENGINE_ID, data=b"\x01", is_extended_id=False))
        sent.append(can.Message(is_error_frame=True, arbitration_id=0x4, dlc=0))
        sent.append(can.Message(arbitration_id=ENGINE_ID, is_remote_frame=True, dlc=8, data=None))
        for msg in sent:
            sender.send(msg)
        raw, rows = drained(feed, len(sent))
    finally:
        feed.stop()
    # Every frame is kept raw, in order, and reads back as sent.
    frames = decode_records(raw)
    assert frames.height == len(sent)
    assert frames["id"].to_list() == [m.arbitration_id for m in sent]
    assert frames["data"].to_list() == [bytes(m.data or b"") for m in sent]
    assert frames["extended"].to_list() == [m.is_extended_id for m in sent]
    assert frames["error"].sum() == 1 and frames["remote"].sum() == 1
    # One row per decoded frame, values as cantools decodes them, other signals null.
    assert rows.height == 80
    engine_rows = rows.filter(pl.col("ENGINE.RPM").is_not_null())
    assert engine_rows["ENGINE.RPM"].to_list() == [1000 + 250 * i for i in range(50)]
    assert engine_rows["ENGINE.GEAR"].to_list() == [i % 7 for i in range(50)]
    assert engine_rows["WHEELS.SPEED"].null_count() == 50
    wheel_rows = rows.filter(pl.col("WHEELS.SPEED").is_not_null())
    assert wheel_rows["WHEELS.SPEED"].to_list() == pytest.approx([10.5 * i for i in range(30)])
    assert wheel_rows["WHEELS.STEER"].to_list() == pytest.approx([-20.0 + i for i in range(30)])
    c = feed.counters()
    assert (c.frames, c.decoded, c.unknown_id, c.short) == (len(sent), 80, 1, 1)
    assert (c.error_frames, c.remote_frames) == (1, 1)
    assert c.unknown_ids == {(0x7AB, False): 1}
    assert c.short_by_message == {"ENGINE": 1}
    assert c.last_error is not None and "error frame" in c.last_error
    # The ring holds the rows for live views.
    assert len(feed.last(1000)) == 80
    assert feed.status().packets == len(sent)
    assert feed.status().kind == "can"


def test_raw_records_round_trip_classic_fd_and_flags() -> None:
    data = [b"", b"\x01", bytes(range(8)), bytes(range(64))]
    batch = encode_records(
        [1, 2, 3, 4],
        [0x1, 0x7FF, 0x1FFFFFFF, 0x123],
        data,
        extended=[False, False, True, False],
        remote=[True, False, False, False],
        error=[False, True, False, False],
        fd=[False, False, False, True],
        brs=[False, False, False, True],
        esi=[False, False, False, True],
        rx=[True, True, False, True],
        dlc=[4, 1, 8, 15],
    )
    back = decode_records(batch)
    assert back["ts_ns"].to_list() == [1, 2, 3, 4]
    assert back["id"].to_list() == [0x1, 0x7FF, 0x1FFFFFFF, 0x123]
    assert back["data"].to_list() == data
    assert back["remote"].to_list() == [True, False, False, False]
    assert back["error"].to_list() == [False, True, False, False]
    assert back["extended"].to_list() == [False, False, True, False]
    assert back["fd"].to_list() == back["brs"].to_list() == back["esi"].to_list()
    assert back["rx"].to_list() == [True, True, False, True]
    assert back["dlc"].to_list() == [4, 1, 8, 15]


class FlakyBus(can.BusABC):  # type: ignore[misc]
    """A virtual bus whose ``recv`` raises once ``unplugged`` is set, as an adapter pulled out."""

    def __init__(self, channel: str, state: dict[str, Any]) -> None:
        self._inner = can.Bus(interface="virtual", channel=channel)
        self._state = state
        super().__init__(channel=channel)

    def _recv_internal(self, timeout: float | None) -> tuple[can.Message | None, bool]:
        if self._state["unplugged"]:
            raise can.CanOperationError("device not found (adapter unplugged)")
        return self._inner.recv(timeout), False

    def send(self, msg: can.Message, timeout: float | None = None) -> None:
        self._inner.send(msg, timeout)

    def shutdown(self) -> None:
        self._inner.shutdown()
        super().shutdown()


class RecordingSleeps(CanSource):
    """The feed with its backoff waits recorded (and kept short)."""

    waits: list[float]
    reasons: list[str | None]

    def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.reasons.append(self.status().reason)
        super()._sleep(0.01)


def test_a_bus_that_fails_is_unavailable_retried_with_backoff_and_keeps_its_rows(
    channel: str, dbc: Path, sender: can.BusABC
) -> None:
    state: dict[str, Any] = {"unplugged": False, "opens": 0, "refuse": 0}

    def open_bus() -> can.BusABC:
        state["opens"] += 1
        if state["refuse"] > 0:
            state["refuse"] -= 1
            raise can.CanInitializationError("No such device: /dev/ttyACM0")
        return FlakyBus(channel, state)

    feed = RecordingSleeps(
        decoder=CanDecoder.from_dbc(dbc),
        bus_factory=open_bus,
        backoff_s=0.5,
        backoff_max_s=2.0,
        ring_capacity=1000,
    )
    feed.waits, feed.reasons = [], []
    feed.start()
    try:
        assert wait_until(lambda: feed.status().state == "listening")
        for i in range(20):
            sender.send(engine(2000 + i, 90, 2))
        assert wait_until(lambda: feed.counters().frames == 20)
        # Unplugged: recv raises; reopening fails four times, then the adapter is back.
        state["refuse"] = 4
        state["unplugged"] = True
        assert wait_until(lambda: feed.status().state == "unavailable")
        state["unplugged"] = False
        assert wait_until(lambda: feed.counters().reconnects == 1)
        assert wait_until(lambda: feed.status().state == "listening")
        # Waits doubled from 0.5 s up to the 2 s cap: after the recv failure, then per refusal.
        assert feed.waits == [0.5, 1.0, 2.0, 2.0, 2.0]
        # The feed said why while it waited: the failed receive, then each refused reopening.
        assert "bus failed while receiving" in (feed.reasons[0] or "")
        assert "adapter unplugged" in (feed.reasons[0] or "")
        assert all("No such device" in (r or "") for r in feed.reasons[1:])
        assert "No such device" in (feed.counters().last_error or "")
        # What arrived before the failure stayed; frames flow again after the reconnect.
        assert len(feed.last(1000)) == 20
        for i in range(5):
            sender.send(engine(3000 + i, 91, 3))
        assert wait_until(lambda: feed.counters().frames == 25)
        rpm = pl.DataFrame(feed.last(1000))["ENGINE.RPM"].to_list()
        assert rpm == [2000 + i for i in range(20)] + [3000 + i for i in range(5)]
    finally:
        feed.stop()
    assert feed.status().state == "stopped"


def test_can_is_off_unless_configured_and_a_bad_dbc_leaves_the_feed_unavailable(
    settings: Settings, tmp_path: Path
) -> None:
    assert can_feed(settings) is None
    bad = tmp_path / "bad.dbc"
    bad.write_text('VERSION ""\nBO_ 1 X: 8 ECU\n SG_ broken : 0|8@1+ (1,0) [0|1] "" A\nBO_ !!\n')
    feed = can_feed(settings.with_(can_dbc=(bad,)))
    assert feed is not None
    feed.start()
    try:
        status = feed.status()
        assert status.state == "unavailable"
        assert status.reason is not None and "bad.dbc" in status.reason
    finally:
        feed.stop()


def test_can_settings_from_flags_and_environment(tmp_path: Path) -> None:
    env = {
        "PADDOCK_CAN_INTERFACE": "socketcan",
        "PADDOCK_CAN_CHANNEL": "can0",
        "PADDOCK_CAN_BITRATE": "1000000",
        "PADDOCK_CAN_DBC": f"{tmp_path / 'a.dbc'},{tmp_path / 'b.dbc'}",
    }
    s = Settings.from_env(env, data_dir=tmp_path)
    assert (s.can_interface, s.can_channel, s.can_bitrate) == ("socketcan", "can0", 1_000_000)
    assert s.can_dbc == (tmp_path / "a.dbc", tmp_path / "b.dbc")
    flags = Settings.from_env(env, data_dir=tmp_path, can_dbc=["x.dbc"], can_bitrate=250_000)
    assert flags.can_dbc == (Path("x.dbc"),) and flags.can_bitrate == 250_000
    default = Settings.from_env({}, data_dir=tmp_path)
    assert (default.can_interface, default.can_channel, default.can_bitrate) == (
        "virtual",
        None,
        500_000,
    )
    from paddock.config import ConfigError

    with pytest.raises(ConfigError, match="can_bitrate"):
        Settings.from_env({"PADDOCK_CAN_BITRATE": "12"}, data_dir=tmp_path)


def test_serve_flags_for_can() -> None:
    from paddock.cli import build_parser

    args = build_parser().parse_args(
        [
            "serve",
            "--can-interface",
            "slcan",
            "--can-channel",
            "/dev/ttyACM0",
            "--can-bitrate",
            "1000000",
            "--can-dbc",
            "a.dbc",
            "b.dbc",
            "--car",
            "bmw_e46_m3",
            "--simulate-speed",
            "2",
            "--simulate-lap-seconds",
            "60",
        ]
    )
    assert (args.can_interface, args.can_channel, args.can_bitrate) == (
        "slcan",
        "/dev/ttyACM0",
        1_000_000,
    )
    assert args.can_dbc == ["a.dbc", "b.dbc"] and args.car == "bmw_e46_m3"
    assert (args.simulate_speed, args.lap_seconds) == (2.0, 60.0)


@pytest.mark.parametrize("longest", [8, 64])
def test_a_list_of_bytes_decodes_as_the_same_payloads_as_an_arrow_array(
    dbc: Path, longest: int
) -> None:
    """Payloads up to 8 bytes take the fixed-slot copy, a longer one the offsets copy."""
    import random

    import pyarrow as pa

    rng = random.Random(longest)
    decoder = CanDecoder.from_dbc(dbc)
    n = 5000
    ids = [rng.choice([ENGINE_ID, WHEELS_ID, 0x7FF]) for _ in range(n)]
    data = [rng.randbytes(rng.randint(0, 8)) for _ in range(n)]
    data[n // 2] = rng.randbytes(longest)
    ext = [i == WHEELS_ID for i in ids]
    from_list = decoder.decode(list(range(n)), ids, data, ext)
    from_arrow = decoder.decode(list(range(n)), ids, pa.array(data, pa.binary()), ext)
    assert from_list.stats == from_arrow.stats
    assert from_list.stats.short > 0 and from_list.stats.decoded > 0
    assert from_list.keys() == from_arrow.keys()
    for name, frame in from_list.items():
        assert frame.equals(from_arrow[name])
