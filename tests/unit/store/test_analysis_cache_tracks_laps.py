"""Data versions, the per-session analysis cache, user track files and posted lap rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paddock.exceptions import Conflict, InvalidArgument, NotFound
from paddock.store.catalog import Catalog
from paddock.store.laps import LapStore
from paddock.store.session_data import SessionData
from paddock.store.sessions import SessionStore
from paddock.store.tracks import add_track, get_entry, list_tracks, track_ids
from tests.unit.analysis import stadium

TESTDATA_TRACK = "tracks/tumftm/tracks/Monza.csv"


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    return SessionStore(
        catalog, SessionData(tmp_path / "sessions", flush_rows=1_000_000, flush_interval_s=3600), {}
    )


def test_data_version_changes_with_appends_and_removal(store: SessionStore) -> None:
    data = store.data
    before = data.version("s1")
    data.append("s1", "frames", stadium.frames(laps=0.1, rate_hz=10.0))
    after_append = data.version("s1")
    assert after_append != before
    assert data.version("s1") == after_append  # reading changes nothing
    data.flush("s1")
    flushed = data.version("s1")
    assert flushed != after_append  # a part appeared
    data.write_file("s1", "frames", "run_0000000000000001", stadium.frames(laps=0.1))
    assert data.version("s1") != flushed
    written = data.version("s1")
    assert data.remove_file("s1", "frames", "run_0000000000000001")
    assert data.version("s1") != written
    # Another writer's part shows through the file listing.
    other = SessionData(data.root)
    other.append("s1", "frames", stadium.frames(laps=0.1))
    current = data.version("s1")
    other.flush()
    assert data.version("s1") != current


def test_cache_reuses_results_until_the_data_changes(store: SessionStore) -> None:
    sid = store.create({"driver": "Ana"})["id"]
    cache = store.analyses
    empty = cache.summary(sid)
    assert empty["lap_count"] == 0 and empty["best_lap_s"] is None
    store.data.append(sid, "frames", stadium.frames(laps=2.05, rate_hz=10.0))
    first = cache.summary(sid)
    assert first["lap_count"] == 2
    assert first["best_lap_s"] == pytest.approx(stadium.lap_time_s(), abs=0.05)
    hits = cache.hits
    assert cache.summary(sid) == first
    assert cache.hits == hits + 1
    analysis = cache.analysis(sid)
    assert cache.analysis(sid) is analysis
    detail = cache.summary(sid, detail=True)
    assert set(detail["corners"]) == {"T1", "T2"} and detail["lap_count"] == 2
    assert cache.summary(sid)["corner_grades"] == detail["corner_grades"]
    # New data: analysed again.
    store.data.append(
        sid,
        "frames",
        stadium.frames(laps=3.05, rate_hz=10.0).with_columns(
            t_s=stadium.frames(laps=3.05, rate_hz=10.0)["t_s"] + 1000.0
        ),
    )
    assert cache.analysis(sid) is not analysis
    assert "corner_grades" not in cache.summary(sid)
    store.delete(sid)
    with pytest.raises(NotFound):
        cache.summary(sid)


def test_cache_keeps_few_full_analyses(store: SessionStore) -> None:
    ids = [store.create({})["id"] for _ in range(3)]
    kept = [store.analyses.analysis(sid) for sid in ids]
    assert store.analyses.analysis(ids[2]) is kept[2]
    assert store.analyses.analysis(ids[0]) is not kept[0]  # evicted (two are kept)


def test_user_tracks_listed_added_and_validated(tmp_path: Path, testdata: Path) -> None:
    bundled = track_ids()
    assert track_ids(tmp_path) == bundled
    monza = (testdata / TESTDATA_TRACK).read_bytes()
    entry = add_track(tmp_path, "monza", monza, "csv")
    assert entry.source == "user" and entry.format == "csv" and entry.markers is None
    assert entry.track.length_m == pytest.approx(5_800, rel=0.03)
    assert (tmp_path / "tracks" / "monza.csv").is_file()
    with pytest.raises(Conflict):
        add_track(tmp_path, "monza", monza, "csv")
    with pytest.raises(Conflict):
        add_track(tmp_path, bundled[0], monza, "csv")
    assert [e.id for e in list_tracks(tmp_path)][-1] == "monza"
    assert get_entry("monza", tmp_path).track.length_m == entry.track.length_m


def test_user_json_track_with_markers(tmp_path: Path) -> None:
    definition = json.loads(
        (Path(__file__).parents[3] / "python/paddock/data/tracks/paddock_park.json").read_text()
    )
    definition["markers"] = [
        {"kind": "brake_board", "name": "T1 100 m", "distance_m": 500.0, "corner": 1},
        {"kind": "start_finish", "name": "Line", "distance_m": 0.0},
    ]
    entry = add_track(tmp_path, "park_copy", json.dumps(definition).encode(), "json")
    assert entry.markers is not None
    assert [m["kind"] for m in entry.markers] == ["start_finish", "brake_board"]
    assert entry.markers[1]["corner"] == 1 and "x" in entry.markers[1]
    assert get_entry("park_copy", tmp_path).track.name == "park_copy"


@pytest.mark.parametrize(
    ("track_id", "content", "fmt"),
    [
        ("../x", b"1,2\n", "csv"),
        ("ok", b"", "csv"),
        ("ok", b"1,2\n3,4\n", "csv"),  # too few points
        ("ok", b"x_m,y_m\nnot,numbers\n", "csv"),
        ("ok", b"{not json", "json"),
        ("ok", b"[1, 2]", "json"),
        ("ok", b'{"segments": []}', "json"),
        ("ok", b"1,2\n", "gpx"),
    ],
)
def test_bad_track_files_are_refused(
    tmp_path: Path, track_id: str, content: bytes, fmt: str
) -> None:
    with pytest.raises(InvalidArgument):
        add_track(tmp_path, track_id, content, fmt)
    assert not list((tmp_path / "tracks").glob("*")) if (tmp_path / "tracks").exists() else True


def test_bad_markers_are_refused(tmp_path: Path) -> None:
    definition = json.loads(
        (Path(__file__).parents[3] / "python/paddock/data/tracks/paddock_park.json").read_text()
    )
    definition["markers"] = [{"kind": "apex", "name": "far", "distance_m": 1e9}]
    with pytest.raises(InvalidArgument, match="distance_m"):
        add_track(tmp_path, "far", json.dumps(definition).encode(), "json")


def test_broken_user_file_is_left_out_of_the_list(tmp_path: Path) -> None:
    (tmp_path / "tracks").mkdir()
    (tmp_path / "tracks" / "broken.json").write_text("{}")
    assert "broken" in track_ids(tmp_path)
    assert "broken" not in [e.id for e in list_tracks(tmp_path)]
    with pytest.raises(InvalidArgument):
        get_entry("broken", tmp_path)
    with pytest.raises(NotFound):
        get_entry("nowhere", tmp_path)


def test_posted_laps(store: SessionStore) -> None:
    sid = store.create({})["id"]
    laps = LapStore(store.catalog)
    first = laps.add(sid, None, 92.5, s1_s=30.0, note="dash")
    second = laps.add(sid, None, 91.0)
    fixed = laps.add(sid, 7, 90.0, valid=False)
    assert (first["lap"], second["lap"], fixed["lap"]) == (1, 2, 7)
    assert first["s1_s"] == 30.0 and first["note"] == "dash" and first["source"] == "posted"
    listed = laps.list_laps(sid)
    assert [r["lap"] for r in listed] == [7, 2, 1]
    assert laps.list_laps(sid, limit=1)[0]["valid"] is False
    assert laps.list_laps("other") == []
    store.delete(sid)
    assert laps.list_laps() == []
