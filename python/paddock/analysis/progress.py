"""Drivers across sessions: the leaderboard and a driver's evolution on one track.

Both take one summary per session (plain dicts: ``session_id``, ``driver``, ``car``, ``track``,
``started_at``, ``best_lap_s`` and, for the evolution, ``ideal_lap_s`` and ``corners`` — a
mapping of corner name to the best time through it), so the caller decides where the summaries
come from (a session's stored analysis, or a fresh one).
"""

from __future__ import annotations

from typing import Any

EVOLUTION_MIN_SESSIONS = 5
"""Fewest sessions on a track for a driver's evolution (below it the API answers 204)."""


def lap_clock(seconds: float) -> str:
    """``m:ss.sss``: 105.318 → ``1:45.318``."""
    minutes, rest = divmod(seconds, 60.0)
    return f"{int(minutes)}:{rest:06.3f}"


def initials(name: str | None) -> str:
    """Up to three capital initials of a driver's name (``"?"`` when unknown)."""
    words = [w for w in (name or "").replace("_", " ").replace("-", " ").split() if w]
    return "".join(w[0].upper() for w in words[:3]) or "?"


def leaderboard(
    summaries: list[dict[str, Any]], *, track: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Best lap per (driver, car, track), fastest first, ranked from 1.

    Sessions without a best lap are skipped; ``track`` keeps one track (case-insensitive).
    """
    best: dict[tuple[str, str, str], dict[str, Any]] = {}
    for s in summaries:
        lap = s.get("best_lap_s")
        if not isinstance(lap, int | float) or lap <= 0:
            continue
        where = s.get("track") or ""
        if track is not None and where.lower() != track.lower():
            continue
        key = (s.get("driver") or "", s.get("car") or "", where)
        if key not in best or lap < best[key]["best_lap_s"]:
            best[key] = {
                "driver": s.get("driver"),
                "initials": initials(s.get("driver")),
                "car": s.get("car"),
                "track": s.get("track"),
                "best_lap_s": float(lap),
                "time": lap_clock(float(lap)),
                "session_id": s.get("session_id"),
            }
    ranked = sorted(best.values(), key=lambda e: e["best_lap_s"])[:limit]
    return [{"rank": i, **entry} for i, entry in enumerate(ranked, start=1)]


def evolution(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """A driver's sessions on one track in time order, with the summary deltas.

    Returns:
        ``sessions`` (``session_id``, ``started_at``, ``best_lap_s``, ``ideal_lap_s``), and
        ``summary``: ``sessions``, ``first_best_s``, ``latest_best_s``, ``best_s``,
        ``improvement_s`` (first minus latest best), ``biggest_corner_gain`` (the corner whose
        best time fell most between the first and the latest session that both ran it, with
        ``gain_s``), or ``None`` where it cannot be told.
    """
    ordered = sorted(
        (s for s in summaries if isinstance(s.get("best_lap_s"), int | float)),
        key=lambda s: s.get("started_at") or "",
    )
    points = [
        {
            "session_id": s.get("session_id"),
            "started_at": s.get("started_at"),
            "best_lap_s": s.get("best_lap_s"),
            "ideal_lap_s": s.get("ideal_lap_s"),
        }
        for s in ordered
    ]
    gain = None
    if len(ordered) >= 2:
        first, last = ordered[0].get("corners") or {}, ordered[-1].get("corners") or {}
        gains = {name: first[name] - last[name] for name in first.keys() & last.keys()}
        if gains:
            name = max(gains, key=lambda n: gains[n])
            gain = {"corner": name, "gain_s": gains[name]}
    first_best = ordered[0]["best_lap_s"] if ordered else None
    latest = ordered[-1]["best_lap_s"] if ordered else None
    return {
        "sessions": points,
        "summary": {
            "sessions": len(points),
            "first_best_s": first_best,
            "latest_best_s": latest,
            "best_s": min((float(s["best_lap_s"]) for s in ordered), default=None),
            "improvement_s": None if first_best is None else first_best - latest,
            "biggest_corner_gain": gain,
        },
    }
