from pathlib import Path

import pytest

from paddock.config import ConfigError, Settings


def test_defaults() -> None:
    s = Settings.from_env({})
    assert (s.host, s.port, s.listen, s.game_host, s.pcars_port) == (
        "127.0.0.1",
        8080,
        "0.0.0.0",
        "127.0.0.1",
        5606,
    )
    assert s.data_dir.name == "paddock"


def test_seed_aliases_and_precedence() -> None:
    env = {
        "RUSTY_TELEMETRY_API_PORT": "9001",
        "RUSTY_TELEMETRY_API_HOST": "::1",
        "RUSTY_TELEMETRY_LISTEN": "127.0.0.2",
        "RUSTY_TELEMETRY_GAME_HOST": "10.0.0.5",
    }
    s = Settings.from_env(env)
    assert (s.port, s.host, s.listen, s.game_host) == (9001, "::1", "127.0.0.2", "10.0.0.5")
    # PADDOCK_* beats the seed's names, and a flag beats both.
    s = Settings.from_env({**env, "PADDOCK_PORT": "9002"})
    assert s.port == 9002
    s = Settings.from_env({**env, "PADDOCK_PORT": "9002"}, port=9003)
    assert s.port == 9003


def test_legacy_bind_is_a_fallback_for_listen_and_game_host() -> None:
    s = Settings.from_env({"RUSTY_TELEMETRY_BIND": "192.168.1.20"})
    assert (s.listen, s.game_host) == ("192.168.1.20", "192.168.1.20")
    s = Settings.from_env(
        {"RUSTY_TELEMETRY_BIND": "192.168.1.20", "RUSTY_TELEMETRY_LISTEN": "0.0.0.0"}
    )
    assert (s.listen, s.game_host) == ("0.0.0.0", "192.168.1.20")
    s = Settings.from_env({"PADDOCK_BIND": "10.1.1.1"})
    assert s.listen == "10.1.1.1"


def test_bad_values_name_their_origin() -> None:
    with pytest.raises(ConfigError, match="RUSTY_TELEMETRY_API_PORT"):
        Settings.from_env({"RUSTY_TELEMETRY_API_PORT": "eighty"})
    with pytest.raises(ConfigError, match=r"0\.\.65535"):
        Settings.from_env({}, port=70000)
    with pytest.raises(ConfigError, match="PADDOCK_SIMULATE"):
        Settings.from_env({"PADDOCK_SIMULATE": "maybe"})


def test_public_bind_needs_a_token() -> None:
    with pytest.raises(ConfigError, match="API_TOKEN"):
        Settings.from_env({"PADDOCK_HOST": "0.0.0.0"})
    s = Settings.from_env({"PADDOCK_HOST": "0.0.0.0", "PADDOCK_API_TOKEN": "s3cret"})
    assert s.api_token == "s3cret"


def test_paths(tmp_path: Path) -> None:
    s = Settings.from_env({"PADDOCK_DATA_DIR": str(tmp_path)})
    assert s.catalog_path == tmp_path / "catalog.sqlite3"
    assert s.recordings_dir == tmp_path / "recordings"
