"""HTTP errors: exceptions that carry a status, and the one handler that renders every error as JSON."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import ConfigError, EventcoderError, InputError

log = logging.getLogger("eventcoder.web")


class ApiError(Exception):
    """A request the API refuses; `status` is the HTTP status (datasette's Base400 idea)."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class NotFound(ApiError):
    status = 404


def _status_and_message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, ApiError):
        return exc.status, str(exc)
    if isinstance(exc, RequestValidationError):
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path"))
            parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
        return 400, "bad parameter: " + "; ".join(parts)
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, str(exc.detail)
    if isinstance(exc, InputError):
        return 400, str(exc)
    if isinstance(exc, (ValueError, KeyError)):
        # The store refuses an unknown action, field or value with ValueError/KeyError.
        return 400, str(exc).strip("'\"")
    if isinstance(exc, ConfigError):
        return 500, str(exc)
    if isinstance(exc, EventcoderError):
        return 500, str(exc)
    return 500, "internal error; see the server log"


async def render_error(request: Request, exc: Exception) -> JSONResponse:
    """Every error leaves as {"error": message, "status": code}: one shape for the page and scripts."""
    status, message = _status_and_message(exc)
    if status >= 500:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": message, "status": status}, status_code=status)


def install(app: FastAPI) -> None:
    for cls in (ApiError, RequestValidationError, StarletteHTTPException, EventcoderError,
                ValueError, KeyError, Exception):
        app.add_exception_handler(cls, render_error)
