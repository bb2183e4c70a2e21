"""A closed track centre line, sampled along its length, with sectors and corners.

Coordinates follow the game's world: ``x`` and ``z`` span the ground plane and ``y`` is up.
Heading is the yaw about ``+y`` as Project CARS reports it: at heading ``h`` the car travels
along ``(-sin h, -cos h)`` in ``(x, z)``, so a positive yaw rate is a left turn. Curvature is
signed the other way round, as the driver feels it: positive curvature is a right-hand bend,
so ``d(heading)/ds = -curvature``, steering and lateral acceleration share its sign.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from typing import Literal, NamedTuple

Direction = Literal["left", "right"]


class TrackPoint(NamedTuple):
    """The interpolated centre line at one distance along the lap.

    Attributes:
        x: World x in metres.
        y: Elevation (world y) in metres.
        z: World z in metres.
        heading: Yaw in radians, normalised to ``(-pi, pi]``.
        curvature: Signed horizontal curvature in 1/m (positive = right-hand bend).
        grade: Slope ``dy/ds`` (positive = uphill).
        vertical_curvature: ``d2y/ds2`` in 1/m (positive = compression, negative = crest).

    """

    x: float
    y: float
    z: float
    heading: float
    curvature: float
    grade: float
    vertical_curvature: float


@dataclass(frozen=True, slots=True)
class Corner:
    """A numbered, named corner of a track.

    Attributes:
        number: Corner number as drivers count them (1-based).
        name: Display name, e.g. ``"Hairpin"`` or ``"T4"``.
        start_m: Distance along the lap where the bend begins.
        apex_m: Distance of the apex (tightest point or arc midpoint).
        end_m: Distance where the bend ends (may be below ``start_m`` if it wraps the line).
        min_radius_m: Smallest radius in the corner, metres.
        direction: ``"left"`` or ``"right"``.

    """

    number: int
    name: str
    start_m: float
    apex_m: float
    end_m: float
    min_radius_m: float
    direction: Direction

    def scaled(self, factor: float) -> Corner:
        """Return this corner with every distance and radius multiplied by ``factor``."""
        return Corner(
            number=self.number,
            name=self.name,
            start_m=self.start_m * factor,
            apex_m=self.apex_m * factor,
            end_m=self.end_m * factor,
            min_radius_m=self.min_radius_m * factor,
            direction=self.direction,
        )


def wrap_angle(angle: float) -> float:
    """Normalise an angle in radians to ``(-pi, pi]``."""
    wrapped = math.remainder(angle, math.tau)
    return math.pi if wrapped == -math.pi else wrapped


@dataclass(frozen=True, slots=True)
class Track:
    """A closed circuit sampled at increasing distances ``s`` from the start line.

    The samples are periodic: the interval after the last sample runs to ``length_m``, which is
    the first sample again. Every per-sample tuple has the same length.

    Attributes:
        name: Short identifier sent as the track location (``"paddock_park"``).
        display_name: Human readable name.
        length_m: Lap length in metres.
        s: Distance of each sample from the start line, starting at 0, strictly increasing.
        x: World x of each sample.
        y: Elevation of each sample.
        z: World z of each sample.
        heading: Yaw of each sample in radians (continuous, not wrapped).
        curvature: Signed curvature in 1/m (positive = right-hand bend).
        grade: ``dy/ds`` of each sample.
        vertical_curvature: ``d2y/ds2`` of each sample, 1/m.
        sector_starts_m: Start distance of each sector; the first is 0 (the start line).
        corners: The corners in lap order.
        scale: Factor the geometry was scaled by from its definition.

    """

    name: str
    display_name: str
    length_m: float
    s: tuple[float, ...]
    x: tuple[float, ...]
    y: tuple[float, ...]
    z: tuple[float, ...]
    heading: tuple[float, ...]
    curvature: tuple[float, ...]
    grade: tuple[float, ...]
    vertical_curvature: tuple[float, ...]
    sector_starts_m: tuple[float, ...]
    corners: tuple[Corner, ...]
    scale: float = 1.0

    def __post_init__(self) -> None:
        count = len(self.s)
        if count < 8:
            raise ValueError(f"a track needs at least 8 samples, got {count}")
        columns = (self.x, self.y, self.z, self.heading, self.curvature, self.grade)
        if any(len(column) != count for column in (*columns, self.vertical_curvature)):
            raise ValueError("every per-sample column of a track must have the same length")
        if self.s[0] != 0.0:
            raise ValueError(
                f"the first sample must sit on the start line (s = 0), got {self.s[0]}"
            )
        if any(b <= a for a, b in itertools.pairwise(self.s)):
            raise ValueError("sample distances must be strictly increasing")
        if self.length_m <= self.s[-1]:
            raise ValueError(f"length {self.length_m} m must exceed the last sample {self.s[-1]} m")
        starts = self.sector_starts_m
        if not starts or starts[0] != 0.0:
            raise ValueError("the first sector must start on the start line (0 m)")
        if any(b <= a for a, b in itertools.pairwise(starts)) or starts[-1] >= self.length_m:
            raise ValueError(f"sector starts must increase within the lap, got {starts}")

    @property
    def sample_count(self) -> int:
        """Number of samples on the centre line."""
        return len(self.s)

    def interval_length(self, index: int) -> float:
        """Length in metres of the interval from sample ``index`` to the next (wrapping)."""
        following = self.s[index + 1] if index + 1 < len(self.s) else self.length_m
        return following - self.s[index]

    def wrap_distance(self, distance_m: float) -> float:
        """Map any distance onto ``[0, length_m)``."""
        wrapped = math.fmod(distance_m, self.length_m)
        if wrapped < 0.0:
            wrapped += self.length_m
        return 0.0 if wrapped >= self.length_m else wrapped

    def locate(self, distance_m: float) -> tuple[int, float]:
        """Return the interval holding ``distance_m`` and the fraction (0..1) along it."""
        wrapped = self.wrap_distance(distance_m)
        index = bisect.bisect_right(self.s, wrapped) - 1
        index = min(max(index, 0), len(self.s) - 1)
        return index, (wrapped - self.s[index]) / self.interval_length(index)

    def position_at(self, distance_m: float) -> TrackPoint:
        """Interpolate the centre line at ``distance_m`` (wrapped onto the lap)."""
        index, frac = self.locate(distance_m)
        following = (index + 1) % len(self.s)

        def lerp(column: tuple[float, ...]) -> float:
            return column[index] + (column[following] - column[index]) * frac

        turn = wrap_angle(self.heading[following] - self.heading[index])
        return TrackPoint(
            x=lerp(self.x),
            y=lerp(self.y),
            z=lerp(self.z),
            heading=wrap_angle(self.heading[index] + turn * frac),
            curvature=lerp(self.curvature),
            grade=lerp(self.grade),
            vertical_curvature=lerp(self.vertical_curvature),
        )

    def sector_at(self, distance_m: float) -> int:
        """Return the 0-based sector holding ``distance_m``."""
        wrapped = self.wrap_distance(distance_m)
        return max(bisect.bisect_right(self.sector_starts_m, wrapped) - 1, 0)

    def corner_ahead(self, distance_m: float) -> Corner | None:
        """Return the first corner whose apex lies at or after ``distance_m`` (wrapping)."""
        if not self.corners:
            return None
        wrapped = self.wrap_distance(distance_m)
        return min(self.corners, key=lambda corner: (corner.apex_m - wrapped) % self.length_m)

    def scaled(self, factor: float) -> Track:
        """Return the track with its geometry scaled by ``factor`` (same number of samples).

        Distances, positions and elevation scale by ``factor``; curvatures by ``1 / factor``;
        headings and grades are unchanged, so a hairpin stays a hairpin.

        Raises:
            ValueError: If ``factor`` is not a positive finite number.

        """
        if not (math.isfinite(factor) and factor > 0.0):
            raise ValueError(f"scale factor must be positive and finite, got {factor}")

        def times(column: tuple[float, ...]) -> tuple[float, ...]:
            return tuple(value * factor for value in column)

        return Track(
            name=self.name,
            display_name=self.display_name,
            length_m=self.length_m * factor,
            s=times(self.s),
            x=times(self.x),
            y=times(self.y),
            z=times(self.z),
            heading=self.heading,
            curvature=tuple(value / factor for value in self.curvature),
            grade=self.grade,
            vertical_curvature=tuple(value / factor for value in self.vertical_curvature),
            sector_starts_m=times(self.sector_starts_m),
            corners=tuple(corner.scaled(factor) for corner in self.corners),
            scale=self.scale * factor,
        )

    def closure_gap_m(self) -> float:
        """Distance between the end of the last interval (extrapolated) and the first sample.

        The last interval is followed along its heading and curvature; a well-closed track
        returns a few millimetres at most.
        """
        last = len(self.s) - 1
        step = self.interval_length(last)
        mid_heading = self.heading[last] - 0.5 * self.curvature[last] * step
        end_x = self.x[last] - math.sin(mid_heading) * step
        end_z = self.z[last] - math.cos(mid_heading) * step
        return math.hypot(end_x - self.x[0], end_z - self.z[0])
