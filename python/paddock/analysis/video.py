"""Telemetry against video: frames matched to samples, and clip cuts for laps, corners, incidents.

Video frames are what ``/session/<sid>/video_frames`` registered: one row per frame with its
time (``t_s`` from the session's start, ``ts_ns``) and whatever the camera side sent (a frame
number, a file, a camera name…), kept as they came.

- :func:`sync_video`: each video frame with the telemetry sample nearest in time, when one lies
  within the tolerance (±50 ms by default), and the lap it falls in; frames farther from any
  sample are listed unmatched.
- :func:`clip_cuts`: time ranges worth cutting from the video — every complete lap, every
  flying lap's pass through every corner (from the corner's entry to its exit on the lap's
  distance, padded), and every incident (padded around its moment) — each with the video
  frames it spans (first and last frame, count, how much of the range the video covers).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from paddock.analysis._frame import interp_within
from paddock.analysis.session_laps import LapAnalysis

SYNC_TOLERANCE_S = 0.05
"""Farthest a telemetry sample may be from a video frame to be matched to it (±50 ms)."""

CLIP_KINDS = ("lap", "corner", "incident")
"""The kinds of clip :func:`clip_cuts` cuts."""


def _plain(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def video_table(video: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """The registered video frames in time order, with ``video_idx`` (their order, from 0)."""
    df = video.collect() if isinstance(video, pl.LazyFrame) else video
    if df.is_empty() or "t_s" not in df.columns:
        return pl.DataFrame(schema={"video_idx": pl.UInt32(), "t_s": pl.Float64()})
    return (
        df.filter(pl.col("t_s").is_not_null())
        .sort("t_s")
        .with_row_index("video_idx")
        .drop([c for c in ("feed",) if c in df.columns])
    )


def sync_video(
    analysis: LapAnalysis,
    video: pl.DataFrame,
    channels: list[str],
    *,
    tolerance_s: float = SYNC_TOLERANCE_S,
) -> pl.DataFrame:
    """Each video frame with the nearest telemetry sample within ``tolerance_s``.

    Args:
        analysis: The session's lap analysis (its collected frame and envelope).
        video: :func:`video_table` of the session.
        channels: Telemetry channels to attach (those the session lacks are left out).
        tolerance_s: Largest time gap of a match.

    Returns:
        The video frame's own columns, then ``matched``, ``telemetry_t_s``, ``offset_ms``
        (sample time minus frame time), ``lap`` (the envelope's lap holding the frame, null
        outside laps) and the channels (null when unmatched).
    """
    data = analysis.data
    present = [c for c in dict.fromkeys(channels) if c in data.columns and c != "t_s"]
    samples = data.select(pl.col("t_s").alias("telemetry_t_s"), *present)
    taken = set(video.columns)
    samples = samples.rename({c: f"telemetry_{c}" for c in present if c in taken})
    joined = video.join_asof(
        samples,
        left_on="t_s",
        right_on="telemetry_t_s",
        strategy="nearest",
        tolerance=tolerance_s,
    )
    laps = analysis.envelope.filter(pl.col("complete")).select(
        pl.col("lap").alias("_lap"), "t_start", "t_end"
    )
    if laps.height:
        joined = (
            joined.join_asof(laps.sort("t_start"), left_on="t_s", right_on="t_start")
            .with_columns(
                pl.when(pl.col("t_s") < pl.col("t_end")).then(pl.col("_lap")).alias("lap")
            )
            .drop("_lap", "t_start", "t_end")
        )
    else:
        joined = joined.with_columns(pl.lit(None, pl.Int32).alias("lap"))
    return joined.with_columns(
        pl.col("telemetry_t_s").is_not_null().alias("matched"),
        ((pl.col("telemetry_t_s") - pl.col("t_s")) * 1000.0).alias("offset_ms"),
    ).select(
        *video.columns,
        "matched",
        "telemetry_t_s",
        "offset_ms",
        "lap",
        *[c for c in samples.columns if c != "telemetry_t_s"],
    )


def _corner_ranges(analysis: LapAnalysis) -> list[dict[str, Any]]:
    """Every flying lap's pass through every corner as an absolute time range."""
    corners = analysis.corners
    frame = analysis.frame
    if corners.is_empty() or frame.is_empty():
        return []
    flying = analysis.flying.select("lap", "t_start")
    laps = flying["lap"].to_numpy()
    starts = corners["start_m"].to_numpy().astype(float)
    ends = corners["end_m"].to_numpy().astype(float)
    starts = np.where(ends <= starts, 0.0, starts)
    n = len(starts)
    at = interp_within(
        frame["lap_no"].to_numpy(),
        frame["lap_dist_m"].to_numpy(),
        frame["lap_t_s"].to_numpy(),
        np.repeat(laps, 2 * n),
        np.tile(np.concatenate([starts, ends]), len(laps)),
    ).reshape(len(laps), 2 * n)
    t0 = flying["t_start"].to_numpy()[:, None]
    entry, exit_ = t0 + at[:, :n], t0 + at[:, n:]
    names = corners["name"].to_list()
    numbers = corners["number"].to_list()
    out = []
    for i, lap in enumerate(laps.tolist()):
        for k in range(n):
            if math.isfinite(entry[i, k]) and math.isfinite(exit_[i, k]):
                out.append(
                    {
                        "kind": "corner",
                        "label": f"Lap {lap} {names[k]}",
                        "lap": lap,
                        "corner": numbers[k],
                        "t_start": float(entry[i, k]),
                        "t_end": float(exit_[i, k]),
                    }
                )
    return out


