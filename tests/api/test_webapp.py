"""The web app's files at ``/``: SPA pages, media types, caching, the not-built page, no token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from paddock.api import webapp
from paddock.api.app import create_app
from paddock.config import Settings

INDEX = b"<!doctype html><html><body><div id=app></div></body></html>"


@pytest.fixture
def web_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A built web app (as `npm run build` lays it out) in a temporary folder."""
    root = tmp_path / "web"
    (root / "assets").mkdir(parents=True)
    (root / "icons").mkdir()
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-Ab12Cd.js").write_text("console.log(1)")
    (root / "assets" / "index-Ab12Cd.css").write_text("body{}")
    (root / "assets" / "_plugin-vue_export-helper-x1.js").write_text("export {}")
    (root / "icons" / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "icons" / "icon.svg").write_text("<svg/>")
    (root / "manifest.webmanifest").write_text('{"name": "paddock"}')
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    monkeypatch.setattr(webapp, "WEB_DIR", root)
    return root


async def test_without_a_build_the_root_says_how_to_build(
    client: AsyncTestClient[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webapp, "WEB_DIR", tmp_path / "missing")
    for path in ("/", "/live", "/sessions/abc"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        text = response.text
        assert "not built" in text
        assert "npm ci" in text
        assert "npm run build" in text
        assert "just setup" in text
    assert (await client.get("/assets/index-Ab12Cd.js")).status_code == 404
    assert (await client.get("/sw.js")).status_code == 404


async def test_pages_answer_index_html_uncached(
    client: AsyncTestClient[Any], web_dir: Path
) -> None:
    for path in (
        "/",
        "/index.html",
        "/live",
        "/sessions/sess_1234",
        "/analysis/sess_1/laps",
        "/recordings",
        "/risk",
        "/settings",
        "/spectate/tok123",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.content == INDEX, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["cache-control"] == "no-cache"


async def test_a_page_load_of_the_shared_sessions_path_gets_the_app(
    client: AsyncTestClient[Any], web_dir: Path
) -> None:
    # Pitwall's clients ask GET /sessions for JSON; a browser's address bar gets the app
    api = await client.get("/sessions", headers={"Accept": "application/json"})
    assert api.status_code == 200
    assert "sessions" in api.json()
    plain = await client.get("/sessions")
    assert "sessions" in plain.json()
    for headers in (
        {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Accept": "*/*"},
        {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    ):
        page = await client.get("/sessions", headers=headers)
        assert page.status_code == 200
        assert page.content == INDEX
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "no-cache"
    # a script's fetch from a page (not a navigation) still gets JSON
    fetched = await client.get(
        "/sessions", headers={"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}
    )
    assert "sessions" in fetched.json()


async def test_assets_have_their_media_types_and_cache_rules(
    client: AsyncTestClient[Any], web_dir: Path
) -> None:
    js = await client.get("/assets/index-Ab12Cd.js")
    assert js.status_code == 200
    assert js.text == "console.log(1)"
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert js.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert js.headers["x-content-type-options"] == "nosniff"
    helper = await client.get("/assets/_plugin-vue_export-helper-x1.js")
    assert helper.status_code == 200
    css = await client.get("/assets/index-Ab12Cd.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    png = await client.get("/icons/icon-192.png")
    assert png.headers["content-type"] == "image/png"
    svg = await client.get("/icons/icon.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.json() == {"name": "paddock"}
    sw = await client.get("/sw.js")
    assert sw.headers["content-type"] == "text/javascript; charset=utf-8"
    assert sw.headers["cache-control"] == "no-cache"
    assert sw.headers["service-worker-allowed"] == "/"


async def test_missing_and_unsafe_names_are_404_and_the_api_stays_json(
    client: AsyncTestClient[Any], web_dir: Path
) -> None:
    (web_dir.parent / "secret.txt").write_text("no")
    for path in (
        "/assets/nope.js",
        "/assets/..%2Fsecret.txt",
        "/assets/.hidden",
        "/assets/a%5Cb.js",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "detail" in response.json()
    api = await client.get("/api/not-a-route")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/json")
    assert "/" not in (await client.get("/schema/openapi.json")).json()["paths"]


async def test_the_app_needs_no_token_but_the_api_does(settings: Settings, web_dir: Path) -> None:
    app = create_app(settings.with_(api_token="s3cret"))
    async with AsyncTestClient(app) as client:
        for path in ("/", "/live", "/assets/index-Ab12Cd.js", "/sw.js", "/manifest.webmanifest"):
            assert (await client.get(path)).status_code == 200, path
        assert (await client.get("/api/live")).status_code == 401
        ok = await client.get("/api/live", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
