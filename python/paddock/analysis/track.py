"""A track's centre line, elevation profile and markers, from its definition.

Markers are derived from what the track defines: the start/finish line, each sector start, and
for each corner its entry, apex and exit (kinds ``start_finish``, ``sector``, ``corner_entry``,
``apex``, ``corner_exit``), each at a distance from the line with its world position.
"""

from __future__ import annotations

from typing import Any

from paddock.sources.simulator.track import Track

MAX_ELEVATION_POINTS = 100_000
"""Most points one elevation profile returns."""


def describe(track: Track) -> dict[str, Any]:
    """The track's summary: name, length, corner and sector counts."""
    return {
        "id": track.name,
        "name": track.display_name,
        "length_m": track.length_m,
        "corners": len(track.corners),
        "sectors": len(track.sector_starts_m),
    }


def elevation_profile(track: Track, *, step_m: float = 10.0) -> dict[str, Any]:
    """Elevation along the centre line every ``step_m`` metres.

    Raises:
        ValueError: ``step_m`` not positive, or more than :data:`MAX_ELEVATION_POINTS` points.
    """
    if not step_m > 0:
        raise ValueError(f"step_m must be positive, got {step_m}")
    count = int(track.length_m // step_m) + 1
    if count > MAX_ELEVATION_POINTS:
        raise ValueError(f"{count} points asked for; at most {MAX_ELEVATION_POINTS}: raise step_m")
    points = []
    for i in range(count):
        d = min(i * step_m, track.length_m)
        p = track.position_at(d)
        points.append({"distance_m": d, "elevation_m": p.y, "x": p.x, "z": p.z})
    heights = [p["elevation_m"] for p in points]
    return {
        "track": track.name,
        "step_m": step_m,
        "length_m": track.length_m,
        "min_m": min(heights),
        "max_m": max(heights),
        "points": points,
    }


def markers(track: Track) -> list[dict[str, Any]]:
    """Every marker of the track in lap order (see the module notes)."""
    out: list[dict[str, Any]] = []

    def add(kind: str, name: str, distance: float, corner: int | None) -> None:
        p = track.position_at(distance)
        out.append(
            {
                "kind": kind,
                "name": name,
                "distance_m": distance,
                "corner": corner,
                "x": p.x,
                "y": p.y,
                "z": p.z,
            }
        )

    add("start_finish", "Start/finish", 0.0, None)
    for k, start in enumerate(track.sector_starts_m[1:], start=2):
        add("sector", f"Sector {k}", start, None)
    for c in track.corners:
        add("corner_entry", f"{c.name} entry", c.start_m, c.number)
        add("apex", f"{c.name} apex", c.apex_m, c.number)
        add("corner_exit", f"{c.name} exit", c.end_m, c.number)
    return sorted(out, key=lambda m: m["distance_m"])
