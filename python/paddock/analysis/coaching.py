"""Coaching without a language model: rules over a telemetry summary, templated brief and debrief.

:data:`CONCEPTS` are the driving concepts the rules can fire, each with what it means and when it
fires. :func:`burst_coaching` applies the rules to one short telemetry summary (what the car did
over the last few seconds); :func:`brief` and :func:`debrief` fill templates from a session's
analysis.
"""

from __future__ import annotations

from typing import Any

CONCEPTS: list[dict[str, str]] = [
    {
        "id": "brake_pressure",
        "name": "Brake pressure",
        "description": "Hit the brake hard and early in the zone; the tyres grip best at speed.",
        "fires_when": "peak brake under 0.6 while slowing more than 30 km/h",
    },
    {
        "id": "trail_brake",
        "name": "Trail braking",
        "description": "Ease off the brake as you turn in, so the front keeps weight and grip.",
        "fires_when": "brake released at once (no brake left) with lateral g above 0.5",
    },
    {
        "id": "coasting",
        "name": "Coasting",
        "description": "Time on neither pedal is time lost: go from brake to throttle directly.",
        "fires_when": "more than 15 % of the burst on neither pedal",
    },
    {
        "id": "throttle_pickup",
        "name": "Throttle pick-up",
        "description": "Pick up the throttle at the apex and squeeze it to full on the exit.",
        "fires_when": "throttle under 0.5 on average while lateral g falls on the exit",
    },
    {
        "id": "full_throttle",
        "name": "Full throttle",
        "description": "On the straight, flat out: partial throttle there costs speed all the way.",
        "fires_when": "speed above 150 km/h, no cornering, throttle under 0.95",
    },
    {
        "id": "over_rev",
        "name": "Shift point",
        "description": "Change up near the limiter, where the next gear would pull less.",
        "fires_when": "rpm above 98 % of the maximum seen",
    },
    {
        "id": "early_shift",
        "name": "Early upshift",
        "description": "An early upshift drops the engine out of its power band.",
        "fires_when": "full throttle with rpm under 70 % of the maximum in a gear below the top",
    },
    {
        "id": "grip_use",
        "name": "Use the grip",
        "description": "Through fast corners the car has more grip than you ask of it.",
        "fires_when": "cornering under 60 % of the session's best lateral g",
    },
    {
        "id": "smooth_hands",
        "name": "Smooth hands",
        "description": "Steer once and hold it: corrections mid-corner scrub speed.",
        "fires_when": "steering direction changes more than twice while cornering",
    },
]
"""Every concept the rules can fire."""


def _num(summary: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = summary.get(key)
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default
    )


