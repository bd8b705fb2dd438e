"""Which at-risk alerts were delivered already (table ``sent_alerts``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from cojourney.storage.models import SentAlert

__all__ = ["mark_sent", "unsent_keys"]


def unsent_keys(db: Session, keys: Iterable[str]) -> set[str]:
    """The ``keys`` not delivered yet."""
    wanted = set(keys)
    if not wanted:
        return set()
    sent: set[str] = set()
    listed = sorted(wanted)
    for start in range(0, len(listed), 500):
        chunk = listed[start : start + 500]
        sent.update(db.scalars(select(SentAlert.key).where(SentAlert.key.in_(chunk))))
    return wanted - sent


def mark_sent(db: Session, alerts: Iterable[tuple[str, str]]) -> None:
    """Record ``(key, journey_id)`` pairs as delivered (the caller commits)."""
    for key, journey_id in alerts:
        if db.get(SentAlert, key) is None:
            db.add(SentAlert(key=key, journey_id=journey_id))
