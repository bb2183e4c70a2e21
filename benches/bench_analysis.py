"""Session analysis speed: paddock's Polars stages against the same computation in plain pandas.

The session: one hour at 333 Hz (≈1.2 M rows) of 40 channels. One lap of the simulator's
bundled track is driven at 20 Hz, decoded from its Project CARS 2 packets, resampled to 333 Hz
and repeated for an hour (time, lap number and the odometer advanced lap by lap), with extra
numeric channels up to 40.

Both sides compute the same things from the frame: the lap table (the game's lap counter, lap
and sector times from the crossings), the lap frame (each row tagged with its lap and lap
distance), the curvature profile binned on distance, the corners, and every lap's pass through
every corner (entry, minimum and exit speed, time). paddock runs :class:`LapAnalysis`, the
path the API takes (it also finds out- and in-laps, best flags and the distance driven); the
pandas side is written as a pandas user would (only the needed columns, no sort of sorted
data, group-bys and vectorised NumPy, one interpolation per lap on array views). The
run-finding over the ~1,900 distance bins is the same Python loop on both sides.

Both report the best of ``--repeat`` runs; the machine's load average is printed with them,
because a loaded machine slows both sides.

Run: ``python benches/bench_analysis.py [--hours 1] [--rate 333] [--repeat 3]
[--source memory|parquet]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from paddock.analysis.session_laps import LapAnalysis
from paddock.sources.simulator.frames import simulate_frames

G = 9.80665
CHANNELS = [
    "speed_kmh",
    "rpm",
    "gear",
    "throttle",
    "brake",
    "clutch",
    "steer",
    "g_lat",
    "g_long",
    "g_vert",
    "heading_deg",
    "pos_x_m",
    "pos_y_m",
    "pos_z_m",
    "lap",
    "lap_time_s",
    "lap_distance_m",
    "distance_m",
    "sector",
    "sector_time_s",
    "water_temp_c",
    "oil_temp_c",
    "fuel_l",
]


def build_session(hours: float, rate_hz: float) -> pl.DataFrame:
    """An hour of laps at ``rate_hz`` with 40 channels (see the module notes)."""
    frames, truth = simulate_frames(laps=1.02, rate_hz=20.0)
    lap_s = truth["profile"]["lap_time_s"]
    one = frames.filter(pl.col("lap") == 1).select("t_s", *CHANNELS)
    t = np.arange(0.0, lap_s, 1.0 / rate_hz)
    src_t = one["t_s"].to_numpy()
    lap_cols = {}
    for name in CHANNELS:
        values = one[name].cast(pl.Float64).fill_null(0.0).to_numpy()
        if name in ("gear", "lap", "sector"):
            idx = np.clip(np.searchsorted(src_t, t, side="right") - 1, 0, len(values) - 1)
            lap_cols[name] = values[idx]
        else:
            lap_cols[name] = np.interp(t, src_t, values)
    laps = int(hours * 3600.0 / lap_s)
    n = len(t)
    cols: dict[str, Any] = {
        "t_s": np.concatenate([t + k * lap_s for k in range(laps)]),
    }
    for name, values in lap_cols.items():
        cols[name] = np.tile(values, laps)
    cols["lap"] = np.repeat(np.arange(1, laps + 1), n).astype(np.int32)
    cols["gear"] = cols["gear"].astype(np.int32)
    cols["sector"] = cols["sector"].astype(np.int32)
    cols["distance_m"] = cols["distance_m"] + np.repeat(
        np.arange(laps) * truth["track"]["length_m"], n
    )
    cols["ts_ns"] = (cols["t_s"] * 1e9).astype(np.int64)
    rng = np.random.default_rng(0)
    for k in range(40 - len(CHANNELS) - 2):
        cols[f"extra_{k:02d}"] = rng.random(laps * n)
    return pl.DataFrame(cols)


def paddock_analysis(lf: pl.LazyFrame) -> tuple[int, int, int]:
    """Lap table, lap frame, corners and passes: paddock's staged analysis, as the API runs it."""
    analysis = LapAnalysis(lf)
    return analysis.table.height, analysis.corners.height, analysis.passes.height


def _runs(k: np.ndarray, step_m: float) -> list[tuple[float, float]]:
    """Corner (start, end) on the distance bins: the same rule as paddock's detect_corners."""
    runs: list[list[int]] = []
    for i, value in enumerate(k):
        if abs(value) < 1.0 / 350.0:
            continue
        if runs and runs[-1][-1] == i - 1 and (k[i - 1] > 0) == (value > 0):
            runs[-1].append(i)
        else:
            runs.append([i])
    out = []
    for run in runs:
        if np.degrees(sum(abs(k[i]) * step_m for i in run)) >= 14.0:
            out.append((run[0] * step_m, (run[-1] + 1) * step_m))
    return out


PANDAS_COLUMNS = [
    "t_s",
    "lap",
    "lap_time_s",
    "sector",
    "sector_time_s",
    "speed_kmh",
    "g_lat",
    "throttle",
    "brake",
    "lap_distance_m",
]


