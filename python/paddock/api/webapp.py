"""The web app (PWA) at ``/``: the built files of ``web/`` from the package's ``web`` folder.

``npm run build`` in ``web/`` (run by ``just setup`` and ``just wheel``) writes them to
``python/paddock/web``; they are not committed. Without them ``/`` answers a page that says how to
build them. The app's own pages (``/live``, ``/sessions/…``, …) answer ``index.html``, so a reload
or a shared link opens the right page. Hashed assets are cached for a year; ``index.html`` and the
service worker are never cached, so a new build reaches every browser at its next load.

The files are public: the app itself holds no data, and it asks for the API token (or uses a
spectator token) for every API call, so these routes skip the token check.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.router import Router
from litestar.types import ASGIApp, Receive, Scope, Send

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

#: The first path segment of every page of the app (``web/src/router.ts``).
CLIENT_ROUTES = ("live", "sessions", "analysis", "recordings", "risk", "spectate", "settings")
#: Pages whose bare path is also an API route (Pitwall's ``GET /sessions``): the API answers
#: there, except to a browser's page load (see ``page_navigation_middleware``).
SHARED_ROUTES = ("sessions",)

MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".txt": "text/plain",
    ".wasm": "application/wasm",
}

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._~-]*$")

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>paddock: web app not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{background:#0e1116;color:#d7dde4;font:14px/1.5 system-ui,sans-serif;
max-width:46em;margin:3em auto;padding:0 1em}}code,pre{{background:#1c232c;padding:2px 6px;
border-radius:4px}}pre{{padding:10px}}a{{color:#4fa3ff}}</style></head>
<body><h1>paddock's web app is not built</h1>
<p>The API is running (<a href="/docs">API documentation</a>), but the web app's files are missing
from <code>{web_dir}</code>.</p>
<p>Build them from a clone of paddock (needs Node.js 20 or newer with npm):</p>
<pre>just setup</pre>
<p>or by hand:</p>
<pre>cd web
npm ci
npm run build</pre>
<p>then reload this page. The build writes into <code>python/paddock/web/</code>, which the wheel
(<code>just wheel</code>) includes.</p></body></html>
"""


def _is_page_load(scope: Scope) -> bool:
    """A browser loading a page of the app (not a script asking the API for JSON)."""
    if scope["type"] != ScopeType.HTTP or scope["method"] != "GET":
        return False
    path: str = scope["path"]
    if path.strip("/").split("/", 1)[0] not in SHARED_ROUTES:
        return False
    headers = dict(scope["headers"])
    if headers.get(b"sec-fetch-mode") == b"navigate":
        return headers.get(b"sec-fetch-dest", b"document") == b"document"
    return headers.get(b"accept", b"").startswith(b"text/html")


def page_navigation_middleware(app: ASGIApp) -> ASGIApp:
    """Answers ``index.html`` to a browser's page load of a path the API shares with the app.

    ``GET /sessions`` is Pitwall's session list; opened in a browser's address bar (a navigation:
    ``Sec-Fetch-Mode: navigate`` or ``Accept: text/html…``) it is the app's Sessions page.
    Everything else passes through untouched.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_page_load(scope):
            await app(scope, receive, send)
            return
        body, media_type = _index_body()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", f"{media_type}; charset=utf-8".encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", NO_CACHE.encode()),
                    (b"vary", b"accept, sec-fetch-mode"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return middleware


def _open(_: Request[Any, Any, Any]) -> None:
    """The app's files need no API token (this replaces the app-wide token check)."""
    return None


def web_built() -> bool:
    """Whether the built web app is there."""
    return (WEB_DIR / "index.html").is_file()


def _file(path: Path, cache: str, extra: dict[str, str] | None = None) -> Response[bytes]:
    if not path.is_file():
        raise NotFoundException(detail=f"no file {path.name!r} in the web app")
    media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    headers = {"Cache-Control": cache, "X-Content-Type-Options": "nosniff", **(extra or {})}
    return Response(content=path.read_bytes(), media_type=media_type, headers=headers)


def _index_body() -> tuple[bytes, str]:
    if not web_built():
        return NOT_BUILT.format(web_dir=WEB_DIR).encode(), MEDIA_TYPES[".html"]
    return (WEB_DIR / "index.html").read_bytes(), MEDIA_TYPES[".html"]


def _index() -> Response[bytes]:
    body, media_type = _index_body()
    headers = {"Cache-Control": NO_CACHE, "X-Content-Type-Options": "nosniff"}
    return Response(content=body, media_type=media_type, headers=headers)


def _checked(name: str) -> str:
    if not _SAFE_NAME.match(name) or ".." in name:
        raise NotFoundException(detail=f"no file {name!r} in the web app")
    return name


@get(["/", "/index.html"], sync_to_thread=False)
def index() -> Response[bytes]:
    """The web app (or, when it is not built, how to build it)."""
    return _index()


@get(
    [f"/{r}" for r in CLIENT_ROUTES if r not in SHARED_ROUTES]
    + [f"/{r}/{{rest:path}}" for r in CLIENT_ROUTES],
    sync_to_thread=False,
)
def page() -> Response[bytes]:
    """A page of the app: ``index.html``, whose router shows the page of the path."""
    return _index()


@get("/assets/{name:str}", sync_to_thread=False)
def asset(name: FromPath[str]) -> Response[bytes]:
    """A built script, stylesheet or font; hashed names, so cached for a year."""
    return _file(WEB_DIR / "assets" / _checked(name), IMMUTABLE)


@get("/icons/{name:str}", sync_to_thread=False)
def icon(name: FromPath[str]) -> Response[bytes]:
    """An icon of the app."""
    return _file(WEB_DIR / "icons" / _checked(name), "public, max-age=86400")


@get("/manifest.webmanifest", sync_to_thread=False)
def manifest() -> Response[bytes]:
    """The web app manifest (name, icons, start page) that makes the app installable."""
    return _file(WEB_DIR / "manifest.webmanifest", NO_CACHE)


@get("/sw.js", sync_to_thread=False)
def service_worker() -> Response[bytes]:
    """The service worker; never cached, so a new build replaces the old one at the next load."""
    return _file(WEB_DIR / "sw.js", NO_CACHE, {"Service-Worker-Allowed": "/"})


WEB_ROUTER = Router(
    path="/",
    route_handlers=[index, page, asset, icon, manifest, service_worker],
    include_in_schema=False,
    before_request=_open,
)
