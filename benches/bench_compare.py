"""``/api/compare``'s work, timed in-process on sessions of a data directory with a cold cache.

Builds the session services the server builds over ``DATA_DIR`` (catalog, session files, the
per-session analysis cache, empty) and times :func:`paddock.api.controllers.analysis.compare`
for ``<a>:<lap a>,<b>:<lap b>``, then once more with the cache warm. Each ``--repeat`` runs in a
fresh process, so nothing is cached between them but what the OS keeps of the files. Prints one
JSON line per run: both times, the grid's points, the final deltas, the process's peak resident
memory and the load average.

Write the sessions with ``benches/bench_web_overlay_data.py DATA_DIR`` first (it prints their
ids). Run: ``python benches/bench_compare.py DATA_DIR A B [--laps 22 23] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

from paddock.api.controllers.analysis import compare
from paddock.api.runtime import Runtime
from paddock.api.session_services import SessionServices
from paddock.config import Settings
from paddock.store.catalog import Catalog


def run_once(data_dir: Path, laps: str) -> dict[str, Any]:
    """One cold and one warm call of ``compare`` on fresh session services."""
    settings = Settings.from_env(data_dir=str(data_dir))
    sessions = SessionServices.open(Catalog(settings.catalog_path), settings.data_dir, {})
    # compare reads only runtime.sessions.
    runtime = cast(Runtime, argparse.Namespace(sessions=sessions))
    started = time.perf_counter()
    body = compare(runtime, laps, None, 5.0)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    compare(runtime, laps, None, 5.0)
    warm = time.perf_counter() - started
    return {
        "laps": laps,
        "cold_s": round(cold, 3),
        "warm_s": round(warm, 3),
        "points": len(body["columns"]["distance_m"]),
        "final_delta_s": body["final_delta_s"],
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_avg": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--laps", type=int, nargs=2, default=[22, 23])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    laps = f"{args.a}:{args.laps[0]},{args.b}:{args.laps[1]}"
    if args.once:
        print(json.dumps(run_once(args.data_dir, laps)))
        return
    for _ in range(args.repeat):
        subprocess.run(
            [
                sys.executable,
                __file__,
                str(args.data_dir),
                args.a,
                args.b,
                "--once",
                "--laps",
                *map(str, args.laps),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
