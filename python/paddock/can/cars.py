"""Car configs: a car, its dash logger, its CAN bus, its DBC files and its channel inventory.

A car config is a ``<id>.yaml`` file (format in ``docs/can.md``, "Car configs"). paddock ships
its own in ``paddock/data/cars/`` (inside the wheel); a user's own live in ``<data_dir>/cars/``
and win over a shipped one with the same id.

::

    car = load_car("bmw_e46_m3")
    frames = car.decoder().decode(ts_ns, ids, data)   # {message: DataFrame}
    wide = car.canonical(frames)                       # ts_ns + paddock's canonical channels
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from paddock.can._dbc import DbcError, MessageInfo, SignalInfo
from paddock.can._decoder import CanDecoder
from paddock.channels import ChannelInfo, lookup, registry
from paddock.exceptions import InvalidArgument

log = logging.getLogger(__name__)

SHIPPED_CARS_DIR = Path(__file__).resolve().parent.parent / "data" / "cars"
"""The car configs paddock ships (inside the package, so the wheel carries them)."""

CARS_SUBDIR = "cars"
"""Subdirectory of the data directory holding a user's own car configs."""

ROLES = (
    "engine",
    "driver",
    "vehicle",
    "wheels",
    "brakes",
    "chassis",
    "temperature",
    "pressure",
    "electrical",
    "fuel",
    "gps",
    "timing",
    "tyres",
    "status",
    "other",
)
"""What a channel is about (a channel inventory's ``role``)."""

FRAME_FORMATS = ("classic", "fd")
"""CAN frame formats a bus carries: classic CAN (8 bytes) or CAN FD (up to 64)."""

ID_WIDTHS = (11, 29)
"""Identifier widths: standard (11-bit) or extended (29-bit) ids."""

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (several times faster), else the Python one."""


class CarConfigError(InvalidArgument):
    """A car config that cannot be used; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class LoggerInfo:
    """The dash logger that puts the channels on the bus.

    Attributes:
        make: Maker (``AiM``).
        model: Model (``MXP``).
        protocol: The CAN protocol it speaks.
        frame_count: Frames its protocol defines.
        channel_count: Channels its protocol defines.

    """

    make: str
    model: str
    protocol: str
    frame_count: int
    channel_count: int


@dataclass(frozen=True, slots=True)
class BusInfo:
    """The CAN bus the car's channels come on.

    Attributes:
        name: What the bus is (``data-logger output``).
        bitrate: Bits per second (``1000000``).
        frame_format: ``"classic"`` or ``"fd"``.
        id_width: ``11`` (standard ids) or ``29`` (extended ids).

    """

    name: str
    bitrate: int
    frame_format: str
    id_width: int


@dataclass(frozen=True, slots=True)
class CarChannel:
    """One channel of the inventory: a DBC signal, where it comes from, what it feeds.

    Attributes:
        name: The DBC signal's name.
        frame_id: Id of the message (frame) that carries it.
        message: Name of that message in the DBC.
        rate_hz: How often a value arrives.
        role: What it is about (one of :data:`ROLES`).
        unit: The signal's unit in the DBC (``""`` if none).
        canonical: The paddock channel it feeds (a registry name), or ``None``.
        canonical_unit: That channel's unit in the registry (``None`` without ``canonical``).
        scale: ``canonical value = signal value * scale + offset``.
        offset: See ``scale``.
        extended: Whether ``frame_id`` is a 29-bit extended id.

    """

    name: str
    frame_id: int
    message: str
    rate_hz: float
    role: str
    unit: str
    canonical: str | None
    canonical_unit: str | None
    scale: float = 1.0
    offset: float = 0.0
    extended: bool = False

    def to_canonical(self, value: float) -> float:
        """The canonical value of one signal value."""
        return value * self.scale + self.offset

    def from_canonical(self, value: float) -> float:
        """The signal value that gives the canonical ``value`` (the inverse conversion)."""
        return (value - self.offset) / self.scale


