"""The secret key that signs cookies and CSRF tokens: configured, or generated once."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cojourney.storage.models import KeyValue

log = logging.getLogger(__name__)

SECRET_KEY = "secret_key"


def secret_key(session: Session, configured: str | None = None) -> str:
    """``configured`` when set, else the key kept in the database (generated on first use).

    Two servers starting at once agree: the first insert wins, the other reads it.
    """
    if configured:
        return configured
    row = session.get(KeyValue, SECRET_KEY)
    if row is not None:
        return row.value
    value = secrets.token_urlsafe(48)
    try:
        with session.begin_nested():
            session.add(KeyValue(key=SECRET_KEY, value=value))
    except IntegrityError:
        row = session.get(KeyValue, SECRET_KEY)
        assert row is not None
        return row.value
    log.info("generated the secret key of this web workspace")
    return value