def pandas_analysis(df: pd.DataFrame) -> tuple[int, int, int]:
    """The same computation written as a pandas user would: columns first, vectorised steps."""
    df = df[PANDAS_COLUMNS]
    if not df["t_s"].is_monotonic_increasing:
        df = df.sort_values("t_s")
    # Lap table from the lap counter and the sector crossings.
    first = df.groupby("lap").agg(first_t=("t_s", "first"), first_lt=("lap_time_s", "first"))
    first["start"] = first["first_t"] - first["first_lt"]
    first["end"] = first["start"].shift(-1)
    first = first[first.index.to_series().shift(-1) == first.index + 1]
    first = first[first["first_lt"] < 1.0]
    first["lap_time_s"] = first["end"] - first["start"]
    crossing = (df["lap_time_s"] - df["sector_time_s"]).groupby([df["lap"], df["sector"]]).first()
    sectors = crossing.unstack()
    table = first.join(sectors[[2, 3]].rename(columns={2: "c1", 3: "c2"}))
    table["s1"] = table["c1"]
    table["s2"] = table["c2"] - table["c1"]
    table["s3"] = table["lap_time_s"] - table["c2"]
    # Lap frame: rows of complete laps with their lap time and distance.
    starts = table.reset_index()[["lap", "start", "end"]].rename(columns={"lap": "lap_no"})
    tagged = pd.merge_asof(
        df[["t_s", "speed_kmh", "g_lat", "throttle", "brake", "lap_distance_m"]],
        starts,
        left_on="t_s",
        right_on="start",
        direction="backward",
    )
    tagged = tagged[tagged["lap_no"].notna() & (tagged["t_s"] < tagged["end"])]
    lap_t = (tagged["t_s"] - tagged["start"]).to_numpy()
    d = tagged["lap_distance_m"].to_numpy()
    v = tagged["speed_kmh"].to_numpy()
    # Curvature profile on 2 m bins and the corners.
    v2 = (v / 3.6) ** 2
    k = np.where(v2 > 25.0, tagged["g_lat"].to_numpy() * G / np.where(v2 > 0, v2, 1.0), 0.0)
    step = 2.0
    bins = np.floor(d / step).astype(np.int64)
    keep = bins >= 0
    prof = pd.DataFrame({"bin": bins[keep], "k": k[keep], "v": v[keep]}).groupby("bin").mean()
    prof = prof.reindex(range(int(prof.index.max()) + 1)).interpolate()
    corners = _runs(prof["k"].to_numpy(), step)
    # Every lap's pass through every corner: minimum speed by (lap, corner) group, entry and
    # exit time and speed interpolated on each lap's distance.
    c_start = np.array([c[0] for c in corners])
    c_end = np.array([c[1] for c in corners])
    slot = np.searchsorted(c_start, d, side="right") - 1
    inside = (slot >= 0) & (d <= c_end[np.clip(slot, 0, None)])
    lap_no = tagged["lap_no"].to_numpy()
    minimum = (
        pd.DataFrame({"lap": lap_no[inside], "corner": slot[inside], "v": v[inside]})
        .groupby(["lap", "corner"])["v"]
        .min()
    )
    edges = np.concatenate([c_start, c_end])
    cuts = np.flatnonzero(np.diff(lap_no)) + 1
    rows = []
    for lap, ld, lt, lv in zip(
        lap_no[np.r_[0, cuts]],
        np.split(d, cuts),
        np.split(lap_t, cuts),
        np.split(v, cuts),
        strict=True,
    ):
        te, ve = np.interp(edges, ld, lt), np.interp(edges, ld, lv)
        n = len(corners)
        rows.append(
            pd.DataFrame(
                {
                    "lap": lap,
                    "corner": np.arange(n),
                    "entry": ve[:n],
                    "exit": ve[n:],
                    "time": te[n:] - te[:n],
                }
            )
        )
    passes = pd.concat(rows).join(minimum, on=["lap", "corner"])
    return len(table), len(corners), len(passes)


def best_of(repeat: int, run: Callable[[], tuple[int, int, int]]) -> tuple[float, tuple[int, ...]]:
    """Fastest of ``repeat`` runs (seconds) and the run's counts."""
    best, result = float("inf"), (0, 0, 0)
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--rate", type=float, default=333.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--source",
        choices=("memory", "parquet"),
        default="memory",
        help="the session in memory, or read from a Parquet file inside each timed run "
        "(paddock: one lazy scan; pandas: read_parquet of the columns it uses)",
    )
    args = parser.parse_args()
    df = build_session(args.hours, args.rate)
    print(f"session: {df.height:,} rows × {df.width} columns, {args.hours:g} h at {args.rate:g} Hz")
    print(f"source: {args.source}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.source == "parquet":
            path = Path(tmp) / "session.parquet"
            df.write_parquet(path)
            del df

            def ours_run() -> tuple[int, int, int]:
                return paddock_analysis(pl.scan_parquet(path))

            def theirs_run() -> tuple[int, int, int]:
                return pandas_analysis(pd.read_parquet(path, columns=PANDAS_COLUMNS))
        else:
            pdf = df.to_pandas()
            lf = df.lazy()

            def ours_run() -> tuple[int, int, int]:
                return paddock_analysis(lf)

            def theirs_run() -> tuple[int, int, int]:
                return pandas_analysis(pdf)

        ours, counts = best_of(args.repeat, ours_run)
        theirs, their_counts = best_of(args.repeat, theirs_run)
    print(f"load average (1, 5, 15 min) after the runs: {os.getloadavg()}")
    print(f"laps, corners, passes: paddock {counts}, pandas {their_counts}")
    print(f"paddock (Polars): {ours:.3f} s (best of {args.repeat})")
    print(f"pandas:           {theirs:.3f} s (best of {args.repeat})")
    print(f"ratio:            {theirs / ours:.1f}× faster")


if __name__ == "__main__":
    main()
