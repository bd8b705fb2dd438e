"""The access page for owners: accounts, API tokens and share links, through plain HTML forms.

Every form posts its ``csrf_token``; the routes call the same storage and service
functions as the JSON API (``/api/users``, ``/api/tokens``, ``/api/share-links``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from cojourney.errors import CojourneyError, InputError
from cojourney.services.sharing import DEFAULT_EXPIRY, create_share, link_state, parse_expiry
from cojourney.storage import (
    TOKEN_ROLES,
    add_user,
    create_token,
    list_share_links,
    list_tokens,
    list_users,
    revoke_share_link,
    revoke_token,
)
from cojourney.storage.accounts import USER_ROLES
from cojourney.web.api_docs import ItemId
from cojourney.web.deps import DbSession, OwnerRequired, State
from cojourney.web.state import web_state
from cojourney.web.templating import render

router = APIRouter(prefix="/access", include_in_schema=False)


def _page(request: Request, db: DbSession, status_code: int = 200, **extra: Any) -> Response:
    try:
        journeys = [(j.id, j.name) for j in web_state(request).reader.workspace().journeys]
    except CojourneyError:  # the workspace has problems: no journey to share until fixed
        journeys = []
    context = {
        "users": list_users(db),
        "tokens": list_tokens(db),
        "share_links": [(link, link_state(link)) for link in list_share_links(db)],
        "journeys": journeys,
        "default_expiry": DEFAULT_EXPIRY,
        "new_share_url": None,
        "user_roles": [r.value for r in USER_ROLES],
        "token_roles": [r.value for r in TOKEN_ROLES],
        "problems": [],
        "new_token": None,
        **extra,
    }
    return render(request, "access.html", context, status_code=status_code)


@router.get("")
def access_page(request: Request, db: DbSession, owner: OwnerRequired) -> Response:
    """Accounts and API tokens, with forms to add and revoke them."""
    return _page(request, db)


@router.post("/users")
def access_add_user(
    request: Request,
    db: DbSession,
    owner: OwnerRequired,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Add an account, then show the page again."""
    try:
        add_user(db, email, password, role)
    except InputError as exc:
        db.rollback()
        return _page(request, db, 422, problems=[p.render() for p in exc.problems])
    db.commit()
    return RedirectResponse("/access", status_code=303)


@router.post("/tokens")
def access_create_token(
    request: Request,
    db: DbSession,
    owner: OwnerRequired,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    """Create an API token and show it, this once."""
    created_by = owner.id if owner.kind == "user" else None
    try:
        _token, secret = create_token(db, name, role, created_by=created_by)
    except InputError as exc:
        db.rollback()
        return _page(request, db, 422, problems=[p.render() for p in exc.problems])
    db.commit()
    response = _page(request, db, 201, new_token=secret)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/tokens/{token_id}/revoke")
def access_revoke_token(token_id: ItemId, db: DbSession, owner: OwnerRequired) -> Response:
    """Revoke an API token, then show the page again."""
    revoke_token(db, token_id)
    db.commit()
    return RedirectResponse("/access", status_code=303)


@router.post("/share-links")
def access_create_share_link(
    request: Request,
    state: State,
    db: DbSession,
    owner: OwnerRequired,
    journey_id: Annotated[str, Form(max_length=200)],
    expires: Annotated[str, Form(max_length=20)] = DEFAULT_EXPIRY,
) -> Response:
    """Create a consumer share link to a journey and show it, this once."""
    created_by = owner.id if owner.kind == "user" else None
    try:
        created = create_share(
            db,
            state.reader.workspace(),
            journey_id,
            expires_in=parse_expiry(expires),
            base_url=str(request.base_url),
            created_by=created_by,
        )
    except InputError as exc:
        db.rollback()
        return _page(request, db, 422, problems=[p.render() for p in exc.problems])
    db.commit()
    response = _page(request, db, 201, new_share_url=created.url)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/share-links/{link_id}/revoke")
def access_revoke_share_link(link_id: ItemId, db: DbSession, owner: OwnerRequired) -> Response:
    """Revoke a share link, then show the page again."""
    revoke_share_link(db, link_id)
    db.commit()
    return RedirectResponse("/access", status_code=303)
