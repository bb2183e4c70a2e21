"""The ``paddock`` command: ``serve``, ``simulate`` and ``import``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from paddock.config import ConfigError, Settings
from paddock.games import SIMULATED_GAMES as SUPPORTED_GAMES


def _serve(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env(
            host=args.host,
            port=args.port,
            data_dir=args.data_dir,
            listen=args.listen,
            game_host=args.game_host,
            pcars_port=args.pcars_port,
            ac_port=args.ac_port,
            ttool_port=args.ttool_port,
            acc_port=args.acc_port,
            acc_password=args.acc_password,
            simulate=True if args.simulate else None,
            sim_game=args.sim_game,
            sim_lap_seconds=args.lap_seconds,
            sim_rate_hz=args.sim_rate,
            api_token=args.api_token,
        )
    except ConfigError as exc:
        print(f"paddock serve: {exc}", file=sys.stderr)
        return 2
    # The ASGI factory runs in granian's worker and reads the same settings from the environment.
    env = {
        "PADDOCK_HOST": settings.host,
        "PADDOCK_PORT": str(settings.port),
        "PADDOCK_DATA_DIR": str(settings.data_dir),
        "PADDOCK_LISTEN": settings.listen,
        "PADDOCK_GAME_HOST": settings.game_host,
        "PADDOCK_PCARS_PORT": str(settings.pcars_port),
        "PADDOCK_AC_PORT": str(settings.ac_port),
        "PADDOCK_TTOOL_PORT": str(settings.ttool_port),
        "PADDOCK_ACC_PORT": str(settings.acc_port),
        "PADDOCK_ACC_PASSWORD": settings.acc_password,
        "PADDOCK_SIM_GAME": settings.sim_game,
        "PADDOCK_SIMULATE": "true" if settings.simulate else "false",
        "PADDOCK_SIM_RATE_HZ": str(settings.sim_rate_hz),
    }
    if settings.sim_lap_seconds is not None:
        env["PADDOCK_SIM_LAP_SECONDS"] = str(settings.sim_lap_seconds)
    if settings.api_token:
        env["PADDOCK_API_TOKEN"] = settings.api_token
    # The worker stops itself when this process dies (even by SIGKILL): see paddock.api.runtime.
    env["PADDOCK_SUPERVISOR_PID"] = str(os.getpid())
    os.environ.update(env)

    from granian.constants import Interfaces
    from granian.server import Server

    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"paddock serving on http://{host}:{settings.port}  (API docs: /docs)", flush=True)
    if settings.simulate:
        port = {
            "assetto_corsa": settings.ac_port,
            "assetto_corsa_competizione": settings.acc_port,
        }.get(settings.sim_game, settings.pcars_port)
        print(
            f"simulator: {settings.sim_game} on UDP {port} at {settings.sim_rate_hz:g} Hz",
            flush=True,
        )
    print(f"data directory: {settings.data_dir}", flush=True)
    Server(
        "paddock.api.app:app_from_env",
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        factory=True,
        workers=1,
        log_access=False,
    ).serve()
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from paddock.sources.simulator import cli as simulator_cli

    return simulator_cli.run(args)


def _import(args: argparse.Namespace) -> int:
    from paddock import importer_cli

    return importer_cli.run(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``paddock`` command."""
    parser = argparse.ArgumentParser(prog="paddock", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the API server and the feeds")
    serve.add_argument("--host", help="API bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="API port (default 8080)")
    serve.add_argument("--data-dir", help="catalog and recordings (default per user)")
    serve.add_argument("--listen", help="local address the UDP feeds bind (default 0.0.0.0)")
    serve.add_argument("--game-host", help="address of the game machine (default 127.0.0.1)")
    serve.add_argument("--pcars-port", type=int, help="Project CARS UDP port (default 5606)")
    serve.add_argument("--ac-port", type=int, help="Assetto Corsa's UDP port (default 9996)")
    serve.add_argument(
        "--ttool-port", type=int, help="Telemetry Tool plugin UDP port (default 10101)"
    )
    serve.add_argument(
        "--acc-port", type=int, help="ACC broadcasting port at the game host (default 9000)"
    )
    serve.add_argument("--acc-password", help="ACC broadcasting connection password")
    serve.add_argument("--simulate", action="store_true", help="run the simulator too")
    serve.add_argument(
        "--sim-game",
        choices=SUPPORTED_GAMES,
        help="game the simulator plays (default project_cars_2)",
    )
    serve.add_argument("--lap-seconds", type=float, help="simulator: scale the track's lap time")
    serve.add_argument(
        "--sim-rate", type=float, help="simulator: packets a second, 0 < rate <= 1000 (default 60)"
    )
    serve.add_argument("--api-token", help="require this bearer token (needed off loopback)")
    serve.set_defaults(func=_serve)

    simulate = sub.add_parser("simulate", help="drive a simulated car and send game telemetry")
    from paddock.sources.simulator import cli as simulator_cli

    simulator_cli.add_arguments(simulate)
    simulate.set_defaults(func=_simulate)

    importer = sub.add_parser("import", help="import a VBO or MCAP file into a session")
    from paddock import importer_cli

    importer_cli.add_arguments(importer)
    importer.set_defaults(func=_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``paddock`` command."""
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
