"""Per-session analysis results, kept until the session's data changes.

Leaderboard, evolution, driver profile, Pitwall's ``/sessions`` and the analytics all ask for
the same few figures of the same sessions; analysing a long session takes a good part of a
second. :class:`AnalysisCache` keeps, per session:

- the summary (:mod:`paddock.analysis.summary`: laps, best and ideal lap, consistency, and once
  asked for, corner grades and pedal shares), small, for up to ``summaries`` sessions;
- the staged :class:`~paddock.analysis.session_laps.LapAnalysis` with its frames, large, for
  the ``analyses`` most recently used sessions;
- the lap bounds (:class:`~paddock.analysis.session_laps.LapBounds`: the lap envelope and a few
  figures), small, for up to ``envelopes`` sessions: a lap comparison reads one lap of a session
  without its full analysis.

Each entry is stored under the session's data version (``SessionData.version``): any append,
run file, removal or part written by another process changes it, and the next request
analyses again. A session with a run still recording is never cached (its data grows with
every read). Deleting a session drops its entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, TypeVar

from paddock.analysis.session_laps import LapAnalysis, LapBounds, lap_bounds
from paddock.analysis.summary import detail_summary, lap_summary

if TYPE_CHECKING:
    from paddock.store.sessions import SessionStore


class AnalysisCache:
    """Analyses and summaries of sessions by data version (see the module notes).

    Args:
        store: The sessions.
        summaries: Most sessions whose summary is kept.
        analyses: Most sessions whose full analysis (frames included) is kept.
        envelopes: Most sessions whose lap bounds are kept.
    """

    def __init__(
        self,
        store: SessionStore,
        *,
        summaries: int = 1024,
        analyses: int = 2,
        envelopes: int = 1024,
    ) -> None:
        self.store = store
        self.summaries_max = summaries
        self.analyses_max = analyses
        self.envelopes_max = envelopes
        self._lock = threading.Lock()
        self._summaries: OrderedDict[str, tuple[object, dict[str, Any]]] = OrderedDict()
        self._analyses: OrderedDict[str, tuple[object, LapAnalysis]] = OrderedDict()
        self._bounds: OrderedDict[str, tuple[object, LapBounds]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def _version(self, session_id: str) -> object | None:
        """The session's data version, or None while a run records into it."""
        if any(r["status"] == "recording" for r in self.store.list_runs(session_id)):
            return None
        return self.store.data.version(session_id)

    def analysis(self, session_id: str) -> LapAnalysis:
        """The session's staged lap analysis, shared while its data stays the same.

        Raises:
            NotFound: No such session.
        """
        self.store.get(session_id)
        version = self._version(session_id)
        with self._lock:
            entry = self._analyses.get(session_id)
            if version is not None and entry is not None and entry[0] == version:
                self._analyses.move_to_end(session_id)
                self.hits += 1
                return entry[1]
            self.misses += 1
        analysis = LapAnalysis(self.store.open_session(session_id))
        if version is not None:
            with self._lock:
                _remember(self._analyses, session_id, (version, analysis), self.analyses_max)
        return analysis

    def cached_analysis(self, session_id: str) -> LapAnalysis | None:
        """The session's lap analysis if one is kept for its current data, else None.

        Never analyses: for a caller that has a cheaper way when the analysis is not at hand.

        Raises:
            NotFound: No such session.
        """
        self.store.get(session_id)
        version = self._version(session_id)
        with self._lock:
            entry = self._analyses.get(session_id)
            if version is None or entry is None or entry[0] != version:
                return None
            self._analyses.move_to_end(session_id)
            self.hits += 1
            return entry[1]

    def lap_bounds(self, session_id: str) -> LapBounds:
        """The session's lap envelope and row figures (see :func:`lap_bounds`), kept by version.

        Raises:
            NotFound: No such session.
        """
        self.store.get(session_id)
        version = self._version(session_id)
        with self._lock:
            entry = self._bounds.get(session_id)
            if version is not None and entry is not None and entry[0] == version:
                self._bounds.move_to_end(session_id)
                self.hits += 1
                return entry[1]
            self.misses += 1
        bounds = lap_bounds(self.store.open_session(session_id))
        if version is not None:
            with self._lock:
                _remember(self._bounds, session_id, (version, bounds), self.envelopes_max)
        return bounds

    def summary(self, session_id: str, *, detail: bool = False) -> dict[str, Any]:
        """The session's summary; with ``detail`` also its corners and pedal shares.

        Raises:
            NotFound: No such session.
        """
        self.store.get(session_id)
        version = self._version(session_id)
        with self._lock:
            entry = self._summaries.get(session_id)
            if (
                version is not None
                and entry is not None
                and entry[0] == version
                and (not detail or "corner_grades" in entry[1])
            ):
                self._summaries.move_to_end(session_id)
                self.hits += 1
                return dict(entry[1])
        analysis = self.analysis(session_id)
        if entry is not None and entry[0] == version and version is not None:
            result = dict(entry[1])
        else:
            result = lap_summary(analysis)
        if detail and "corner_grades" not in result:
            result |= detail_summary(analysis)
        if version is not None:
            with self._lock:
                _remember(self._summaries, session_id, (version, result), self.summaries_max)
        return dict(result)

    def forget(self, session_id: str) -> None:
        """Drops the session's entries (it was deleted)."""
        with self._lock:
            self._summaries.pop(session_id, None)
            self._analyses.pop(session_id, None)
            self._bounds.pop(session_id, None)


V = TypeVar("V")


def _remember(cache: OrderedDict[str, V], key: str, value: V, most: int) -> None:
    """Stores ``value`` as the newest entry of ``cache``, dropping the oldest beyond ``most``."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > most:
        cache.popitem(last=False)
