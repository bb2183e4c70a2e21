"""One lap read alone (``lap_bounds`` + ``one_lap_frame``) equals that lap of the full lap frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from paddock.analysis.compare import lap_trace
from paddock.analysis.session_laps import LapAnalysis, lap_bounds, one_lap_frame
from paddock.store.session_data import SessionData
from tests.unit.analysis import stadium


def _with_distance(frames: pl.DataFrame) -> pl.DataFrame:
    """``frames`` with a ``distance_m`` channel (the speed integrated over time)."""
    v = frames["speed_kmh"].to_numpy() / 3.6
    t = frames["t_s"].to_numpy()
    steps = np.concatenate([[0.0], 0.5 * (v[1:] + v[:-1]) * np.diff(t)])
    return frames.with_columns(pl.Series("distance_m", np.cumsum(steps)))


def _tall(channel: str, t_s: np.ndarray, value: float) -> pl.DataFrame:
    """Tall samples of one channel (rows of the ``channels`` table)."""
    return pl.DataFrame(
        {
            "ts_ns": (t_s * 1e9).astype(np.int64) + 1_700_000_000_000_000_000,
            "t_s": t_s,
            "channel": [channel] * len(t_s),
            "value": [value] * len(t_s),
            "unit": [None] * len(t_s),
            "source": ["test"] * len(t_s),
        },
        schema_overrides={"unit": pl.String()},
    )


def _session(tmp_path: Path, frames: pl.DataFrame, tall: pl.DataFrame | None) -> pl.LazyFrame:
    """A session's frame as the store opens it: frames and tall channels, by time."""
    data = SessionData(tmp_path / "sessions")
    data.write_file("s1", "frames", "run", frames)
    if tall is not None:
        data.write_file("s1", "channels", "tall", tall)
    return data.open("s1")


def _assert_every_lap_matches(lf: pl.LazyFrame, *, distance_whole: bool) -> None:
    full = LapAnalysis(lf)
    bounds = lap_bounds(lf)
    assert_frame_equal(bounds.envelope, full.envelope)
    assert bounds.rows == full.row_count
    assert bounds.distance_whole is distance_whole
    complete = full.envelope.filter(pl.col("complete"))["lap"].to_list()
    assert len(complete) >= 3
    for lap in complete:
        alone = one_lap_frame(lf, bounds, lap)
        assert alone.height > 100
        assert_frame_equal(alone, lap_trace(full.all_laps_frame, lap), rel_tol=1e-9, abs_tol=1e-6)
    assert one_lap_frame(lf, bounds, max(complete) + 5).is_empty()


def test_speed_integrated_laps_and_a_gap_before_a_lap(tmp_path: Path) -> None:
    frames = stadium.frames(laps=4.2, rate_hz=20.0)
    lf = LapAnalysis(frames.lazy())
    start = float(lf.envelope.filter(pl.col("lap") == 3)["t_start"][0])
    # Nothing recorded for 6 s before lap 3: its start lies between samples far apart.
    gapped = frames.filter(~pl.col("t_s").is_between(start - 6.0, start - 0.01))
    _assert_every_lap_matches(_session(tmp_path, gapped, None), distance_whole=False)


@pytest.mark.parametrize(
    ("channel", "distance_whole"),
    [
        # A lap frame channel sampled apart early on: rows without distance the lap frame keeps,
        # so the whole session integrates speed, and so must a later lap read alone.
        ("throttle", False),
        # A channel the lap frame does not keep: its rows are not in the lap frame at all.
        ("oil_temp_c", True),
    ],
)
def test_distance_channel_with_tall_rows(
    tmp_path: Path, channel: str, distance_whole: bool
) -> None:
    frames = _with_distance(stadium.frames(laps=4.2, rate_hz=20.0))
    tall = _tall(channel, np.arange(3.0, 9.0, 0.37), 0.5)
    _assert_every_lap_matches(_session(tmp_path, frames, tall), distance_whole=distance_whole)
