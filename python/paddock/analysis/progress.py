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


TRAIL_BRAKE_STRONG = 0.40
"""Share of braking time spent cornering (trail braking) from which it is a strength."""

TRAIL_BRAKE_WEAK = 0.15
"""Share of braking time spent cornering below which too little trail braking is a weakness."""

COAST_WEAK = 0.10
"""Share of driving time off both pedals above which coasting is a weakness."""

COAST_STRONG = 0.03
"""Share of driving time off both pedals below which the pedal work counts as committed."""

PROFILE_AREAS_MAX = 3
"""Most strengths and most weaknesses a profile lists."""


def _areas(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Corner grades over every session, pooled by speed band and by direction."""
    from paddock.analysis.corners import grade

    pooled: dict[tuple[str, str], list[float]] = {}
    for s in summaries:
        for c in s.get("corner_grades") or []:
            loss = c.get("loss_pct")
            if not isinstance(loss, int | float):
                continue
            if c.get("band"):
                pooled.setdefault(("band", str(c["band"])), []).append(float(loss))
            if c.get("direction"):
                pooled.setdefault(("direction", str(c["direction"])), []).append(float(loss))
    out = []
    for (kind, value), losses in pooled.items():
        mean = sum(losses) / len(losses)
        label = f"{value}-speed corners" if kind == "band" else f"{value}-hand corners"
        out.append(
            {
                "area": label,
                "kind": kind,
                "value": value,
                "corners": len(losses),
                "mean_loss_pct": mean,
                "grade": grade(mean),
            }
        )
    return sorted(out, key=lambda a: a["mean_loss_pct"])


def _pedal_mean(summaries: list[dict[str, Any]]) -> dict[str, float]:
    """Pedal time shares averaged over the sessions that have them."""
    have = [s["pedal"] for s in summaries if s.get("pedal")]
    if not have:
        return {}
    states = sorted({k for p in have for k in p})
    return {k: sum(float(p.get(k) or 0.0) for p in have) / len(have) for k in states}


def _pedal_notes(pedal: dict[str, float]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Strengths and weaknesses from the pedal shares (thresholds above)."""
    strengths: list[dict[str, Any]] = []
    weaknesses: list[dict[str, Any]] = []
    if not pedal:
        return strengths, weaknesses
    braking = pedal.get("trail_brake", 0.0) + pedal.get("brake_only", 0.0)
    if braking > 0:
        trail = pedal.get("trail_brake", 0.0) / braking
        item = {"area": "trail braking", "kind": "pedal", "value": "trail_brake", "share": trail}
        if trail >= TRAIL_BRAKE_STRONG:
            strengths.append(item)
        elif trail < TRAIL_BRAKE_WEAK:
            weaknesses.append(item)
    coast = pedal.get("coast", 0.0)
    item = {"area": "coasting", "kind": "pedal", "value": "coast", "share": coast}
    if coast > COAST_WEAK:
        weaknesses.append(item)
    elif coast < COAST_STRONG:
        strengths.append(item | {"area": "committed pedals (little coasting)"})
    return strengths, weaknesses


def compute_profile(driver_id: str, summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """A driver's profile, folded from their sessions as events in time order.

    Each session (a summary as :func:`leaderboard` takes, plus ``lap_count``, ``consistency``,
    ``corner_grades`` and ``pedal`` when known) is one event; folding them in ``started_at``
    order yields the state (tracks, bests) and the derived events: ``first_session``,
    ``new_track`` (first session on a track), ``personal_best`` (a best lap faster than every
    earlier one on that track and car).

    Strengths and weaknesses: corner grades pooled over every session by speed band and by
    direction, each area graded by its mean loss like a corner (A–B a strength, C–F a
    weakness, at most :data:`PROFILE_AREAS_MAX` each, best/worst first); and the pedals:
    trail braking (its share of braking time, :data:`TRAIL_BRAKE_STRONG` /
    :data:`TRAIL_BRAKE_WEAK`) and coasting (:data:`COAST_STRONG` / :data:`COAST_WEAK`).

    Returns:
        ``driver_id``, ``sessions``, ``laps``, ``first_session_at``, ``last_session_at``,
        ``tracks`` (per track: sessions, laps, best lap and where it was set), ``best_laps``
        (per track and car, fastest first), ``consistency`` (lap-time spread, mean over the
        sessions, and the latest session's), ``pedal``, ``strengths``, ``weaknesses``,
        ``progression`` (per session: best lap, change against the previous session on the
        same track, personal best flag) and ``events``.
    """
    ordered = sorted(summaries, key=lambda s: s.get("started_at") or "")
    tracks: dict[str, dict[str, Any]] = {}
    bests: dict[tuple[str, str], dict[str, Any]] = {}
    previous: dict[str, float] = {}
    progression: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    laps = 0
    for s in ordered:
        track = s.get("track") or ""
        car = s.get("car") or ""
        at = s.get("started_at")
        best = s.get("best_lap_s")
        best = float(best) if isinstance(best, int | float) and best > 0 else None
        laps += int(s.get("lap_count") or 0)
        if not events:
            events.append({"kind": "first_session", "at": at, "session_id": s.get("session_id")})
        if track not in tracks:
            tracks[track] = {
                "track": s.get("track"),
                "sessions": 0,
                "laps": 0,
                "best_lap_s": None,
                "best_time": None,
                "best_session_id": None,
                "best_car": None,
                "last_session_at": None,
            }
            events.append(
                {"kind": "new_track", "at": at, "session_id": s.get("session_id"), "track": track}
            )
        state = tracks[track]
        state["sessions"] += 1
        state["laps"] += int(s.get("lap_count") or 0)
        state["last_session_at"] = at
        personal_best = False
        if best is not None:
            key = (track, car)
            if key not in bests or best < bests[key]["best_lap_s"]:
                gain = None if key not in bests else bests[key]["best_lap_s"] - best
                personal_best = True
                bests[key] = {
                    "track": s.get("track"),
                    "car": s.get("car"),
                    "best_lap_s": best,
                    "time": lap_clock(best),
                    "session_id": s.get("session_id"),
                    "started_at": at,
                }
                events.append(
                    {
                        "kind": "personal_best",
                        "at": at,
                        "session_id": s.get("session_id"),
                        "track": track,
                        "car": car,
                        "best_lap_s": best,
                        "gain_s": gain,
                    }
                )
            if state["best_lap_s"] is None or best < state["best_lap_s"]:
                state |= {
                    "best_lap_s": best,
                    "best_time": lap_clock(best),
                    "best_session_id": s.get("session_id"),
                    "best_car": s.get("car"),
                }
        delta = None if best is None or track not in previous else best - previous[track]
        if best is not None:
            previous[track] = best
        progression.append(
            {
                "session_id": s.get("session_id"),
                "started_at": at,
                "track": s.get("track"),
                "car": s.get("car"),
                "best_lap_s": best,
                "delta_s": delta,
                "personal_best": personal_best,
                "cv_pct": (s.get("consistency") or {}).get("cv_pct"),
            }
        )
    spreads = [
        float(c["cv_pct"])
        for s in ordered
        if isinstance((c := s.get("consistency") or {}).get("cv_pct"), int | float)
    ]
    areas = _areas(ordered)
    pedal = _pedal_mean(ordered)
    pedal_strengths, pedal_weaknesses = _pedal_notes(pedal)
    strengths = [a for a in areas if a["grade"] in ("A", "B")][:PROFILE_AREAS_MAX]
    weaknesses = [a for a in reversed(areas) if a["grade"] not in ("A", "B")][:PROFILE_AREAS_MAX]
    return {
        "driver_id": driver_id,
        "sessions": len(ordered),
        "laps": laps,
        "first_session_at": ordered[0].get("started_at") if ordered else None,
        "last_session_at": ordered[-1].get("started_at") if ordered else None,
        "tracks": list(tracks.values()),
        "best_laps": sorted(bests.values(), key=lambda b: (b["track"] or "", b["best_lap_s"])),
        "consistency": {
            "sessions": len(spreads),
            "mean_cv_pct": sum(spreads) / len(spreads) if spreads else None,
            "best_cv_pct": min(spreads) if spreads else None,
            "latest_cv_pct": spreads[-1] if spreads else None,
        },
        "pedal": pedal,
        "strengths": strengths + pedal_strengths,
        "weaknesses": weaknesses + pedal_weaknesses,
        "progression": progression,
        "events": events,
    }
