"""Share links: one journey shown to an audience without an account, until revoked or expired."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.storage.hashing import digest, new_secret
from cojourney.storage.models import ShareLink, utcnow, valid_id

log = logging.getLogger(__name__)

#: Who a share link is for; the consumer audience sees only the consumer-safe view.
AUDIENCES: tuple[str, ...] = ("consumer", "team")


def create_share_link(
    session: Session,
    journey_id: str,
    audience: str,
    *,
    expires_at: datetime | None = None,
    created_by: int | None = None,
) -> tuple[ShareLink, str]:
    """A new link to ``journey_id``; returns the stored row and the secret for the URL."""
    problems = []
    if audience not in AUDIENCES:
        problems.append(
            Problem(
                "unknown audience",
                Location(field="audience"),
                found=repr(audience),
                expected=" | ".join(AUDIENCES),
            )
        )
    if not journey_id.strip():
        problems.append(Problem("a share link needs a journey id", Location(field="journey_id")))
    if expires_at is not None and expires_at <= utcnow():
        problems.append(
            Problem(
                "the expiry is in the past",
                Location(field="expires_at"),
                found=expires_at.isoformat(),
                hint="choose a time in the future, or none for a link that does not expire",
            )
        )
    if problems:
        raise InputError(problems)
    secret = new_secret()
    link = ShareLink(
        token_hash=digest(secret),
        journey_id=journey_id,
        audience=audience,
        expires_at=expires_at,
        created_by=created_by,
    )
    session.add(link)
    session.flush()
    log.info("created share link %d for journey %s (%s)", link.id, journey_id, audience)
    return link, secret


def list_share_links(session: Session, journey_id: str | None = None) -> list[ShareLink]:
    """Share links, oldest first, optionally of one journey."""
    query = select(ShareLink).order_by(ShareLink.id)
    if journey_id is not None:
        query = query.where(ShareLink.journey_id == journey_id)
    return list(session.scalars(query))


def revoke_share_link(session: Session, link_id: int) -> ShareLink:
    """Revoke a share link for good (revoking twice changes nothing)."""
    link = session.get(ShareLink, link_id) if valid_id(link_id) else None
    if link is None:
        raise NotFound(f"no share link with id {link_id}")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.flush()
    return link


def resolve_share_link(session: Session, secret: str) -> ShareLink | None:
    """The live (not revoked, not expired) link whose secret is ``secret``."""
    link = session.scalars(select(ShareLink).where(ShareLink.token_hash == digest(secret))).first()
    if link is None or link.revoked_at is not None:
        return None
    if link.expires_at is not None and link.expires_at <= utcnow():
        return None
    return link