@dataclass(frozen=True, slots=True)
class CarConfig:
    """One car config, loaded and checked against its DBC files (see :func:`load_car`).

    Attributes:
        id: The file's stem, e.g. ``bmw_e46_m3``.
        make: Maker.
        model: Model.
        chassis: Chassis code.
        year: Model year.
        engine: Engine.
        logger: The dash logger.
        bus: The CAN bus.
        dbc_paths: DBC files, absolute.
        channels: The channel inventory, in the file's order.
        path: The YAML file it was loaded from.
        shipped: Whether paddock ships it (``False`` for a user's own).

    """

    id: str
    make: str
    model: str
    chassis: str
    year: int
    engine: str
    logger: LoggerInfo
    bus: BusInfo
    dbc_paths: tuple[Path, ...]
    channels: tuple[CarChannel, ...]
    path: Path
    shipped: bool = False
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    @property
    def display_name(self) -> str:
        """``BMW M3 (E46)``."""
        return f"{self.make} {self.model} ({self.chassis})"

    @property
    def frame_ids(self) -> tuple[int, ...]:
        """Ids of the frames the inventory uses, in order of first appearance."""
        return tuple(dict.fromkeys(c.frame_id for c in self.channels))

    @property
    def frame_count(self) -> int:
        """Frames the inventory uses."""
        return len(self.frame_ids)

    @property
    def channel_count(self) -> int:
        """Channels in the inventory."""
        return len(self.channels)

    def frame_rates(self) -> dict[int, float]:
        """Each frame's rate: the highest rate of its channels, Hz."""
        rates: dict[int, float] = {}
        for c in self.channels:
            rates[c.frame_id] = max(rates.get(c.frame_id, 0.0), c.rate_hz)
        return rates

    def channel(self, name: str) -> CarChannel:
        """The inventory channel called ``name``.

        Raises:
            KeyError: No channel has that name.

        """
        for c in self.channels:
            if c.name == name:
                return c
        raise KeyError(name)

    def canonical_channels(self) -> tuple[CarChannel, ...]:
        """Channels that feed a canonical channel, in the registry's order."""
        order = {c.name: i for i, c in enumerate(registry())}
        feeding = [c for c in self.channels if c.canonical is not None]
        return tuple(sorted(feeding, key=lambda c: order.get(c.canonical or "", len(order))))

    def decoder(self) -> CanDecoder:
        """The car's DBC files compiled into a :class:`CanDecoder` (once, then cached).

        Raises:
            DbcError: A DBC file is missing or malformed.

        """
        with _DECODER_LOCK:
            decoder = self._cache.get("decoder")
            if decoder is None:
                decoder = CanDecoder.from_dbc(*self.dbc_paths)
                self._cache["decoder"] = decoder
        assert isinstance(decoder, CanDecoder)
        return decoder

    def canonical(self, decoded: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
        """Decoded frames turned into paddock's canonical channels.

        Args:
            decoded: :meth:`CanDecoder.decode` output (``{message: DataFrame}``) of this car's
                frames.

        Returns:
            ``ts_ns`` then one column per canonical channel the car feeds (registry names,
            registry units, ``Int32`` for gear and lap counters, ``Float64`` otherwise), one row
            per distinct message timestamp in time order, each value held from the last frame
            that carried it (null before the first). Messages the input lacks leave their
            channels null.

        """
        feeding = self.canonical_channels()
        by_message: dict[str, list[CarChannel]] = {}
        for c in feeding:
            by_message.setdefault(c.message, []).append(c)
        parts: list[pl.DataFrame] = []
        for message, channels in by_message.items():
            frame = decoded.get(message)
            if frame is None or frame.height == 0:
                continue
            parts.append(
                frame.select(
                    pl.col("ts_ns").cast(pl.Int64),
                    *(
                        (pl.col(c.name).cast(pl.Float64) * c.scale + c.offset).alias(
                            c.canonical or c.name
                        )
                        for c in channels
                        if c.name in frame.columns
                    ),
                )
            )
        names = [c.canonical or c.name for c in feeding]
        if parts:
            wide = (
                pl.concat(parts, how="diagonal")
                .with_row_index("_order")
                .sort("ts_ns", "_order")
                .drop("_order")
            )
        else:
            wide = pl.DataFrame({"ts_ns": pl.Series([], dtype=pl.Int64)})
        missing = [n for n in names if n not in wide.columns]
        wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(n) for n in missing)
        wide = (
            wide.select("ts_ns", *names)
            .with_columns(pl.col(n).forward_fill() for n in names)
            .unique("ts_ns", keep="last", maintain_order=True)
        )
        casts = []
        for c in feeding:
            info = lookup(c.canonical or "")
            if info is not None and info.dtype.lower().startswith("int"):
                casts.append(pl.col(c.canonical or "").round().cast(pl.Int32))
        return wide.with_columns(casts) if casts else wide

    def summary(self, *, loaded: bool = False) -> dict[str, Any]:
        """The car as ``GET /cars`` lists it (the seed's shape)."""
        return {
            "id": self.id,
            "loaded": loaded,
            "make": self.make,
            "model": self.model,
            "chassis": self.chassis,
            "year": self.year,
            "engine": self.engine,
            "dash_logger": {
                "make": self.logger.make,
                "model": self.logger.model,
                "protocol": self.logger.protocol,
                "total_frames": self.logger.frame_count,
                "total_channels": self.logger.channel_count,
            },
            "can_bus": {
                "name": self.bus.name,
                "bitrate_bps": self.bus.bitrate,
                "frame_format": self.bus.frame_format,
                "id_width": self.bus.id_width,
            },
            "dbc": [p.name for p in self.dbc_paths],
            "shipped": self.shipped,
            "frame_count": self.frame_count,
            "channel_count": self.channel_count,
            "channels": [
                {
                    "name": c.name,
                    "frame_id": f"0x{c.frame_id:X}",
                    "rate_hz": c.rate_hz,
                    "role": c.role,
                    "canonical": c.canonical,
                }
                for c in self.channels
            ],
        }

    def detail(self, *, loaded: bool = False) -> dict[str, Any]:
        """:meth:`summary` plus each channel's message, units and conversion, and the frames."""
        out = self.summary(loaded=loaded)
        out["channels"] = [
            {
                "name": c.name,
                "frame_id": f"0x{c.frame_id:X}",
                "message": c.message,
                "rate_hz": c.rate_hz,
                "role": c.role,
                "unit": c.unit,
                "canonical": c.canonical,
                "canonical_unit": c.canonical_unit,
                "scale": c.scale,
                "offset": c.offset,
            }
            for c in self.channels
        ]
        rates = self.frame_rates()
        messages = {m.frame_id: m for m in self.decoder().messages.values()}
        out["frames"] = [
            {
                "frame_id": f"0x{fid:X}",
                "message": messages[fid].name,
                "length": messages[fid].length,
                "rate_hz": rates[fid],
                "channels": [c.name for c in self.channels if c.frame_id == fid],
            }
            for fid in self.frame_ids
        ]
        return out


