"""The session store without the API: files, buffers, the merge rule, migrations, concurrency."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import polars as pl
import pytest

from paddock.exceptions import InvalidArgument, NotFound
from paddock.store.catalog import MIGRATIONS, Catalog
from paddock.store.notes import NotesStore
from paddock.store.session_data import SessionData, open_session, validate_session_id
from paddock.store.sessions import SessionStore, iso, merge_feed_frames


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    return SessionStore(catalog, SessionData(tmp_path / "sessions", flush_rows=100), {})


def _samples(n: int, *, start_ns: int = 0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ts_ns": [start_ns + i for i in range(n)],
            "t_s": [i / 1e9 for i in range(n)],
            "channel": ["v"] * n,
            "value": [float(i) for i in range(n)],
            "unit": ["V"] * n,
            "source": ["telemetry"] * n,
        }
    )


@pytest.mark.parametrize("bad", ["", ".", "..", "../x", "a/b", "a\\b", "-x", "x" * 129, "é"])
def test_session_ids_that_could_escape_are_refused(bad: str, store: SessionStore) -> None:
    with pytest.raises(InvalidArgument):
        validate_session_id(bad)
    with pytest.raises(NotFound):
        store.get(bad)
    with pytest.raises(InvalidArgument):
        store.create({}, session_id=bad)


def test_buffers_flush_by_rows_and_reads_see_both(tmp_path: Path) -> None:
    data = SessionData(tmp_path / "sessions", flush_rows=100, flush_interval_s=3600)
    data.append("s1", "channels", _samples(60))
    parts = tmp_path / "sessions" / "s1" / "channels"
    assert not parts.exists()
    assert data.scan("s1", "channels").collect().height == 60
    data.append("s1", "channels", _samples(60, start_ns=60))
    assert len(list(parts.glob("*.parquet"))) == 1
    assert data.pending_rows() == 0
    data.append("s1", "channels", _samples(5, start_ns=120))
    both = data.open("s1", table="channels").collect()
    assert both["ts_ns"].to_list() == list(range(125))
    # Another reader (another process) sees only what was written.
    assert open_session("s1", data_dir=tmp_path, table="channels").collect().height == 120
    assert data.flush("s1") == 1
    assert open_session("s1", data_dir=tmp_path, table="channels").collect().height == 125
    assert not list(parts.glob(".*.tmp"))


def test_flush_due_writes_old_buffers_only(tmp_path: Path) -> None:
    data = SessionData(tmp_path / "sessions", flush_rows=10_000, flush_interval_s=0.0)
    data.append("s1", "channels", _samples(3))  # age 0 >= 0: written at once
    assert data.pending_rows() == 0
    slow = SessionData(tmp_path / "other", flush_rows=10_000, flush_interval_s=3600)
    slow.append("s2", "channels", _samples(3))
    assert slow.flush_due() == 0 and slow.pending_rows() == 3


def test_open_widens_channels_beside_frames(tmp_path: Path) -> None:
    data = SessionData(tmp_path / "sessions")
    data.write_file(
        "s1",
        "frames",
        "run_0123456789abcdef",
        pl.DataFrame(
            {"ts_ns": [10, 30], "t_s": [0.0, 0.2], "feed": ["pcars", "pcars"], "rpm": [1, 2]}
        ),
    )
    data.append("s1", "channels", _samples(1, start_ns=20))
    wide = data.open("s1").collect()
    assert wide["ts_ns"].to_list() == [10, 20, 30]
    assert wide["feed"].to_list() == ["pcars", "channels", "pcars"]
    assert wide["v"].to_list() == [None, 0.0, None]
    assert wide["rpm"].to_list() == [1, None, 2]
    assert data.remove_file("s1", "frames", "run_0123456789abcdef")
    assert data.open("s1", table="frames").collect().height == 0
    with pytest.raises(InvalidArgument):
        data.write_file("s1", "frames", "../escape", pl.DataFrame({"ts_ns": [1]}))
    with pytest.raises(InvalidArgument):
        data.scan("s1", "nope")


def test_open_session_of_nothing_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        open_session("never", data_dir=tmp_path)


def test_merge_rule_primary_first_then_listed_order() -> None:
    primary = pl.DataFrame(
        {"ts_ns": [1, 2, 4], "feed": ["ksudp"] * 3, "speed_kmh": [10.0, 20.0, 40.0]}
    )
    extra = pl.DataFrame({"ts_ns": [2, 3], "feed": ["ttool"] * 2, "tyre_wear": [0.1, 0.2]})
    third = pl.DataFrame({"ts_ns": [3, 5], "feed": ["pcars"] * 2, "speed_kmh": [33.0, 55.0]})
    merged = merge_feed_frames([third, extra, primary], ["ksudp", "ttool", "pcars"])
    assert merged["ts_ns"].to_list() == [1, 2, 3, 4, 5]
    assert merged["feed"].to_list() == ["ksudp", "ksudp", "ttool", "ksudp", "pcars"]
    assert merged["speed_kmh"].to_list() == [10.0, 20.0, None, 40.0, 55.0]
    assert merged["tyre_wear"].to_list() == [None, None, 0.2, None, None]
    assert merge_feed_frames([], ["ksudp"]).height == 0


def test_catalog_migrates_to_the_latest_version_once(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    catalog = Catalog(path)
    assert catalog.schema_version == len(MIGRATIONS)
    catalog.close()
    again = Catalog(path)
    assert again.schema_version == len(MIGRATIONS)
    tables = {r[0] for r in again.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"recordings", "sessions", "runs", "notes", "stt_tasks", "signal_registry"} <= tables
    again.close()


def test_deleting_a_session_cascades_and_removes_files(store: SessionStore, tmp_path: Path) -> None:
    notes = NotesStore(store)
    sid = store.create({"name": "x"})["id"]
    notes.create_note(sid, {"content": "a"}, 1)
    notes.create_task(sid, audio_chunk_id="c", duration_seconds=None)
    store.data.append(sid, "channels", _samples(3))
    store.data.flush()
    assert (tmp_path / "sessions" / sid).is_dir()
    store.delete(sid)
    assert not (tmp_path / "sessions" / sid).exists()
    for table in ("notes", "stt_tasks", "runs"):
        assert store.catalog.query(f"SELECT COUNT(*) FROM {table}") == [(0,)]
    with pytest.raises(NotFound):
        notes.list_notes(sid)


def test_concurrent_writers_keep_the_catalog_whole(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    first = Catalog(path)
    store = SessionStore(first, SessionData(tmp_path / "sessions"), {})
    sid = store.create({"name": "busy"})["id"]
    # A second connection, as a second process would open it.
    second = SessionStore(Catalog(path), SessionData(tmp_path / "sessions"), {})
    errors: list[BaseException] = []

    def write(target: SessionStore, worker: int) -> None:
        try:
            notes = NotesStore(target)
            for i in range(50):
                notes.create_note(sid, {"content": f"{worker}-{i}"}, i)
                target.reserve_frames(sid, 2)
                target.data.append(sid, "channels", _samples(10, start_ns=worker * 1000 + i * 10))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(target, n))
        for n, target in enumerate([store, store, second, second])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    store.data.flush()
    second.data.flush()
    assert first.query("PRAGMA integrity_check") == [("ok",)]
    assert len(NotesStore(store).list_notes(sid)) == 200
    assert store.get(sid)["frame_count"] == 400
    assert open_session(sid, data_dir=tmp_path, table="channels").collect().height == 2000
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_iso_is_utc_with_z() -> None:
    assert iso(1_737_887_535_000_000_000) == "2025-01-26T10:32:15Z"
    assert iso(1_737_887_535_250_000_000) == "2025-01-26T10:32:15.250000Z"
    assert iso(None) is None
