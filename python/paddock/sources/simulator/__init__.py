"""A simulated car lapping a track and emitting real game telemetry over UDP.

The pieces: a :class:`Track` (built from segments or a TUM FTM centre line), a :class:`Car`,
the lap's :class:`SpeedProfile`, a :class:`Driver` that steps a simulated clock along it, a
:class:`Pcars2Sender` (or :class:`Pcars1Sender`) that turns each state into Project CARS 2 (or 1)
packets, and the :class:`Simulator` that sends them over a UDP socket in real time.
"""

from paddock.sources.simulator.car import Car
from paddock.sources.simulator.driver import CarState, Driver
from paddock.sources.simulator.layouts import bundled_track, load_track
from paddock.sources.simulator.pcars1 import Pcars1Sender
from paddock.sources.simulator.pcars2 import Pcars2Sender
from paddock.sources.simulator.profile import (
    BrakeZone,
    SpeedProfile,
    compute_profile,
    fit_lap_time,
)
from paddock.sources.simulator.runner import RunStats, Simulator
from paddock.sources.simulator.track import Corner, Track, TrackPoint
from paddock.sources.simulator.tumftm import load_tumftm_csv

__all__ = [
    "BrakeZone",
    "Car",
    "CarState",
    "Corner",
    "Driver",
    "Pcars1Sender",
    "Pcars2Sender",
    "RunStats",
    "Simulator",
    "SpeedProfile",
    "Track",
    "TrackPoint",
    "bundled_track",
    "compute_profile",
    "fit_lap_time",
    "load_track",
    "load_tumftm_csv",
]
