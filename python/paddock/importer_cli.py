"""``paddock import FILE``: a VBO or MCAP file into a session of a data directory."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from paddock.config import ConfigError, Settings
from paddock.exceptions import InvalidArgument, PaddockError

_FORMATS = ("vbo", "mcap")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``paddock import``."""
    parser.add_argument("file", help="the .vbo or .mcap file to import")
    parser.add_argument("--data-dir", help="paddock's data directory (default per user)")
    parser.add_argument(
        "--session",
        help="session id: VBO creates it (or fills it if empty); MCAP needs an existing one"
        " unless --create is given",
    )
    parser.add_argument("--format", choices=_FORMATS, help="file format (default: from suffix)")
    parser.add_argument("--create", action="store_true", help="MCAP: create the session")
    parser.add_argument("--driver", help="VBO: the session's driver")
    parser.add_argument("--track", help="VBO: the session's track")
    parser.add_argument("--car", help="VBO: the session's car")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def run(args: argparse.Namespace) -> int:
    """Runs ``paddock import``; prints the result as JSON on stdout, progress on stderr."""
    path = Path(args.file)
    fmt = args.format or path.suffix.lower().lstrip(".")
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
        else:
            if args.session is None:
                if not args.create:
                    print("paddock import: MCAP needs --session (or --create)", file=sys.stderr)
                    return 2
                session_id = store.create({"name": path.stem})["id"]
            elif args.create and not store.exists(args.session):
                session_id = store.create({"name": path.stem}, session_id=args.session)["id"]
            else:
                session_id = args.session
            result = import_mcap(store, session_id, path, progress=progress)
    except (PaddockError, InvalidArgument) as exc:
        print(f"paddock import: {exc}", file=sys.stderr)
        return 1
    progress(f"done: {result['n_frames']} frames in session {result['session_id']}")
    print(json.dumps(result, indent=2, default=str))
    return 0
