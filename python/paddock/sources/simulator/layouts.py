"""Build tracks: from straight/arc segments (the bundled JSON definitions) or a TUM FTM CSV."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paddock.sources.simulator.track import Corner, Direction, Track
from paddock.sources.simulator.tumftm import load_tumftm_csv

TRACKS_DIR = Path(__file__).resolve().parents[2] / "data" / "tracks"
"""Folder of the bundled track definitions (``<name>.json``)."""

DEFAULT_TRACK = "paddock_park"
"""Name of the track used when none is given."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of a segment-built track.

    Attributes:
        length_m: Length along the centre line; ``None`` for a straight solved to close the loop.
        radius_m: Arc radius, or ``None`` for a straight.
        turn: ``+1`` for a right-hand arc, ``-1`` for left, ``0`` for a straight.
        corner_number: Corner this arc belongs to, if any.
        corner_name: Name of that corner.

    """

    length_m: float | None
    radius_m: float | None = None
    turn: int = 0
    corner_number: int | None = None
    corner_name: str = ""


def _number(raw: Mapping[str, Any], key: str, where: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}: '{key}' must be a finite number, got {value!r}")
    return float(value)


def parse_segment(raw: Mapping[str, Any], index: int) -> Segment:
    """Parse one JSON segment: a straight (``length_m`` or ``"auto"``) or an arc.

    Raises:
        ValueError: If the segment is malformed.

    """
    where = f"segment {index}"
    kind = raw.get("type")
    if kind == "straight":
        if raw.get("length_m") == "auto":
            return Segment(length_m=None)
        length = _number(raw, "length_m", where)
        if length <= 0.0:
            raise ValueError(f"{where}: straight length must be positive, got {length}")
        return Segment(length_m=length)
    if kind != "arc":
        raise ValueError(f"{where}: 'type' must be 'straight' or 'arc', got {kind!r}")
    radius = _number(raw, "radius_m", where)
    angle = _number(raw, "angle_deg", where)
    direction = raw.get("direction")
    if radius <= 0.0 or angle <= 0.0 or direction not in ("left", "right"):
        raise ValueError(f"{where}: an arc needs radius_m > 0, angle_deg > 0, direction left|right")
    corner = raw.get("corner")
    number: int | None = None
    name = ""
    if isinstance(corner, Mapping):
        raw_number = corner.get("number")
        if not isinstance(raw_number, int) or isinstance(raw_number, bool):
            raise ValueError(f"{where}: corner 'number' must be an integer")
        number = raw_number
        name = str(corner.get("name", f"T{raw_number}"))
    return Segment(
        length_m=radius * math.radians(angle),
        radius_m=radius,
        turn=1 if direction == "right" else -1,
        corner_number=number,
        corner_name=name,
    )


def _advance(x: float, z: float, heading: float, seg: Segment, length: float) -> tuple[float, ...]:
    """Position and heading after ``length`` metres along ``seg`` from ``(x, z, heading)``."""
    if seg.radius_m is None:
        return x - math.sin(heading) * length, z - math.cos(heading) * length, heading
    radius = seg.radius_m * seg.turn
    end_heading = heading - length / radius
    return (
        x + radius * (math.cos(heading) - math.cos(end_heading)),
        z + radius * (math.sin(end_heading) - math.sin(heading)),
        end_heading,
    )


def close_loop(segments: Sequence[Segment], start_heading: float) -> list[Segment]:
    """Solve the lengths of the two ``auto`` straights so the circuit closes exactly.

    Raises:
        ValueError: If the turns do not add up to one full revolution, there are not exactly two
            auto straights, they are parallel, or a solved length is not positive.

    """
    total_turn = sum(seg.turn * (seg.length_m or 0.0) / (seg.radius_m or 1.0) for seg in segments)
    if abs(abs(total_turn) - math.tau) > 1e-9:
        raise ValueError(f"segments turn by {math.degrees(total_turn):.3f} deg; need +-360")
    autos = [i for i, seg in enumerate(segments) if seg.length_m is None]
    if len(autos) != 2:
        raise ValueError(f"exactly two straights must have length 'auto', found {len(autos)}")
    x = z = 0.0
    heading = start_heading
    directions: list[tuple[float, float]] = []
    for seg in segments:
        if seg.length_m is None:
            directions.append((-math.sin(heading), -math.cos(heading)))
            continue
        x, z, heading = _advance(x, z, heading, seg, seg.length_m)
    (ax, az), (bx, bz) = directions
    det = ax * bz - az * bx
    if abs(det) < 1e-6:
        raise ValueError("the two auto straights are parallel; the loop cannot be closed")
    first = (-x * bz + z * bx) / det
    second = (-ax * z + az * x) / det
    if first <= 0.0 or second <= 0.0:
        raise ValueError(f"closing the loop needs straights of {first:.1f} m and {second:.1f} m")
    solved = iter((first, second))
    return [Segment(length_m=next(solved)) if seg.length_m is None else seg for seg in segments]


def _elevation(
    knots: Sequence[tuple[float, float]], frac: float, length: float
) -> tuple[float, ...]:
    """Height, slope and d2y/ds2 at lap fraction ``frac`` (cosine-eased between knots)."""
    for (fa, ha), (fb, hb) in itertools.pairwise(knots):
        if fa <= frac <= fb:
            span = (fb - fa) * length
            u = (frac - fa) / (fb - fa)
            rise = hb - ha
            return (
                ha + rise * (1.0 - math.cos(math.pi * u)) / 2.0,
                rise * math.pi * math.sin(math.pi * u) / (2.0 * span),
                rise * math.pi**2 * math.cos(math.pi * u) / (2.0 * span**2),
            )
    return knots[0][1], 0.0, 0.0


def _parse_knots(raw: Any, where: str) -> list[tuple[float, float]]:
    if raw is None:
        return [(0.0, 0.0), (1.0, 0.0)]
    if not isinstance(raw, list):
        raise ValueError(f"{where}: 'elevation_m' must be a list of [fraction, height] pairs")
    knots = [(float(frac), float(height)) for frac, height in raw]
    fracs = [frac for frac, _ in knots]
    if len(knots) < 2 or fracs[0] != 0.0 or fracs[-1] != 1.0 or fracs != sorted(set(fracs)):
        raise ValueError(f"{where}: elevation fractions must rise strictly from 0 to 1")
    if knots[0][1] != knots[-1][1]:
        raise ValueError(f"{where}: elevation must end at the height it starts at")
    return knots


def build_from_definition(definition: Mapping[str, Any]) -> Track:
    """Build a track from a parsed JSON definition (see ``data/tracks/paddock_park.json``).

    Raises:
        ValueError: If the definition is malformed or does not close.

    """
    name = str(definition.get("name", "track"))
    raw_segments = definition.get("segments")
    if not isinstance(raw_segments, list) or not raw_segments:
        raise ValueError(f"track {name}: 'segments' must be a non-empty list")
    heading0 = math.radians(float(definition.get("start_heading_deg", 0.0)))
    segments = close_loop([parse_segment(raw, i) for i, raw in enumerate(raw_segments)], heading0)
    lengths = [seg.length_m or 0.0 for seg in segments]
    length = sum(lengths)
    count = max(64, math.ceil(length / float(definition.get("sample_spacing_m", 1.0))))
    step = length / count
    knots = _parse_knots(definition.get("elevation_m"), f"track {name}")

    starts: list[tuple[float, float, float, float]] = []  # s, x, z, heading at each segment
    x = z = 0.0
    heading = heading0
    s_at = 0.0
    for seg, seg_length in zip(segments, lengths, strict=True):
        starts.append((s_at, x, z, heading))
        x, z, heading = _advance(x, z, heading, seg, seg_length)
        s_at += seg_length
    if math.hypot(x, z) > 0.01:
        raise ValueError(f"track {name}: the circuit misses its start by {math.hypot(x, z):.3f} m")

    columns: dict[str, list[float]] = {k: [] for k in ("s", "x", "y", "z", "h", "k", "g", "v")}
    seg_index = 0
    for i in range(count):
        s = i * step
        while seg_index + 1 < len(segments) and starts[seg_index + 1][0] <= s:
            seg_index += 1
        seg = segments[seg_index]
        s0, x0, z0, h0 = starts[seg_index]
        px, pz, ph = _advance(x0, z0, h0, seg, s - s0)
        height, grade, bend = _elevation(knots, s / length, length)
        curvature = seg.turn / seg.radius_m if seg.radius_m else 0.0
        for key, value in zip(
            "sxyzhkgv", (s, px, height, pz, ph, curvature, grade, bend), strict=True
        ):
            columns[key].append(value)

    return Track(
        name=name,
        display_name=str(definition.get("display_name", name)),
        length_m=length,
        s=tuple(columns["s"]),
        x=tuple(columns["x"]),
        y=tuple(columns["y"]),
        z=tuple(columns["z"]),
        heading=tuple(columns["h"]),
        curvature=tuple(columns["k"]),
        grade=tuple(columns["g"]),
        vertical_curvature=tuple(columns["v"]),
        sector_starts_m=_sector_starts(definition.get("sector_starts"), length, name),
        corners=_segment_corners(segments, [start[0] for start in starts]),
    )


def _sector_starts(raw: Any, length: float, name: str) -> tuple[float, ...]:
    fractions = raw if isinstance(raw, list) else [0.0, 1.0 / 3.0, 2.0 / 3.0]
    if len(fractions) != 3 or float(fractions[0]) != 0.0:
        raise ValueError(f"track {name}: 'sector_starts' must be three fractions starting at 0")
    return tuple(float(frac) * length for frac in fractions)


def _segment_corners(segments: Sequence[Segment], starts: Sequence[float]) -> tuple[Corner, ...]:
    grouped: dict[int, list[int]] = {}
    for i, seg in enumerate(segments):
        if seg.corner_number is not None:
            grouped.setdefault(seg.corner_number, []).append(i)
    corners: list[Corner] = []
    for number, members in sorted(grouped.items()):
        tightest = min(members, key=lambda i: segments[i].radius_m or math.inf)
        seg = segments[tightest]
        last = members[-1]
        direction: Direction = "right" if seg.turn > 0 else "left"
        corners.append(
            Corner(
                number=number,
                name=segments[members[0]].corner_name,
                start_m=starts[members[0]],
                apex_m=starts[tightest] + (seg.length_m or 0.0) / 2.0,
                end_m=starts[last] + (segments[last].length_m or 0.0),
                min_radius_m=seg.radius_m or math.inf,
                direction=direction,
            )
        )
    return tuple(sorted(corners, key=lambda corner: corner.apex_m))


def bundled_track(name: str = DEFAULT_TRACK) -> Track:
    """Load a track definition shipped in ``paddock/data/tracks/<name>.json``.

    Raises:
        ValueError: If no bundled track has that name, or its definition is invalid.

    """
    path = TRACKS_DIR / f"{name}.json"
    if not name.isidentifier() or not path.is_file():
        known = sorted(p.stem for p in TRACKS_DIR.glob("*.json"))
        raise ValueError(f"no bundled track named {name!r}; bundled tracks: {', '.join(known)}")
    with path.open(encoding="utf-8") as handle:
        definition = json.load(handle)
    if not isinstance(definition, dict):
        raise ValueError(f"{path}: a track definition must be a JSON object")
    return build_from_definition(definition)


def load_track(spec: str | Path | Track | None) -> Track:
    """Resolve a track argument: a Track, a bundled name, a TUM FTM CSV path, or ``None``.

    Raises:
        ValueError: If ``spec`` names neither a bundled track nor an existing CSV file.

    """
    if spec is None:
        return bundled_track()
    if isinstance(spec, Track):
        return spec
    path = Path(spec)
    if path.suffix.lower() == ".csv" or path.is_file():
        return load_tumftm_csv(path)
    return bundled_track(str(spec))
