"""Car configs: the shipped BMW E46 M3 example, its DBC, loading rules and clear errors."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import cantools
import polars as pl
import pytest

from paddock.can import CanDecoder, CarConfigError, list_cars, load_car
from paddock.can.cars import SHIPPED_CARS_DIR, scan_cars
from paddock.channels import lookup

E46 = "bmw_e46_m3"
E46_YAML = SHIPPED_CARS_DIR / f"{E46}.yaml"
E46_DBC = SHIPPED_CARS_DIR / f"{E46}.dbc"


def test_e46_inventory() -> None:
    car = load_car(E46)
    assert (car.make, car.model, car.chassis, car.year) == ("BMW", "M3", "E46", 2003)
    assert car.display_name == "BMW M3 (E46)"
    assert car.frame_count == 20
    assert car.channel_count == 66
    assert (car.logger.frame_count, car.logger.channel_count) == (20, 66)
    assert (car.logger.make, car.logger.model) == ("AiM", "MXP")
    assert (car.bus.bitrate, car.bus.frame_format, car.bus.id_width) == (1_000_000, "classic", 11)
    assert car.shipped
    assert car.dbc_paths == (E46_DBC.resolve(),)
    rates = set(car.frame_rates().values())
    assert rates <= {10.0, 20.0, 50.0, 100.0} and {10.0, 100.0} <= rates
    rpm = car.channel("rpm")
    assert (rpm.frame_id, rpm.message, rpm.rate_hz) == (0x400, "AIM_ENGINE", 50.0)
    assert rpm.role == "engine"
    # Every canonical channel exists in the registry, with the registry's unit.
    for c in car.canonical_channels():
        info = lookup(c.canonical or "")
        assert info is not None and c.canonical_unit == info.unit
    oil = car.channel("oil_press")
    assert (oil.unit, oil.canonical, oil.canonical_unit) == ("bar", "oil_press_kpa", "kPa")
    assert oil.to_canonical(4.5) == pytest.approx(450.0)
    assert oil.from_canonical(450.0) == pytest.approx(4.5)


def test_e46_dbc_has_the_promised_features() -> None:
    db = cantools.database.load_file(E46_DBC, strict=True)
    assert len(db.messages) == 20
    assert sum(len(m.signals) for m in db.messages) == 66
    text = E46_DBC.read_text()
    assert "paddock's own example" in text and "not AiM's, BMW's or any vendor's file" in text
    signals = [s for m in db.messages for s in m.signals]
    assert {s.byte_order for s in signals} == {"little_endian", "big_endian"}
    assert any(s.is_signed for s in signals)
    assert any(s.offset != 0 for s in signals)
    assert any(s.choices for s in signals)
    assert any(m.is_multiplexed() for m in db.messages)
    assert all(m.length == 8 and not m.is_extended_frame for m in db.messages)


def _random_value(signal: cantools.database.can.Signal, rng: random.Random) -> float:
    lo = signal.minimum if signal.minimum is not None else 0.0
    hi = signal.maximum if signal.maximum is not None else 1.0
    raw_lo = round((lo - signal.offset) / signal.scale)
    raw_hi = round((hi - signal.offset) / signal.scale)
    raw = rng.randint(min(raw_lo, raw_hi), max(raw_lo, raw_hi))
    return float(raw * signal.scale + signal.offset)


def test_e46_dbc_round_trips_cantools_encode_to_paddock_decode() -> None:
    """Random in-range values, encoded by cantools, decode in paddock to what cantools decodes."""
    db = cantools.database.load_file(E46_DBC, strict=True)
    decoder = CanDecoder.from_dbc(E46_DBC)
    rng = random.Random(46)
    ts, ids, data, sent = [], [], [], []
    for message in db.messages:
        pages = [None]
        if message.is_multiplexed():
            mux = next(s for s in message.signals if s.is_multiplexer)
            pages = sorted(mux.choices or {0: "", 1: ""})
        for i in range(200):
            page = pages[i % len(pages)]
            values: dict[str, float] = {}
            for s in message.signals:
                if s.is_multiplexer:
                    values[s.name] = float(page if page is not None else 0)
                elif s.multiplexer_ids is None or page in s.multiplexer_ids:
                    values[s.name] = _random_value(s, rng)
            payload = message.encode(values, strict=True)
            ts.append(len(ts) * 1000)
            ids.append(message.frame_id)
            data.append(payload)
            sent.append((message.name, values, payload))
    decoded = decoder.decode(ts, ids, data)
    assert decoded.stats.decoded == len(sent)
    assert decoded.stats.unknown_id == decoded.stats.short == 0
    rows: dict[str, int] = {}
    for name, values, payload in sent:
        row = rows.get(name, 0)
        rows[name] = row + 1
        got = decoded[name].row(row, named=True)
        expected = db.decode_message(name, payload, decode_choices=False)
        for signal, value in expected.items():
            assert got[signal] == pytest.approx(value, abs=1e-9), (name, signal)
            assert got[signal] == pytest.approx(values[signal], abs=1e-6), (name, signal)
        page_signals = set(decoded[name].columns) - {"ts_ns"} - set(expected)
        assert all(got[s] is None for s in page_signals)


def _frames(db: cantools.database.Database, frames: list[tuple[int, str, dict[str, float]]]):  # type: ignore[no-untyped-def]
    ts = [t for t, _, _ in frames]
    ids = [db.get_message_by_name(m).frame_id for _, m, _ in frames]
    data = [db.get_message_by_name(m).encode(v) for _, m, v in frames]
    return ts, ids, data


def test_canonical_holds_converts_and_types() -> None:
    car = load_car(E46)
    db = car.decoder().databases[0]
    engine = {"rpm": 7000, "throttle_pos": 80.0, "pedal_pos": 81.0, "engine_load": 90.0}
    vehicle = {"vehicle_speed": 150.0, "gear": 4, "brake_switch": 0, "clutch_pos": 0.0}
    steering = {"steering_angle": 100.0, "steering_rate": 0, "yaw_rate": 0.0}
    pressures = {"oil_press": 4.5, "fuel_press": 5.0, "manifold_press": 95.0}
    laps0 = {"lap_times_page": 0, "last_lap_time": 61.234, "best_lap_time": 60.5}
    laps1 = {"lap_times_page": 1, "predicted_lap_time": 61.0, "delta_best": -0.25}
    ts, ids, data = _frames(
        db,
        [
            (10, "AIM_ENGINE", engine),
            (20, "AIM_VEHICLE", vehicle),
            (20, "AIM_STEERING", steering),
            (30, "AIM_PRESSURES", pressures),
            (40, "AIM_LAP_TIMES", laps0),
            (50, "AIM_LAP_TIMES", laps1),
            (60, "AIM_ENGINE", {**engine, "rpm": 7100, "throttle_pos": 0.0}),
        ],
    )
    wide = car.canonical(car.decoder().decode(ts, ids, data))
    assert wide["ts_ns"].to_list() == [10, 20, 30, 40, 50, 60]
    assert wide["rpm"].to_list() == [7000.0] * 5 + [7100.0]
    assert wide["throttle"].to_list() == pytest.approx([0.8] * 5 + [0.0])
    assert wide["speed_kmh"].to_list()[0] is None
    assert wide["speed_kmh"].to_list()[1:] == pytest.approx([150.0] * 5)
    assert wide.schema["gear"] == pl.Int32 and wide["gear"].to_list()[1:] == [4] * 5
    assert wide["steer"][1] == pytest.approx(-0.25)  # 100 deg left of 400 deg lock
    assert wide["oil_press_kpa"][2] == pytest.approx(450.0)
    # The multiplexed page 1 frame leaves last/best lap held from page 0.
    assert wide["last_lap_s"].to_list()[3:] == pytest.approx([61.234] * 3)
    assert wide["best_lap_s"].to_list()[3:] == pytest.approx([60.5] * 3)
    # Channels of messages that never came are there, null.
    assert wide["lat_deg"].null_count() == wide.height
    assert wide.columns[0] == "ts_ns"
    assert set(wide.columns[1:]) == {c.canonical for c in car.canonical_channels()}


def test_canonical_of_nothing_has_the_columns() -> None:
    car = load_car(E46)
    wide = car.canonical({})
    assert wide.height == 0
    assert wide.columns[0] == "ts_ns" and "rpm" in wide.columns


def test_list_cars_and_user_dir_wins(tmp_path: Path) -> None:
    assert [c.id for c in list_cars()] == [E46] or E46 in [c.id for c in list_cars()]
    cars = tmp_path / "cars"
    cars.mkdir()
    shutil.copy(E46_DBC, cars / f"{E46}.dbc")
    text = E46_YAML.read_text().replace("year: 2003", "year: 2004")
    (cars / f"{E46}.yaml").write_text(text)
    own = load_car(E46, data_dir=tmp_path)
    assert own.year == 2004 and not own.shipped
    assert own.path == (cars / f"{E46}.yaml").resolve()
    assert load_car(E46).year == 2003
    listed = {c.id: c for c in list_cars(tmp_path)}
    assert listed[E46].year == 2004
    # By path, too.
    assert load_car(cars / f"{E46}.yaml").year == 2004


def test_unknown_car_names_the_known_ones() -> None:
    with pytest.raises(CarConfigError, match=r"no car config 'nope'; known: .*bmw_e46_m3"):
        load_car("nope")


def _write(tmp_path: Path, text: str, name: str = "my_car") -> Path:
    folder = tmp_path / "cars"
    folder.mkdir(exist_ok=True)
    shutil.copy(E46_DBC, folder / f"{E46}.dbc")
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


def _e46(**replace: str) -> str:
    text = E46_YAML.read_text().replace("id: bmw_e46_m3", "id: my_car")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"year: 2003\n": ""}, r"my_car\.yaml: year: missing"),
        ({"year: 2003": "year: soon"}, r"my_car\.yaml: year: expected a whole number"),
        ({"bitrate: 1000000": "bitrate: fast"}, r"bus\.bitrate: expected a whole number"),
        ({"frame_format: classic": "frame_format: flexray"}, r"bus\.frame_format: expected one"),
        ({"id_width: 11": "id_width: 12"}, r"bus\.id_width: expected 11 or 29"),
        ({"  - bmw_e46_m3.dbc": "  - missing.dbc"}, r"dbc\[0\]: no such DBC file"),
        (
            {"{name: rpm, frame_id: 0x400": "{name: revs, frame_id: 0x400"},
            r"channels\[0\] \(revs\)\.name: message AIM_ENGINE \(0x400\) has no signal 'revs'",
        ),
        (
            {"{name: rpm, frame_id: 0x400": "{name: rpm, frame_id: 0x4FF"},
            r"channels\[0\] \(rpm\)\.frame_id: no message with id 0x4FF",
        ),
        (
            {"{name: rpm, frame_id: 0x400": "{name: rpm, frame_id: banana"},
            r"channels\[0\] \(rpm\)\.frame_id: expected an id such as 0x420",
        ),
        ({"role: engine, canonical: rpm": "role: motor, canonical: rpm"}, r"\.role: expected one"),
        (
            {"role: engine, canonical: rpm": "role: engine, canonical: revs_per_min"},
            r"channels\[0\] \(rpm\)\.canonical: 'revs_per_min' is not a channel",
        ),
        (
            {
                "{name: pedal_pos, frame_id: 0x400, rate_hz: 50, role: driver}": (
                    "{name: pedal_pos, frame_id: 0x400, rate_hz: 50, role: driver, canonical: rpm}"
                )
            },
            r"channels\[2\] \(pedal_pos\)\.canonical: 'rpm' is already fed by channels\[0\]",
        ),
        (
            {"canonical: throttle, scale: 0.01": "canonical: throttle, scale: 0"},
            r"\(throttle_pos\)\.scale: must not be 0",
        ),
        (
            {"rpm, frame_id: 0x400, rate_hz: 50": "rpm, frame_id: 0x400, rate_hz: -5"},
            r"\(rpm\)\.rate_hz: expected 0 < rate",
        ),
        (
            {
                "{name: pedal_pos, frame_id: 0x400, rate_hz: 50, role: driver}": (
                    "{name: rpm, frame_id: 0x400, rate_hz: 50, role: driver}"
                )
            },
            r"channels\[2\] \(rpm\): channel 'rpm' is listed twice",
        ),
        ({"id: my_car": "id: other_car"}, r"id: 'other_car' must equal the file name"),
        ({"channels:\n": "channels: []\nold_channels:\n"}, r"channels: expected a non-empty list"),
    ],
)
def test_config_errors_name_file_and_field(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    path = _write(tmp_path, _e46(**change))
    with pytest.raises(CarConfigError, match=message):
        load_car(path)


def test_not_yaml_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "id: my_car\nmake: [BMW\n")
    with pytest.raises(CarConfigError, match=r"my_car\.yaml: not valid YAML at line \d+"):
        load_car(path)
    path = _write(tmp_path, "- just\n- a list\n")
    with pytest.raises(CarConfigError, match=r"top level: expected a mapping, got a list"):
        load_car(path)


def test_scan_reports_broken_files_and_keeps_good_ones(tmp_path: Path) -> None:
    _write(tmp_path, _e46(**{"year: 2003\n": ""}), name="my_car")
    scan = scan_cars(tmp_path)
    assert E46 in [c.id for c in scan.cars]
    assert "my_car" not in [c.id for c in scan.cars]
    assert len(scan.errors) == 1 and "my_car.yaml: year: missing" in str(scan.errors[0])
    assert isinstance(scan.errors[0], ValueError)


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = _write(tmp_path, _e46())
    first = load_car(path)
    assert load_car(path) is first  # unchanged: the loaded config is reused
    path.write_text(_e46(**{"year: 2003": "year: 2004"}))
    assert load_car(path).year == 2004
    dbc = path.parent / f"{E46}.dbc"
    dbc.write_text(dbc.read_text().replace("SG_ rpm :", "SG_ revs :"))
    with pytest.raises(CarConfigError, match=r"has no signal 'rpm'"):
        load_car(path)
