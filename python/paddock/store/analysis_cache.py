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
  without its full analysis;
- single laps read that way (:meth:`AnalysisCache.lap_frame`), up to ``lap_bytes`` in all (a
  333 Hz lap of 90 s is a few MB), so comparing the same laps again reads nothing.

Each entry is stored under the session's data version (``SessionData.version``): any append,
run file, removal or part written by another process changes it, and the next request
analyses again. A session with a run still recording is never cached (its data grows with
every read). Deleting a session drops its entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from paddock.analysis.compare import lap_trace
from paddock.analysis.session_laps import LapAnalysis, LapBounds, lap_bounds, one_lap_frame
from paddock.analysis.summary import detail_summary, lap_summary
from paddock.exceptions import NotFound

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

if TYPE_CHECKING:
    from paddock.store.sessions import SessionStore


class AnalysisCache:
    """Analyses and summaries of sessions by data version (see the module notes).

    Args:
        store: The sessions.
        summaries: Most sessions whose summary is kept.
        analyses: Most sessions whose full analysis (frames included) is kept.
        envelopes: Most sessions whose lap bounds are kept.
        lap_bytes: Most bytes of single laps kept (the least recently used go first).
    """

    def __init__(
        self,
        store: SessionStore,
        *,
        summaries: int = 1024,
        analyses: int = 2,
        envelopes: int = 1024,
        lap_bytes: int = 256 * 1024 * 1024,
    ) -> None:
        self.store = store
        self.summaries_max = summaries
        self.analyses_max = analyses
        self.envelopes_max = envelopes
        self._lock = threading.Lock()
        self._summaries: OrderedDict[str, tuple[object, dict[str, Any]]] = OrderedDict()
        self._analyses: OrderedDict[str, tuple[object, LapAnalysis]] = OrderedDict()
        self._bounds: OrderedDict[str, tuple[object, LapBounds]] = OrderedDict()
        self.lap_bytes_max = lap_bytes
        self._laps: OrderedDict[tuple[str, int], tuple[object, pl.DataFrame]] = OrderedDict()
        self._lap_bytes = 0
        self.hits = 0
        self.misses = 0

    def _version(self, session_id: str) -> object | None:
        """The session's data version, or None while a run records into it."""
        if any(r["status"] == "recording" for r in self.store.list_runs(session_id)):
            return None
        return self.store.data.version(session_id)

    def _kept(
        self, cache: OrderedDict[K, tuple[object, V]], key: K, version: object | None
    ) -> V | None:
        """The entry of ``cache`` under ``key`` if it was stored for ``version`` (counted a hit)."""
        with self._lock:
            entry = cache.get(key)
            if version is None or entry is None or entry[0] != version:
                return None
            cache.move_to_end(key)
            self.hits += 1
            return entry[1]

    def _kept_or_made(
        self,
        cache: OrderedDict[str, tuple[object, V]],
        session_id: str,
        make: Callable[[], V],
        most: int,
        version: object | None = None,
    ) -> V:
        """The session's entry of ``cache`` for its current data, made and kept when missing.

        ``version``: the session's data version when the caller has just looked it up (and the
        session up); else both are looked up here.

        Raises:
            NotFound: No such session.
        """
        if version is None:
            self.store.get(session_id)
            version = self._version(session_id)
        kept = self._kept(cache, session_id, version)
        if kept is not None:
            return kept
        with self._lock:
            self.misses += 1
        value = make()
        if version is not None:
            with self._lock:
                _remember(cache, session_id, (version, value), most)
        return value

    def analysis(self, session_id: str) -> LapAnalysis:
        """The session's staged lap analysis, shared while its data stays the same.

        Raises:
            NotFound: No such session.
        """
        return self._kept_or_made(
            self._analyses,
            session_id,
            lambda: LapAnalysis(self.store.open_session(session_id)),
            self.analyses_max,
        )

    def cached_analysis(self, session_id: str) -> LapAnalysis | None:
        """The session's lap analysis if one is kept for its current data, else None.

        Never analyses: for a caller that has a cheaper way when the analysis is not at hand.

        Raises:
            NotFound: No such session.
        """
        self.store.get(session_id)
        return self._kept(self._analyses, session_id, self._version(session_id))

    def lap_bounds(self, session_id: str) -> LapBounds:
        """The session's lap envelope and row figures (see :func:`lap_bounds`), kept by version.

        Raises:
            NotFound: No such session.
        """
        return self._kept_or_made(
            self._bounds,
            session_id,
            lambda: lap_bounds(self.store.open_session(session_id)),
            self.envelopes_max,
        )

    def lap_frame(self, session_id: str, lap: int) -> pl.DataFrame:
        """One complete lap of the session (empty when there is no such complete lap).

        The same frame as :func:`~paddock.analysis.compare.lap_trace` of its lap frame: taken
        from the session's full analysis when one is kept, else read alone
        (:func:`~paddock.analysis.session_laps.one_lap_frame`) and kept by data version.

        Raises:
            NotFound: No such session, or one without telemetry.
        """
        # The session and its data version are looked up once for the three caches read here.
        self.store.get(session_id)
        version = self._version(session_id)
        analysis = self._kept(self._analyses, session_id, version)
        if analysis is not None:
            if analysis.row_count == 0:
                raise NotFound(f"session {session_id} has no telemetry")
            return lap_trace(analysis.all_laps_frame, lap)
        key = (session_id, lap)
        kept = self._kept(self._laps, key, version)
        if kept is not None:
            return kept
        bounds = self._kept_or_made(
            self._bounds,
            session_id,
            lambda: lap_bounds(self.store.open_session(session_id)),
            self.envelopes_max,
            version,
        )
        if bounds.rows == 0:
            raise NotFound(f"session {session_id} has no telemetry")
        frame = one_lap_frame(self.store.open_session(session_id), bounds, lap)
        if version is not None:
            self._remember_lap(key, version, frame)
        return frame

    def _remember_lap(self, key: tuple[str, int], version: object, frame: pl.DataFrame) -> None:
        size = int(frame.estimated_size())
        if size > self.lap_bytes_max:
            return
        with self._lock:
            old = self._laps.pop(key, None)
            if old is not None:
                self._lap_bytes -= int(old[1].estimated_size())
            self._laps[key] = (version, frame)
            self._lap_bytes += size
            while self._lap_bytes > self.lap_bytes_max and self._laps:
                _, (_, dropped) = self._laps.popitem(last=False)
                self._lap_bytes -= int(dropped.estimated_size())

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
            for key in [k for k in self._laps if k[0] == session_id]:
                self._lap_bytes -= int(self._laps.pop(key)[1].estimated_size())


def _remember(cache: OrderedDict[K, V], key: K, value: V, most: int) -> None:
    """Stores ``value`` as the newest entry of ``cache``, dropping the oldest beyond ``most``."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > most:
        cache.popitem(last=False)
