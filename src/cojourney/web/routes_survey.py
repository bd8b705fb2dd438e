"""The public survey page: ``GET /survey/{token}`` asks a touchpoint's question, ``POST`` records it.

No sign-in and no cookie: the link is the key (:mod:`cojourney.services.survey_links`).
The form works without JavaScript: radio buttons in a fieldset whose legend is the
question, a label on every choice, an optional comment, one submit button. Cross-site
forgery is moot without a session, and each form carries a signed one-time token, so
a replayed post records nothing more. Every answer carries strict headers: a
Content-Security-Policy allowing the site's survey stylesheet only and posting to
this site only, no referrer, ``noindex``, no caching.

Each client may post ``survey_answers_per_window`` answers (or open unknown links) per
``survey_window_seconds`` (settings), then gets 429. The count is kept in memory only, by client
address: nothing about the client is stored with the answer. Unknown and disabled
links get the same 404 page.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, Response

from cojourney.errors import CojourneyError, InputError, NotFound
from cojourney.services.survey_links import (
    COMMENT_MAX_LENGTH,
    SurveyForm,
    record_answer,
    reopen_form,
    survey_form,
)
from cojourney.web.security import LoginLimiter
from cojourney.web.state import web_state
from cojourney.web.templating import environment

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

#: Longest token looked up.
MAX_TOKEN_LENGTH = 128

_LOCK = threading.Lock()


def survey_headers() -> dict[str, str]:
    """The headers of every answer of the survey route.

    >>> "form-action 'self'" in survey_headers()["Content-Security-Policy"]
    True
    """
    policy = "; ".join(
        [
            "default-src 'none'",
            "style-src 'self'",
            "img-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow, noarchive",
        "Cache-Control": "private, no-store, max-age=0",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
    }


def survey_limiter(request: Request) -> LoginLimiter:
    """The in-memory per-client limiter of the app serving ``request`` (made on first use)."""
    state = request.app.state
    limiter = getattr(state, "survey_limiter", None)
    if limiter is None:
        with _LOCK:
            limiter = getattr(state, "survey_limiter", None)
            if limiter is None:
                settings = web_state(request).settings
                limiter = LoginLimiter(
                    settings.survey_answers_per_window, settings.survey_window_seconds
                )
                state.survey_limiter = limiter
    assert isinstance(limiter, LoginLimiter)
    return limiter


def _client(request: Request) -> tuple[str, str]:
    return (request.client.host if request.client else "unknown", "survey")


def _page(
    name: str, status: int = 200, headers: dict[str, str] | None = None, **values: Any
) -> Response:
    html = environment().get_template(name).render(comment_max=COMMENT_MAX_LENGTH, **values)
    return HTMLResponse(html, status_code=status, headers={**survey_headers(), **(headers or {})})


def _notice(
    status: int, title: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    return _page("survey_notice.html", status, headers, title=title, message=message)


def _gone() -> Response:
    return _notice(
        404,
        "This survey is not available",
        "The link may have been mistyped or withdrawn. Thank you for wanting to tell us.",
    )


def _too_many(limiter: LoginLimiter, client: tuple[str, str]) -> Response:
    return _notice(
        429,
        "Too many answers",
        "Too many answers were sent from here in a short time. Please try again later.",
        {"Retry-After": str(limiter.retry_after(client))},
    )


def _unavailable(exc: Exception) -> Response:
    level = logging.WARNING if isinstance(exc, CojourneyError) else logging.ERROR
    log.log(level, "survey page cannot be served: %s", exc)
    return _notice(503, "Not available right now", "Please try again in a moment.")


def _form(
    token: str, form: SurveyForm, status: int = 200, error: InputError | None = None, **values: Any
) -> Response:
    fields = {p.location.field for p in error.problems} if error else set()
    return _page(
        "survey.html",
        status,
        None,
        token=token,
        form=form,
        errors=[p for p in error.problems] if error else [],
        error_fields=fields,
        **values,
    )


@router.get("/survey/{token}")
def survey_page(
    token: str, request: Request, j: str | None = None, s: str | None = None
) -> Response:
    """The question of the survey link ``token``; the same 404 for any link that does not open."""
    limiter, client = survey_limiter(request), _client(request)
    if limiter.retry_after(client):
        return _too_many(limiter, client)
    state = web_state(request)
    if not 0 < len(token) <= MAX_TOKEN_LENGTH:
        limiter.fail(client)
        return _gone()
    try:
        workspace = state.reader.workspace()
        with state.sessions() as db:
            form = survey_form(
                db, workspace, token, secret_key=state.secret_key(), journey_id=j, signature=s
            )
    except NotFound:
        limiter.fail(client)
        return _gone()
    except Exception as exc:  # a broken workspace: no detail shown
        return _unavailable(exc)
    return _form(token, form)


@router.post("/survey/{token}")
def survey_answer(
    token: str,
    request: Request,
    form_token: Annotated[str, Form()] = "",
    score: Annotated[str | None, Form()] = None,
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Record the answer; the thank-you page, the form again with the problem (400), or 404."""
    limiter, client = survey_limiter(request), _client(request)
    if limiter.retry_after(client):
        return _too_many(limiter, client)
    limiter.fail(client)
    if not 0 < len(token) <= MAX_TOKEN_LENGTH:
        return _gone()
    state = web_state(request)
    try:
        workspace = state.reader.workspace()
        with state.sessions() as db:
            outcome = record_answer(
                db,
                state.workspace,
                workspace,
                token,
                form_token,
                score,
                comment,
                secret_key=state.secret_key(),
            )
    except NotFound:
        return _gone()
    except InputError as error:
        return _rejected(request, token, form_token, error, score, comment)
    except Exception as exc:  # a locked event store, a broken workspace
        return _unavailable(exc)
    return _page("survey_thanks.html", 200, None, recorded=outcome.recorded)


def _rejected(
    request: Request,
    token: str,
    form_token: str,
    error: InputError,
    score: str | None,
    comment: str,
) -> Response:
    """The form again with the problems (400), keeping the same one-time form token."""
    state = web_state(request)
    if any(p.location.field == "form" for p in error.problems):
        return _notice(400, "This form cannot be sent", error.problems[0].message)
    try:
        with state.sessions() as db:
            form = reopen_form(
                db, state.reader.workspace(), token, form_token, secret_key=state.secret_key()
            )
    except NotFound:
        return _gone()
    except Exception as exc:
        return _unavailable(exc)
    return _form(token, form, 400, error, chosen=score, comment=comment)
