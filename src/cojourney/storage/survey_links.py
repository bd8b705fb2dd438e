"""Survey links: a touchpoint's question answered by anyone holding the link, until disabled.

Only the SHA-256 of a link's token is kept, as for share links. The one-time nonce of
each answered form is kept (its digest) so that a replayed form is refused.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.storage.hashing import digest, new_secret
from cojourney.storage.models import SurveyAnswerNonce, SurveyLink, utcnow, valid_id

log = logging.getLogger(__name__)

#: How a link ties answers to a journey: ``anonymous`` (each answer its own journey id,
#: a signed ``j`` accepted), ``signed`` (a signed journey id in the link is required).
JOURNEY_POLICIES: tuple[str, ...] = ("anonymous", "signed")


def create_survey_link(
    session: Session,
    touchpoint: str,
    question: str,
    *,
    journey_policy: str = "anonymous",
    created_by: int | None = None,
) -> tuple[SurveyLink, str]:
    """A new link asking ``question`` at ``touchpoint``; returns the row and the URL secret."""
    if journey_policy not in JOURNEY_POLICIES:
        raise InputError(
            Problem(
                "unknown journey policy",
                Location(field="survey_link.journey_policy"),
                found=repr(journey_policy),
                expected=" | ".join(JOURNEY_POLICIES),
            )
        )
    secret = new_secret(nbytes=24)
    link = SurveyLink(
        token_hash=digest(secret),
        touchpoint=touchpoint,
        question=question,
        journey_policy=journey_policy,
        created_by=created_by,
    )
    session.add(link)
    session.flush()
    log.info("created survey link %d for touchpoint %s (%s)", link.id, touchpoint, question)
    return link, secret


def list_survey_links(session: Session, touchpoint: str | None = None) -> list[SurveyLink]:
    """Survey links, oldest first, optionally of one touchpoint."""
    query = select(SurveyLink).order_by(SurveyLink.id)
    if touchpoint is not None:
        query = query.where(SurveyLink.touchpoint == touchpoint)
    return list(session.scalars(query))


def disable_survey_link(session: Session, link_id: int) -> SurveyLink:
    """Disable a survey link for good (disabling twice changes nothing)."""
    link = session.get(SurveyLink, link_id) if valid_id(link_id) else None
    if link is None:
        raise NotFound(f"no survey link with id {link_id}")
    if link.disabled_at is None:
        link.disabled_at = utcnow()
        session.flush()
    return link


def resolve_survey_link(session: Session, secret: str) -> SurveyLink | None:
    """The enabled link whose secret is ``secret``."""
    link = session.scalars(
        select(SurveyLink).where(SurveyLink.token_hash == digest(secret))
    ).first()
    if link is None or link.disabled_at is not None:
        return None
    return link


def consume_nonce(session: Session, link_id: int, nonce: str) -> bool:
    """Mark ``nonce`` used in the session's transaction; ``False`` when it was used before
    (a replayed form). The caller commits once the answer is written, or rolls back."""
    hashed = digest(nonce)
    if session.get(SurveyAnswerNonce, hashed) is not None:
        return False
    session.add(SurveyAnswerNonce(nonce_hash=hashed, link_id=link_id))
    try:
        session.flush()
    except IntegrityError:  # another process recorded it in between
        session.rollback()
        return False
    return True
