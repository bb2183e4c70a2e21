"""Project CARS 2 packet dicts against the codec contract, and the canonical mapping back."""

from __future__ import annotations

import importlib
import itertools
import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from paddock.sources.simulator import CarState, Driver, Pcars2Sender, SpeedProfile

G = 9.80665
HEADER = {
    "packet",
    "packet_number",
    "category_packet_number",
    "partial_packet_index",
    "partial_packet_number",
    "packet_version",
}
U8, I8, U16, I16, U32 = (0, 255), (-128, 127), (0, 65535), (-32768, 32767), (0, 2**32 - 1)
TELEMETRY_INTS = {
    "viewed_participant_index": I8,
    "unfiltered_throttle": U8,
    "unfiltered_brake": U8,
    "unfiltered_steering": I8,
    "unfiltered_clutch": U8,
    "car_flags": U8,
    "oil_temp_celsius": I16,
    "oil_pressure_kpa": U16,
    "water_temp_celsius": I16,
    "water_pressure_kpa": U16,
    "fuel_pressure_kpa": U16,
    "fuel_capacity": U8,
    "brake": U8,
    "throttle": U8,
    "clutch": U8,
    "rpm": U16,
    "max_rpm": U16,
    "steering": I8,
    "gear_num_gears": U8,
    "boost_amount": U8,
    "crash_state": U8,
    "hand_brake": U8,
    "aero_damage": U8,
    "engine_damage": U8,
    "joy_pad0": U32,
    "d_pad": U8,
    "brake_bias": U8,
    "tick_count": U32,
}
TELEMETRY_FLOATS = {
    "fuel_level",
    "speed",
    "odometer_km",
    "engine_speed",
    "engine_torque",
    "turbo_boost_pressure",
}
TELEMETRY_ARRAYS: dict[str, tuple[int, tuple[int, int] | None]] = {
    "orientation": (3, None),
    "local_velocity": (3, None),
    "world_velocity": (3, None),
    "angular_velocity": (3, None),
    "local_acceleration": (3, None),
    "world_acceleration": (3, None),
    "extents_centre": (3, None),
    "full_position": (3, None),
    "tyre_flags": (4, U8),
    "terrain": (4, U8),
    "tyre_y": (4, None),
    "tyre_rps": (4, None),
    "tyre_temp": (4, U8),
    "tyre_height_above_ground": (4, None),
    "tyre_wear": (4, U8),
    "brake_damage": (4, U8),
    "suspension_damage": (4, U8),
    "brake_temp_celsius": (4, I16),
    "tyre_tread_temp": (4, U16),
    "tyre_layer_temp": (4, U16),
    "tyre_carcass_temp": (4, U16),
    "tyre_rim_temp": (4, U16),
    "tyre_internal_air_temp": (4, U16),
    "tyre_temp_left": (4, U16),
    "tyre_temp_center": (4, U16),
    "tyre_temp_right": (4, U16),
    "wheel_local_position_y": (4, None),
    "ride_height": (4, None),
    "suspension_travel": (4, None),
    "suspension_velocity": (4, None),
    "suspension_ride_height": (4, U16),
    "air_pressure": (4, U16),
    "wings": (2, U8),
}
FIELDS = {
    "telemetry": set(TELEMETRY_INTS) | TELEMETRY_FLOATS | set(TELEMETRY_ARRAYS) | {"tyre_compound"},
    "race": {
        "world_fastest_lap_time",
        "personal_fastest_lap_time",
        "personal_fastest_sector1_time",
        "personal_fastest_sector2_time",
        "personal_fastest_sector3_time",
        "world_fastest_sector1_time",
        "world_fastest_sector2_time",
        "world_fastest_sector3_time",
        "track_length",
        "track_location",
        "track_variation",
        "translated_track_location",
        "translated_track_variation",
        "laps_time_in_event",
        "enforced_pit_stop_lap",
    },
    "participants": {"participants_changed_timestamp", "name", "nationality", "index"},
    "timings": {
        "num_participants",
        "participants_changed_timestamp",
        "event_time_remaining",
        "split_time_ahead",
        "split_time_behind",
        "split_time",
        "participants",
        "local_participant_index",
        "tick_count",
    },
    "game_state": {
        "build_version_number",
        "game_state",
        "ambient_temperature",
        "track_temperature",
        "rain_density",
        "snow_density",
        "wind_speed",
        "wind_direction_x",
        "wind_direction_y",
    },
    "time_stats": {"participants_changed_timestamp", "stats"},
    "vehicle_names": {"vehicles"},
    "class_names": {"classes"},
}
PARTICIPANT_INFO = {
    "world_position",
    "orientation",
    "current_lap_distance",
    "race_position",
    "sector",
    "highest_flag",
    "pit_mode_schedule",
    "car_index",
    "race_state",
    "current_lap",
    "current_time",
    "current_sector_time",
    "mp_participant_index",
}
STATS_INFO = {
    "fastest_lap_time",
    "last_lap_time",
    "last_sector_time",
    "fastest_sector1_time",
    "fastest_sector2_time",
    "fastest_sector3_time",
    "participant_online_rep",
    "mp_participant_index",
}
WIRE_TYPES = {
    "telemetry": 0,
    "race": 1,
    "participants": 2,
    "timings": 3,
    "game_state": 4,
    "time_stats": 7,
    "vehicle_names": 8,
    "class_names": 8,
}
WIRE_SIZES = {
    "telemetry": 559,
    "race": 308,
    "participants": 1136,
    "timings": 1063,
    "game_state": 24,
    "time_stats": 1040,
    "vehicle_names": 1164,
    "class_names": 1452,
}

