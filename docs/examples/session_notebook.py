"""Open a recorded session from Python and analyse it with the functions the API uses.

Run: ``python docs/examples/session_notebook.py`` (or paste the cells into a notebook). It records
two laps of the simulator into a session of a temporary data directory first, so it needs nothing
else; with a real paddock data directory, skip ``record_demo_session`` and open your own id.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl

import paddock
from paddock.analysis import LapAnalysis
from paddock.analysis.analytics import compute
from paddock.analysis.compare import compare_laps, lap_trace
from paddock.analysis.signals import synchronise
from paddock.sources.simulator.frames import simulate_frames
from paddock.store.session_data import SessionData


def record_demo_session(data_dir: Path, session_id: str) -> None:
    """Two simulated laps of the bundled track, stored as a session's frames."""
    frames, _ = simulate_frames(laps=2.05, rate_hz=20.0)
    data = SessionData(data_dir / "sessions")
    data.append(session_id, "frames", frames.with_columns(pl.lit("sim").alias("feed")))
    data.flush(session_id)


def main(data_dir: Path | None = None) -> pl.DataFrame:
    """Record the demo session, analyse it and return its lap time table.

    The session goes under ``data_dir`` (a new temporary folder by default).
    """
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="paddock-notebook-"))
    record_demo_session(data_dir, "demo")

    # Everything recorded for the session, as a polars.LazyFrame of canonical channels.
    lf = paddock.open_session("demo", data_dir=data_dir)
    print(lf.select("t_s", "speed_kmh", "gear", "lap").collect().describe())

    # The staged analysis: laps, lap time table, corners, braking zones.
    a = LapAnalysis(lf)
    print(a.envelope.select("name", "duration_s", "distance_m", "method", "out_lap", "in_lap"))
    print(a.table.select("lap", "lap_time_s", "s1_s", "s2_s", "s3_s", "best_lap"))
    print(a.corners.select("name", "direction", "apex_m", "min_radius_m", "apex_speed_kmh"))
    print(a.zones.filter(pl.col("lap") == 1).select("corner", "brake_point_m", "eob_m"))

    # Any analytic of the API, as plain data.
    print(compute("ideal_lap", a))
    print(compute("pedal_behavior", a, throttle_th=0.1)["distribution"])

    # Channels on one distance axis, and two laps compared.
    print(synchronise(lf, ["speed_kmh", "throttle"], axis="distance", rate_hz=0.02).head())
    laps = [(f"lap {n}", lap_trace(a.all_laps_frame, n)) for n in (1, 2)]
    delta = compare_laps(laps, channels=["speed_kmh"], step_m=50.0)
    print(delta.select("distance_m", "lap 2.delta_s").tail(3))
    return a.table


if __name__ == "__main__":
    main()
