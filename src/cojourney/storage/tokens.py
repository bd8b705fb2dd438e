"""API tokens: ``Authorization: Bearer TOKEN`` for scripts, CI and event ingestion.

A token is shown once, when created; the database keeps its SHA-256 digest and its
first characters (to recognise it in a list).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.storage.accounts import Role, parse_role
from cojourney.storage.hashing import digest, new_secret
from cojourney.storage.models import ApiToken, utcnow, valid_id

log = logging.getLogger(__name__)

TOKEN_ROLES: tuple[Role, ...] = (Role.EDITOR, Role.VIEWER, Role.INGEST)
TOKEN_PREFIX = "cjt_"
PREFIX_SHOWN = 8
#: How stale ``last_used_at`` may be.
LAST_USE_PRECISION = timedelta(minutes=1)


def create_token(
    session: Session, name: str, role: str, created_by: int | None = None
) -> tuple[ApiToken, str]:
    """A new token named ``name``; returns the stored row and the secret (shown once)."""
    label = name.strip()
    if not label or len(label) > 200:
        raise InputError(
            Problem(
                "a token needs a name of 1 to 200 characters",
                Location(field="name"),
                found=repr(name)[:80],
                hint="name it after its use, e.g. 'ci-ingest'",
            )
        )
    chosen = parse_role(role, TOKEN_ROLES)
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(
        name=label,
        prefix=secret[:PREFIX_SHOWN],
        token_hash=digest(secret),
        role=chosen.value,
        created_by=created_by,
    )
    session.add(token)
    session.flush()
    log.info("created API token %d %r (%s)", token.id, label, chosen.value)
    return token, secret


def list_tokens(session: Session, *, include_revoked: bool = True) -> list[ApiToken]:
    """Tokens, oldest first."""
    query = select(ApiToken).order_by(ApiToken.id)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return list(session.scalars(query))


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Revoke a token for good (revoking twice changes nothing)."""
    token = session.get(ApiToken, token_id) if valid_id(token_id) else None
    if token is None:
        raise NotFound(f"no API token with id {token_id} (list them to see their ids)")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        log.info("revoked API token %d %r", token.id, token.name)
    return token


def token_by_secret(session: Session, secret: str) -> ApiToken | None:
    """The live token whose secret is ``secret`` (its last use is recorded)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
        token.last_used_at = now  # not on every request: a busy script would write each time
        session.flush()
    return token
