"""Runtime control: one state machine over paddock's live pipeline.

States and the transitions allowed (anything else is refused with the reason)::

    idle ──start──► running ──pause──► paused ──resume──► running
    running | paused ──stop──► stopped ──reset──► idle
    any ──estop──► emergency ──reset──► idle

``start`` starts every feed (and the hub's publishing if paused); ``pause`` stops publishing and
recording while the feeds keep their sockets; ``stop`` drains, stops every feed and finalises a
running recording; ``estop`` does the same at once, without the last drain. The server boots
``running`` because its feeds start with it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import msgspec

from paddock.exceptions import Conflict

log = logging.getLogger(__name__)

State = Literal["idle", "running", "paused", "stopped", "emergency"]
Action = Literal["start", "pause", "resume", "stop", "estop", "reset"]

#: For each action, the states it may leave from and the state it leads to.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": (("idle",), "running"),
    "pause": (("running",), "paused"),
    "resume": (("paused",), "running"),
    "stop": (("running", "paused"), "stopped"),
    "estop": (("idle", "running", "paused", "stopped", "emergency"), "emergency"),
    "reset": (("stopped", "emergency"), "idle"),
}


class ControlStatus(msgspec.Struct, kw_only=True):
    """``GET /api/control/status``."""

    state: State
    since: float
    task_name: str | None
    n_cycles: int
    cycle_budget_ms: float
    cycles_completed: int
    last_action: str | None
    reason: str | None
    feeds: dict[str, str]


Effect = Callable[[], Awaitable[None]]


class RuntimeControl:
    """The state machine; effects on the pipeline are coroutines given by the owner.

    Args:
        effects: For each action, what it does to the pipeline.
        feed_states: Each feed's health state, for the status.
        cycles: How many cycle events have arrived in total.
        notify: Called with each transition.
        initial: The state at boot.
    """

    def __init__(
        self,
        effects: dict[str, Effect],
        *,
        feed_states: Callable[[], dict[str, str]],
        cycles: Callable[[], int],
        notify: Callable[[dict[str, Any]], object] | None = None,
        initial: State = "running",
    ) -> None:
        self._effects = effects
        self._feed_states = feed_states
        self._cycles = cycles
        self._notify = notify
        self.state: State = initial
        self._since = time.time()
        self._lock = asyncio.Lock()
        self._task_name: str | None = None
        self._n_cycles = -1
        self._cycle_budget_ms = 20.0
        self._cycles_at_start = cycles()
        self._last_action: str | None = None
        self._reason: str | None = None

    def status(self) -> ControlStatus:
        """The current state and what it runs."""
        return ControlStatus(
            state=self.state,
            since=self._since,
            task_name=self._task_name,
            n_cycles=self._n_cycles,
            cycle_budget_ms=self._cycle_budget_ms,
            cycles_completed=self._cycles() - self._cycles_at_start,
            last_action=self._last_action,
            reason=self._reason,
            feeds=self._feed_states(),
        )

    async def apply(
        self,
        action: Action,
        *,
        task_name: str = "default",
        n_cycles: int = -1,
        cycle_budget_ms: float = 20.0,
        reason: str | None = None,
    ) -> ControlStatus:
        """Performs ``action`` if the current state allows it.

        Raises:
            Conflict: The transition is not allowed from the current state; the message says
                which states allow it.
        """
        async with self._lock:
            sources, target = TRANSITIONS[action]
            if self.state not in sources:
                allowed = " or ".join(sources)
                raise Conflict(
                    f"cannot {action}: runtime is {self.state} ({action} needs {allowed})"
                )
            if action == "start":
                self._task_name = task_name
                self._n_cycles = n_cycles
                self._cycle_budget_ms = cycle_budget_ms
                self._cycles_at_start = self._cycles()
            effect = self._effects.get(action)
            if effect is not None:
                await effect()
            previous = self.state
            self.state = target  # type: ignore[assignment]
            self._since = time.time()
            self._last_action = action
            self._reason = reason if action == "estop" else None
            log.info("runtime %s: %s -> %s", action, previous, target)
            if self._notify is not None:
                self._notify(
                    {"action": action, "from": previous, "to": target, "reason": self._reason}
                )
            return self.status()
