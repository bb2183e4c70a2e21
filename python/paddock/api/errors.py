"""Every error the API returns is ``{"detail": "..."}`` with the right status, mapped here."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from paddock.config import ConfigError
from paddock.exceptions import (
    Conflict,
    DecodeError,
    InvalidArgument,
    NotFound,
    PaddockError,
    RecordingError,
)

log = logging.getLogger(__name__)


def _detail(status: int, detail: str) -> Response[dict[str, str]]:
    return Response({"detail": detail}, status_code=status, media_type=MediaType.JSON)


def paddock_error(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, str]]:
    """Answers paddock's own errors: 404, 409, 400, or 500 for recording and other failures."""
    if isinstance(exc, NotFound):
        return _detail(HTTP_404_NOT_FOUND, str(exc))
    if isinstance(exc, Conflict):
        return _detail(HTTP_409_CONFLICT, str(exc))
    if isinstance(exc, InvalidArgument | DecodeError | ConfigError):
        return _detail(HTTP_400_BAD_REQUEST, str(exc))
    if isinstance(exc, RecordingError):
        log.error("recording error: %s", exc)
        return _detail(HTTP_500_INTERNAL_SERVER_ERROR, f"recording error: {exc}")
    log.exception("unhandled paddock error", exc_info=exc)
    return _detail(HTTP_500_INTERNAL_SERVER_ERROR, str(exc))


def http_error(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, str]]:
    """Litestar's HTTP errors (404 route, 405, 400 validation) with a readable detail."""
    assert isinstance(exc, HTTPException)
    detail = exc.detail
    if isinstance(exc, ValidationException) and exc.extra:
        parts = []
        for item in exc.extra if isinstance(exc.extra, list) else [exc.extra]:
            if isinstance(item, dict):
                where = item.get("key") or item.get("source") or ""
                parts.append(f"{where}: {item.get('message', '')}".strip(": "))
            else:
                parts.append(str(item))
        detail = f"{detail}: {'; '.join(parts)}" if parts else detail
    return Response(
        {"detail": detail},
        status_code=exc.status_code,
        media_type=MediaType.JSON,
        headers=exc.headers,
    )


def internal_error(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, str]]:
    """Anything unexpected: logged with its traceback, answered 500 without internals."""
    log.exception("unhandled error", exc_info=exc)
    return _detail(HTTP_500_INTERNAL_SERVER_ERROR, "internal server error")


EXCEPTION_HANDLERS = {
    PaddockError: paddock_error,
    InvalidArgument: paddock_error,
    ConfigError: paddock_error,
    HTTPException: http_error,
    Exception: internal_error,
}
