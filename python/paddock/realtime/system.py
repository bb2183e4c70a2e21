"""Host metrics and in-memory log tails for the FootballVision-style ``/api/v1`` routes.

CPU comes from ``/proc/stat``, memory from ``/proc/meminfo``, disk from ``shutil.disk_usage``, so
no extra dependency is needed; values are ``None`` where the host does not expose them.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections import deque
from pathlib import Path
from typing import Any

GB = 1024**3


class CpuSampler:
    """CPU use in percent between successive calls (since boot on the first)."""

    def __init__(self, stat_path: Path = Path("/proc/stat")) -> None:
        self._path = stat_path
        self._last: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def _read(self) -> tuple[int, int] | None:
        try:
            first = self._path.read_text().splitlines()[0].split()
        except (OSError, IndexError):
            return None
        values = [int(v) for v in first[1:] if v.isdigit()]
        if len(values) < 4:
            return None
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        return sum(values), idle

    def percent(self) -> float | None:
        """Busy share of all CPUs since the previous call, 0–100."""
        now = self._read()
        if now is None:
            return None
        with self._lock:
            last, self._last = self._last, now
        total, idle = now if last is None else (now[0] - last[0], now[1] - last[1])
        if total <= 0:
            return 0.0
        return round(100.0 * (total - idle) / total, 1)


def memory(meminfo: Path = Path("/proc/meminfo")) -> tuple[float | None, float | None]:
    """``(percent used, GB available)`` of the host's memory."""
    fields: dict[str, int] = {}
    try:
        for line in meminfo.read_text().splitlines():
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[0].isdigit():
                fields[key] = int(parts[0]) * 1024
    except OSError:
        return None, None
    total, available = fields.get("MemTotal"), fields.get("MemAvailable")
    if not total or available is None:
        return None, None
    return round(100.0 * (total - available) / total, 1), round(available / GB, 2)


def host_metrics(cpu: CpuSampler, data_dir: Path) -> dict[str, Any]:
    """CPU, memory and the data directory's disk, in the seed's field names."""
    memory_percent, memory_available_gb = memory()
    try:
        disk = shutil.disk_usage(data_dir)
        disk_free_gb: float | None = round(disk.free / GB, 2)
        disk_percent: float | None = round(100.0 * disk.used / disk.total, 1)
    except OSError:
        disk_free_gb = disk_percent = None
    try:
        load: list[float] | None = [round(v, 2) for v in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu_percent": cpu.percent(),
        "memory_percent": memory_percent,
        "memory_available_gb": memory_available_gb,
        "disk_free_gb": disk_free_gb,
        "disk_percent": disk_percent,
        "load_avg": load,
    }


LOG_TYPES = ("health", "alerts", "watchdog")


class LogRing(logging.Handler):
    """Keeps paddock's newest log lines in memory, for ``/api/v1/logs/{log_type}``.

    ``health`` holds every line, ``alerts`` warnings and errors, ``watchdog`` what feeds, the hub
    and runtime control say.
    """

    def __init__(self, capacity: int = 2000) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self._lines: dict[str, deque[str]] = {t: deque(maxlen=capacity) for t in LOG_TYPES}

    def emit(self, record: logging.LogRecord) -> None:
        """Files one record under each log type it belongs to."""
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self._lines["health"].append(line)
        if record.levelno >= logging.WARNING:
            self._lines["alerts"].append(line)
        if record.name.startswith(("paddock.hub", "paddock.sources", "paddock.realtime.control")):
            self._lines["watchdog"].append(line)

    def tail(self, log_type: str, lines: int) -> list[str]:
        """The newest ``lines`` lines of ``log_type``, oldest first."""
        items = list(self._lines[log_type])
        return items[-lines:] if lines < len(items) else items
