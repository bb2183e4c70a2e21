"""Simulated laps as canonical frames, without a socket: encode each tick, decode it back.

The packets are the ones :class:`~paddock.sources.simulator.runner.Simulator` sends over UDP,
decoded by the same native decoder a live feed uses, so analyses and benchmarks see exactly what
a session recorded from the simulator holds. Ticks are stamped with their simulated time, so
``t_s`` is the simulator's clock and its ground truth applies unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from paddock.sources.simulator.runner import Simulator
from paddock.sources.simulator.track import Track

EPOCH_NS = 1_700_000_000_000_000_000
"""Receive time given to the first tick, ns since the epoch."""


def simulate_frames(
    *,
    laps: float = 3.0,
    rate_hz: float = 60.0,
    track: Track | str | Path | None = None,
    lap_seconds: float | None = None,
    game: str = "project_cars_2",
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Drive ``laps`` laps as fast as the machine allows; the frames and the ground truth.

    Args:
        laps: Laps to drive (a fraction drives part of one more lap).
        rate_hz: Ticks per simulated second.
        track: As :class:`Simulator` takes it (default: the bundled track).
        lap_seconds: Scale the track to this lap time; ``None`` keeps its size.
        game: ``"project_cars_2"`` or ``"project_cars_1"``.

    Returns:
        ``(frames, truth)``: canonical frames (``ts_ns``, ``t_s``, channels) and
        :meth:`Simulator.ground_truth`.

    Raises:
        ValueError: For a game other than the two Project CARS formats, or bad simulator
            arguments.
    """
    if game not in ("project_cars_2", "project_cars_1"):
        raise ValueError(f"simulate_frames emits Project CARS only, not {game!r}")
    sim = Simulator(
        game=game, rate_hz=rate_hz, track=track, lap_seconds=lap_seconds, realtime=False
    )
    ticks = max(round(laps * sim.lap_time_s * rate_hz), 1)
    datagrams: list[bytes] = []
    stamps: list[int] = []
    for _ in range(ticks):
        at = EPOCH_NS + round(sim.driver.time_s * 1e9)
        for datagram in sim.sender.datagrams(sim.driver.step()):
            datagrams.append(datagram)
            stamps.append(at)
    if game == "project_cars_1":
        from paddock.protocols import pcars1 as protocol
    else:
        from paddock.protocols import pcars2 as protocol  # type: ignore[no-redef]
    frames = pl.DataFrame(protocol.frames(datagrams, ts_ns=stamps))
    return frames, sim.ground_truth()
