"""Tracks, elevation and markers through the API."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient


async def test_tracks_elevation_and_markers(client: AsyncTestClient[Any]) -> None:
    tracks = (await client.get("/api/tracks")).json()
    park = next(t for t in tracks if t["id"] == "paddock_park")
    assert park["corners"] == 9 and park["length_m"] > 3000
    one = (await client.get("/api/tracks/paddock_park")).json()
    kinds = [m["kind"] for m in one["markers"]]
    assert kinds[0] == "start_finish" and kinds.count("apex") == 9 and kinds.count("sector") == 2
    distances = [m["distance_m"] for m in one["markers"]]
    assert distances == sorted(distances)
    profile = (await client.get("/track/paddock_park/elevation?step_m=100")).json()
    assert profile["points"][1]["distance_m"] == 100.0
    assert len(profile["points"]) == int(park["length_m"] // 100) + 1
    # The bundled track climbs to 14 m (its elevation knots).
    assert profile["max_m"] == pytest.approx(14.0, abs=0.5)
    default = (await client.get("/track/paddock_park/elevation")).json()
    assert default["step_m"] == 10.0
    assert (await client.get("/track/nowhere/elevation")).status_code == 404
    assert (await client.get("/track/paddock_park/elevation?step_m=0")).status_code == 400
    assert (await client.get("/track/paddock_park/elevation?step_m=0.001")).status_code == 400
    assert (await client.get("/track/markers")).json()["count"] == len(kinds)
    apex = (await client.get("/markers?corner=4&kind=apex")).json()
    assert apex["count"] == 1
    assert apex["markers"][0]["corner"] == 4 and apex["markers"][0]["name"] == "Hairpin apex"
    assert (await client.get("/markers?kind=sector")).json()["count"] == 2
    assert (await client.get("/markers?track=nowhere")).status_code == 404
