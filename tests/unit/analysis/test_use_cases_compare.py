"""Use cases with guidance, and lap comparison, on the hand-built stadium circuit."""

from __future__ import annotations

import polars as pl
import pytest

from paddock.analysis.compare import compare_laps, lap_trace
from paddock.analysis.session import analyze_session
from paddock.analysis.session_laps import LapAnalysis
from paddock.analysis.use_cases import USE_CASES, run_use_case
from tests.unit.analysis import stadium


@pytest.fixture(scope="module")
def analysis() -> LapAnalysis:
    return LapAnalysis(stadium.frames(laps=3.02).lazy())


def test_every_use_case_gives_a_result_and_guidance(analysis: LapAnalysis) -> None:
    for use_case in USE_CASES:
        outcome = run_use_case(analysis, use_case)
        assert outcome is not None, use_case
        result, guidance = outcome
        assert isinstance(result, dict) and result
        assert guidance.endswith(".") and len(guidance) < 400
    assert run_use_case(analysis, "unknown") is None
    assert run_use_case(analysis, None) is None


def test_guidance_says_what_was_found(analysis: LapAnalysis) -> None:
    _, track = run_use_case(analysis, "track_map")  # type: ignore[misc]
    assert "2 corners" in track and "2 slow" in track
    _, shifts = run_use_case(analysis, "shift_points")  # type: ignore[misc]
    assert "3→4" in shifts and "4→5" in shifts
    result, braking = run_use_case(analysis, "braking_analysis")  # type: ignore[misc]
    assert "6 braking zones over 3 lap(s)" in braking
    assert [row["corner"] for row in result["summary"]] == [1, 2]


def test_session_analysis_carries_the_use_case() -> None:
    lf = stadium.frames(laps=2.02).lazy()
    analysis, guidance = analyze_session(lf, use_case="sector_analysis")
    assert "use_case_result" in analysis
    assert "Ideal lap" in guidance and "Use case: sector_analysis." in guidance
    plain, _ = analyze_session(lf, use_case=None)
    assert "use_case_result" not in plain


def test_compare_a_slow_lap_with_a_fast_one() -> None:
    df = stadium.frames(laps=2.02, slow_lap=2)
    a = LapAnalysis(df.lazy())
    fast, slow = lap_trace(a.all_laps_frame, 1), lap_trace(a.all_laps_frame, 2)
    table = compare_laps([("fast", fast), ("slow", slow)], step_m=10.0)
    assert table["distance_m"][1] == 10.0
    assert table["fast.delta_s"].abs().max() == 0.0
    delta = table["slow.delta_s"]
    # 10 % slower everywhere: the gap grows all lap, to a ninth of the lap time.
    assert delta[-1] == pytest.approx(stadium.lap_time_s() / 9, rel=0.01)
    assert (delta.diff().drop_nulls() >= -1e-6).all()
    assert table["slow.speed_kmh"].to_list() == pytest.approx(
        (table["fast.speed_kmh"] * 0.9).to_list(), abs=1.5
    )
    assert set(table["slow.gear"].drop_nulls().unique().to_list()) <= {3.0, 4.0, 5.0}
    assert table["slow.steer"].null_count() == table.height
    with pytest.raises(ValueError, match="two laps"):
        compare_laps([("fast", fast)])
    with pytest.raises(ValueError, match="unique"):
        compare_laps([("a", fast), ("a", slow)])
    with pytest.raises(ValueError, match="fewer than two samples"):
        compare_laps([("a", fast), ("b", fast.head(1))])
    assert lap_trace(a.all_laps_frame, 9).is_empty()
    assert isinstance(table, pl.DataFrame)
