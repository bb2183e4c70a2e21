"""One session's lap analysis, computed once and shared: laps, lap frame, corners, zones.

:class:`LapAnalysis` wraps a session's LazyFrame and computes each stage on first use, so the
API's analytics and a notebook build on the same envelope, corners and braking zones.

The session's files are read once: :attr:`LapAnalysis.data` collects every channel the stages
use in one plan (scan, select, sort by time), and every stage reads that frame. The lap
boundaries (the game's lap table and the envelope) are computed once and reused by the lap time
table, both lap frames, corners and passes.
"""

from __future__ import annotations

from functools import cached_property

import polars as pl

from paddock.analysis._frame import collect_sorted, columns
from paddock.analysis.braking import brake_zones
from paddock.analysis.corners import corner_passes, detect_corners
from paddock.analysis.envelope import ENVELOPE_CHANNELS, flying_laps, lap_envelope, tag_laps
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
