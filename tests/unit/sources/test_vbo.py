"""The VBO parser: sections, HHMMSS times, minutes with west-positive longitude, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from paddock.exceptions import InvalidArgument
from paddock.sources.importers.vbo import parse_vbo, read_vbo

SMALL = """File created on 02/03/2024 @ 10:00:00

[header]
satellites
time
latitude
longitude
velocity kmh
heading
height
Engine_Speed

[channel units]
(null)
(null)
(null)
(null)
(null)
(null)
(null)
RPM

[laptiming]
Start        +3000.000000 +3000.000000 +3000.100000 +3000.100000 ¬ Start / Finish

[column names]
sats time lat long velocity heading height Engine_Speed

[data]
010 095959.960 +3000.00000 +0600.00000 100.0 090.0 +00010.0 +3.000000E+03
010 100000.000 +3000.00000 +0599.99000 100.5 090.0 +00010.1 +3.100000E+03
010 100000.000 +3000.00000 +0599.99000 100.5 090.0 +00010.1 +3.100000E+03
010 100000.040 +3000.00000 +0599.98000 101.0 090.0 +00010.2
010 100000.080 +3000.00000 +0599.97000 101.5 090.0 +00010.3 +3.200000E+03
"""


def test_small_file_columns_times_and_signs() -> None:
    vbo = parse_vbo(SMALL)
    frames = vbo.frames
    # One short row skipped, one repeated row dropped.
    assert (vbo.skipped_rows, vbo.duplicate_rows) == (1, 1)
    assert frames.height == 3
    # 09:59:59.96 to 10:00:00.08 is 0.12 s, not the 40.12 a plain number difference gives.
    t = (frames["ts_ns"] - frames["ts_ns"][0]) / 1e9
    assert t.to_list() == pytest.approx([0.0, 0.04, 0.12])
    assert frames["ts_ns"][0] == 1_709_373_599_960_000_000  # 2024-03-02T09:59:59.96Z
    # Minutes to degrees; longitude is positive west in VBO.
    assert frames["lat_deg"][0] == pytest.approx(50.0)
    assert frames["lon_deg"][0] == pytest.approx(-10.0)
    assert frames["speed_kmh"].to_list() == [100.0, 100.5, 101.5]
    assert frames["rpm"].to_list() == [3000.0, 3100.0, 3200.0]
    assert frames["alt_m"][2] == pytest.approx(10.3)
    assert frames["vbo.sats"].to_list() == [10.0, 10.0, 10.0]
    # 0.01' of longitude at 50° N is 0.01 * 1852 m * cos(50°) = 11.9 m.
    assert frames["distance_m"][1] == pytest.approx(11.9, abs=0.1)
    assert vbo.units == {"Engine_Speed": "RPM"}
    assert vbo.gate is not None
    assert vbo.gate.lon1_deg == pytest.approx(-50.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no [column names] and [data]"),
        ("[data]\n1 2 3\n", "no [column names] and [data]"),
        ("[column names]\nsats lat\n[data]\n1 2\n", "needs a 'time' column"),
        ("[column names]\ntime lat\n[data]\n1 2 3\n", "no data row"),
        ("\x00\x01binary", "binary content"),
    ],
)
def test_not_a_vbo(text: str, message: str) -> None:
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        parse_vbo(text)


def test_real_vbox_session(testdata: Path) -> None:
    vbo = read_vbo(testdata / "tracks/vbo/25IR05_RdAm_FP1_Run01_KO.vbo")
    frames = vbo.frames
    # 5675 data rows, one of which repeats its predecessor's time (SOURCES.md: duplicated rows).
    assert vbo.skipped_rows == 0
    assert frames.height + vbo.duplicate_rows == 5675
    assert vbo.duplicate_rows >= 1
    assert frames["ts_ns"].is_sorted()
    assert frames["ts_ns"].diff().drop_nulls().min() > 0
    # 25 Hz: the median step is 40 ms.
    assert frames["ts_ns"].diff().median() == 40_000_000
    # Road America: 43.80 N, 87.99 W.
    assert frames["lat_deg"].mean() == pytest.approx(43.80, abs=0.01)
    assert frames["lon_deg"].mean() == pytest.approx(-87.99, abs=0.01)
    assert {"speed_kmh", "heading_deg", "alt_m", "distance_m", "rpm", "gear", "throttle"} <= set(
        frames.columns
    )
    assert "vbo.lap_number" in frames.columns
    assert frames.select(pl.col("throttle").max()).item() <= 1.0
    # 33 columns, 22 units: units are matched to [header] names in order, "(null)" skipped.
    assert vbo.units.get("ComboAcc") == "G"
