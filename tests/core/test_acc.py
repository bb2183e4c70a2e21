"""The ACC broadcasting binding: round trips, batches through pyarrow and polars, frames."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest

from paddock.protocols import acc


def _lap(ms: int, car: int) -> dict[str, object]:
    return {"laptime_ms": ms, "car_index": car, "splits": [1000, acc.NO_TIME, acc.NO_TIME]}


def _car(car: int, kmh: int) -> dict[str, object]:
    return {
        "packet": "realtime_car_update",
        "car_index": car,
        "gear": 4,
        "kmh": kmh,
        "laps": 2,
        "spline_position": 0.5,
        "best_session_lap": _lap(90_000, car),
        "last_lap": _lap(acc.NO_TIME, car),
        "current_lap": _lap(12_000, car),
    }


def test_round_trips() -> None:
    for msg in [
        _car(3, 200),
        {"packet": "track_data", "track_name": "spa", "track_meters": 7004, "hud_pages": ["A"]},
        {"packet": "registration_result", "connection_id": 5, "connection_success": 1},
        {"packet": "broadcasting_event", "event_type": 5, "message": "lap", "car_id": 3},
    ]:
        back = acc.decode(acc.encode(msg))
        assert back["packet"] == msg["packet"]
        assert all(back[k] == v for k, v in msg.items() if not isinstance(v, dict))
    reg = acc.encode({"packet": "register_command_application", "display_name": "x"})
    assert reg[:2] == bytes([1, 4])
    assert acc.decode(reg, outbound=True)["display_name"] == "x"


def test_errors() -> None:
    from paddock.exceptions import DecodeError

    with pytest.raises(DecodeError):
        acc.decode(b"")
    with pytest.raises(DecodeError):
        acc.decode(acc.encode(_car(1, 1))[:-1])


def test_batches_and_frames() -> None:
    datagrams = [
        acc.encode({"packet": "realtime_update", "focused_car_index": 3}),
        acc.encode({"packet": "track_data", "track_meters": 4000}),
        acc.encode(_car(3, 200)),
        acc.encode(_car(4, 150)),
        b"\x08",
    ]
    out = acc.decode_batch(datagrams, ts_ns=[1, 2, 3, 4, 5])
    assert (out.decoded, out.errors) == (4, 1)
    cars = pa.record_batch(out.batches["realtime_car_update"])
    assert cars.column("kmh").to_pylist() == [200, 150]
    assert cars.schema.names[0] == "ts_ns"
    frame = pl.from_arrow(pa.record_batch(out.batches["track_data"]))
    assert isinstance(frame, pl.DataFrame)
    assert frame["track_meters"].to_list() == [4000]

    rows = pa.record_batch(acc.frames(datagrams, ts_ns=[1, 2, 3, 4, 5]))
    assert rows.num_rows == 1
    assert rows.column("speed_kmh").to_pylist() == [200.0]
    assert rows.column("lap_distance_m").to_pylist() == [2000.0]
    assert rows.column("best_lap_s").to_pylist() == [90.0]
    assert rows.column("last_lap_s").to_pylist() == [None]
    every = pa.record_batch(acc.frames(datagrams, ts_ns=[1, 2, 3, 4, 5], all_cars=True))
    assert every.column("acc.car_index").to_pylist() == [3.0, 4.0]
