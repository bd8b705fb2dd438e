"""Share links to a journey's consumer view: what ``cojourney share`` and the access page share.

A share link is ``BASE_URL/s/TOKEN``; the database keeps only the token's digest
(:mod:`cojourney.storage.share_links`), so the link is shown once, when created. Links
expire (``DEFAULT_EXPIRY`` unless told otherwise) and can be revoked at any time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cojourney.errors import InputError, Location, Problem

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

    from cojourney.domain import Workspace
    from cojourney.storage import ShareLink

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_EXPIRY",
    "CreatedShareLink",
    "create_share",
    "link_state",
    "parse_expiry",
    "share_url",
]

#: Where ``cojourney serve`` listens by default.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
#: How long a link lives unless told otherwise.
DEFAULT_EXPIRY = "30d"
#: Longest life of a link.
MAX_EXPIRY = timedelta(days=3650)

_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_DURATION = re.compile(r"^\s*(\d{1,6})\s*([hdw])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class CreatedShareLink:
    """A new share link: its id, journey, expiry and the full URL (shown this once)."""

    id: int
    journey_id: str
    expires_at: datetime | None
    url: str


def parse_expiry(text: str | None, field: str = "expires") -> timedelta | None:
    """How long a link lives: ``12h``, ``30d``, ``2w``; ``never`` (or empty) for no expiry.

    >>> parse_expiry("30d"), parse_expiry("never")
    (datetime.timedelta(days=30), None)
    """
    if text is None or text.strip().lower() in ("", "never", "none"):
        return None
    match = _DURATION.match(text)
    life = int(match.group(1)) * _UNITS[match.group(2).lower()] if match else None
    if life is None or not timedelta(0) < life <= MAX_EXPIRY:
        raise InputError(
            Problem(
                "not a valid lifetime for a share link",
                Location(field=field),
                found=repr(text)[:40],
                expected="a number of hours, days or weeks up to 10 years (12h, 30d, 2w) or never",
            )
        )
    return life


def share_url(base_url: str, secret: str) -> str:
    """The link people open.

    >>> share_url("http://127.0.0.1:8000/", "abc")
    'http://127.0.0.1:8000/s/abc'
    """
    return f"{base_url.rstrip('/')}/s/{secret}"


def create_share(
    session: Session,
    workspace: Workspace,
    journey_id: str,
    *,
    expires_in: timedelta | None,
    base_url: str = DEFAULT_BASE_URL,
    created_by: int | None = None,
) -> CreatedShareLink:
    """A consumer share link to ``journey_id`` of ``workspace`` (NotFound when it has none).

    The caller commits ``session``.
    """
    from cojourney.storage import create_share_link

    workspace.require("journeys", journey_id)
    expires_at = datetime.now(UTC) + expires_in if expires_in is not None else None
    link, secret = create_share_link(
        session, journey_id, "consumer", expires_at=expires_at, created_by=created_by
    )
    return CreatedShareLink(link.id, link.journey_id, link.expires_at, share_url(base_url, secret))


def link_state(link: ShareLink, now: datetime | None = None) -> str:
    """``live``, ``expired`` or ``revoked``."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at is not None and link.expires_at <= (now or datetime.now(UTC)):
        return "expired"
    return "live"