def burst_coaching(summary: dict[str, Any]) -> dict[str, Any]:
    """Rule-based coaching for one burst of telemetry.

    Args:
        summary: Any of ``speed_kmh``, ``min_speed_kmh``, ``max_speed_kmh``, ``throttle``
            (mean), ``brake`` (mean), ``peak_brake``, ``g_lat`` (peak absolute), ``best_g_lat``,
            ``rpm``, ``max_rpm``, ``gear``, ``top_gear``, ``coast_share``, ``steer_reversals``,
            ``corner`` (name), ``distance_m``.

    Returns:
        ``coaching`` (one or two sentences), ``pace_note``, ``cues`` (the concepts fired, most
        important first, with their text), ``coach_source: "rule"``.
    """
    speed = _num(summary, "speed_kmh")
    v_min = _num(summary, "min_speed_kmh", speed)
    v_max = _num(summary, "max_speed_kmh", speed)
    throttle = _num(summary, "throttle")
    brake_peak = _num(summary, "peak_brake", _num(summary, "brake"))
    lat = abs(_num(summary, "g_lat"))
    best_lat = _num(summary, "best_g_lat", 0.0)
    rpm, max_rpm = _num(summary, "rpm"), _num(summary, "max_rpm")
    gear, top_gear = _num(summary, "gear"), _num(summary, "top_gear")
    fired: list[str] = []
    if v_max - v_min > 30.0 and 0.0 < brake_peak < 0.6:
        fired.append("brake_pressure")
    if lat > 0.5 and brake_peak == 0.0 and v_max - v_min > 30.0:
        fired.append("trail_brake")
    if _num(summary, "coast_share") > 0.15:
        fired.append("coasting")
    if lat > 0.5 and 0.0 < throttle < 0.5 and v_max - v_min <= 30.0:
        fired.append("throttle_pickup")
    if speed > 150.0 and lat < 0.3 and 0.0 < throttle < 0.95:
        fired.append("full_throttle")
    if max_rpm > 0 and rpm > 0.98 * max_rpm:
        fired.append("over_rev")
    if max_rpm > 0 and throttle >= 0.95 and rpm < 0.7 * max_rpm and 0 < gear < top_gear:
        fired.append("early_shift")
    if best_lat > 0 and 0.3 < lat < 0.6 * best_lat:
        fired.append("grip_use")
    if _num(summary, "steer_reversals") > 2 and lat > 0.3:
        fired.append("smooth_hands")
    by_id = {c["id"]: c for c in CONCEPTS}
    cues = [
        {"concept": i, "name": by_id[i]["name"], "text": by_id[i]["description"]} for i in fired
    ]
    corner = summary.get("corner")
    coaching = (
        " ".join(c["text"] for c in cues[:2])
        if cues
        else "Clean burst: nothing to change, keep the rhythm."
    )
    where = f"{corner}, " if isinstance(corner, str) and corner else ""
    gear_text = f"gear {int(gear)}, " if gear > 0 else ""
    pace_note = f"{where}{gear_text}{v_min:.0f} to {v_max:.0f} km/h"
    return {"coaching": coaching, "pace_note": pace_note, "cues": cues, "coach_source": "rule"}


def brief(
    *, driver: str | None, track: str | None, best_lap_s: float | None, focus: list[str]
) -> str:
    """A pre-session brief from the driver's history (no language model)."""
    who = driver or "Driver"
    where = track or "today's track"
    lines = [f"{who}, session at {where}."]
    if best_lap_s is not None:
        minutes, rest = divmod(best_lap_s, 60.0)
        lines.append(f"Your best here is {int(minutes)}:{rest:06.3f}.")
    else:
        lines.append("No lap here yet: build up over three laps before pushing.")
    if focus:
        lines.append("Work on: " + "; ".join(focus) + ".")
    return " ".join(lines)


def debrief(analysis: dict[str, Any]) -> dict[str, Any]:
    """A post-session debrief: markdown narrative, an emotion tag and the fragments used.

    Args:
        analysis: ``laps`` (lap time table rows), ``ideal`` (:func:`ideal_lap` as a dict),
            ``scorecard`` (corner grades) and ``highlights``.
    """
    laps = analysis.get("laps") or []
    ideal = analysis.get("ideal") or {}
    grades = analysis.get("scorecard") or []
    highlights = analysis.get("highlights") or []
    if not laps:
        return {
            "markdown": "## Debrief\n\nNo complete lap in this session yet.",
            "emotion": "neutral",
            "fragments": {},
        }
    times = [r["lap_time_s"] for r in laps if r.get("lap_time_s") is not None]
    best = min(times)
    gain = ideal.get("gain_s")
    weak = [g for g in grades if g.get("grade") in ("D", "F")]
    lines = [
        "## Debrief",
        "",
        f"- {len(times)} lap(s), best {best:.3f} s, spread {max(times) - best:.3f} s.",
    ]
    if gain is not None:
        lines.append(
            f"- Ideal lap {ideal.get('ideal_lap_s', 0.0):.3f} s: {gain:.3f} s on the table."
        )
    if weak:
        lines.append("- Corners to work on: " + ", ".join(g["name"] for g in weak) + ".")
    for h in highlights[:3]:
        lines.append(f"- {h['text']}")
    consistent = max(times) - best < 0.01 * best
    emotion = "proud" if consistent and not weak else "encouraging" if weak else "neutral"
    return {
        "markdown": "\n".join(lines),
        "emotion": emotion,
        "fragments": {
            "telemetry": {"best_lap_s": best, "laps": len(times)},
            "ideal": ideal,
            "highlights": highlights[:3],
            "weak_corners": weak,
        },
    }
