from __future__ import annotations

from pathlib import Path

import pytest

from paddock.config import ConfigError
from paddock.realtime.config import RealtimeConfig
from paddock.realtime.system import CpuSampler, memory


def test_defaults_and_overrides() -> None:
    assert RealtimeConfig.from_env({}) == RealtimeConfig()
    config = RealtimeConfig.from_env(
        {"PADDOCK_WS_PING_S": "0.5", "PADDOCK_CYCLE_HISTORY": "20", "PADDOCK_LIVE_RATE_HZ": " "}
    )
    assert (config.ws_ping_s, config.cycle_history, config.live_rate_hz) == (0.5, 20, 20.0)


@pytest.mark.parametrize(
    ("key", "value"),
    [("PADDOCK_WS_PING_S", "soon"), ("PADDOCK_CLIENT_QUEUE", "0"), ("PADDOCK_CYCLE_REPLAY", "2.5")],
)
def test_bad_values_name_the_variable(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        RealtimeConfig.from_env({key: value})


def test_cpu_and_memory_from_proc_files(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3 4\n")
    sampler = CpuSampler(stat)
    assert sampler.percent() == 20.0  # since boot: 200 busy of 1000
    stat.write_text("cpu  150 0 150 900 0 0 0 0 0 0\n")
    assert sampler.percent() == 50.0  # 100 busy of 200 since the last call
    assert CpuSampler(tmp_path / "missing").percent() is None

    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  4194304 kB\nMemFree: 1 kB\nMemAvailable: 1048576 kB\n")
    assert memory(meminfo) == (75.0, 1.0)
    assert memory(tmp_path / "missing") == (None, None)
