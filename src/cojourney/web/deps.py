"""Dependencies of the routes: the database session, who is asking, and what they may do.

Routes declare what they need through short aliases::

    def list_users(db: DbSession, user: OwnerRequired) -> ...

Authentication runs in dependencies, before the body is read, so a request
without rights gets 401 or 403 before any 422.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from cojourney.storage import Role, session_user, token_by_secret
from cojourney.web.api_docs import BEARER, SESSION
from cojourney.web.security import CSRF_FIELD, CSRF_HEADER, csrf_valid
from cojourney.web.state import WebState, web_state

#: The roles that pass each requirement. Owners do everything; ingest tokens only ingest.
ALLOWED: dict[Role, frozenset[Role]] = {
    Role.VIEWER: frozenset({Role.VIEWER, Role.EDITOR, Role.OWNER}),
    Role.EDITOR: frozenset({Role.EDITOR, Role.OWNER}),
    Role.OWNER: frozenset({Role.OWNER}),
    Role.INGEST: frozenset({Role.INGEST, Role.EDITOR, Role.OWNER}),
}

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotSignedIn(Exception):
    """No valid session or token: pages send the browser to /login, the API answers 401."""


@dataclass(frozen=True)
class Principal:
    """Who makes the request: a signed-in user or an API token."""

    kind: str  #: "user" or "token"
    id: int
    name: str  #: the email of a user, the name of a token
    role: Role
    session_id: str | None = None  #: set when signed in by cookie (then CSRF applies)


def get_db(request: Request) -> Iterator[Session]:
    """A database session for the request; routes commit what they change."""
    with web_state(request).sessions() as session:
        yield session


State = Annotated[WebState, Depends(web_state)]
DbSession = Annotated[Session, Depends(get_db)]


def optional_principal(
    request: Request,
    db: DbSession,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
    session_id: Annotated[str | None, Security(SESSION)],
) -> Principal | None:
    """The principal of a Bearer token or a session cookie, else ``None``.

    A Bearer header that does not match a live token is refused (401), never
    silently ignored in favour of a cookie.
    """
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        token = token_by_secret(db, secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise HTTPException(
                401,
                "the API token is unknown or revoked",
                headers={"WWW-Authenticate": "Bearer"},
            )
        db.commit()  # records last_used_at
        principal = Principal("token", token.id, token.name, Role(token.role))
        request.state.principal = principal
        return principal
    if session_id:
        user = session_user(db, session_id)
        if user is not None:
            principal = Principal("user", user.id, user.email, Role(user.role), session_id)
            request.state.principal = principal
            return principal
    return None


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def submitted_csrf_token(request: Request) -> str | None:
    """The CSRF token of a request: its header, else its form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


SubmittedCsrf = Annotated[str | None, Depends(submitted_csrf_token)]


def check_csrf(state: WebState, request: Request, submitted: str | None) -> None:
    """403 unless ``submitted`` matches the request's CSRF cookie."""
    if not csrf_valid(state.secret_key(), request, submitted):
        raise HTTPException(
            403,
            f"the form is stale or was not sent by this site (field {CSRF_FIELD}); "
            "reload the page and try again",
        )


class RequireRole:
    """A dependency that lets through principals whose role passes ``role``.

    Requests signed in by cookie must also carry the CSRF token on POST, PUT,
    PATCH and DELETE; token requests need none (no browser sends them by itself).
    """

    def __init__(self, role: str) -> None:
        self.role = Role(role)

    def __repr__(self) -> str:
        return f"RequireRole({self.role.value!r})"

    def __call__(
        self,
        request: Request,
        state: State,
        principal: OptionalPrincipal,
        submitted: SubmittedCsrf,
    ) -> Principal:
        if principal is None:
            raise NotSignedIn()
        if principal.role not in ALLOWED[self.role]:
            raise HTTPException(
                403, f"this needs the {self.role.value} role; you are {principal.role.value}"
            )
        if principal.session_id is not None and request.method in UNSAFE_METHODS:
            check_csrf(state, request, submitted)
        return principal


ViewerRequired = Annotated[Principal, Depends(RequireRole("viewer"))]
EditorRequired = Annotated[Principal, Depends(RequireRole("editor"))]
OwnerRequired = Annotated[Principal, Depends(RequireRole("owner"))]
IngestRequired = Annotated[Principal, Depends(RequireRole("ingest"))]
#: Anyone signed in who may read the model.
CurrentUser = ViewerRequired


def session_lifetime(state: WebState) -> timedelta:
    """How long a sign-in lasts."""
    return timedelta(hours=state.settings.session_max_age_hours)
