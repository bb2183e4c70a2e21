"""The lap analytics on the hand-built stadium circuit, where every answer is known."""

from __future__ import annotations

import polars as pl
import pytest

from paddock.analysis.analytics import ANALYTICS, compute
from paddock.analysis.braking import brake_zones
from paddock.analysis.corners import corner_classification, detect_corners, grade
from paddock.analysis.driving import pedal_behavior, straight_line_speed
from paddock.analysis.envelope import ENVELOPE_SCHEMA, lap_envelope
from paddock.analysis.sectors import box_stats, ideal_lap
from paddock.analysis.session_laps import LapAnalysis
from paddock.analysis.shifts import shift_points, upshifts
from paddock.analysis.signals import synchronise
from tests.unit.analysis import stadium


@pytest.fixture(scope="module")
def three_laps() -> pl.DataFrame:
    return stadium.frames(laps=3.02)


@pytest.fixture(scope="module")
def analysis(three_laps: pl.DataFrame) -> LapAnalysis:
    return LapAnalysis(three_laps.lazy())


def test_gps_laps_return_to_the_start(analysis: LapAnalysis) -> None:
    env = analysis.envelope
    assert env.schema == pl.Schema(ENVELOPE_SCHEMA)
    assert env["method"].to_list() == ["gps"] * 3
    assert env["duration_s"].to_list() == pytest.approx([stadium.lap_time_s()] * 3, abs=0.01)
    assert env["distance_m"].to_list() == pytest.approx([stadium.LENGTH_M] * 3, rel=1e-3)
    assert not env["out_lap"].any() and not env["in_lap"].any()


def test_standing_start_then_laps_and_a_slow_lap_is_an_incident() -> None:
    # The speed step between laps 2 and 3 is not a real car's: leave g_long out.
    df = stadium.frames(laps=3.02, standing_s=4.0, slow_lap=3).drop("g_long")
    a = LapAnalysis(df.lazy())
    env = a.envelope
    # The line is the first place the car drives through: the parked time is before lap 1.
    assert env["out_lap"].to_list() == [False, False, False]
    assert env["t_start"][0] == pytest.approx(4.0, abs=0.05)
    assert env["duration_s"][2] == pytest.approx(stadium.lap_time_s() / 0.9, abs=0.02)
    kinds = [i["kind"] for i in compute("incidents", a)["incidents"]]
    assert kinds == ["slow_lap"]


def test_out_lap_when_stopped_in_the_first_half() -> None:
    df = stadium.frames(laps=3.02)
    # Stand still for 2 s early in lap 2 (speed zero); a moment below 5 km/h is not a stop.
    t2 = df.filter(pl.col("t_s") > stadium.lap_time_s() + 1.0)["t_s"][0]
    df = df.with_columns(
        pl.when((pl.col("t_s") >= t2) & (pl.col("t_s") < t2 + 2.0))
        .then(0.0)
        .otherwise(pl.col("speed_kmh"))
        .alias("speed_kmh")
    )
    env = lap_envelope(df.lazy())
    assert env["out_lap"].to_list() == [False, True, False]
    assert not lap_envelope(df.lazy(), stop_s=3.0)["out_lap"].any()
    assert LapAnalysis(df.lazy()).table.filter(pl.col("best_lap"))["lap"].to_list() in ([1], [3])


def test_distance_and_stint_strategies() -> None:
    df = stadium.frames(laps=3.02)
    lap_d = df["t_s"] * 0.0
    # The source's own distance from the line, wrapping each lap.
    env_gps = lap_envelope(df.lazy())
    from paddock.analysis._frame import travelled_m

    lap_d = travelled_m(df) % stadium.LENGTH_M
    with_d = df.drop("pos_x_m", "pos_z_m").with_columns(lap_d.alias("lap_distance_m"))
    env = lap_envelope(with_d.lazy())
    assert env["method"][0] == "distance"
    assert env["t_start"].to_list() == pytest.approx(env_gps["t_start"][1:].to_list(), abs=0.02)
    bare = df.select("t_s", "speed_kmh")
    stints = lap_envelope(bare.lazy())
    assert stints["method"].to_list() == ["stint"]
    assert not stints["complete"][0]
    assert lap_envelope(bare.lazy(), method="gps").is_empty()
    with pytest.raises(ValueError, match="unknown lap method"):
        lap_envelope(bare.lazy(), method="bogus")


