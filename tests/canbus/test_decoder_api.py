"""The notebook API of ``paddock.can.CanDecoder``: inputs, errors, value tables, counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from paddock.can import CanDecoder, DbcError
from paddock.exceptions import InvalidArgument

FRAME = bytes.fromhex("c006e00000000000")
DBC_DIR = Path()
MOTOHAWK = Path()


@pytest.fixture(autouse=True)
def _dbc_dir(testdata: Path) -> None:
    global DBC_DIR, MOTOHAWK
    DBC_DIR = testdata / "dbc"
    MOTOHAWK = DBC_DIR / "cantools" / "motohawk.dbc"


def test_malformed_dbc_is_rejected_naming_file_and_line() -> None:
    path = DBC_DIR / "opendbc" / "mazda_2017.dbc"
    with pytest.raises(DbcError) as info:
        CanDecoder.from_dbc(path)
    text = str(info.value)
    assert "mazda_2017.dbc" in text
    assert "line 273" in text
    assert "2017_5" in text
    assert isinstance(info.value, InvalidArgument)


def test_missing_dbc() -> None:
    with pytest.raises(DbcError, match="no such DBC file"):
        CanDecoder.from_dbc(DBC_DIR / "nope.dbc")
    with pytest.raises(DbcError, match="no DBC file given"):
        CanDecoder.from_dbc()


def test_two_dbcs_with_the_same_id_clash_by_name() -> None:
    with pytest.raises(DbcError, match="already used"):
        CanDecoder.from_dbc(MOTOHAWK, MOTOHAWK)


def test_several_dbcs_decode_together() -> None:
    decoder = CanDecoder.from_dbc(MOTOHAWK, DBC_DIR / "cantools" / "foobar.dbc")
    foo = decoder.messages["Foo"]
    out = decoder.decode([1, 2], [0x1F0, foo.frame_id], [FRAME, bytes(foo.length)])
    assert set(out) == {"ExampleMessage", "Foo"}


@pytest.mark.parametrize(
    "make",
    [
        lambda: ([7], [0x1F0], [FRAME]),
        lambda: (np.array([7]), np.array([0x1F0], dtype=np.uint16), np.array([FRAME], dtype="S8")),
        lambda: (pa.array([7]), pa.array([0x1F0], pa.uint32()), pa.array([FRAME])),
        lambda: (pl.Series([7]), pl.Series([0x1F0]), pl.Series([FRAME])),
        lambda: (
            np.array([7]),
            np.array([0x1F0]),
            np.frombuffer(FRAME, dtype=np.uint8).reshape(1, 8),
        ),
        lambda: ([7], [0x1F0], pa.array([FRAME], pa.large_binary())),
        lambda: ([7], [0x1F0], pa.chunked_array([pa.array([FRAME], pa.binary(8))])),
    ],
)
def test_inputs_of_every_kind(make) -> None:  # type: ignore[no-untyped-def]
    decoder = CanDecoder.from_dbc(MOTOHAWK)
    ts, ids, data = make()
    out = decoder.decode(ts, ids, data)
    frame = out["ExampleMessage"]
    assert frame.columns == ["ts_ns", "Enable", "AverageRadius", "Temperature"]
    assert frame.row(0) == (7, 1, 3.2, 250.55)


def test_numpy_s8_restores_stripped_zeros() -> None:
    decoder = CanDecoder.from_dbc(MOTOHAWK)
    data = np.array([FRAME], dtype="S8")
    assert bytes(data[0]) == FRAME.rstrip(b"\0")  # what NumPy hands out
    assert decoder.decode([1], [0x1F0], data).stats.short == 0


def test_counts_and_unknown_ids() -> None:
    decoder = CanDecoder.from_dbc(MOTOHAWK)
    out = decoder.decode([1, 2, 3, 4], [0x1F0, 0x1F0, 0x123, 0x18FEF100], [FRAME, b"\1", b"", b""])
    assert out.stats.frames == 4
    assert out.stats.decoded == 1
    assert out.stats.short == 1
    assert out.stats.unknown_id == 2
    assert out.stats.unknown_ids == {(0x123, False): 1, (0x18FEF100, True): 1}
    assert out.stats.short_by_message == {"ExampleMessage": 1}


def test_extended_flags() -> None:
    decoder = CanDecoder.from_dbc(DBC_DIR / "cantools" / "j1939.dbc")
    message = next(m for m in decoder.messages.values() if m.extended)
    payload = bytes(message.length)
    out = decoder.decode([1], [message.frame_id], [payload], extended=[True])
    assert message.name in out
    out = decoder.decode([1], [message.frame_id], [payload], extended=[False])
    assert out.stats.unknown_id == 1


def test_empty_input() -> None:
    out = CanDecoder.from_dbc(MOTOHAWK).decode([], [], [])
    assert dict(out) == {}
    assert out.stats.frames == 0


def test_length_mismatch_and_bad_types() -> None:
    decoder = CanDecoder.from_dbc(MOTOHAWK)
    with pytest.raises(InvalidArgument, match="differ in length"):
        decoder.decode([1, 2], [0x1F0], [FRAME])
    with pytest.raises(InvalidArgument, match="integers"):
        decoder.decode([1.5], [0x1F0], [FRAME])
    with pytest.raises(InvalidArgument, match="binary"):
        decoder.decode([1], [0x1F0], pa.array(["text"]))


def test_value_tables_stay_numbers_with_a_lookup() -> None:
    decoder = CanDecoder.from_dbc(MOTOHAWK)
    assert decoder.value_tables == {"ExampleMessage": {"Enable": {0: "Disabled", 1: "Enabled"}}}
    frame = decoder.decode([1, 2], [0x1F0, 0x1F0], [FRAME, bytes(8)])["ExampleMessage"]
    assert frame["Enable"].to_list() == [1, 0]
    labels = decoder.label("ExampleMessage", "Enable", frame["Enable"])
    assert labels.to_list() == ["Enabled", "Disabled"]
    assert decoder.label("ExampleMessage", "Enable", [5]).to_list() == [None]
    with pytest.raises(InvalidArgument):
        decoder.label("ExampleMessage", "Nope", [1])


def test_units_travel_in_the_arrow_schema() -> None:
    decoder = CanDecoder.from_dbc(MOTOHAWK)
    batches, _ = decoder.decode_arrow([1], [0x1F0], [FRAME])
    schema = pa.record_batch(batches["ExampleMessage"]).schema
    assert schema.field("Temperature").metadata == {b"unit": b"degK"}
    assert schema.metadata[b"frame_id"] == b"496"