Ticks = list[tuple[CarState, list[dict[str, Any]]]]


@pytest.fixture(scope="module")
def ticks(short_lap: SpeedProfile, fake_encode: Callable[[dict[str, Any]], bytes]) -> Ticks:
    """Two laps of the 12 s track at 60 Hz: each state with the packets sent for it."""
    driver = Driver(short_lap, rate_hz=60.0)
    sender = Pcars2Sender(fake_encode, track=short_lap.track, car=short_lap.car)
    out: Ticks = []
    for _ in range(math.ceil(2 * short_lap.lap_time_s * 60.0) + 10):
        state = driver.step()
        out.append((state, sender.packets(state)))
    return out


def _check_int(value: Any, bounds: tuple[int, int], where: str) -> None:
    assert type(value) is int, f"{where}: {value!r} is not an int"
    assert bounds[0] <= value <= bounds[1], f"{where}: {value} outside {bounds}"


def _check_float(value: Any, where: str) -> None:
    assert type(value) is float or type(value) is int, f"{where}: {value!r} is not a number"
    assert math.isfinite(value), f"{where}: {value} is not finite"


def test_every_packet_has_the_contract_fields(ticks: Ticks) -> None:
    seen: Counter[str] = Counter()
    for _, packets in ticks:
        for packet in packets:
            tag = packet["packet"]
            seen[tag] += 1
            assert set(packet) == FIELDS[tag] | HEADER, tag
    assert set(seen) == set(FIELDS)


def test_headers_count_packets(ticks: Ticks) -> None:
    packets = [packet for _, tick_packets in ticks for packet in tick_packets]
    assert [p["packet_number"] for p in packets] == list(range(len(packets)))
    per_type: Counter[int] = Counter()
    for packet in packets:
        wire_type = WIRE_TYPES[packet["packet"]]
        assert packet["category_packet_number"] == per_type[wire_type]
        per_type[wire_type] += 1
        _check_int(packet["partial_packet_index"], U8, "partial_packet_index")
        _check_int(packet["packet_version"], U8, "packet_version")
        if packet["packet"] == "vehicle_names":
            assert (packet["partial_packet_index"], packet["partial_packet_number"]) == (1, 2)
        elif packet["packet"] == "class_names":
            assert (packet["partial_packet_index"], packet["partial_packet_number"]) == (2, 2)
        else:
            assert (packet["partial_packet_index"], packet["partial_packet_number"]) == (1, 1)