_DECODER_LOCK = threading.RLock()


# --- loading -----------------------------------------------------------------------------------


class _Reader:
    """Reads typed fields out of a YAML mapping, naming the file and field in every error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, where: str, what: str) -> CarConfigError:
        return CarConfigError(f"{self.path}: {where}: {what}")

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(where, f"expected a mapping, got {_kind(value)}")
        return value

    def get(self, data: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in data or data[key] is None:
            raise self.error(_join(where, key), "missing")
        return data[key]

    def text(self, data: Mapping[str, Any], key: str, where: str = "") -> str:
        value = self.get(data, key, where)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(_join(where, key), f"expected text, got {_kind(value)}")
        text = str(value).strip()
        if not text:
            raise self.error(_join(where, key), "must not be empty")
        return text

    def integer(
        self, data: Mapping[str, Any], key: str, where: str = "", *, default: int | None = None
    ) -> int:
        if default is not None and data.get(key) is None:
            return default
        value = self.get(data, key, where)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(_join(where, key), f"expected a whole number, got {value!r}")
        return value

    def number(
        self, data: Mapping[str, Any], key: str, where: str = "", *, default: float | None = None
    ) -> float:
        if default is not None and data.get(key) is None:
            return default
        value = self.get(data, key, where)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(_join(where, key), f"expected a number, got {value!r}")
        if not math.isfinite(value):
            raise self.error(_join(where, key), f"expected a finite number, got {value!r}")
        return float(value)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _frame_id(reader: _Reader, value: Any, where: str) -> int:
    if isinstance(value, str):
        try:
            value = int(value, 0)
        except ValueError:
            raise reader.error(where, f"expected an id such as 0x420, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << 29:
        raise reader.error(where, f"expected a CAN id (0 .. 0x1FFFFFFF), got {value!r}")
    return value


def _read_yaml(path: Path) -> Mapping[str, Any]:
    reader = _Reader(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CarConfigError(f"{path}: no such car config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CarConfigError(f"{path}: cannot be read: {exc}") from None
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CarConfigError(f"{path}: not valid YAML{at}: {problem}") from None
    return reader.mapping(data, "top level")


def _signal(message: MessageInfo, name: str) -> SignalInfo | None:
    return next((s for s in message.signals if s.name == name), None)


_LOADED: dict[tuple[Path, bool], tuple[bytes, CarConfig]] = {}
_LOADED_LOCK = threading.Lock()


def _stamp(paths: Sequence[Path]) -> bytes | None:
    """A digest of the files' contents, ``None`` if one cannot be read."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        for p in paths:
            digest.update(p.read_bytes())
            digest.update(b"\0")
    except OSError:
        return None
    return digest.digest()


