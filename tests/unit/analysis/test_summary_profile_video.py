"""Shared lap interpolation, the one-collection lap analysis, summaries, driver profiles, video."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from paddock.analysis._frame import collect_sorted, interp_within, select_present
from paddock.analysis.corners import corner_passes
from paddock.analysis.progress import compute_profile
from paddock.analysis.session_laps import LapAnalysis
from paddock.analysis.summary import consistency, detail_summary, lap_summary
from paddock.analysis.video import clip_cuts, sync_video, video_table
from tests.unit.analysis import stadium


def test_interp_within_answers_each_group_from_its_own_rows() -> None:
    groups = np.array([1, 1, 1, 2, 2, 2, 5, 5])
    x = np.array([0.0, 10.0, 20.0, 0.0, 10.0, 30.0, 0.0, 4.0])
    y = np.array([0.0, 1.0, 2.0, 100.0, 110.0, 130.0, 7.0, 9.0])
    got = interp_within(
        groups,
        x,
        y,
        np.array([1, 1, 2, 2, 5, 1, 3]),
        np.array([5.0, 25.0, 20.0, -1.0, 2.0, 20.0, 1.0]),
    )
    # Inside, clamped at the group's own end (not the next group's rows), and an unknown group.
    assert got[:6].tolist() == pytest.approx([0.5, 2.0, 120.0, 100.0, 8.0, 2.0])
    assert np.isnan(got[6])


def test_interp_within_empty() -> None:
    empty = np.array([], dtype=float)
    assert interp_within(empty, empty, empty, np.array([1]), np.array([0.0])).tolist() != [0.0]
    assert interp_within(np.array([1]), np.array([0.0]), np.array([1.0]), empty, empty).size == 0


def test_select_present_on_a_collected_frame_filters_and_sorts() -> None:
    df = pl.DataFrame(
        {
            "t_s": [2.0, None, 1.0, 3.0],
            "a": [None, 1.0, 2.0, None],
            "b": [None, 1.0, None, 4.0],
            "c": [9.0, 9.0, 9.0, 9.0],
        }
    )
    out = select_present(df, ["a", "b", "missing"])
    # The null-time row and the row holding neither wanted channel are left out, sorted by time.
    assert out.columns == ["t_s", "a", "b"]
    assert out["t_s"].to_list() == [1.0, 3.0]
    assert select_present(df.lazy(), ["a", "b"]).equals(out)


def test_collect_sorted_flags_time_and_is_not_resorted() -> None:
    df = pl.DataFrame({"t_s": [3.0, 1.0, 2.0], "speed_kmh": [30.0, 10.0, 20.0]})
    data = collect_sorted(df.lazy(), ["speed_kmh"])
    assert data["t_s"].to_list() == [1.0, 2.0, 3.0]
    assert data["t_s"].flags["SORTED_ASC"]
    again = select_present(data, ["speed_kmh"])
    assert again["speed_kmh"].to_list() == [10.0, 20.0, 30.0]


def test_lap_analysis_collects_once_and_agrees_with_lazy_stages() -> None:
    frames = stadium.frames(laps=3.05, rate_hz=50.0)
    analysis = LapAnalysis(frames.lazy())
    assert analysis.data.height == frames.height
    assert analysis.table.height == 3
    assert analysis.table["lap_time_s"].to_list() == pytest.approx(
        [stadium.lap_time_s()] * 3, abs=0.05
    )
    # The flying-lap frame is the all-laps frame (no out- or in-laps here) and the passes match
    # the per-lap reference computed lap by lap with numpy.
    assert analysis.frame.height == analysis.all_laps_frame.height
    passes = analysis.passes
    assert passes.height == 3 * analysis.corners.height == 6
    for lap in analysis.frame["lap_no"].unique().to_list():
        part = analysis.frame.filter(pl.col("lap_no") == lap)
        for corner in analysis.corners.iter_rows(named=True):
            t = np.interp(
                [corner["start_m"], corner["end_m"]],
                part["lap_dist_m"].to_numpy(),
                part["lap_t_s"].to_numpy(),
            )
            row = passes.filter((pl.col("lap") == lap) & (pl.col("corner") == corner["number"]))
            assert row["time_s"][0] == pytest.approx(t[1] - t[0], abs=1e-9)


def test_corner_passes_of_hand_built_laps() -> None:
    # Two laps at constant 10 m/s and 20 m/s; one corner from 10 m to 30 m.
    d = np.arange(0.0, 50.0, 1.0)
    frame = pl.DataFrame(
        {
            "t_s": np.concatenate([d / 10.0, 100.0 + d / 20.0]),
            "lap_no": np.repeat(np.array([1, 2], dtype=np.int32), d.size),
            "lap_dist_m": np.concatenate([d, d]),
            "lap_t_s": np.concatenate([d / 10.0, d / 20.0]),
            "speed_kmh": np.repeat([36.0, 72.0], d.size),
        }
    )
    corners = pl.DataFrame(
        {"number": [1], "name": ["T1"], "start_m": [10.0], "end_m": [30.0]},
        schema={"number": pl.Int32, "name": pl.String, "start_m": pl.Float64, "end_m": pl.Float64},
    )
    passes = corner_passes(frame, corners)
    assert passes["lap"].to_list() == [1, 2]
    assert passes["time_s"].to_list() == pytest.approx([2.0, 1.0])
    assert passes["entry_kmh"].to_list() == pytest.approx([36.0, 72.0])
    assert passes["min_kmh"].to_list() == pytest.approx([36.0, 72.0])


def test_consistency_window_and_spread() -> None:
    assert consistency([]) == {"laps": 0, "mean_s": None, "std_s": None, "cv_pct": None}
    one = consistency([90.0, 200.0])  # the 200 s lap is beyond 107 % of the best
    assert one["laps"] == 1 and one["cv_pct"] is None
    two = consistency([90.0, 92.0, 91.0])
    assert two["laps"] == 3
    assert two["mean_s"] == pytest.approx(91.0)
    assert two["std_s"] == pytest.approx(1.0)
    assert two["cv_pct"] == pytest.approx(100.0 / 91.0)


def test_lap_and_detail_summary_from_the_line_without_a_lap_counter() -> None:
    frames = stadium.frames(laps=3.05, rate_hz=20.0)
    assert "lap" not in frames.columns
    analysis = LapAnalysis(frames.lazy())
    summary = lap_summary(analysis)
    assert summary["lap_count"] == 3
    assert summary["lap_method"] == "gps"
    assert summary["best_lap_s"] == pytest.approx(stadium.lap_time_s(), abs=0.05)
    assert summary["consistency"]["laps"] == 3
    assert len(summary["laps"]) == 3
    detail = detail_summary(analysis)
    assert set(detail["corners"]) == {"T1", "T2"}
    assert {g["band"] for g in detail["corner_grades"]} == {"low"}
    assert {g["direction"] for g in detail["corner_grades"]} == {"right"}
    assert sum(detail["pedal"].values()) == pytest.approx(1.0)


def _summary(sid: str, at: str, track: str, best: float, **extra: object) -> dict[str, object]:
    return {
        "session_id": sid,
        "started_at": at,
        "track": track,
        "car": "GT3",
        "driver": "Ana",
        "best_lap_s": best,
        "lap_count": 5,
    } | extra


def test_compute_profile_folds_sessions_in_time_order() -> None:
    grades = [
        {"name": "T1", "loss_pct": 0.2, "band": "low", "direction": "right"},
        {"name": "T2", "loss_pct": 3.5, "band": "high", "direction": "left"},
    ]
    pedal = {"throttle_only": 0.6, "brake_only": 0.2, "trail_brake": 0.01, "coast": 0.19}
    profile = compute_profile(
        "ana",
        [
            _summary("s3", "2026-01-03", "Monza", 100.0, corner_grades=grades, pedal=pedal),
            _summary("s1", "2026-01-01", "Monza", 102.0, consistency={"cv_pct": 2.0}),
            _summary("s2", "2026-01-02", "Spa", 140.0, consistency={"cv_pct": 1.0}),
            _summary("s4", "2026-01-04", "Monza", 101.0),
        ],
    )
    assert profile["sessions"] == 4 and profile["laps"] == 20
    assert [t["track"] for t in profile["tracks"]] == ["Monza", "Spa"]
    monza = profile["tracks"][0]
    assert monza["sessions"] == 3 and monza["best_lap_s"] == 100.0
    assert monza["best_session_id"] == "s3" and monza["best_time"] == "1:40.000"
    assert [(b["track"], b["best_lap_s"]) for b in profile["best_laps"]] == [
        ("Monza", 100.0),
        ("Spa", 140.0),
    ]
    kinds = [(e["kind"], e["session_id"]) for e in profile["events"]]
    assert kinds == [
        ("first_session", "s1"),
        ("new_track", "s1"),
        ("personal_best", "s1"),
        ("new_track", "s2"),
        ("personal_best", "s2"),
        ("personal_best", "s3"),
    ]
    assert profile["events"][-1]["gain_s"] == pytest.approx(2.0)
    deltas = [p["delta_s"] for p in profile["progression"]]
    assert deltas == [None, None, pytest.approx(-2.0), pytest.approx(1.0)]
    assert [p["personal_best"] for p in profile["progression"]] == [True, True, True, False]
    assert profile["consistency"]["mean_cv_pct"] == pytest.approx(1.5)
    assert profile["consistency"]["latest_cv_pct"] == 1.0
    strengths = {s["area"] for s in profile["strengths"]}
    weaknesses = {w["area"] for w in profile["weaknesses"]}
    assert {"low-speed corners", "right-hand corners"} <= strengths
    assert {"high-speed corners", "left-hand corners", "trail braking", "coasting"} <= weaknesses


def test_compute_profile_of_no_sessions() -> None:
    profile = compute_profile("nobody", [])
    assert profile["sessions"] == 0 and profile["tracks"] == [] and profile["events"] == []
    assert profile["strengths"] == [] and profile["weaknesses"] == []


def test_sync_video_matches_within_tolerance() -> None:
    frames = stadium.frames(laps=2.05, rate_hz=10.0)
    analysis = LapAnalysis(frames.lazy())
    video = video_table(
        pl.DataFrame(
            {
                "ts_ns": [0, 0, 0, 0, 0],
                # 5.55 s lies 50 ms from the nearest sample, 30.03 s 30 ms; 1000 s after the end.
                "t_s": [30.03, 1.0, 5.55, 30.2, 1000.0],
                "frame_no": [3, 1, 2, 4, 5],
            }
        )
    )
    assert video["frame_no"].to_list() == [1, 2, 3, 4, 5]
    synced = sync_video(analysis, video, ["speed_kmh", "missing"], tolerance_s=0.04)
    assert synced["matched"].to_list() == [True, False, True, True, False]
    assert synced["offset_ms"].to_list()[0] == pytest.approx(0.0, abs=1e-6)
    assert synced["offset_ms"].to_list()[2] == pytest.approx(-30.0, abs=1e-6)
    assert synced["speed_kmh"].null_count() == 2
    assert "missing" not in synced.columns
    # The last frame lies after every lap.
    assert synced["lap"].to_list() == [1, 1, 1, 1, None]


def test_clip_cuts_for_laps_corners_and_incidents() -> None:
    frames = stadium.frames(laps=2.05, rate_hz=10.0)
    analysis = LapAnalysis(frames.lazy())
    t = np.arange(0.0, 30.0, 1 / 25)  # video only over the first 30 s (a lap is ~38 s)
    video = video_table(pl.DataFrame({"ts_ns": (t * 1e9).astype(np.int64), "t_s": t}))
    incidents = [{"kind": "stop", "lap": 1, "t_s": 10.0}, {"kind": "bad", "t_s": None}]
    clips = clip_cuts(analysis, video, incidents, pad_s=1.0)
    kinds = [c["kind"] for c in clips]
    assert kinds.count("lap") == 2 and kinds.count("corner") == 4 and kinds.count("incident") == 1
    lap1 = next(c for c in clips if c["kind"] == "lap" and c["lap"] == 1)
    assert lap1["duration_s"] == pytest.approx(stadium.lap_time_s(), abs=0.05)
    assert 0.0 < lap1["coverage"] < 1.0
    incident = next(c for c in clips if c["kind"] == "incident")
    assert (incident["t_start"], incident["t_end"]) == (9.0, 11.0)
    assert incident["frame_count"] == 51 and incident["coverage"] == pytest.approx(1.0)
    assert incident["first_frame"]["t_s"] == pytest.approx(9.0)
    lap2 = next(c for c in clips if c["kind"] == "lap" and c["lap"] == 2)
    assert lap2["frame_count"] == 0 and lap2["first_frame"] is None
    corners = [c for c in clips if c["kind"] == "corner"]
    assert all(c["t_end"] > c["t_start"] + 2.0 for c in corners)
    only = clip_cuts(analysis, video, incidents, kinds=("incident",))
    assert [c["kind"] for c in only] == ["incident"]
