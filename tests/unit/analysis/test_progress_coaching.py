"""Leaderboard, evolution and the coaching rules as pure functions."""

from __future__ import annotations

import pytest

from paddock.analysis.coaching import CONCEPTS, brief, burst_coaching, debrief
from paddock.analysis.progress import evolution, initials, lap_clock, leaderboard


def test_leaderboard_keeps_the_best_per_driver_car_and_track() -> None:
    rows = [
        {
            "session_id": "a",
            "driver": "taha b",
            "car": "M3",
            "track": "Sonoma",
            "best_lap_s": 105.318,
        },
        {
            "session_id": "b",
            "driver": "taha b",
            "car": "M3",
            "track": "Sonoma",
            "best_lap_s": 104.9,
        },
        {"session_id": "c", "driver": "ana", "car": "M3", "track": "Sonoma", "best_lap_s": 106.0},
        {"session_id": "d", "driver": "ana", "car": "M3", "track": "Monza", "best_lap_s": 99.0},
        {"session_id": "e", "driver": "zed", "car": "M3", "track": "Sonoma", "best_lap_s": None},
    ]
    board = leaderboard(rows, track="sonoma")
    assert [(e["rank"], e["initials"], e["session_id"]) for e in board] == [
        (1, "TB", "b"),
        (2, "A", "c"),
    ]
    assert board[0]["time"] == "1:44.900"
    assert len(leaderboard(rows, limit=1)) == 1
    assert lap_clock(105.318) == "1:45.318" and initials(None) == "?"


def test_evolution_deltas_and_corner_gain() -> None:
    rows = [
        {
            "session_id": str(i),
            "started_at": f"2026-01-0{i}",
            "best_lap_s": 100.0 - i,
            "corners": {"T1": 5.0 - 0.1 * i, "T2": 3.0 - 0.3 * i},
        }
        for i in (3, 1, 2)
    ]
    out = evolution(rows)
    assert [p["session_id"] for p in out["sessions"]] == ["1", "2", "3"]
    assert out["summary"]["improvement_s"] == pytest.approx(2.0)
    assert out["summary"]["best_s"] == 97.0
    assert out["summary"]["biggest_corner_gain"] == {"corner": "T2", "gain_s": pytest.approx(0.6)}
    assert evolution([])["summary"]["best_s"] is None


def test_coaching_rules_fire_on_their_conditions() -> None:
    assert len(CONCEPTS) == 9 and len({c["id"] for c in CONCEPTS}) == 9
    braking = burst_coaching({"min_speed_kmh": 80, "max_speed_kmh": 200, "peak_brake": 0.4})
    assert [c["concept"] for c in braking["cues"]] == ["brake_pressure"]
    assert braking["pace_note"] == "80 to 200 km/h"
    revs = burst_coaching({"rpm": 7950, "max_rpm": 8000, "gear": 3, "corner": "T4"})
    assert [c["concept"] for c in revs["cues"]] == ["over_rev"]
    assert revs["pace_note"].startswith("T4, gear 3")
    assert burst_coaching({})["cues"] == []
    assert burst_coaching({"speed_kmh": "fast"})["cues"] == []
    assert "No lap here yet" in brief(driver=None, track=None, best_lap_s=None, focus=[])
    assert "1:40.000" in brief(driver="A", track="B", best_lap_s=100.0, focus=["T1"])
    assert debrief({})["emotion"] == "neutral"
    done = debrief(
        {
            "laps": [{"lap_time_s": 90.0}, {"lap_time_s": 90.5}],
            "scorecard": [{"name": "T3", "grade": "F"}],
        }
    )
    assert "T3" in done["markdown"] and done["emotion"] == "encouraging"
