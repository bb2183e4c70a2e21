"""Analysis stages: pure functions from a ``polars.LazyFrame`` of canonical channels to tables.

One module per family: :mod:`~paddock.analysis.laps` (the game's lap counter),
:mod:`~paddock.analysis.envelope` (laps by every strategy, lap frames),
:mod:`~paddock.analysis.sectors` (lap time table, ideal lap), :mod:`~paddock.analysis.corners`,
:mod:`~paddock.analysis.braking`, :mod:`~paddock.analysis.driving` (pedals, grip, straights,
stats), :mod:`~paddock.analysis.shifts`, :mod:`~paddock.analysis.signals` (the synchroniser),
:mod:`~paddock.analysis.analytics` (every named analytic as plain data) and
:class:`~paddock.analysis.session_laps.LapAnalysis`, which stages them for one session.
"""

from paddock.analysis import laps
from paddock.analysis.session_laps import LapAnalysis

__all__ = ["LapAnalysis", "laps"]
