"""How the simulators run: how many ticks, when each one is due, and the thread beside a server.

The UDP simulator (:mod:`paddock.sources.simulator.runner`) and the CAN simulator
(:mod:`paddock.sources.simulator.canbus`) step the same driver and stop on the same terms; this
is the loop and the thread they share.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

MAX_BURST_TICKS = 3
"""Most ticks sent back to back when the sender falls behind the clock; older ones are skipped."""

STOP_POLL_S = 0.05
"""Longest sleep between checks of the stop flag, seconds."""


def tick_limits(
    duration_s: float | None, laps: int | None, *, rate_hz: float, completed_laps: int
) -> tuple[int | None, int | None]:
    """The tick count to stop at and the completed-lap count to stop at (``None``: no limit).

    Raises:
        ValueError: If ``duration_s`` or ``laps`` is negative.

    """
    if (duration_s is not None and duration_s < 0) or (laps is not None and laps < 0):
        raise ValueError("duration_s and laps must not be negative")
    max_ticks = None if duration_s is None else max(round(duration_s * rate_hz), 1)
    lap_goal = None if laps is None else completed_laps + laps
    return max_ticks, lap_goal


def paced_ticks(
    *,
    max_ticks: int | None,
    lap_goal: int | None,
    completed_laps: Callable[[], int],
    period_s: float,
    realtime: bool,
    stopping: threading.Event,
    stop: threading.Event | None = None,
) -> Iterator[int]:
    """Yield once a tick (its index) until a limit is reached or ``stopping``/``stop`` is set.

    Real-time pacing waits for each tick's wall-clock slot (waking every ``STOP_POLL_S`` to see
    a stop), sends at most ``MAX_BURST_TICKS`` ticks back to back when late and skips the rest
    of the backlog, so a stall never becomes a burst.
    """
    ticks = 0
    next_due = time.monotonic()
    while not (stopping.is_set() or (stop is not None and stop.is_set())):
        if max_ticks is not None and ticks >= max_ticks:
            break
        if lap_goal is not None and completed_laps() >= lap_goal:
            break
        if realtime:
            now = time.monotonic()
            if now < next_due:
                stopping.wait(min(next_due - now, STOP_POLL_S))
                continue
            if now - next_due > MAX_BURST_TICKS * period_s:
                next_due = now
            next_due += period_s
        yield ticks
        ticks += 1


class RunThread:
    """A simulator's run in a daemon thread; an error that ends it is raised by :meth:`join`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def alive(self) -> bool:
        """Whether the thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, run: Callable[[], object]) -> threading.Thread:
        """Start ``run`` in a new daemon thread (the caller checks :attr:`alive` first)."""
        self._error = None

        def target() -> None:
            try:
                run()
            except BaseException as exc:  # handed to join() so the caller sees it
                self._error = exc

        self._thread = threading.Thread(target=target, name=self.name, daemon=True)
        self._thread.start()
        return self._thread

    def join(self, timeout_s: float) -> None:
        """Join the thread if there is one.

        Raises:
            BaseException: Whatever ended the thread with an error.

        """
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error
