from pathlib import Path

from paddock.store.catalog import MIGRATIONS, Catalog


def _manifest(i: int, status: str = "stopped") -> dict[str, object]:
    return {"id": f"{i:032x}", "name": f"r{i}", "status": status, "started_ns": i}


def test_migrates_and_round_trips(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite3")
    assert catalog.schema_version == len(MIGRATIONS)
    for i in range(3):
        catalog.put_recording(_manifest(i))
    catalog.put_recording(_manifest(7, "recording"))
    assert [m["name"] for m in catalog.list_recordings()] == ["r7", "r2", "r1", "r0"]
    assert catalog.get_recording(f"{1:032x}") == _manifest(1)
    assert [m["id"] for m in catalog.active_recordings()] == [f"{7:032x}"]
    assert catalog.delete_recording(f"{1:032x}")
    assert not catalog.delete_recording(f"{1:032x}")
    catalog.close()
    # Reopening keeps data and does not re-run migrations.
    again = Catalog(tmp_path / "c.sqlite3")
    assert len(again.list_recordings()) == 3
    again.close()
