"""Load a centre line from the TUM FTM racetrack-database CSV format.

The files (``# x_m,y_m,w_tr_right_m,w_tr_left_m``) hold a closed centre line in the driving
direction, roughly every 5 m, on a map whose ``y`` points north. The map's ``(x, y)`` becomes the
game world's ``(x, -z)``: negating ``y`` keeps the map's handedness (a right-hander stays a
right-hander) because the game's ground plane, seen from above, has ``z`` pointing south.
The database has no elevation, so ``y`` (height) is 0. Curvature is taken from the heading
change over neighbouring points and smoothed with a periodic moving average, because the
published centre lines are noisy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from paddock.sources.simulator.track import Corner, Direction, Track, wrap_angle

SMOOTHING_HALF_WINDOW = 2
"""Moving-average half-width in samples (5-sample window) applied twice to the curvature."""

CORNER_MIN_CURVATURE = 1.0 / 350.0
"""Curvature (1/m) above which a stretch of track counts as part of a corner."""

CORNER_MIN_ANGLE_RAD = math.radians(15.0)
"""Smallest total turn (rad) for a curved stretch to be numbered as a corner."""


def _read_points(path: Path) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            fields = text.split(",")
            try:
                x_m, y_m = float(fields[0]), float(fields[1])
            except (IndexError, ValueError) as exc:
                raise ValueError(
                    f"{path}:{line_number}: expected 'x_m,y_m,...', got {text!r}"
                ) from exc
            point = (x_m, -y_m)
            if not points or math.dist(points[-1], point) > 1e-6:
                points.append(point)
    if len(points) > 1 and math.dist(points[0], points[-1]) <= 1e-6:
        points.pop()
    if len(points) < 8:
        raise ValueError(f"{path}: a closed centre line needs at least 8 points, got {len(points)}")
    return points


def _smooth(values: Sequence[float], half_window: int, passes: int) -> list[float]:
    """Periodic moving average of ``values``, repeated ``passes`` times."""
    count = len(values)
    out = list(values)
    width = 2 * half_window + 1
    for _ in range(passes):
        out = [
            sum(out[(i + offset) % count] for offset in range(-half_window, half_window + 1))
            / width
            for i in range(count)
        ]
    return out


def detect_corners(
    s: Sequence[float], curvature: Sequence[float], length_m: float
) -> tuple[Corner, ...]:
    """Find and number the corners of a sampled centre line from its curvature.

    A corner is a run of samples with ``|curvature| >= CORNER_MIN_CURVATURE`` and one sign that
    turns by at least ``CORNER_MIN_ANGLE_RAD``. Corners are numbered in lap order and named T1, T2…
    """
    count = len(s)
    quiet = [i for i in range(count) if abs(curvature[i]) < CORNER_MIN_CURVATURE]
    if not quiet:
        return ()
    origin = quiet[0]
    runs: list[list[int]] = []
    for step in range(count):
        i = (origin + step) % count
        sign = (curvature[i] > 0) - (curvature[i] < 0)
        if abs(curvature[i]) < CORNER_MIN_CURVATURE:
            continue
        last = runs[-1][-1] if runs else None
        if last is not None and (last + 1) % count == i and (curvature[last] > 0) == (sign > 0):
            runs[-1].append(i)
        else:
            runs.append([i])

    def spacing(i: int) -> float:
        return (s[i + 1] if i + 1 < count else length_m) - s[i]

    found: list[tuple[float, int, int, int]] = []
    for run in runs:
        angle = sum(abs(curvature[i]) * spacing(i) for i in run)
        if angle >= CORNER_MIN_ANGLE_RAD:
            apex = max(run, key=lambda i: abs(curvature[i]))
            found.append((s[apex], apex, run[0], run[-1]))
    corners: list[Corner] = []
    for number, (apex_m, apex, first, last) in enumerate(sorted(found), start=1):
        direction: Direction = "right" if curvature[apex] > 0 else "left"
        corners.append(
            Corner(
                number=number,
                name=f"T{number}",
                start_m=s[first],
                apex_m=apex_m,
                end_m=s[last] + spacing(last),
                min_radius_m=1.0 / abs(curvature[apex]),
                direction=direction,
            )
        )
    return tuple(corners)


def load_tumftm_csv(path: str | Path, *, name: str | None = None) -> Track:
    """Load a TUM FTM racetrack-database centre line as a flat, closed :class:`Track`.

    Args:
        path: The CSV file (``x_m,y_m,w_tr_right_m,w_tr_left_m`` rows, ``#`` header).
        name: Track name to report; defaults to the file stem in lower case (``monza``).

    Raises:
        ValueError: If the file is malformed or has too few points.
        OSError: If the file cannot be read.

    """
    csv_path = Path(path)
    points = _read_points(csv_path)
    count = len(points)
    s = [0.0]
    for i in range(1, count):
        s.append(s[-1] + math.dist(points[i - 1], points[i]))
    length = s[-1] + math.dist(points[-1], points[0])

    headings: list[float] = []
    for i in range(count):
        ahead, behind = points[(i + 1) % count], points[i - 1]
        headings.append(math.atan2(-(ahead[0] - behind[0]), -(ahead[1] - behind[1])))
    unwrapped = [headings[0]]
    for heading in headings[1:]:
        unwrapped.append(unwrapped[-1] + wrap_angle(heading - unwrapped[-1]))

    raw_curvature: list[float] = []
    for i in range(count):
        span = (s[i + 1] if i + 1 < count else length) - (s[i - 1] if i > 0 else s[-1] - length)
        turn = wrap_angle(headings[(i + 1) % count] - headings[i - 1])
        raw_curvature.append(-turn / span)
    curvature = _smooth(raw_curvature, SMOOTHING_HALF_WINDOW, passes=2)

    zeros = tuple(0.0 for _ in range(count))
    track_name = name or csv_path.stem.lower()
    return Track(
        name=track_name,
        display_name=csv_path.stem,
        length_m=length,
        s=tuple(s),
        x=tuple(point[0] for point in points),
        y=zeros,
        z=tuple(point[1] for point in points),
        heading=tuple(unwrapped),
        curvature=tuple(curvature),
        grade=zeros,
        vertical_curvature=zeros,
        sector_starts_m=(0.0, length / 3.0, 2.0 * length / 3.0),
        corners=detect_corners(s, curvature, length),
    )
