"""What the session, note, telemetry and STT controllers share: 422 errors and conversions.

ASTRA answers a body (or query) it cannot use with ``422`` and names the field, so these
controllers map Litestar's validation errors and paddock's ``InvalidArgument`` to 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import ClientException, SerializationException, ValidationException
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY
from litestar.types import ExceptionHandlersMap

from paddock.api.errors import http_error
from paddock.api.schemas.sessions import Session
from paddock.exceptions import InvalidArgument
from paddock.store.sessions import INT64_MAX, INT64_MIN, to_ns


def unprocessable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A body or parameter that does not validate: 422 with the field in the detail.

    A body that is not JSON at all is 422 too (naming ``body``); other client errors keep their
    status.
    """
    if isinstance(exc, ClientException) and not isinstance(exc, ValidationException):
        if not isinstance(exc.__cause__, SerializationException):
            return http_error(request, exc)
        exc = ValidationException(detail=f"body: {exc.detail}")
    if isinstance(exc, ValidationException):
        response = http_error(request, exc)
        response.status_code = HTTP_422_UNPROCESSABLE_ENTITY
        return response
    return Response(
        {"detail": str(exc)},
        status_code=HTTP_422_UNPROCESSABLE_ENTITY,
        media_type=MediaType.JSON,
    )


UNPROCESSABLE: ExceptionHandlersMap = {
    ClientException: unprocessable,
    ValidationException: unprocessable,
    InvalidArgument: unprocessable,
}


def session_out(session: dict[str, Any]) -> Session:
    """A store session dict as the response struct."""
    return msgspec.convert(session, Session, strict=False)


def ns_or_none(stamp: dt.datetime | None) -> int | None:
    """A query datetime as ns since the epoch, clamped to the stored range.

    A filter bound beyond 2262 or before 1677 includes everything on that side.
    """
    if stamp is None:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    if stamp.year >= 2262:
        return INT64_MAX
    if stamp.year <= 1677:
        return INT64_MIN
    return to_ns(stamp)
