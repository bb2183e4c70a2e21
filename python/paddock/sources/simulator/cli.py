"""Command-line options and entry point of ``paddock simulate``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from paddock.games import game as game_info
from paddock.sources.simulator.layouts import DEFAULT_TRACK
from paddock.sources.simulator.runner import SUPPORTED_GAMES, Simulator


def parse_host_port(text: str) -> tuple[str, int]:
    """Parse ``HOST:PORT`` (e.g. ``127.0.0.1:5606``) for ``--to``.

    Raises:
        argparse.ArgumentTypeError: If the host is empty or the port is not in 1..65535.

    """
    host, sep, port_text = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT such as 127.0.0.1:5606, got {text!r}")
    try:
        port = int(port_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a number, got {port_text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be in 1..65535, got {port}")
    return host, port


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0.0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the simulator's options to ``parser``."""
    parser.add_argument(
        "--game",
        default="project_cars_2",
        choices=SUPPORTED_GAMES,
        help="wire format to emit: project_cars_2, project_cars_1, assetto_corsa or "
        "assetto_corsa_competizione (the last two bind --to and answer handshakes or "
        "registrations as the games do)",
    )
    parser.add_argument(
        "--to",
        type=parse_host_port,
        default=None,
        metavar="HOST:PORT",
        help="where to send the UDP datagrams (default 127.0.0.1:5606); for assetto_corsa and "
        "assetto_corsa_competizione, the address to listen on (default 127.0.0.1:9996 and "
        "127.0.0.1:9000)",
    )
    parser.add_argument(
        "--password",
        default="",
        help="assetto_corsa_competizione: the connection password clients must register with",
    )
    parser.add_argument(
        "--rate", type=_positive_float, default=60.0, metavar="HZ", help="ticks per second"
    )
    parser.add_argument(
        "--lap-seconds",
        type=_positive_float,
        default=None,
        metavar="S",
        help="scale the track so a lap takes about S seconds",
    )
    parser.add_argument("--laps", type=_positive_int, default=None, help="stop after N laps")
    parser.add_argument(
        "--duration", type=_positive_float, default=None, metavar="S", help="stop after S seconds"
    )
    parser.add_argument(
        "--track",
        default=DEFAULT_TRACK,
        help=f"bundled track name ({DEFAULT_TRACK}) or path to a TUM FTM racetrack CSV",
    )
    parser.add_argument(
        "--truth-out",
        type=Path,
        default=None,
        metavar="PATH",
        help="write the ground truth (lap, sector times, brake points) as JSON at the end",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for the weather")
    parser.add_argument(
        "--realtime",
        type=_boolean,
        default=True,
        metavar="true|false",
        help="pace ticks with the clock (false: send as fast as possible)",
    )
    can_group = parser.add_argument_group(
        "CAN", "--can: send the car's CAN frames (encoded with its DBC) on a python-can bus"
    )
    can_group.add_argument(
        "--can", action="store_true", help="simulate a CAN car config instead of a game"
    )
    can_group.add_argument(
        "--car",
        default=None,
        help="car config id or .yaml path (default bmw_e46_m3)",
    )
    can_group.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where your own car configs are (<data-dir>/cars; default per user)",
    )
    can_group.add_argument(
        "--can-interface",
        default="virtual",
        help="python-can interface (default virtual; udp_multicast crosses processes)",
    )
    can_group.add_argument(
        "--can-channel",
        default=None,
        help="python-can channel (virtual: any name, default paddock; udp_multicast: a group "
        "address, default python-can's)",
    )
    can_group.add_argument(
        "--can-bitrate",
        type=_positive_int,
        default=None,
        help="bit rate for interfaces that set one (default the car's bus bit rate)",
    )
    can_group.add_argument(
        "--simulate-speed",
        type=_positive_float,
        default=1.0,
        metavar="X",
        help="time multiplier: simulated seconds per second (default 1.0)",
    )
    can_group.add_argument(
        "--simulate-lap-seconds",
        type=_positive_float,
        default=None,
        metavar="S",
        help="one simulated lap, seconds (default 60; --lap-seconds is the same)",
    )


def _default_port(game: str) -> int:
    info = game_info(game)
    return 5606 if info is None else info.default_port


def run(args: argparse.Namespace) -> int:
    """Run the simulator with parsed ``args``; returns the process exit code.

    Prints one line saying what is sent where, stops on ``--laps``, ``--duration`` or Ctrl-C,
    and writes the ground truth to ``--truth-out`` whichever way it stopped.
    """
    if getattr(args, "can", False):
        return run_can(args)
    try:
        simulator = Simulator(
            game=args.game,
            to=args.to or ("127.0.0.1", _default_port(args.game)),
            rate_hz=args.rate,
            lap_seconds=args.lap_seconds,
            track=args.track,
            seed=args.seed,
            realtime=args.realtime,
            password=args.password,
        )
    except (ValueError, ImportError, OSError) as exc:
        print(f"paddock simulate: error: {exc}", file=sys.stderr)
        return 2
    print(simulator.describe(), flush=True)
    try:
        simulator.run(duration_s=args.duration, laps=args.laps)
    except KeyboardInterrupt:
        pass
    finally:
        if args.truth_out is not None:
            simulator.write_ground_truth(args.truth_out)
    return 0


def run_can(args: argparse.Namespace) -> int:
    """``paddock simulate --can``: the car's frames on a python-can bus until stopped."""
    from paddock.can.cars import CarConfigError, load_car
    from paddock.config import default_data_dir
    from paddock.sources.simulator.canbus import (
        DEFAULT_CAR,
        DEFAULT_LAP_SECONDS,
        CanSimulator,
        bus_factory,
    )

    lap_seconds = args.simulate_lap_seconds or args.lap_seconds or DEFAULT_LAP_SECONDS
    channel = args.can_channel
    if channel is None and args.can_interface == "virtual":
        channel = "paddock"
    try:
        data_dir = args.data_dir or Path(os.environ.get("PADDOCK_DATA_DIR") or default_data_dir())
        car = load_car(args.car or DEFAULT_CAR, data_dir)
        simulator = CanSimulator(
            car,
            bus_factory(args.can_interface, channel, args.can_bitrate or car.bus.bitrate),
            speed=args.simulate_speed,
            lap_seconds=lap_seconds,
            track=args.track,
            seed=args.seed,
            realtime=args.realtime,
        )
    except (CarConfigError, ValueError, OSError) as exc:
        print(f"paddock simulate: error: {exc}", file=sys.stderr)
        return 2
    where = args.can_interface + (f" channel {channel}" if channel else "")
    print(f"{simulator.describe()}, on {where}", flush=True)
    if args.can_interface == "virtual":
        print(
            "note: python-can's virtual bus only reaches buses in this process; "
            "use --can-interface udp_multicast to feed another process",
            flush=True,
        )
    try:
        stats = simulator.run(duration_s=args.duration, laps=args.laps)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # the bus could not be opened or failed: say so, no traceback
        print(f"paddock simulate: error: {exc}", file=sys.stderr)
        return 1
    print(
        f"sent {stats.frames} frames in {stats.ticks} ticks ({stats.sim_time_s:.1f} s simulated,"
        f" {stats.laps_completed} laps, {stats.send_errors} send errors)",
        flush=True,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run: ``python -m paddock.sources.simulator.cli --laps 2``."""
    parser = argparse.ArgumentParser(
        prog="paddock simulate", description="A simulated car lapping a track over UDP."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
