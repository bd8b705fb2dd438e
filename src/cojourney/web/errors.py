"""Errors to the client: JSON for the API, a page for the browser, never a stack trace."""

from __future__ import annotations

import logging
from html import escape
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from cojourney.errors import CojourneyError, InputError, NotFound, ValidationError
from cojourney.web.deps import NotSignedIn
from cojourney.web.templating import render

log = logging.getLogger(__name__)


def wants_json(request: Request) -> bool:
    """API paths and clients that do not ask for HTML get JSON."""
    if request.url.path.startswith("/api/") or request.url.path == "/healthz":
        return True
    return "text/html" not in request.headers.get("accept", "")


def problem_dicts(exc: InputError) -> list[dict[str, Any]]:
    """The problems of an input error, as JSON objects."""
    return [
        {
            "message": p.message,
            "file": p.location.file,
            "line": p.location.line,
            "column": p.location.column,
            "field": p.location.field,
            "found": p.found,
            "expected": p.expected,
            "hint": p.hint,
        }
        for p in exc.problems
    ]


def error_response(
    request: Request, status: int, message: str, problems: list[dict[str, Any]] | None = None
) -> Response:
    """The error as JSON (``{"detail": ..., "problems": [...]}``) or as a page."""
    if wants_json(request):
        body: dict[str, Any] = {"detail": message}
        if problems:
            body["problems"] = problems
        return JSONResponse(body, status_code=status)
    try:
        return render(
            request,
            "error.html",
            {"status": status, "message": message, "problems": problems or []},
            status_code=status,
        )
    except Exception:  # the page needs the database; answer even when it is down
        log.exception("the error page could not be rendered")
        return HTMLResponse(
            f"<!doctype html><title>Error {status}</title><p>{escape(message)}</p>",
            status_code=status,
        )


async def _cojourney_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CojourneyError)
    if isinstance(exc, NotFound):
        return error_response(request, 404, str(exc))
    if isinstance(exc, ValidationError):  # the workspace on disk has problems
        return error_response(request, 409, exc.title, problem_dicts(exc))
    if isinstance(exc, InputError):
        return error_response(request, 422, exc.title, problem_dicts(exc))
    return error_response(request, 400, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    response = error_response(request, exc.status_code, str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return JSONResponse(
            {"detail": "sign in, or send an API token as 'Authorization: Bearer TOKEN'"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "message": str(err.get("msg")),
            "field": ".".join(str(p) for p in err.get("loc", ())),
            "found": None,
            "expected": None,
            "hint": None,
            "file": None,
            "line": None,
            "column": None,
        }
        for err in exc.errors()
    ]
    return error_response(request, 422, "the request is not valid", problems)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; unexpected errors are handled by the request middleware."""
    app.add_exception_handler(CojourneyError, _cojourney_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(RequestValidationError, _invalid_request)
