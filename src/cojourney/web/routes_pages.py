"""Pages: sign-in, sign-out and the workspace overview."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from cojourney.storage import authenticate, create_session, end_session
from cojourney.storage.hashing import new_secret
from cojourney.web.deps import (
    DbSession,
    State,
    SubmittedCsrf,
    ViewerRequired,
    check_csrf,
    session_lifetime,
)
from cojourney.web.security import CSRF_COOKIE, SESSION_COOKIE, set_cookie
from cojourney.web.templating import CSRF_COOKIE_MAX_AGE, render
from cojourney.web.workspace_views import overview

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no //host) is followed after sign-in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    """The sign-in form (fields email, password and csrf_token)."""
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "email": ""})


@router.post("/login")
def login(
    request: Request,
    state: State,
    db: DbSession,
    submitted: SubmittedCsrf,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the CSRF token, the rate limit, then the password; start a session."""
    check_csrf(state, request, submitted)
    key = (_client(request), email.strip().lower())
    context = {"next": _safe_next(next), "email": email}
    wait = state.limiter.retry_after(key)
    if wait:
        log.warning("sign-in refused for %s from %s: too many failures", key[1], key[0])
        refused = render(
            request,
            "login.html",
            {**context, "error": f"Too many failed sign-ins. Try again in {wait} seconds."},
            status_code=429,
        )
        refused.headers["Retry-After"] = str(wait)
        return refused
    user = authenticate(db, email, password)
    if user is None:
        state.limiter.fail(key)
        db.commit()
        log.info("failed sign-in for %s from %s", key[1], key[0])
        return render(
            request,
            "login.html",
            {**context, "error": "The email or the password is wrong."},
            status_code=401,
        )
    state.limiter.reset(key)
    lifetime = session_lifetime(state)
    session_id = create_session(db, user, lifetime)
    db.commit()
    log.info("user %s signed in", user.email)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, session_id, int(lifetime.total_seconds()))
    # A fresh CSRF nonce for the new session (no token from before sign-in stays valid).
    set_cookie(request, response, CSRF_COOKIE, new_secret(nbytes=24), CSRF_COOKIE_MAX_AGE)
    return response


@router.post("/logout")
def logout(request: Request, state: State, db: DbSession, submitted: SubmittedCsrf) -> Response:
    """End the session (CSRF-checked) and go back to the sign-in page."""
    check_csrf(state, request, submitted)
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        end_session(db, session_id)
        db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def overview_page(request: Request, state: State, user: ViewerRequired) -> Response:
    """The workspace at a glance: journeys, personas, stakeholders, agreements, problems."""
    return render(request, "overview.html", {"view": overview(state.reader.report())})