def test_sending_schedule(ticks: Ticks) -> None:
    first = [p["packet"] for p in ticks[0][1]]
    assert first == [
        "race",
        "participants",
        "vehicle_names",
        "class_names",
        "game_state",
        "timings",
        "time_stats",
        "telemetry",
    ]
    stats_times: list[float] = []
    session_times: list[float] = []
    for (before, _), (state, packets) in itertools.pairwise(ticks):
        tags = [p["packet"] for p in packets]
        assert tags[-1] == "telemetry"
        assert tags.count("telemetry") == 1
        assert tags.count("timings") == 1
        if "time_stats" in tags:
            stats_times.append(state.time_s)
        if (state.lap, state.sector) != (before.lap, before.sector):
            assert "time_stats" in tags
        if "race" in tags:
            assert {"participants", "game_state"} <= set(tags)
            session_times.append(state.time_s)
    gaps = [b - a for a, b in zip([0.0, *stats_times], stats_times, strict=False)]
    assert max(gaps) <= 2.0 + 1e-9
    assert session_times
    assert max(b - a for a, b in zip([0.0, *session_times], session_times, strict=False)) <= 5.01


def test_telemetry_values_are_in_range(ticks: Ticks) -> None:
    for _, packets in ticks:
        telemetry = packets[-1]
        for name, bounds in TELEMETRY_INTS.items():
            _check_int(telemetry[name], bounds, name)
        for name in TELEMETRY_FLOATS:
            _check_float(telemetry[name], name)
        for name, (length, item_bounds) in TELEMETRY_ARRAYS.items():
            assert len(telemetry[name]) == length, name
            for value in telemetry[name]:
                if item_bounds is None:
                    _check_float(value, name)
                else:
                    _check_int(value, item_bounds, name)
        assert telemetry["tyre_compound"] == ["Slick Medium"] * 4


def test_record_lists_have_wire_lengths(ticks: Ticks) -> None:
    for _, packets in ticks:
        for packet in packets:
            tag = packet["packet"]
            if tag == "timings":
                assert len(packet["participants"]) == 32
                for info in packet["participants"]:
                    assert set(info) == PARTICIPANT_INFO
                    assert len(info["world_position"]) == len(info["orientation"]) == 3
                    for value in (*info["world_position"], *info["orientation"]):
                        _check_int(value, I16, "participant position/orientation")
                    _check_int(info["current_lap_distance"], U16, "current_lap_distance")
                    _check_int(info["current_lap"], U8, "current_lap")
                    _check_int(info["sector"], U8, "sector")
            elif tag == "time_stats":
                assert len(packet["stats"]) == 32
                assert all(set(stats) == STATS_INFO for stats in packet["stats"])
            elif tag == "participants":
                assert len(packet["name"]) == len(packet["nationality"]) == 16
                assert len(packet["index"]) == 16
                assert packet["name"][0] == "Paddock Driver"
            elif tag == "vehicle_names":
                assert len(packet["vehicles"]) == 16
                assert packet["vehicles"][0]["name"] == "Paddock GT"
            elif tag == "class_names":
                assert len(packet["classes"]) == 60
                assert packet["classes"][0]["name"] == "GT"
            elif tag == "race":
                assert packet["track_location"] == "paddock_park"
                assert packet["track_length"] > 0.0
            elif tag == "game_state":
                assert packet["game_state"] & 7 == 2
                _check_int(packet["ambient_temperature"], I8, "ambient_temperature")


