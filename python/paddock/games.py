"""The games paddock speaks to, with their feeds' default ports and protocols."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GameInfo:
    """One supported game."""

    id: str
    name: str
    protocol: str
    feed: str
    default_port: int
    transport: str
    live: bool
    simulated: bool


#: Every game of the seed's list. ``live`` says whether a feed decodes it today.
GAMES: tuple[GameInfo, ...] = (
    GameInfo(
        "assetto_corsa",
        "Assetto Corsa",
        "assetto_corsa",
        "ksudp",
        9996,
        "udp",
        live=True,
        simulated=True,
    ),
    GameInfo(
        "assetto_corsa_competizione",
        "Assetto Corsa Competizione",
        "assetto_corsa_competizione",
        "acc",
        9000,
        "udp",
        live=True,
        simulated=True,
    ),
    GameInfo(
        "project_cars_1",
        "Project CARS",
        "project_cars_1",
        "pcars",
        5606,
        "udp",
        live=True,
        simulated=True,
    ),
    GameInfo(
        "project_cars_2",
        "Project CARS 2",
        "project_cars_2",
        "pcars",
        5606,
        "udp",
        live=True,
        simulated=True,
    ),
)


#: Games the built-in simulator can play, in the order the CLI lists them.
SIMULATED_GAMES: tuple[str, ...] = (
    "project_cars_2",
    "project_cars_1",
    "assetto_corsa",
    "assetto_corsa_competizione",
)


def game(game_id: str) -> GameInfo | None:
    """The game called ``game_id``."""
    return next((g for g in GAMES if g.id == game_id), None)


#: The seed's use cases, each an analysis a session can be created for.
USE_CASES: tuple[tuple[str, str, str], ...] = (
    ("shift_points", "Shift points", "optimal upshift rpm per gear from measured acceleration"),
    ("racing_line", "Racing line", "the driven line against the track and between laps"),
    ("braking_analysis", "Braking analysis", "brake points, peak pressure, release and trail"),
    ("lap_times", "Lap times", "laps, consistency and the ideal lap"),
    ("sector_analysis", "Sector analysis", "sector times and where time is won or lost"),
    ("track_map", "Track map", "the track drawn from position data, coloured by speed"),
    ("general", "General", "a general overview of the session"),
)