def parse_car(path: Path, *, shipped: bool = False) -> CarConfig:
    """Load and check the car config at ``path`` against its DBC files.

    A config already loaded is reused while neither its file nor its DBC files change.

    Raises:
        CarConfigError: The file is missing, not YAML, or a field is missing, of the wrong type,
            out of range, or does not match the DBC (the message names the file and the field).

    """
    key = (Path(path).resolve(), shipped)
    with _LOADED_LOCK:
        cached = _LOADED.get(key)
    if cached is not None:
        stamp, car = cached
        if stamp == _stamp((car.path, *car.dbc_paths)):
            return car
    car = _parse_car(Path(path), shipped=shipped)
    stamp_now = _stamp((car.path, *car.dbc_paths))
    if stamp_now is not None:
        with _LOADED_LOCK:
            _LOADED[key] = (stamp_now, car)
    return car


def _parse_car(path: Path, *, shipped: bool) -> CarConfig:
    reader = _Reader(path)
    data = _read_yaml(path)
    car_id = str(data.get("id") or path.stem)
    if car_id != path.stem:
        raise reader.error("id", f"{car_id!r} must equal the file name's stem {path.stem!r}")
    if not _ID_RE.match(car_id):
        raise reader.error(
            "id", f"{car_id!r} must be lower-case letters, digits, '_' or '-' (at most 64)"
        )
    year = reader.integer(data, "year")
    if not 1886 <= year <= 2100:
        raise reader.error("year", f"expected a model year, got {year}")

    bus_data = reader.mapping(reader.get(data, "bus", ""), "bus")
    bitrate = reader.integer(bus_data, "bitrate", "bus")
    if not 10_000 <= bitrate <= 8_000_000:
        raise reader.error("bus.bitrate", f"expected 10000 .. 8000000 bit/s, got {bitrate}")
    frame_format = str(bus_data.get("frame_format") or "classic").lower()
    if frame_format not in FRAME_FORMATS:
        raise reader.error(
            "bus.frame_format", f"expected one of {', '.join(FRAME_FORMATS)}, got {frame_format!r}"
        )
    id_width = reader.integer(bus_data, "id_width", "bus", default=11)
    if id_width not in ID_WIDTHS:
        raise reader.error("bus.id_width", f"expected 11 or 29, got {id_width}")
    bus = BusInfo(
        name=reader.text(bus_data, "name", "bus"),
        bitrate=bitrate,
        frame_format=frame_format,
        id_width=id_width,
    )

    dbc_value = reader.get(data, "dbc", "")
    dbc_items = [dbc_value] if isinstance(dbc_value, str) else dbc_value
    if not isinstance(dbc_items, list) or not dbc_items:
        raise reader.error("dbc", "expected a DBC file name or a list of them")
    dbc_paths: list[Path] = []
    for i, item in enumerate(dbc_items):
        if not isinstance(item, str) or not item.strip():
            raise reader.error(f"dbc[{i}]", f"expected a file name, got {_kind(item)}")
        dbc = Path(item).expanduser()
        dbc = (dbc if dbc.is_absolute() else path.parent / dbc).resolve()
        if not dbc.is_file():
            raise reader.error(f"dbc[{i}]", f"no such DBC file: {dbc}")
        dbc_paths.append(dbc)
    try:
        decoder = CanDecoder.from_dbc(*dbc_paths)
    except DbcError as exc:
        raise reader.error("dbc", str(exc)) from None
    messages: dict[tuple[int, bool], MessageInfo] = {
        (m.frame_id, m.extended): m for m in decoder.messages.values()
    }

    channel_items = reader.get(data, "channels", "")
    if not isinstance(channel_items, list) or not channel_items:
        raise reader.error("channels", "expected a non-empty list of channels")
    channels: list[CarChannel] = []
    seen: dict[str, str] = {}
    fed: dict[str, str] = {}
    for i, item in enumerate(channel_items):
        where = f"channels[{i}]"
        entry = reader.mapping(item, where)
        name = reader.text(entry, "name", where)
        where = f"channels[{i}] ({name})"
        if name in seen:
            raise reader.error(where, f"channel {name!r} is listed twice")
        seen[name] = where
        frame_id = _frame_id(reader, reader.get(entry, "frame_id", where), f"{where}.frame_id")
        extended = id_width == 29 or frame_id > 0x7FF
        message = messages.get((frame_id, extended))
        if message is None:
            raise reader.error(
                f"{where}.frame_id", f"no message with id 0x{frame_id:X} in the DBC file(s)"
            )
        signal = _signal(message, name)
        if signal is None:
            raise reader.error(
                f"{where}.name",
                f"message {message.name} (0x{frame_id:X}) has no signal {name!r}",
            )
        rate_hz = reader.number(entry, "rate_hz", where)
        if not 0.0 < rate_hz <= 10_000.0:
            raise reader.error(f"{where}.rate_hz", f"expected 0 < rate <= 10000 Hz, got {rate_hz}")
        role = reader.text(entry, "role", where)
        if role not in ROLES:
            raise reader.error(f"{where}.role", f"expected one of {', '.join(ROLES)}, got {role!r}")
        canonical_value = entry.get("canonical")
        canonical_info: ChannelInfo | None = None
        if canonical_value is not None:
            canonical_info = lookup(str(canonical_value))
            if canonical_info is None:
                raise reader.error(
                    f"{where}.canonical",
                    f"{canonical_value!r} is not a channel of paddock's registry "
                    "(GET /api/channels lists them)",
                )
            if canonical_info.name in fed:
                raise reader.error(
                    f"{where}.canonical",
                    f"{canonical_info.name!r} is already fed by {fed[canonical_info.name]}",
                )
            fed[canonical_info.name] = where
        scale = reader.number(entry, "scale", where, default=1.0)
        if scale == 0.0:
            raise reader.error(f"{where}.scale", "must not be 0")
        offset = reader.number(entry, "offset", where, default=0.0)
        if canonical_info is None and ("scale" in entry or "offset" in entry):
            raise reader.error(where, "scale and offset convert to a canonical channel; give one")
        channels.append(
            CarChannel(
                name=name,
                frame_id=frame_id,
                message=message.name,
                rate_hz=rate_hz,
                role=role,
                unit=signal.unit or "",
                canonical=None if canonical_info is None else canonical_info.name,
                canonical_unit=None if canonical_info is None else canonical_info.unit,
                scale=scale,
                offset=offset,
                extended=extended,
            )
        )

    frame_count = len({c.frame_id for c in channels})
    logger_data = reader.mapping(reader.get(data, "logger", ""), "logger")
    logger = LoggerInfo(
        make=reader.text(logger_data, "make", "logger"),
        model=reader.text(logger_data, "model", "logger"),
        protocol=reader.text(logger_data, "protocol", "logger"),
        frame_count=reader.integer(logger_data, "frame_count", "logger", default=frame_count),
        channel_count=reader.integer(logger_data, "channel_count", "logger", default=len(channels)),
    )
    car = CarConfig(
        id=car_id,
        make=reader.text(data, "make"),
        model=reader.text(data, "model"),
        chassis=reader.text(data, "chassis"),
        year=year,
        engine=reader.text(data, "engine"),
        logger=logger,
        bus=bus,
        dbc_paths=tuple(dbc_paths),
        channels=tuple(channels),
        path=path.resolve(),
        shipped=shipped,
    )
    car._cache["decoder"] = decoder
    return car