def test_sectors_by_distance_and_ideal_lap(analysis: LapAnalysis) -> None:
    table = analysis.table
    assert table.height == 3
    third = stadium.LENGTH_M / 3
    assert (table["s1_s"] + table["s2_s"] + table["s3_s"]).to_list() == pytest.approx(
        table["lap_time_s"].to_list()
    )
    assert table["s1_s"][0] > third / stadium.FAST_MS
    ideal = ideal_lap(table)
    best = [table[c].min() for c in ("s1_s", "s2_s", "s3_s")]
    assert ideal.ideal_lap_s == pytest.approx(sum(best))  # type: ignore[arg-type]
    assert ideal.gain_s is not None and ideal.gain_s >= -1e-9
    assert table["best_lap"].sum() >= 1


def test_two_hairpins_numbered_in_lap_order(analysis: LapAnalysis) -> None:
    corners = analysis.corners
    assert corners["name"].to_list() == ["T1", "T2"]
    assert corners["direction"].to_list() == ["right", "right"]
    assert corners["min_radius_m"].to_list() == pytest.approx([stadium.RADIUS_M] * 2, rel=0.05)
    assert corners["angle_deg"].to_list() == pytest.approx([180.0, 180.0], abs=5.0)
    assert corners["start_m"][0] == pytest.approx(stadium.TURN1_START, abs=5.0)
    assert corners["apex_speed_kmh"].to_list() == pytest.approx([72.0, 72.0], abs=1.0)


def test_corners_from_positions_alone_match(analysis: LapAnalysis) -> None:
    from_positions = detect_corners(analysis.frame.drop("g_lat"))
    assert from_positions["direction"].to_list() == ["right", "right"]
    assert from_positions["start_m"].to_list() == pytest.approx(
        analysis.corners["start_m"].to_list(), abs=6.0
    )


def test_brake_points_and_end_of_braking(analysis: LapAnalysis) -> None:
    zones = analysis.zones
    assert zones.height == 6
    for lap in (1, 2, 3):
        lap_zones = zones.filter(pl.col("lap") == lap)
        assert lap_zones["brake_point_m"].to_list() == pytest.approx(stadium.BRAKE_POINTS, abs=2.0)
        assert lap_zones["corner"].to_list() == [1, 2]
        assert lap_zones["eob_m"].to_list() == pytest.approx(
            [stadium.TURN1_START, stadium.TURN2_START], abs=2.0
        )
    assert zones["entry_kmh"].to_list() == pytest.approx([144.0] * 6, abs=2.0)
    assert zones["exit_kmh"].to_list() == pytest.approx([72.0] * 6, abs=2.0)
    # Deceleration: (40² - 20²) / (2 · 60 m) = 10 m/s².
    assert zones["mean_decel_g"].to_list() == pytest.approx([10 / stadium.G] * 6, rel=0.03)
    assert brake_zones(analysis.frame.drop("brake")).is_empty()


def test_pedal_states_and_thresholds(analysis: LapAnalysis) -> None:
    table = pedal_behavior(analysis.frame)
    overall = {
        r["state"]: r["share"] for r in table.filter(pl.col("lap").is_null()).iter_rows(named=True)
    }
    assert sum(overall.values()) == pytest.approx(1.0)
    brake_time = 2 * (2 * stadium.BRAKE_M / (stadium.FAST_MS + stadium.SLOW_MS))
    assert overall["brake_only"] == pytest.approx(brake_time / stadium.lap_time_s(), abs=0.01)
    assert overall["trail_brake"] == 0.0
    assert overall["coast"] == 0.0
    # Throttle at 0.3 in the hairpins counts as coasting once the threshold is above it.
    high = pedal_behavior(analysis.frame, throttle_th=0.5)
    coast = high.filter(pl.col("lap").is_null() & (pl.col("state") == "coast"))["share"][0]
    hairpins = 2 * 3.14159 * stadium.RADIUS_M / stadium.SLOW_MS
    assert coast == pytest.approx(hairpins / stadium.lap_time_s(), abs=0.01)


