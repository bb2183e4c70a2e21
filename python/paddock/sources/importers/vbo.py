"""Racelogic VBOX ``.vbo`` files: ``[section]`` blocks of text, parsed into canonical frames.

A VBO file holds, in order, ``[header]`` (one channel name per line), ``[channel units]``,
``[comments]``, optional ``[laptiming]``, ``[AVI]`` …, ``[column names]`` (one line, the short
column names separated by spaces) and ``[data]`` (one sample per line, values separated by
spaces). The parse reads lines and splits sections in Python; every column of the data section is
split, cast and converted with Polars expressions, never row by row.

Conventions of the format, as Racelogic loggers write it:

- ``time`` is UTC time of day as ``HHMMSS.SS``; the date is only in the first line
  (``File created on DD/MM/YYYY @ HH:MM:SS``, local time). A time of day that steps back by more
  than 12 hours is taken as a new UTC day.
- ``lat`` and ``long`` are in minutes of arc; latitude is positive north, longitude is positive
  **west** (the opposite of the usual sign), so ``lon_deg = -long / 60``.
- ``velocity`` is km/h, ``heading`` degrees from north, ``height`` metres.

Rows whose number of values differs from the column count (a line cut short when logging stopped)
are skipped and counted; rows that repeat the previous row's time are dropped (loggers repeat a
sample when GNSS lags). Columns other than the canonical ones keep their values under
``vbo.<name>`` (lower case), so nothing the file holds is lost.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from paddock.exceptions import InvalidArgument

#: VBO column names (``[column names]``) mapped to canonical channels, with a scale.
CANONICAL: dict[str, tuple[str, float]] = {
    "velocity": ("speed_kmh", 1.0),
    "heading": ("heading_deg", 1.0),
    "height": ("alt_m", 1.0),
    "Engine_Speed": ("rpm", 1.0),
    "Gear": ("gear", 1.0),
    "Throttle_Pedal": ("throttle", 0.01),
}
_EARTH_RADIUS_M = 6_371_008.8
_CREATED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class Gate:
    """A start/finish line between two points, in degrees."""

    lat1_deg: float
    lon1_deg: float
    lat2_deg: float
    lon2_deg: float


@dataclass
class VboFile:
    """A parsed VBO file.

    Attributes:
        frames: Canonical frames: ``ts_ns``, ``lat_deg``, ``lon_deg``, ``speed_kmh``,
            ``heading_deg``, ``alt_m``, ``distance_m`` (along the GNSS track), the mapped CAN
            channels and ``vbo.*`` for the rest.
        gate: The ``[laptiming]`` start/finish line, if the file has one.
        units: Unit of each ``[header]`` channel where ``[channel units]`` gives one.
        skipped_rows: Data rows dropped for having the wrong number of values.
        duplicate_rows: Data rows dropped for repeating the previous row's time.
        comments: The ``[comments]`` lines (logger model, serial, firmware).
    """

    frames: pl.DataFrame
    gate: Gate | None
    units: dict[str, str] = field(default_factory=dict)
    skipped_rows: int = 0
    duplicate_rows: int = 0
    comments: list[str] = field(default_factory=list)


def _sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The lines before the first section, and each section's lines by lower-case name."""
    preamble: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] = preamble
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]") and len(stripped) > 2:
            current = sections.setdefault(stripped[1:-1].strip().lower(), [])
        else:
            current.append(line)
    return preamble, sections


def _gate(lines: list[str]) -> Gate | None:
    """The ``Start`` line of ``[laptiming]``: long1 lat1 long2 lat2 in VBO minutes."""
    for line in lines:
        parts = line.split()
        if len(parts) >= 5 and parts[0].lower() == "start":
            try:
                long1, lat1, long2, lat2 = (float(p) for p in parts[1:5])
            except ValueError:
                return None
            return Gate(lat1 / 60, -long1 / 60, lat2 / 60, -long2 / 60)
    return None


