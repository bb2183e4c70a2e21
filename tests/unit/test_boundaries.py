from __future__ import annotations

import polars as pl
import pytest

from paddock.exceptions import InvalidArgument
from paddock.realtime.boundaries import Boundary, BoundaryEvaluator, validate_boundary


def frames(values: list[float], *, start_s: float = 0.0, step_s: float = 0.1) -> pl.DataFrame:
    ts = [int((start_s + i * step_s) * 1e9) for i in range(len(values))]
    return pl.DataFrame({"ts_ns": ts, "water_temp_c": values, "rpm": [1.0] * len(values)})


def test_only_the_crossing_into_violation_is_logged_across_batches() -> None:
    evaluator = BoundaryEvaluator([Boundary(name="water", channel="water_temp_c", max=100.0)])
    first = evaluator.evaluate("can", frames([90, 101, 105, 99, 102]))
    assert [(e["failure_type"], e["value"]) for e in first] == [("max", 101.0), ("max", 102.0)]
    # Still above at the start of the next batch: no new crossing until it comes back.
    second = evaluator.evaluate("can", frames([103, 104, 95, 120], start_s=1.0))
    assert [e["value"] for e in second] == [120.0]
    event = second[0]
    assert event["source"] == "boundary"
    assert event["risk_level"] == "ELEVATED"
    assert event["outcome"] == "pass"
    assert event["feed"] == "can"
    assert event["limit"] == 100.0
    assert event["timestamp"] == pytest.approx(1.3)
    assert "above max 100" in event["reason"]


def test_min_rate_and_feed_filter() -> None:
    evaluator = BoundaryEvaluator(
        [
            Boundary(name="low", channel="water_temp_c", min=50.0, risk_level="CRITICAL"),
            Boundary(name="jump", channel="water_temp_c", max_rate=20.0, feed="other"),
            Boundary(name="jump-can", channel="water_temp_c", max_rate=20.0, feed="can"),
            Boundary(name="absent", channel="no_such_channel", max=1.0),
        ]
    )
    # 60 → 70 in 0.1 s is 100/s; the rate of the first row uses the previous batch's last row.
    first = evaluator.evaluate("can", frames([60, 61, 62]))
    assert first == []
    events = evaluator.evaluate("can", frames([70, 40, 41], start_s=0.3))
    by_name = {e["boundary"]: e for e in events}
    assert set(by_name) == {"low", "jump-can"}
    assert by_name["low"]["value"] == 40.0
    assert by_name["low"]["risk_level"] == "CRITICAL"
    assert by_name["jump-can"]["failure_type"] == "rate"
    assert by_name["jump-can"]["value"] == pytest.approx(80.0)


def test_replacing_or_removing_a_boundary_resets_it() -> None:
    evaluator = BoundaryEvaluator([Boundary(name="w", channel="water_temp_c", max=100.0)])
    assert len(evaluator.evaluate("can", frames([101]))) == 1
    evaluator.put(Boundary(name="w", channel="water_temp_c", max=100.0))
    assert len(evaluator.evaluate("can", frames([102], start_s=1))) == 1
    evaluator.remove("w")
    assert evaluator.evaluate("can", frames([50, 150], start_s=2)) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "bad name!"}, "name"),
        ({"channel": " "}, "channel"),
        ({"max": None}, "at least one"),
        ({"min": 5.0, "max": 1.0}, "must not exceed"),
        ({"max_rate": 0.0}, "max_rate"),
    ],
)
def test_validation(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"name": "ok", "channel": "rpm", "max": 2.0, **fields}
    with pytest.raises(InvalidArgument, match=message):
        validate_boundary(Boundary(**base))  # type: ignore[arg-type]
