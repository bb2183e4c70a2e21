"""The bundled track and the segment builder: closure, corners, sectors, curvature, scaling."""

from __future__ import annotations

import math
from typing import Any

import pytest

from paddock.sources.simulator import Track, bundled_track, load_track
from paddock.sources.simulator.layouts import build_from_definition
from paddock.sources.simulator.track import wrap_angle


def test_bundled_track_closes(park: Track) -> None:
    assert park.closure_gap_m() < 0.03
    last = park.sample_count - 1
    end_heading = park.heading[last] - park.curvature[last] * park.interval_length(last)
    # Clockwise circuit: one full turn to the right, i.e. the yaw falls by 2 pi.
    assert end_heading - park.heading[0] == pytest.approx(-math.tau, abs=1e-9)
    start, end = park.position_at(0.0), park.position_at(park.length_m - 1e-9)
    assert math.hypot(start.x - end.x, start.z - end.z) < 0.03


def test_bundled_track_shape(park: Track) -> None:
    assert park.name == "paddock_park"
    assert 3000.0 <= park.length_m <= 4000.0
    assert park.sample_count >= park.length_m  # at most 1 m between samples
    radii = [corner.min_radius_m for corner in park.corners]
    assert [corner.number for corner in park.corners] == list(range(1, len(radii) + 1))
    assert all(corner.name for corner in park.corners)
    hairpins = [c for c in park.corners if 15.0 <= c.min_radius_m <= 20.0]
    assert [c.name for c in hairpins] == ["Hairpin"]
    hairpin = hairpins[0]
    turned = abs(hairpin.end_m - hairpin.start_m) / hairpin.min_radius_m
    assert math.degrees(turned) > 150.0
    assert any(40.0 <= r <= 80.0 for r in radii)
    assert any(150.0 <= r <= 300.0 for r in radii)
    straight_runs = _straight_lengths(park)
    assert max(straight_runs) > 700.0


def _straight_lengths(track: Track) -> list[float]:
    runs: list[float] = []
    length = 0.0
    for i in range(track.sample_count):
        if track.curvature[i] == 0.0:
            length += track.interval_length(i)
        elif length:
            runs.append(length)
            length = 0.0
    return [*runs, length]


def test_bundled_track_sectors(park: Track) -> None:
    starts = park.sector_starts_m
    assert len(starts) == 3
    assert starts[0] == 0.0
    assert 0.0 < starts[1] < starts[2] < park.length_m
    assert park.sector_at(0.0) == 0
    assert park.sector_at(starts[1] + 0.5) == 1
    assert park.sector_at(park.length_m - 0.5) == 2
    # Sector lines sit on straights, not in the middle of a corner.
    assert all(park.position_at(s).curvature == 0.0 for s in starts)


def test_arc_curvature_matches_radius(park: Track) -> None:
    for corner in park.corners:
        expected = 1.0 / corner.min_radius_m * (1 if corner.direction == "right" else -1)
        assert park.position_at(corner.apex_m).curvature == pytest.approx(expected, rel=1e-9)
        # The geometry agrees: heading change between positions 2 m either side of the apex.
        before = park.position_at(corner.apex_m - 2.0)
        mid = park.position_at(corner.apex_m)
        after = park.position_at(corner.apex_m + 2.0)
        chord_in = math.atan2(-(mid.x - before.x), -(mid.z - before.z))
        chord_out = math.atan2(-(after.x - mid.x), -(after.z - mid.z))
        measured = -wrap_angle(chord_out - chord_in) / 2.0
        assert measured == pytest.approx(expected, rel=0.01)


def test_elevation_is_gentle(park: Track) -> None:
    assert max(abs(g) for g in park.grade) < 0.04
    assert 5.0 < max(park.y) - min(park.y) < 30.0
    assert park.y[0] == pytest.approx(0.0)


def test_position_at_wraps_and_interpolates(park: Track) -> None:
    a = park.position_at(123.4)
    b = park.position_at(123.4 + park.length_m)
    c = park.position_at(123.4 - 2 * park.length_m)
    assert a == pytest.approx(b)
    assert a == pytest.approx(c)
    mid = park.position_at(0.5 * (park.s[10] + park.s[11]))
    assert mid.x == pytest.approx(0.5 * (park.x[10] + park.x[11]))
    assert -math.pi < park.position_at(1800.0).heading <= math.pi


def test_scaled_track(park: Track) -> None:
    small = park.scaled(0.1)
    assert small.length_m == pytest.approx(park.length_m * 0.1)
    assert small.sample_count == park.sample_count
    assert small.scale == pytest.approx(0.1)
    hairpin = next(c for c in small.corners if c.name == "Hairpin")
    assert hairpin.min_radius_m == pytest.approx(1.7)
    assert small.position_at(hairpin.apex_m).curvature == pytest.approx(1 / 1.7)
    assert small.closure_gap_m() < 0.003
    with pytest.raises(ValueError, match="positive"):
        park.scaled(0.0)


def test_corner_ahead(park: Track) -> None:
    hairpin = next(c for c in park.corners if c.name == "Hairpin")
    assert park.corner_ahead(hairpin.apex_m - 100.0) == hairpin
    assert park.corner_ahead(park.length_m - 1.0) == park.corners[0]


def _definition(**overrides: Any) -> dict[str, Any]:
    square: list[dict[str, Any]] = []
    for _ in range(4):
        square.append({"type": "straight", "length_m": 100})
        square.append({"type": "arc", "radius_m": 20, "angle_deg": 90, "direction": "left"})
    square[0] = {"type": "straight", "length_m": "auto"}
    square[2] = {"type": "straight", "length_m": "auto"}
    definition: dict[str, Any] = {"name": "square", "segments": square}
    definition.update(overrides)
    return definition


def test_builder_solves_closing_straights() -> None:
    track = build_from_definition(_definition())
    assert track.closure_gap_m() < 0.01
    assert track.length_m == pytest.approx(400.0 + 2 * math.pi * 20.0)
    assert track.corners == ()
    assert track.position_at(50.0).curvature == 0.0
    assert track.position_at(110.0).curvature == pytest.approx(-1 / 20)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"segments": [{"type": "straight", "length_m": 10}]}, "turn by"),
        ({"sector_starts": [0.2, 0.5, 0.8]}, "sector_starts"),
        ({"elevation_m": [[0.0, 0.0], [1.0, 5.0]]}, "elevation"),
        ({"segments": []}, "non-empty"),
    ],
)
def test_builder_rejects_bad_definitions(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_from_definition(_definition(**overrides))


def test_load_track_resolves_names() -> None:
    assert load_track(None).name == "paddock_park"
    assert load_track("paddock_park").length_m == bundled_track().length_m
    with pytest.raises(ValueError, match="no bundled track"):
        load_track("no_such_track")
