"""``paddock import FILE``: a VBO, MCAP or CAN log file into a session of a data directory."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from paddock.config import ConfigError, Settings
from paddock.exceptions import InvalidArgument, PaddockError

_FORMATS = ("vbo", "mcap", "can")
#: Suffixes read as CAN logs (python-can's formats; ``.gz`` after any of them).
_CAN_SUFFIXES = ("log", "asc", "blf", "trc", "csv")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``paddock import``."""
    parser.add_argument(
        "file", help="the .vbo, .mcap or CAN log (.log .asc .blf .trc .csv) file to import"
    )
    parser.add_argument("--data-dir", help="paddock's data directory (default per user)")
    parser.add_argument(
        "--session",
        help="session id: VBO creates it (or fills it if empty); MCAP and CAN need an existing"
        " one unless --create is given",
    )
    parser.add_argument("--format", choices=_FORMATS, help="file format (default: from suffix)")
    parser.add_argument("--create", action="store_true", help="MCAP, CAN: create the session")
    parser.add_argument("--driver", help="VBO: the session's driver")
    parser.add_argument("--track", help="VBO: the session's track")
    parser.add_argument(
        "--car", help="VBO: the session's car; CAN: the car config (id or .yaml) to decode with"
    )
    parser.add_argument(
        "--dbc", nargs="+", metavar="DBC", help="CAN: DBC file(s) to decode the log with"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def run(args: argparse.Namespace) -> int:
    """Runs ``paddock import``; prints the result as JSON on stdout, progress on stderr."""
    path = Path(args.file)
    suffixes = [x.lower().lstrip(".") for x in path.suffixes]
    if suffixes and suffixes[-1] == "gz":
        suffixes = suffixes[:-1]
    fmt = args.format or (suffixes[-1] if suffixes else "")
    if fmt in _CAN_SUFFIXES and args.format is None:
        fmt = "can"
    if fmt not in _FORMATS:
        print(
            f"paddock import: cannot tell the format of {path.name}; use --format", file=sys.stderr
        )
        return 2
    if not path.is_file():
        print(f"paddock import: no such file {path}", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env(data_dir=args.data_dir)
    except ConfigError as exc:
        print(f"paddock import: {exc}", file=sys.stderr)
        return 2
    started = time.monotonic()

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"[{time.monotonic() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    from paddock.store.catalog import Catalog
    from paddock.store.imports import import_mcap, import_vbo
    from paddock.store.session_data import SessionData
    from paddock.store.sessions import SessionStore

    catalog = Catalog(settings.catalog_path)
    store = SessionStore(catalog, SessionData(settings.data_dir / "sessions"), {})
    try:
        if fmt == "vbo":
            fields = {"driver": args.driver, "track": args.track, "car": args.car}
            result = import_vbo(
                store, path, session_id=args.session, fields=fields, progress=progress
            )
        elif fmt == "can":
            imported = _import_can(args, store, path, settings, progress)
            if imported is None:
                return 2
            result = imported
        else:
            session_id = _session_for(args, store, path, "MCAP")
            if session_id is None:
                return 2
            result = import_mcap(store, session_id, path, progress=progress)
    except (PaddockError, InvalidArgument) as exc:
        print(f"paddock import: {exc}", file=sys.stderr)
        return 1
    progress(f"done: {result['n_frames']} frames in session {result['session_id']}")
    print(json.dumps(result, indent=2, default=str))
    return 0


def _session_for(args: argparse.Namespace, store: Any, path: Path, what: str) -> str | None:
    """The session to import into: ``--session`` (created with ``--create``) or a new one."""
    if args.session is None:
        if not args.create:
            print(f"paddock import: {what} needs --session (or --create)", file=sys.stderr)
            return None
        session_id: str = store.create({"name": path.stem})["id"]
        return session_id
    if args.create and not store.exists(args.session):
        created: str = store.create({"name": path.stem}, session_id=args.session)["id"]
        return created
    given: str = args.session
    return given


def _import_can(
    args: argparse.Namespace,
    store: Any,
    path: Path,
    settings: Settings,
    progress: Callable[[str], None],
) -> dict[str, Any] | None:
    from paddock.store.imports_can import import_can_log, load_decoder

    decoder, car = load_decoder(args.dbc or (), args.car, settings.data_dir)
    if decoder is None:
        progress("no --dbc or --car: the frames are imported raw only")
    session_id = _session_for(args, store, path, "a CAN log")
    if session_id is None:
        return None
    bar = _Bar(enabled=not args.quiet)
    try:
        return import_can_log(
            store,
            session_id,
            path,
            decoder=decoder,
            car=car,
            progress=progress,
            fraction=bar.update,
        )
    finally:
        bar.close()


class _Bar:
    """A progress bar on stderr: frames read and the share of the file.

    A line per step when stderr is not a terminal.
    """

    WIDTH = 30

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.drawn = False

    def update(self, frames: int, fraction: float | None) -> None:
        if not self.enabled:
            return
        if fraction is None:
            line = f"  {frames:,} frames"
        else:
            done = round(fraction * self.WIDTH)
            line = f"  [{'#' * done}{'.' * (self.WIDTH - done)}] {fraction:4.0%}  {frames:,} frames"
        if self.tty:
            print(f"\r{line}", end="", file=sys.stderr, flush=True)
            self.drawn = True
        else:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.drawn:
            print(file=sys.stderr, flush=True)