def user_cars_dir(data_dir: Path) -> Path:
    """Where a user's own car configs live: ``<data_dir>/cars``."""
    return Path(data_dir) / CARS_SUBDIR


def _candidates(data_dir: Path | None) -> list[tuple[Path, bool]]:
    """Every ``*.yaml`` car config, user's first, then shipped."""
    dirs: list[tuple[Path, bool]] = []
    if data_dir is not None:
        dirs.append((user_cars_dir(data_dir), False))
    dirs.append((SHIPPED_CARS_DIR, True))
    found: list[tuple[Path, bool]] = []
    for folder, shipped in dirs:
        if folder.is_dir():
            found.extend((p, shipped) for p in sorted(folder.glob("*.yaml")) if p.is_file())
    return found


def load_car(car: str | Path, data_dir: Path | None = None) -> CarConfig:
    """Load a car config by id (``bmw_e46_m3``) or by path (``my_car.yaml``).

    An id is looked up in ``<data_dir>/cars/`` first (a user's own win), then in paddock's
    shipped cars; without ``data_dir`` only the shipped cars are looked at.

    Raises:
        CarConfigError: No car has that id, or the file is not a valid car config.

    """
    text = str(car)
    as_path = Path(text).expanduser()
    if isinstance(car, Path) or text.endswith((".yaml", ".yml")) or "/" in text:
        return parse_car(as_path, shipped=as_path.resolve().parent == SHIPPED_CARS_DIR)
    for path, shipped in _candidates(data_dir):
        if path.stem == text:
            return parse_car(path, shipped=shipped)
    known = sorted({p.stem for p, _ in _candidates(data_dir)})
    raise CarConfigError(
        f"no car config {text!r}; known: {', '.join(known) or 'none'}"
        + ("" if data_dir is None else f" (own cars go in {user_cars_dir(data_dir)})")
    )


@dataclass(frozen=True, slots=True)
class CarScan:
    """Every car config found: the valid ones, and an error for each one that is not."""

    cars: tuple[CarConfig, ...]
    errors: tuple[CarConfigError, ...]


def scan_cars(data_dir: Path | None = None) -> CarScan:
    """Load every car config (a user's own first, shadowing shipped ones of the same id)."""
    cars: dict[str, CarConfig] = {}
    errors: list[CarConfigError] = []
    seen: set[str] = set()
    for path, shipped in _candidates(data_dir):
        if path.stem in seen:  # a user's own file (valid or not) shadows a shipped one
            continue
        seen.add(path.stem)
        try:
            cars[path.stem] = parse_car(path, shipped=shipped)
        except CarConfigError as exc:
            errors.append(exc)
    return CarScan(tuple(sorted(cars.values(), key=lambda c: c.id)), tuple(errors))


def list_cars(data_dir: Path | None = None) -> list[CarConfig]:
    """Every valid car config, by id; invalid files are skipped with a logged warning."""
    scan = scan_cars(data_dir)
    for error in scan.errors:
        log.warning("car config skipped: %s", error)
    return list(scan.cars)
