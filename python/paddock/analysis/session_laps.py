"""One session's lap analysis, computed once and shared: laps, lap frame, corners, zones.

:class:`LapAnalysis` wraps a session's LazyFrame and computes each stage on first use, so the
API's analytics and a notebook build on the same envelope, corners and braking zones.

The session's files are read once: :attr:`LapAnalysis.data` collects every channel the stages
use in one plan (scan, select, sort by time), and every stage reads that frame. The lap
boundaries (the game's lap table and the envelope) are computed once and reused by the lap time
table, both lap frames, corners and passes.

One lap without the whole analysis: :func:`lap_bounds` finds the lap envelope from the few
channels the lap strategies read, and :func:`one_lap_frame` reads only that lap's rows and tags
them as :attr:`LapAnalysis.all_laps_frame` would (a lap comparison of long sessions needs no
more).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import polars as pl

from paddock.analysis._frame import collect_sorted, columns
from paddock.analysis.braking import brake_zones
from paddock.analysis.compare import lap_trace
from paddock.analysis.corners import corner_passes, detect_corners
from paddock.analysis.envelope import (
    ENVELOPE_CHANNELS,
    TAG_CHANNELS,
    flying_laps,
    lap_envelope,
    tag_laps,
)
from paddock.analysis.laps import lap_table
from paddock.analysis.sectors import lap_time_table

LAP_CHANNELS = [
    "speed_kmh",
    "throttle",
    "brake",
    "clutch",
    "steer",
    "gear",
    "rpm",
    "g_lat",
    "g_long",
    "heading_deg",
    "pos_x_m",
    "pos_z_m",
    "lat_deg",
    "lon_deg",
    "alt_m",
    "pos_y_m",
]
"""Channels a lap frame keeps (those a session lacks are left out)."""

ANALYSIS_CHANNELS = list(
    dict.fromkeys([*ENVELOPE_CHANNELS, *LAP_CHANNELS, "distance_m", "lap_distance_m"])
)
"""Every channel the lap stages read: what :attr:`LapAnalysis.data` collects."""


class LapAnalysis:
    """The staged lap analysis of one session's telemetry.

    Args:
        lf: Everything recorded for the session (``open_session``).
        method: Force a lap strategy (see :func:`paddock.analysis.envelope.lap_envelope`).
        sector_starts_m: Sector boundaries on the lap-distance axis for sources without a
            sector channel.
    """

    def __init__(
        self,
        lf: pl.LazyFrame,
        *,
        method: str | None = None,
        sector_starts_m: tuple[float, ...] | None = None,
    ) -> None:
        self.lf = lf
        self.method = method
        self.sector_starts_m = sector_starts_m

    @cached_property
    def row_count(self) -> int:
        """Rows recorded."""
        return int(self.lf.select(pl.len()).collect().item())

    @cached_property
    def data(self) -> pl.DataFrame:
        """The channels of :data:`ANALYSIS_CHANNELS` the session has, collected once by time."""
        return collect_sorted(self.lf, ANALYSIS_CHANNELS)

    @cached_property
    def game_laps(self) -> pl.DataFrame:
        """The laps of the source's own lap counter (empty without one)."""
        return lap_table(self.data)

    @cached_property
    def envelope(self) -> pl.DataFrame:
        """Every lap (or stint) found."""
        game = self.game_laps if self.method in (None, "game") else None
        return lap_envelope(self.data, method=self.method, game_laps=game)

    @cached_property
    def table(self) -> pl.DataFrame:
        """The lap time table."""
        return lap_time_table(
            self.data,
            envelope=self.envelope,
            sector_starts_m=self.sector_starts_m,
            game_laps=self.game_laps if self.method in (None, "game") else None,
        )

    @cached_property
    def flying(self) -> pl.DataFrame:
        """The flying laps of the envelope (complete, neither out- nor in-laps)."""
        return flying_laps(self.envelope)

    @cached_property
    def frame(self) -> pl.DataFrame:
        """The lap frame of the flying laps (the rows of :attr:`all_laps_frame` they hold)."""
        if self.flying.height == self.envelope.filter(pl.col("complete")).height:
            return self.all_laps_frame
        return self.all_laps_frame.filter(pl.col("lap_no").is_in(self.flying["lap"].implode()))

    @cached_property
    def all_laps_frame(self) -> pl.DataFrame:
        """The lap frame of every complete lap, out- and in-laps included."""
        return tag_laps(self.data, self.envelope, LAP_CHANNELS)

    @cached_property
    def lap_length_m(self) -> float:
        """The median distance of a flying lap."""
        if self.flying.is_empty():
            return 0.0
        return float(self.flying["distance_m"].median())  # type: ignore[arg-type]

    @cached_property
    def corners(self) -> pl.DataFrame:
        """The corners of the driven line."""
        return detect_corners(self.frame)

    @cached_property
    def passes(self) -> pl.DataFrame:
        """Each flying lap's pass through each corner."""
        return corner_passes(self.frame, self.corners)

    @cached_property
    def zones(self) -> pl.DataFrame:
        """Every braking zone of every flying lap."""
        return brake_zones(self.frame, self.corners)

    @cached_property
    def channels(self) -> set[str]:
        """The session's channel names."""
        return columns(self.lf)

    def best_lap(self) -> int | None:
        """The number of the fastest flying lap."""
        best = self.table.filter(pl.col("best_lap"))
        return int(best["lap"][0]) if best.height else None


