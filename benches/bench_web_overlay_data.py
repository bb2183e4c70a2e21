"""Sessions for the web overlay benchmark: hour-long sessions written into a data directory.

Each session is the analysis benchmark's hour (one simulator lap on the bundled track, resampled
to ``--rate`` Hz, repeated for ``--hours``, 40 channels; see ``bench_analysis.build_session``),
stored as a paddock session exactly as a stopped run leaves it (one Parquet file of frames).
Prints one JSON line: the data directory, the session ids and their lap count.

Run: ``python benches/bench_web_overlay_data.py DATA_DIR [--sessions 2] [--hours 1] [--rate 333]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import polars as pl

from bench_analysis import build_session
from paddock.config import Settings
from paddock.store.catalog import Catalog
from paddock.store.session_data import SessionData
from paddock.store.sessions import SessionStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--rate", type=float, default=333.0)
    args = parser.parse_args()

    settings = Settings.from_env(data_dir=str(args.data_dir))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = SessionStore(
        Catalog(settings.catalog_path), SessionData(settings.data_dir / "sessions"), {}
    )
    frames = build_session(args.hours, args.rate)
    laps = int(frames["lap"].max())  # type: ignore[arg-type]
    ids = []
    for k in range(args.sessions):
        started = time.time_ns() - int(args.hours * 3600e9)
        session = store.create(
            {"name": f"Bench hour {k + 1}", "driver": "bench", "track": "paddock_park"}
        )
        sid = session["id"]
        # each session 1 % slower than the one before, so the overlay has a delta to draw
        stretch = 1.0 + 0.01 * k
        part = frames.with_columns(
            (pl.col("t_s") * stretch).alias("t_s"),
            (pl.col("lap_time_s") * stretch).alias("lap_time_s"),
            (pl.col("sector_time_s") * stretch).alias("sector_time_s"),
            (pl.col("speed_kmh") / stretch).alias("speed_kmh"),
        ).with_columns((pl.col("t_s") * 1e9).cast(pl.Int64).alias("ts_ns") + started)
        store.set_started(sid, started)
        store.data.write_file(sid, "frames", "bench", part)
        ids.append(sid)
    print(
        json.dumps(
            {
                "data_dir": str(settings.data_dir),
                "sessions": ids,
                "laps": laps,
                "rows": frames.height,
            }
        )
    )


if __name__ == "__main__":
    main()
