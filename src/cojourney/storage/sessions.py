"""Browser sessions: a random id in an HttpOnly cookie, its SHA-256 in the database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cojourney.storage.hashing import digest, new_secret
from cojourney.storage.models import User, WebSession, utcnow


def create_session(session: Session, user: User, lifetime: timedelta) -> str:
    """Start a session for ``user``; returns the id to put in the cookie."""
    session_id = new_secret()
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.add(
        WebSession(
            id_hash=digest(session_id), user_id=user.id, created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return session_id


def session_user(session: Session, session_id: str) -> User | None:
    """The enabled user of a live session, else ``None``."""
    row = session.scalars(
        select(WebSession).where(WebSession.id_hash == digest(session_id))
    ).first()
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return user


def end_session(session: Session, session_id: str) -> None:
    """Forget a session (sign-out)."""
    session.execute(delete(WebSession).where(WebSession.id_hash == digest(session_id)))
    session.flush()