@dataclass(frozen=True)
class LapBounds:
    """Where a session's laps lie, and what reading one lap of it alone needs (small).

    Attributes:
        envelope: The lap envelope (:func:`~paddock.analysis.envelope.lap_envelope`), as
            :attr:`LapAnalysis.envelope` finds it with the default method.
        rows: Rows recorded (:attr:`LapAnalysis.row_count`).
        t_first_s: The earliest ``t_s`` (None without any).
        distance_whole: Whether ``distance_m`` has a value on every row a lap frame holds, so
            :func:`~paddock.analysis.envelope.tag_laps` measures lap distance on it rather than
            on the integrated speed.
    """

    envelope: pl.DataFrame
    rows: int
    t_first_s: float | None
    distance_whole: bool


def lap_bounds(lf: pl.LazyFrame) -> LapBounds:
    """The lap envelope of a session and the figures :func:`one_lap_frame` needs.

    Reads the channels of :data:`~paddock.analysis.envelope.ENVELOPE_CHANNELS` and, when
    ``distance_m`` has gaps, the lap frame's channels of the rows it lacks there.

    Args:
        lf: Everything recorded for the session (``open_session``).
    """
    envelope = lap_envelope(lf)
    have = columns(lf)
    if "t_s" not in have:
        rows = int(lf.select(pl.len()).collect().item())
        return LapBounds(envelope, rows, None, distance_whole=False)
    timed = pl.col("t_s").is_not_null()
    gaps = (
        pl.col("distance_m").filter(timed).null_count()
        if "distance_m" in have
        else pl.lit(None, pl.UInt32)
    )
    stats = lf.select(
        pl.len().alias("rows"), pl.col("t_s").min().alias("t_first_s"), gaps.alias("gaps")
    ).collect()
    rows, t_first, gap_count = stats.row(0)
    distance_whole = gap_count == 0
    if gap_count:
        # Rows without a distance count only when they hold a channel the lap frame keeps.
        kept = [c for c in dict.fromkeys([*LAP_CHANNELS, *TAG_CHANNELS]) if c in have]
        holding = pl.any_horizontal(pl.col(c).is_not_null() for c in kept)
        distance_whole = (
            not lf.filter(timed & pl.col("distance_m").is_null() & holding)
            .select(pl.len())
            .collect()
            .item()
        )
    return LapBounds(
        envelope,
        int(rows),
        None if t_first is None else float(t_first),
        distance_whole=distance_whole,
    )


def one_lap_frame(lf: pl.LazyFrame, bounds: LapBounds, lap: int) -> pl.DataFrame:
    """One complete lap of a session, read alone, as ``lap_trace(all_laps_frame, lap)`` gives it.

    Reads the rows from a little before the lap's start to its end (the lap distance at the
    start is interpolated between the samples either side of it), with the channels of
    :attr:`LapAnalysis.all_laps_frame`, and tags them with the whole session's envelope.

    Args:
        lf: Everything recorded for the session, the data ``bounds`` were found on.
        bounds: The session's :func:`lap_bounds`.
        lap: The lap number (``lap`` of the envelope).

    Returns:
        The lap's rows sorted by time with ``lap_no``, ``lap_t_s`` and ``lap_dist_m``; empty when
        the envelope has no complete lap of that number.
    """
    chosen = bounds.envelope.filter(pl.col("complete") & (pl.col("lap") == lap))
    if chosen.is_empty():
        return pl.DataFrame()
    start = float(chosen["t_start"].min())  # type: ignore[arg-type]
    end = float(chosen["t_end"].max())  # type: ignore[arg-type]
    wanted = [*LAP_CHANNELS, *TAG_CHANNELS]
    margin_s = 1.0
    while True:
        # Widened until a row before the start is read, or the slice reaches the first row.
        low = start - margin_s
        rows = collect_sorted(lf.filter(pl.col("t_s").is_between(low, end, closed="left")), wanted)
        if (
            bounds.t_first_s is None
            or low <= bounds.t_first_s
            or (rows.height and rows["t_s"][0] < start)
        ):
            break
        margin_s *= 8.0
    frame = tag_laps(rows, bounds.envelope, LAP_CHANNELS, use_distance=bounds.distance_whole)
    return lap_trace(frame, lap)
