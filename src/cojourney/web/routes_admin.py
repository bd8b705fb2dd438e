"""The JSON API for owners: accounts, API tokens and share links."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from cojourney.services.sharing import share_url
from cojourney.storage import (
    ApiToken,
    ShareLink,
    User,
    add_user,
    create_share_link,
    create_token,
    list_share_links,
    list_tokens,
    list_users,
    revoke_share_link,
    revoke_token,
)
from cojourney.storage.models import utcnow
from cojourney.web.api_docs import AUTH_RESPONSES, NOT_FOUND, WORKSPACE, ItemId
from cojourney.web.deps import DbSession, OwnerRequired, State

router = APIRouter(prefix="/api", tags=["access"], responses=AUTH_RESPONSES)


class UserOut(BaseModel):
    """An account as shown to owners (never its password hash)."""

    id: int
    email: str
    role: str
    disabled: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            role=user.role,
            disabled=user.disabled,
            created_at=user.created_at,
        )


class UserCreate(BaseModel):
    """A new account."""

    email: str = Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    role: Literal["owner", "editor", "viewer"]
    password: str = Field(
        min_length=8, max_length=1024, description="At least password_min_length characters."
    )


class TokenOut(BaseModel):
    """An API token as listed: its first characters, never the secret."""

    id: int
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            role=token.role,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )


class TokenCreate(BaseModel):
    """A new API token."""

    name: str = Field(max_length=200)
    role: Literal["editor", "viewer", "ingest"]


class TokenCreated(TokenOut):
    """A new token with its secret, shown this once."""

    token: str


class ShareLinkOut(BaseModel):
    """A share link as listed (never its secret)."""

    id: int
    journey_id: str
    audience: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, link: ShareLink) -> ShareLinkOut:
        return cls(
            id=link.id,
            journey_id=link.journey_id,
            audience=link.audience,
            created_at=link.created_at,
            expires_at=link.expires_at,
            revoked_at=link.revoked_at,
        )


class ShareLinkCreate(BaseModel):
    """A new share link to one journey."""

    journey_id: str = Field(max_length=200)
    audience: Literal["consumer", "team"] = "consumer"
    expires_in_days: int | None = Field(None, gt=0, le=3650)


class ShareLinkCreated(ShareLinkOut):
    """A new share link with its secret, shown this once, and the link to hand out."""

    token: str
    url: str = Field(description="The page the link opens: BASE_URL/s/TOKEN, no sign-in.")


@router.get("/users")
def get_users(db: DbSession, owner: OwnerRequired) -> list[UserOut]:
    """Every account."""
    return [UserOut.of(u) for u in list_users(db)]


@router.post("/users", status_code=201)
def post_user(body: UserCreate, db: DbSession, owner: OwnerRequired) -> UserOut:
    """Create an account."""
    user = add_user(db, body.email, body.password, body.role)
    db.commit()
    return UserOut.of(user)


@router.get("/tokens")
def get_tokens(db: DbSession, owner: OwnerRequired) -> list[TokenOut]:
    """Every API token, revoked ones included."""
    return [TokenOut.of(t) for t in list_tokens(db)]


@router.post("/tokens", status_code=201)
def post_token(body: TokenCreate, db: DbSession, owner: OwnerRequired) -> TokenCreated:
    """Create an API token; the response holds the secret, shown this once."""
    created_by = owner.id if owner.kind == "user" else None
    token, secret = create_token(db, body.name, body.role, created_by=created_by)
    db.commit()
    return TokenCreated(**TokenOut.of(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", responses=NOT_FOUND)
def delete_token(token_id: ItemId, db: DbSession, owner: OwnerRequired) -> TokenOut:
    """Revoke an API token."""
    token = revoke_token(db, token_id)
    db.commit()
    return TokenOut.of(token)


@router.get("/share-links")
def get_share_links(db: DbSession, owner: OwnerRequired) -> list[ShareLinkOut]:
    """Every share link, revoked and expired ones included."""
    return [ShareLinkOut.of(s) for s in list_share_links(db)]


@router.post("/share-links", status_code=201, responses={**WORKSPACE, **NOT_FOUND})
def post_share_link(
    request: Request, body: ShareLinkCreate, state: State, db: DbSession, owner: OwnerRequired
) -> ShareLinkCreated:
    """Create a share link to a journey of the workspace."""
    state.reader.workspace().require("journeys", body.journey_id)
    expires = utcnow() + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    created_by = owner.id if owner.kind == "user" else None
    link, secret = create_share_link(
        db, body.journey_id, body.audience, expires_at=expires, created_by=created_by
    )
    db.commit()
    url = share_url(str(request.base_url), secret)
    return ShareLinkCreated(**ShareLinkOut.of(link).model_dump(), token=secret, url=url)


@router.delete("/share-links/{link_id}", responses=NOT_FOUND)
def delete_share_link(link_id: ItemId, db: DbSession, owner: OwnerRequired) -> ShareLinkOut:
    """Revoke a share link."""
    link = revoke_share_link(db, link_id)
    db.commit()
    return ShareLinkOut.of(link)