def _canonical(latest: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The frame decoder's canonical mapping, as the contract describes it."""
    telemetry, timings, stats = latest["telemetry"], latest["timings"], latest["time_stats"]
    idx = timings["local_participant_index"]
    me, my_stats = timings["participants"][idx], stats["stats"][idx]
    gear = telemetry["gear_num_gears"] & 0x0F
    return {
        "speed_kmh": telemetry["speed"] * 3.6,
        "rpm": telemetry["rpm"],
        "gear": -1 if gear == 15 else gear,
        "throttle": telemetry["throttle"] / 255,
        "brake": telemetry["brake"] / 255,
        "steer": max(-1.0, min(1.0, telemetry["steering"] / 127)),
        "g_lat": telemetry["local_acceleration"][0] / G,
        "g_vert": telemetry["local_acceleration"][1] / G,
        "g_long": -telemetry["local_acceleration"][2] / G,
        "heading_deg": math.degrees(telemetry["orientation"][1]) % 360.0,
        "pos": telemetry["full_position"],
        "fuel_l": telemetry["fuel_level"] * telemetry["fuel_capacity"],
        "lap": me["current_lap"],
        "lap_time_s": me["current_time"],
        "lap_distance_m": me["current_lap_distance"],
        "sector": (me["sector"] & 0x07) + 1,
        "last_lap_s": my_stats["last_lap_time"],
        "best_lap_s": my_stats["fastest_lap_time"] if my_stats["fastest_lap_time"] > 0 else None,
    }


def test_canonical_mapping_gives_the_state_back(ticks: Ticks) -> None:
    latest: dict[str, dict[str, Any]] = {}
    for state, packets in ticks:
        for packet in packets:
            latest[packet["packet"]] = packet
        row = _canonical(latest)
        assert row["speed_kmh"] == pytest.approx(state.speed_ms * 3.6)
        assert row["rpm"] == round(state.rpm)
        assert row["gear"] == state.gear
        assert row["throttle"] == pytest.approx(state.throttle, abs=0.5 / 255)
        assert row["brake"] == pytest.approx(state.brake, abs=0.5 / 255)
        assert row["steer"] == pytest.approx(state.steering, abs=0.5 / 127)
        assert row["g_lat"] == pytest.approx(state.speed_ms**2 * state.curvature / G)
        assert row["g_long"] == pytest.approx(state.accel_long_ms2 / G)
        assert row["g_vert"] == pytest.approx(state.accel_vert_ms2 / G)
        assert row["heading_deg"] == pytest.approx(math.degrees(state.heading_rad) % 360.0)
        assert row["pos"] == pytest.approx([state.x_m, state.y_m, state.z_m])
        assert row["fuel_l"] == pytest.approx(state.fuel_l)
        assert row["lap"] == state.lap
        assert row["lap_time_s"] == state.lap_time_s
        assert row["lap_distance_m"] == round(state.lap_distance_m)
        assert row["sector"] == state.sector + 1
        if state.last_lap_time_s is None:
            assert row["last_lap_s"] == -1.0
            assert row["best_lap_s"] is None
        else:
            assert row["last_lap_s"] == state.last_lap_time_s
            assert row["best_lap_s"] == state.best_lap_time_s


def test_datagrams_use_the_injected_encoder(short_lap: SpeedProfile) -> None:
    sent: list[dict[str, Any]] = []

    def encode(packet: dict[str, Any]) -> bytes:
        sent.append(packet)
        return str(packet["packet"]).encode()

    sender = Pcars2Sender(encode, track=short_lap.track, car=short_lap.car)
    datagrams = sender.datagrams(Driver(short_lap).step())
    assert datagrams == [p["packet"].encode() for p in sent]
    assert datagrams[-1] == b"telemetry"


def _native_codec() -> Any:
    try:
        core = importlib.import_module("paddock._core")
    except ImportError:
        pytest.skip("the native extension paddock._core is not built")
    if not hasattr(core, "pcars2_encode") or not hasattr(core, "pcars2_decode"):
        pytest.skip("paddock._core has no pcars2_encode/pcars2_decode yet")
    return importlib.import_module("paddock.protocols.pcars2")


def _same(sent: Any, decoded: Any, where: str) -> None:
    if isinstance(sent, dict):
        for key, value in sent.items():
            _same(value, decoded[key], f"{where}.{key}")
    elif isinstance(sent, list):
        assert len(decoded) == len(sent), where
        for i, (a, b) in enumerate(zip(sent, decoded, strict=True)):
            _same(a, b, f"{where}[{i}]")
    elif isinstance(sent, float):
        assert decoded == pytest.approx(sent, rel=1e-6, abs=1e-6), where
    else:
        assert decoded == sent, where


def test_round_trip_through_the_native_codec(ticks: Ticks) -> None:
    codec = _native_codec()
    for _, packets in ticks[:3] + ticks[len(ticks) // 2 : len(ticks) // 2 + 3]:
        for packet in packets:
            datagram = codec.encode(packet)
            assert len(datagram) == WIRE_SIZES[packet["packet"]]
            assert datagram[10] == WIRE_TYPES[packet["packet"]]
            _same(packet, codec.decode(datagram), packet["packet"])