def test_straights_and_classification(analysis: LapAnalysis) -> None:
    straights = straight_line_speed(analysis.frame, analysis.corners, analysis.lap_length_m)
    assert straights["name"].to_list() == ["After T1", "Main straight"]
    assert straights["top_kmh"].to_list() == pytest.approx([144.0, 144.0], abs=0.5)
    bands = corner_classification(analysis.corners, low_max=80.0, med_max=160.0)
    assert bands["band"].to_list() == ["low", "low"]
    assert corner_classification(analysis.corners, low_max=50.0)["band"].to_list() == ["medium"] * 2


def test_shifts(analysis: LapAnalysis) -> None:
    ups = upshifts(analysis.frame)
    assert set(zip(ups["from_gear"].to_list(), ups["to_gear"].to_list(), strict=True)) == {
        (3, 4),
        (4, 5),
    }
    assert ups.filter(pl.col("from_gear") == 3)["rpm"].to_list() == pytest.approx(
        [25.0 * 280.0] * ups.filter(pl.col("from_gear") == 3).height, rel=0.03
    )
    points = shift_points(analysis.frame)
    assert points["gear"].to_list() == [3, 4]
    assert points["observed_rpm"].is_not_null().all()


def test_grades_and_box_stats() -> None:
    assert [grade(p) for p in (0.0, 0.7, 1.5, 3.0, 9.0)] == ["A", "B", "C", "D", "F"]
    stats = box_stats(pl.Series([1.0, 2.0, 3.0, 4.0, 100.0]))
    assert (stats.q1, stats.median, stats.q3) == (2.0, 3.0, 4.0)
    assert stats.outliers == [100.0]
    assert stats.whisker_high == 4.0
    assert box_stats(pl.Series([], dtype=pl.Float64)).count == 0


def test_every_analytic_runs_and_empty_data_is_not_an_error(analysis: LapAnalysis) -> None:
    for name in ANALYTICS:
        assert isinstance(compute(name, analysis), dict)
    empty = LapAnalysis(pl.LazyFrame(schema={"t_s": pl.Float64, "speed_kmh": pl.Float64}))
    for name in ANALYTICS:
        assert isinstance(compute(name, empty), dict)
    assert compute("scorecard", analysis)["corners"][0]["grade"] == "A"
    assert len(compute("highlights", analysis)["highlights"]) <= 8


def test_synchroniser_time_and_distance(three_laps: pl.DataFrame) -> None:
    lf = three_laps.lazy()
    out = synchronise(lf, ["speed_kmh", "gear", "nothing"], rate_hz=2.0, t_from=1.0, t_to=3.0)
    assert out["t_s"].to_list() == [1.0, 1.5, 2.0, 2.5, 3.0]
    assert out["nothing"].null_count() == 5
    held = synchronise(lf, ["gear"], rate_hz=1.0, interp="previous")
    assert held["gear"].drop_nulls().is_in([3.0, 4.0, 5.0]).all()
    by_distance = synchronise(lf, ["speed_kmh"], axis="distance", rate_hz=0.1)
    assert by_distance["distance_m"][1] - by_distance["distance_m"][0] == pytest.approx(10.0)
    tall = pl.LazyFrame({"t_s": [0.0, 2.0], "channel": ["oil", "oil"], "value": [1.0, 3.0]})
    mixed = synchronise(lf, ["oil"], channels=tall, rate_hz=1.0, t_to=2.0)
    assert mixed["oil"].to_list() == [1.0, 2.0, 3.0]
    for bad in (
        {"axis": "space"},
        {"interp": "cubic"},
        {"rate_hz": 0.0},
        {"t_from": 5.0, "t_to": 1.0},
    ):
        with pytest.raises(ValueError):
            synchronise(lf, ["speed_kmh"], **bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at most"):
        synchronise(lf, ["speed_kmh"], rate_hz=5000.0)
