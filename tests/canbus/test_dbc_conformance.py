"""Every real DBC of the test data: the Rust decoder gives, frame for frame, the values cantools'
``decode_message(..., decode_choices=False)`` gives, on many random frames per message."""

from __future__ import annotations

import random
import zlib
from pathlib import Path

import pytest

from paddock.can import CanDecoder, load_database

from .conformance import FRAMES_PER_MESSAGE, REAL_DBCS, random_frames, reference, same


def test_every_dbc_of_the_test_data_is_covered(testdata: Path) -> None:
    on_disk = {str(p.relative_to(testdata / "dbc")) for p in (testdata / "dbc").glob("*/*.dbc")}
    assert on_disk - set(REAL_DBCS) == {"opendbc/mazda_2017.dbc"}


@pytest.mark.parametrize("name", REAL_DBCS)
def test_random_frames_decode_as_cantools_does(testdata: Path, name: str) -> None:
    path = testdata / "dbc" / name
    db = load_database(path)
    decoder = CanDecoder.from_dbc(path)
    rng = random.Random(zlib.crc32(path.name.encode()))
    ids: list[int] = []
    ext: list[bool] = []
    data: list[bytes] = []
    owner: list[int] = []  # message index of each frame
    messages = [m for m in db.messages if not m.is_container]
    for index, message in enumerate(messages):
        for payload in random_frames(rng, message, FRAMES_PER_MESSAGE):
            ids.append(message.frame_id)
            ext.append(message.is_extended_frame)
            data.append(payload)
            owner.append(index)
    order = list(range(len(ids)))
    rng.shuffle(order)  # interleave messages as a bus does
    ts = list(range(len(order)))
    out = decoder.decode(
        ts, [ids[i] for i in order], [data[i] for i in order], [ext[i] for i in order]
    )

    expected_short = 0
    expected_mux = 0
    checked = 0
    rows: dict[str, dict[int, dict[str, object]]] = {
        name: {row["ts_ns"]: row for row in frame.iter_rows(named=True)}
        for name, frame in out.items()
    }
    for t, i in enumerate(order):
        message = messages[owner[i]]
        kind, values = reference(db, message, data[i])
        if kind == "short":
            expected_short += 1
            assert t not in rows.get(message.name, {})
            continue
        expected_mux += kind == "mux"
        row = rows[message.name][t]
        present = {k for k, v in row.items() if v is not None and k != "ts_ns"}
        assert present == set(values), (message.name, data[i].hex(), kind)
        for name, value in values.items():
            assert same(value, row[name]), (message.name, name, data[i].hex(), value, row[name])
            checked += 1
    assert out.stats.frames == len(order)
    assert out.stats.unknown_id == 0
    assert out.stats.short == expected_short
    assert out.stats.mux_unknown == expected_mux
    assert out.stats.decoded == len(order) - expected_short
    if any(m.signals for m in messages):
        assert checked > 0
