"""Jinja2 pages: templates shipped in the package, autoescaped, with the CSRF token at hand."""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from cojourney.web.security import CSRF_COOKIE, csrf_nonce, csrf_token_for, set_cookie
from cojourney.web.state import web_state

CSRF_COOKIE_MAX_AGE = 60 * 60 * 24 * 7


@functools.cache
def environment() -> Environment:
    """The template environment (built on first use, not at import)."""
    return Environment(
        loader=PackageLoader("cojourney.web", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render ``name`` with ``context``, ``csrf_token`` and ``principal`` added."""
    nonce = csrf_nonce(request)
    values = {
        "request": request,
        "csrf_token": csrf_token_for(web_state(request).secret_key(), nonce),
        "principal": getattr(request.state, "principal", None),
        **context,
    }
    html = environment().get_template(name).render(values)
    response = HTMLResponse(html, status_code=status_code)
    if request.cookies.get(CSRF_COOKIE) != nonce:
        set_cookie(request, response, CSRF_COOKIE, nonce, CSRF_COOKIE_MAX_AGE)
    return response
