"""``/api/compare`` on a real Assetto Corsa recording: a session read one lap at a time (its
analysis not cached) answers as its full lap analysis does, and a cached analysis is used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from litestar.testing import AsyncTestClient

from paddock.analysis.compare import compare_laps, lap_trace
from paddock.analysis.session_laps import LapAnalysis
from paddock.store.sessions import SessionStore

pytest.importorskip("paddock.protocols.ac")

from paddock.protocols import ac

CAPTURE = "udp/assetto_corsa/AssettoCorsa_monza_A8LMS.raw"
CHANNELS = ["speed_kmh", "throttle", "brake", "gear", "steer", "rpm"]


@pytest.fixture(scope="module")
def recorded(testdata: Path) -> pl.DataFrame:
    """The capture's frames; its packets carry no receive time, so the lap clock is the time."""
    path = testdata / CAPTURE
    if not path.is_file():
        pytest.skip(f"AC capture not found at {path} (set PADDOCK_TESTDATA)")
    data = path.read_bytes()
    datagrams = [data[i : i + 328] for i in range(0, len(data), 328)]
    frames = pl.DataFrame(ac.frames(datagrams, ts_ns=list(range(len(datagrams)))))
    step = pl.col("lap_time_s").diff()
    clock = pl.when(step >= 0).then(step).otherwise(pl.col("lap_time_s")).fill_null(0.0)
    return frames.select(c for c in frames.columns if "." not in c).with_columns(
        clock.cum_sum().alias("t_s")
    )


def _store(client: AsyncTestClient[Any]) -> SessionStore:
    store: SessionStore = client.app.state.runtime.sessions.store
    return store


def _session(store: SessionStore, frames: pl.DataFrame, stretch: float) -> str:
    """A stopped session holding ``frames`` driven ``stretch`` times slower."""
    sid: str = store.create({"name": f"monza x{stretch}", "track": "monza"})["id"]
    slower = frames.with_columns(
        pl.col("t_s") * stretch,
        pl.col("lap_time_s") * stretch,
        pl.col("speed_kmh") / stretch,
    ).with_columns((pl.col("t_s") * 1e9).cast(pl.Int64).alias("ts_ns") + 1_700_000_000 * 10**9)
    store.data.write_file(sid, "frames", "capture", slower)
    return sid


def _assert_same(got: dict[str, Any], want: pl.DataFrame) -> None:
    assert list(got["columns"]) == want.columns
    for name in want.columns:
        values = np.array(got["columns"][name], dtype=float)
        expected = want[name].cast(pl.Float64).fill_null(np.nan).to_numpy()
        np.testing.assert_allclose(values, expected, rtol=1e-9, atol=1e-6, err_msg=name)


async def test_compare_reads_one_lap_as_the_full_analysis_gives_it(
    client: AsyncTestClient[Any], recorded: pl.DataFrame
) -> None:
    store = _store(client)
    a, b = _session(store, recorded, 1.0), _session(store, recorded, 1.02)
    # The capture holds one complete lap, split by return to the start line.
    full = {sid: LapAnalysis(store.open_session(sid)) for sid in (a, b)}
    assert full[a].envelope.filter(pl.col("complete"))["lap"].to_list() == [1]
    want = compare_laps(
        [(f"{sid}:1", lap_trace(full[sid].all_laps_frame, 1)) for sid in (a, b)],
        channels=CHANNELS,
        step_m=5.0,
    )
    query = f"/api/compare?laps={a}:1,{b}:1&channels={','.join(CHANNELS)}"

    cache = store.analyses
    response = await client.get(query)
    assert response.status_code == 200, response.text
    fast = response.json()
    _assert_same(fast, want)
    assert fast["final_delta_s"][f"{b}:1"] > 1.0  # 2 % slower over a lap of more than 2 min
    # Neither session was analysed in full; the laps read are kept and answer again.
    assert cache.cached_analysis(a) is None and cache.cached_analysis(b) is None
    kept = [cache.lap_frame(sid, 1) for sid in (a, b)]
    assert (await client.get(query)).json() == fast
    again = [cache.lap_frame(sid, 1) for sid in (a, b)]
    assert again[0] is kept[0] and again[1] is kept[1]

    # With the full analyses cached, their lap frames answer.
    analyses = [cache.analysis(a), cache.analysis(b)]
    response = await client.get(query)
    assert response.status_code == 200, response.text
    _assert_same(response.json(), want)
    assert all("all_laps_frame" in vars(analysis) for analysis in analyses)

    assert (await client.get(f"/api/compare?laps={a}:1,{b}:2")).status_code == 404
