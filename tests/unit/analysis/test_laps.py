import polars as pl
import pytest

from paddock.analysis.laps import LAP_TABLE_SCHEMA, lap_table

LAPS = [(1, 20.0, (6.0, 7.5)), (2, 19.5, (5.9, 7.3)), (3, 19.8, (6.1, 7.2)), (4, 30.0, (9, 9))]


def _frames(rate_hz: float = 60.0, *, offset_s: float = 0.0, with_game_laps: bool = True):
    """Frames of a car doing LAPS (the last one unfinished), sampled from ``offset_s``."""
    rows = []
    lap_start = 0.0
    best = None
    last = None
    t = offset_s
    for lap, lap_time, (s1, s2) in LAPS:
        end = lap_start + lap_time
        while (t < end and lap < 4) or (lap == 4 and t < lap_start + 5.0):
            into = t - lap_start
            sector = 1 if into < s1 else 2 if into < s1 + s2 else 3
            start_of_sector = {1: 0.0, 2: s1, 3: s1 + s2}[sector]
            rows.append(
                {
                    "ts_ns": int(t * 1e9) + 1_700_000_000_000_000_000,
                    "t_s": t,
                    "lap": lap,
                    "lap_time_s": into,
                    "sector": sector,
                    "sector_time_s": into - start_of_sector,
                    "last_lap_s": last if with_game_laps else None,
                    "best_lap_s": best,
                }
            )
            t += 1.0 / rate_hz
        last = lap_time
        best = lap_time if best is None else min(best, lap_time)
        lap_start = end
    schema = {"lap": pl.Int32, "sector": pl.Int32, "last_lap_s": pl.Float64}
    schema["best_lap_s"] = pl.Float64
    return pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None).lazy()


def test_laps_and_sectors_from_game_timing() -> None:
    table = lap_table(_frames())
    assert table.schema == pl.Schema(LAP_TABLE_SCHEMA)
    assert table["lap"].to_list() == [1, 2, 3]
    for row, (_, lap_time, (s1, s2)) in zip(table.iter_rows(named=True), LAPS, strict=False):
        assert row["lap_time_s"] == pytest.approx(lap_time, abs=1e-9)
        assert row["lap_time_source"] == "source"
        assert row["s1_s"] == pytest.approx(s1, abs=1e-6)
        assert row["s2_s"] == pytest.approx(s2, abs=1e-6)
        assert row["s3_s"] == pytest.approx(lap_time - s1 - s2, abs=1e-6)


def test_lap_times_from_crossings_when_the_source_reports_none() -> None:
    table = lap_table(_frames(with_game_laps=False))
    assert table["lap_time_source"].to_list() == ["crossings"] * 3
    assert table["lap_time_s"].to_list() == pytest.approx([20.0, 19.5, 19.8], abs=1e-6)


def test_a_lap_joined_midway_is_not_reported() -> None:
    table = lap_table(_frames(offset_s=5.0))
    assert table["lap"].to_list() == [2, 3]


def test_sector_times_without_sector_time_channel_cost_one_sample() -> None:
    lf = _frames(rate_hz=20.0).drop("sector_time_s")
    table = lap_table(lf)
    for row, (_, _, (s1, _)) in zip(table.iter_rows(named=True), LAPS, strict=False):
        assert row["s1_s"] == pytest.approx(s1, abs=1 / 20.0 + 1e-9)


def test_empty_and_missing_columns() -> None:
    assert lap_table(pl.LazyFrame({"t_s": [0.0]})).is_empty()
    empty = pl.LazyFrame(schema={"t_s": pl.Float64, "lap": pl.Int32, "lap_time_s": pl.Float64})
    assert lap_table(empty).is_empty()
