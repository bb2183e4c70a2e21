"""The UDP runner and the CLI: real loopback sockets, pacing, stopping, validation."""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from paddock.sources.simulator import Simulator, SpeedProfile, Track, cli, runner

Encode = Callable[[dict[str, Any]], bytes]


class Receiver:
    """Drains a UDP socket bound on 127.0.0.1 in a background thread."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.address: tuple[str, int] = self.sock.getsockname()
        self.datagrams: list[bytes] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while not self._done.is_set():
            try:
                self.datagrams.append(self.sock.recv(65536))
            except TimeoutError:
                continue

    def wait_for(self, count: int, timeout_s: float = 2.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.datagrams) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self) -> None:
        self._done.set()
        self._thread.join(1.0)
        self.sock.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rx = Receiver()
    yield rx
    rx.close()


@pytest.fixture(scope="module")
def small_track(short_lap: SpeedProfile) -> Track:
    """The bundled track already scaled to a 12 s lap (saves fitting it in every test)."""
    return short_lap.track


def test_run_sends_real_udp_in_real_time(
    receiver: Receiver, fake_encode: Encode, small_track: Track
) -> None:
    sim = Simulator(to=receiver.address, rate_hz=60.0, track=small_track, encode=fake_encode)
    started = time.monotonic()
    stats = sim.run(duration_s=0.5)
    elapsed = time.monotonic() - started
    assert stats.ticks == 30
    assert 0.4 <= elapsed <= 1.5
    receiver.wait_for(stats.datagrams)
    assert stats.send_errors == 0
    assert len(receiver.datagrams) == stats.datagrams
    assert sum(len(d) for d in receiver.datagrams) == stats.bytes_sent
    packets = [json.loads(d) for d in receiver.datagrams]
    tags = [p["packet"] for p in packets]
    assert tags.count("telemetry") == 30
    assert tags.count("timings") == 30
    assert [p["packet_number"] for p in packets] == list(range(len(packets)))


def test_fast_run_stops_after_whole_laps(receiver: Receiver) -> None:
    sim = Simulator(
        to=receiver.address, lap_seconds=12.0, encode=lambda _: b"x", realtime=False, rate_hz=30.0
    )
    stats = sim.run(laps=2)
    assert stats.laps_completed == 2
    truth = sim.ground_truth()
    assert truth["game"] == "project_cars_2"
    assert truth["target_lap_seconds"] == 12.0
    assert [lap["lap"] for lap in truth["laps"]] == [1, 2]
    assert truth["laps"][0]["lap_time_s"] == pytest.approx(12.0, rel=0.03)
    assert stats.ticks == pytest.approx(2 * sim.lap_time_s * 30.0, abs=2)
    more = sim.run(laps=1)
    assert more.laps_completed == 3


def test_thread_stops_promptly(receiver: Receiver, fake_encode: Encode, small_track: Track) -> None:
    sim = Simulator(to=receiver.address, track=small_track, encode=fake_encode)
    thread = sim.start_thread()
    time.sleep(0.2)
    assert thread.is_alive()
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 0.2
    assert not thread.is_alive()
    assert sim.last_stats is not None
    assert sim.last_stats.ticks > 0


def test_external_stop_event(receiver: Receiver, fake_encode: Encode, small_track: Track) -> None:
    sim = Simulator(to=receiver.address, track=small_track, encode=fake_encode)
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    sim.run(stop=stop, duration_s=10.0)
    assert time.monotonic() - started < 0.4


def test_thread_errors_surface_on_stop(receiver: Receiver, small_track: Track) -> None:
    def broken(_: dict[str, Any]) -> bytes:
        raise RuntimeError("encoder failed")

    sim = Simulator(to=receiver.address, track=small_track, encode=broken)
    sim.start_thread(duration_s=1.0).join(1.0)
    with pytest.raises(RuntimeError, match="encoder failed"):
        sim.stop()


@pytest.mark.parametrize("game", runner.SUPPORTED_GAMES)
def test_every_listed_game_is_simulated(game: str) -> None:
    sim = Simulator(game=game, to=("127.0.0.1", 1))
    assert runner.GAME_NAMES[game] in sim.describe()


def test_bad_arguments(fake_encode: Encode, small_track: Track) -> None:
    with pytest.raises(ValueError, match="unknown game"):
        Simulator(game="gran_turismo", encode=fake_encode)
    with pytest.raises(ValueError, match="rate"):
        Simulator(rate_hz=0.0, encode=fake_encode)
    sim = Simulator(track=small_track, encode=fake_encode)
    with pytest.raises(ValueError, match="negative"):
        sim.run(duration_s=-1.0)


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="paddock simulate")
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_defaults() -> None:
    args = _parse()
    assert args.game == "project_cars_2"
    assert args.to is None  # 127.0.0.1:5606, or :9996 for assetto_corsa
    assert args.rate == 60.0
    assert args.track == "paddock_park"
    assert (args.lap_seconds, args.laps, args.duration, args.truth_out) == (None, None, None, None)
    assert args.realtime is True
    assert _parse("--realtime", "false").realtime is False


@pytest.mark.parametrize(
    "value", ["localhost", "127.0.0.1:", ":5606", "127.0.0.1:0", "h:99999", "h:x"]
)
def test_cli_rejects_bad_destinations(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _parse("--to", value)
    assert exit_info.value.code == 2
    assert "--to" in capsys.readouterr().err


def test_cli_parses_destinations() -> None:
    assert cli.parse_host_port("10.0.0.2:9000") == ("10.0.0.2", 9000)
    assert cli.parse_host_port("[::1]:5606") == ("::1", 5606)


def test_cli_run_writes_ground_truth(
    receiver: Receiver,
    fake_encode: Encode,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(runner, "default_encoder", lambda: fake_encode)
    host, port = receiver.address
    truth = tmp_path / "truth.json"
    args = _parse(
        "--to", f"{host}:{port}", "--lap-seconds", "12", "--laps", "1",
        "--realtime", "false", "--truth-out", str(truth),
    )  # fmt: skip
    assert cli.run(args) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert f"{host}:{port}" in out[0]
    assert "Project CARS 2" in out[0]
    written = json.loads(truth.read_text())
    assert [lap["lap"] for lap in written["laps"]] == [1]
    receiver.wait_for(10)
    assert receiver.datagrams


def test_cli_rejects_unknown_games(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parse("--game", "gran_turismo")
    assert "invalid choice" in capsys.readouterr().err


def test_cli_ctrl_c_still_writes_truth(
    fake_encode: Encode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "default_encoder", lambda: fake_encode)

    def interrupted(self: Simulator, **_: Any) -> None:
        self.driver.step()
        raise KeyboardInterrupt

    monkeypatch.setattr(Simulator, "run", interrupted)
    truth = tmp_path / "truth.json"
    assert cli.run(_parse("--truth-out", str(truth))) == 0
    assert json.loads(truth.read_text())["laps"] == []


def test_project_cars_1_over_real_udp(receiver: Receiver, small_track: Track) -> None:
    pcars1 = pytest.importorskip("paddock.protocols.pcars1")
    # Unpaced, the whole run arrives at once: room for all of it in the socket buffer.
    receiver.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sim = Simulator(
        game="project_cars_1", to=receiver.address, rate_hz=20.0, track=small_track, realtime=False
    )
    assert "Project CARS 1" in sim.describe()
    stats = sim.run(duration_s=13.0)
    receiver.wait_for(stats.datagrams)
    assert stats.send_errors == 0
    assert len(receiver.datagrams) == stats.datagrams
    packets = [pcars1.decode(d) for d in receiver.datagrams]
    tags = [p["packet"] for p in packets]
    assert tags.count("telemetry") == stats.ticks
    assert tags[0] == "participant_strings"
    assert {len(d) for d in receiver.datagrams} == {1367, 1347}
    strings = packets[0]
    assert strings["car_name"] == sim.car.name
    assert strings["name"][0] == "Paddock Driver"
    sequences = [p["packet_type_sequence"] >> 2 for p in packets]
    assert sequences[:70] == [i & 0x3F for i in range(70)]
    assert stats.laps_completed == 1

    ts = list(range(len(receiver.datagrams)))
    pa = pytest.importorskip("pyarrow")
    frames = pa.record_batch(pcars1.frames(receiver.datagrams, ts_ns=ts)).to_pydict()
    assert len(frames["speed_kmh"]) == stats.ticks
    assert max(frames["speed_kmh"]) > 50
    assert max(frames["lap"]) == 2
    assert set(frames["sector"]) == {1.0, 2.0, 3.0}
    # The running sector time restarts at each sector and stays below the lap time.
    assert all(
        st is not None and lt is not None and st <= lt + 1e-6
        for st, lt in zip(frames["sector_time_s"], frames["lap_time_s"], strict=True)
    )
    assert frames["last_lap_s"][-1] == pytest.approx(sim.lap_time_s, abs=0.05)