def clip_cuts(
    analysis: LapAnalysis,
    video: pl.DataFrame,
    incidents: list[dict[str, Any]],
    *,
    kinds: tuple[str, ...] = CLIP_KINDS,
    pad_s: float = 2.0,
) -> list[dict[str, Any]]:
    """Clip time ranges on the session's video (see the module notes).

    Args:
        analysis: The session's lap analysis.
        video: :func:`video_table` of the session.
        incidents: Flagged events (``kind``, ``lap``, ``t_s``), as the ``incidents`` analytic
            lists them.
        kinds: Which of :data:`CLIP_KINDS` to cut.
        pad_s: Seconds added before and after a corner pass, and either side of an incident.

    Returns:
        One dict per clip in time order: ``kind``, ``label``, ``lap``, ``corner``, ``t_start``,
        ``t_end``, ``duration_s``, ``frame_count``, ``first_video_idx``, ``last_video_idx``,
        ``first_frame`` and ``last_frame`` (those frames' own fields), ``coverage`` (0..1: the
        share of the range between the first and the last frame in it).
    """
    clips: list[dict[str, Any]] = []
    if "lap" in kinds:
        for row in analysis.envelope.filter(pl.col("complete")).iter_rows(named=True):
            clips.append(
                {
                    "kind": "lap",
                    "label": row["name"],
                    "lap": row["lap"],
                    "corner": None,
                    "t_start": row["t_start"],
                    "t_end": row["t_end"],
                }
            )
    if "corner" in kinds:
        for clip in _corner_ranges(analysis):
            clip["t_start"] -= pad_s
            clip["t_end"] += pad_s
            clips.append(clip)
    if "incident" in kinds:
        for item in incidents:
            t = item.get("t_s")
            if not isinstance(t, int | float):
                continue
            clips.append(
                {
                    "kind": "incident",
                    "label": f"{item.get('kind', 'incident')} on lap {item.get('lap')}",
                    "lap": item.get("lap"),
                    "corner": None,
                    "incident": item.get("kind"),
                    "t_start": float(t) - pad_s,
                    "t_end": float(t) + pad_s,
                }
            )
    clips.sort(key=lambda c: (c["t_start"], CLIP_KINDS.index(c["kind"])))
    if not clips:
        return []
    t = video["t_s"].to_numpy() if video.height else np.array([], dtype=float)
    lo = np.searchsorted(t, np.array([c["t_start"] for c in clips]), side="left")
    hi = np.searchsorted(t, np.array([c["t_end"] for c in clips]), side="right")
    own = [c for c in video.columns if c not in ("video_idx",)]
    for clip, first, last in zip(clips, lo.tolist(), hi.tolist(), strict=True):
        count = last - first
        duration = clip["t_end"] - clip["t_start"]
        clip["duration_s"] = duration
        clip["frame_count"] = count
        if count:
            first_row = video.row(first, named=True)
            last_row = video.row(last - 1, named=True)
            clip["first_video_idx"] = first_row["video_idx"]
            clip["last_video_idx"] = last_row["video_idx"]
            clip["first_frame"] = {k: _plain(first_row[k]) for k in own}
            clip["last_frame"] = {k: _plain(last_row[k]) for k in own}
            span = float(t[last - 1] - t[first])
            clip["coverage"] = min(span / duration, 1.0) if duration > 0 else 1.0
        else:
            clip |= {
                "first_video_idx": None,
                "last_video_idx": None,
                "first_frame": None,
                "last_frame": None,
                "coverage": 0.0,
            }
    return clips