def _created(preamble: list[str]) -> dt.date | None:
    for line in preamble:
        match = _CREATED.search(line)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def read_vbo(path: Path) -> VboFile:
    """Parses the VBO file at ``path``.

    Raises:
        InvalidArgument: Not a VBO file (no ``[column names]`` or ``[data]`` section, or no
            ``time`` column), or no valid data row.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except (UnicodeError, ValueError) as exc:
        raise InvalidArgument(f"not a VBO file: {exc}") from None
    return parse_vbo(text)


def parse_vbo(text: str) -> VboFile:
    """Parses the text of a VBO file (see :func:`read_vbo`)."""
    if "\x00" in text[:4096]:
        raise InvalidArgument("not a VBO file: binary content")
    preamble, sections = _sections(text.splitlines())
    if "data" not in sections or "column names" not in sections:
        raise InvalidArgument("not a VBO file: no [column names] and [data] sections")
    names = " ".join(sections["column names"]).split()
    if "time" not in names or len(set(names)) != len(names):
        raise InvalidArgument(
            "not a VBO file: [column names] needs a 'time' column and unique names"
        )
    raw = pl.DataFrame({"line": sections["data"]}, schema={"line": pl.String()}).select(
        pl.col("line").str.extract_all(r"\S+").alias("fields")
    )
    raw = raw.filter(pl.col("fields").list.len() > 0)
    complete = raw.filter(pl.col("fields").list.len() == len(names))
    skipped = raw.height - complete.height
    if complete.is_empty():
        raise InvalidArgument(
            f"VBO file has no data row with the {len(names)} values of [column names]"
        )
    values = complete.select(pl.col("fields").list.to_struct(fields=names)).unnest("fields")
    values = values.with_columns(pl.all().cast(pl.Float64, strict=False))
    frames = _canonical(values, _created(preamble) or dt.date(1970, 1, 1))
    before = frames.height
    frames = frames.filter(pl.col("ts_ns").diff().fill_null(1) != 0)
    header = [h.strip() for h in sections.get("header", []) if h.strip()]
    units = [u.strip() for u in sections.get("channel units", [])]
    return VboFile(
        frames=frames,
        gate=_gate(sections.get("laptiming", [])),
        units=_units(header, units),
        skipped_rows=skipped,
        duplicate_rows=before - frames.height,
        comments=[c.strip() for c in sections.get("comments", []) if c.strip()],
    )


def _units(header: list[str], units: list[str]) -> dict[str, str]:
    """Units by ``[header]`` name.

    Loggers list units only for the last channels (the added ones), so a shorter
    ``[channel units]`` is aligned to the end of ``[header]``.
    """
    units = [u for u in units if u]
    named = header[len(header) - len(units) :] if len(units) <= len(header) else header
    return {h: u for h, u in zip(named, units, strict=False) if u != "(null)"}


def _canonical(values: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """Raw VBO columns to canonical ones; ``ts_ns`` from the HHMMSS time of day on ``day``."""
    hhmmss = pl.col("time")
    tod_s = (hhmmss // 10_000) * 3600 + ((hhmmss // 100) % 100) * 60 + hhmmss % 100
    midnight_ns = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()) * 10**9
    # A step back of more than 12 h is midnight UTC passing.
    day_offset = (tod_s.diff() < -43_200).cast(pl.Int64).cum_sum().fill_null(0)
    columns: list[pl.Expr] = [
        (pl.lit(midnight_ns) + ((tod_s + day_offset * 86_400) * 1e9).round().cast(pl.Int64)).alias(
            "ts_ns"
        )
    ]
    taken = {"time"}
    if "lat" in values.columns and "long" in values.columns:
        columns += [(pl.col("lat") / 60).alias("lat_deg"), (-pl.col("long") / 60).alias("lon_deg")]
        taken |= {"lat", "long"}
    for name, (canonical, scale) in CANONICAL.items():
        if name in values.columns:
            columns.append((pl.col(name) * scale).alias(canonical))
            taken.add(name)
    columns += [
        pl.col(c).alias(f"vbo.{c.lower().replace('-', '_')}")
        for c in values.columns
        if c not in taken
    ]
    frames = values.select(columns).sort("ts_ns", maintain_order=True)
    if "lat_deg" in frames.columns:
        frames = frames.with_columns(_distance_m().alias("distance_m"))
    return frames.with_columns(pl.col("gear").cast(pl.Int32)) if "gear" in frames else frames


def _distance_m() -> pl.Expr:
    """Cumulative haversine distance along ``lat_deg``/``lon_deg`` in metres."""
    lat = pl.col("lat_deg").radians()
    lon = pl.col("lon_deg").radians()
    half = ((lat - lat.shift(1)) / 2).sin().pow(2) + lat.cos() * lat.shift(1).cos() * (
        (lon - lon.shift(1)) / 2
    ).sin().pow(2)
    step = 2 * _EARTH_RADIUS_M * half.sqrt().arcsin()
    return step.fill_null(0.0).fill_nan(0.0).cum_sum()
