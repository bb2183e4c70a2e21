"""One settings object, from CLI flags, then ``PADDOCK_*`` variables, then the seed's aliases.

The precedence, highest first: an explicit flag; a ``PADDOCK_*`` environment variable; the
rusty-telemetry names (``RUSTY_TELEMETRY_API_PORT``, ``_API_HOST``, ``_GAME_HOST``, ``_LISTEN``);
the legacy ``RUSTY_TELEMETRY_BIND`` / ``PADDOCK_BIND``, which stands in for both ``GAME_HOST`` and
``LISTEN``; the default.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

SEED_PREFIX = "RUSTY_TELEMETRY_"

# Default port of each game's feed; a default, never a constant (tests use free ports).
PCARS_PORT = 5606
AC_PORT = 9996
ACC_PORT = 9000
TTOOL_PORT = 10101


def default_data_dir() -> Path:
    """The per-user data directory: ``$XDG_DATA_HOME/paddock`` or ``~/.local/share/paddock``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "paddock"


class ConfigError(ValueError):
    """A setting that paddock cannot use, with the variable or flag that gave it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a paddock process is configured with.

    Attributes:
        host: Address the API binds to. Anything but loopback requires ``api_token``.
        port: TCP port of the API.
        data_dir: Holds the catalog (SQLite) and every recording.
        listen: Local address the UDP feeds bind to.
        game_host: Address of the machine running the game (handshake targets).
        pcars_port: UDP port of the Project CARS feed (0 picks a free port).
        ac_port: UDP port Assetto Corsa answers on at ``game_host`` (the handshake target).
        ttool_port: UDP port of the Telemetry Tool plugin feed (0 picks a free port).
        acc_port: UDP port ACC's broadcasting interface listens on at ``game_host``
            (``updListenerPort`` in ACC's ``broadcasting.json``).
        acc_password: ACC's ``connectionPassword`` from the same file (empty: none).
        simulate: Start the built-in simulator beside the server.
        sim_game: Game the simulator plays.
        sim_rate_hz: Simulator packet rate.
        sim_lap_seconds: Scale the simulator's track so a lap takes about this long.
        sim_speed: The CAN simulator's time multiplier (simulated seconds per second).
        api_token: Bearer token required on every API request when set.
        ring_capacity: Rows each feed keeps in memory.
        log_level: Python logging level name.
        recording_segment_mb: Start a new MCAP segment once the current one holds this many MiB
            (default: one file per recording).
        recording_segment_s: Start a new MCAP segment once the current one spans this many
            seconds (default: one file per recording).
        recording_protection_s: A recording younger than this stops only with ``force``.
        can_interface: python-can interface of the CAN feed (``virtual``, ``socketcan``,
            ``slcan``, ``pcan``, ``udp_multicast`` …).
        can_channel: The interface's channel (``can0``, ``/dev/ttyACM0``); setting it (or
            ``can_dbc``, or a car) turns the CAN feed on.
        can_bitrate: CAN bus bit rate, bit/s.
        can_dbc: DBC files the CAN feed decodes with (several: their messages together).
        car: The loaded car config: an id (``bmw_e46_m3``; a user's own in
            ``<data_dir>/cars/`` first, then paddock's shipped ones) or a ``.yaml`` path.
        sse_heartbeat_s: Seconds between the comment lines every SSE stream sends while
            nothing else is sent.
    """

    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = field(default_factory=default_data_dir)
    listen: str = "0.0.0.0"
    game_host: str = "127.0.0.1"
    pcars_port: int = PCARS_PORT
    ac_port: int = AC_PORT
    ttool_port: int = TTOOL_PORT
    acc_port: int = ACC_PORT
    acc_password: str = ""
    simulate: bool = False
    sim_game: str = "project_cars_2"
    sim_rate_hz: float = 60.0
    sim_lap_seconds: float | None = None
    sim_speed: float = 1.0
    api_token: str | None = None
    ring_capacity: int = 36_000
    log_level: str = "info"
    recording_segment_mb: float | None = None
    recording_segment_s: float | None = None
    recording_protection_s: float = 0.0
    can_interface: str = "virtual"
    can_channel: str | None = None
    can_bitrate: int = 500_000
    can_dbc: tuple[Path, ...] = ()
    car: str | None = None
    sse_heartbeat_s: float = 15.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Builds settings from ``env`` (default ``os.environ``), then applies ``overrides``.

        ``overrides`` are the CLI flags; a value of ``None`` means "not given".

        Raises:
            ConfigError: A variable or flag holds a value that cannot be used.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        bind = _first(env, "PADDOCK_BIND", SEED_PREFIX + "BIND")
        sources: dict[str, tuple[str, ...]] = {
            "host": ("PADDOCK_HOST", SEED_PREFIX + "API_HOST"),
            "port": ("PADDOCK_PORT", SEED_PREFIX + "API_PORT"),
            "data_dir": ("PADDOCK_DATA_DIR",),
            "listen": ("PADDOCK_LISTEN", SEED_PREFIX + "LISTEN"),
            "game_host": ("PADDOCK_GAME_HOST", SEED_PREFIX + "GAME_HOST"),
            "pcars_port": ("PADDOCK_PCARS_PORT",),
            "ac_port": ("PADDOCK_AC_PORT",),
            "ttool_port": ("PADDOCK_TTOOL_PORT",),
            "acc_port": ("PADDOCK_ACC_PORT",),
            "acc_password": ("PADDOCK_ACC_PASSWORD",),
            "simulate": ("PADDOCK_SIMULATE",),
            "sim_game": ("PADDOCK_SIM_GAME",),
            "sim_rate_hz": ("PADDOCK_SIM_RATE_HZ",),
            "sim_lap_seconds": ("PADDOCK_SIM_LAP_SECONDS",),
            "sim_speed": ("PADDOCK_SIM_SPEED",),
            "api_token": ("PADDOCK_API_TOKEN",),
            "ring_capacity": ("PADDOCK_RING_CAPACITY",),
            "log_level": ("PADDOCK_LOG_LEVEL",),
            "recording_segment_mb": ("PADDOCK_RECORDING_SEGMENT_MB",),
            "recording_segment_s": ("PADDOCK_RECORDING_SEGMENT_S",),
            "recording_protection_s": ("PADDOCK_RECORDING_PROTECTION_S",),
            "can_interface": ("PADDOCK_CAN_INTERFACE",),
            "can_channel": ("PADDOCK_CAN_CHANNEL",),
            "can_bitrate": ("PADDOCK_CAN_BITRATE",),
            "can_dbc": ("PADDOCK_CAN_DBC",),
            "car": ("PADDOCK_CAR",),
            "sse_heartbeat_s": ("PADDOCK_SSE_HEARTBEAT_S",),
        }
        names = {f.name for f in fields(cls)}
        for name, keys in sources.items():
            raw = _first(env, *keys)
            if raw is None and bind is not None and name in ("listen", "game_host"):
                raw = bind
            if raw is not None:
                values[name] = _convert(name, raw[0], raw[1])
        for name, value in overrides.items():
            if name not in names:
                raise ConfigError(f"unknown setting {name!r}")
            if value is not None:
                values[name] = _convert(name, value, "--" + name.replace("_", "-"))
        settings = cls(**values)
        settings.validate()
        return settings

    def with_(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied and validated."""
        settings = replace(self, **changes)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Checks cross-field rules.

        Raises:
            ConfigError: The API would listen beyond loopback without a token, or a port is out
                of range.
        """
        for name in ("port", "pcars_port", "ac_port", "ttool_port", "acc_port"):
            value = getattr(self, name)
            if not 0 <= value <= 65535:
                raise ConfigError(f"{name} must be 0..65535, got {value}")
        if not _is_loopback(self.host) and not self.api_token:
            raise ConfigError(
                f"binding the API to {self.host} exposes it beyond this machine: "
                "set PADDOCK_API_TOKEN (or --api-token) first"
            )
        if self.ring_capacity < 1:
            raise ConfigError(f"ring_capacity must be positive, got {self.ring_capacity}")
        for name in ("ac_port", "acc_port"):
            if getattr(self, name) == 0:
                raise ConfigError(f"{name} must name the port the game answers on, not 0")
        if not 0 < self.sim_speed <= 1000:
            raise ConfigError(f"sim_speed must be in (0, 1000], got {self.sim_speed}")
        if self.sim_rate_hz <= 0 or self.sim_rate_hz > 1000:
            raise ConfigError(f"sim_rate_hz must be in (0, 1000], got {self.sim_rate_hz}")
        for name in ("recording_segment_mb", "recording_segment_s"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigError(f"{name} must be positive, got {value}")
        if not 0 < self.sse_heartbeat_s <= 3600:
            raise ConfigError(f"sse_heartbeat_s must be in (0, 3600], got {self.sse_heartbeat_s}")
        if self.recording_protection_s < 0:
            raise ConfigError(
                f"recording_protection_s must be >= 0, got {self.recording_protection_s}"
            )
        if not 1_000 <= self.can_bitrate <= 20_000_000:
            raise ConfigError(f"can_bitrate must be 1000..20000000 bit/s, got {self.can_bitrate}")
        if not self.can_interface:
            raise ConfigError("can_interface must name a python-can interface")

    @property
    def catalog_path(self) -> Path:
        """The SQLite catalog file."""
        return self.data_dir / "catalog.sqlite3"

    @property
    def recordings_dir(self) -> Path:
        """Where recordings live, one directory each."""
        return self.data_dir / "recordings"


def _first(env: Mapping[str, str], *keys: str) -> tuple[str, str] | None:
    for key in keys:
        value = env.get(key)
        if value is not None and value.strip() != "":
            return value.strip(), key
    return None


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(name: str, value: Any, origin: str) -> Any:
    kind = {
        "port": int,
        "pcars_port": int,
        "ac_port": int,
        "ttool_port": int,
        "acc_port": int,
        "ring_capacity": int,
        "sim_rate_hz": float,
        "sim_lap_seconds": float,
        "sim_speed": float,
        "recording_segment_mb": float,
        "recording_segment_s": float,
        "recording_protection_s": float,
        "sse_heartbeat_s": float,
        "can_bitrate": int,
        "data_dir": Path,
        "simulate": bool,
    }.get(name, str)
    if name == "can_dbc":
        return _paths(value, origin)
    if not isinstance(value, str):
        return Path(value) if kind is Path else value
    try:
        if kind is bool:
            lowered = value.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError(value)
        if kind is Path:
            return Path(value).expanduser()
        return kind(value)
    except ValueError:
        raise ConfigError(f"{origin}: cannot use {value!r} as {name}") from None


def _paths(value: Any, origin: str) -> tuple[Path, ...]:
    """A list of paths: a sequence, or one string separated by ``os.pathsep`` or commas."""
    items = value.replace(",", os.pathsep).split(os.pathsep) if isinstance(value, str) else value
    try:
        return tuple(Path(str(item).strip()).expanduser() for item in items if str(item).strip())
    except TypeError:
        raise ConfigError(f"{origin}: cannot use {value!r} as a list of paths") from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
