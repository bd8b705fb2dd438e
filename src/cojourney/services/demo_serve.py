"""The demo served: an owner account for the demo workspace, and a share link to try.

``make demo`` (``cojourney demo build --serve``) builds the demo, then calls
:func:`prepare_demo_site` and starts ``cojourney serve`` on 127.0.0.1. The demo owner
gets a fresh random password on every run (printed, never stored in clear), so a
demo left running is not open to anyone who read the docs.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from cojourney.services.sharing import DEFAULT_BASE_URL, create_share
from cojourney.services.workspaces import open_workspace

log = logging.getLogger(__name__)

#: The demo owner's sign-in.
DEMO_OWNER_EMAIL = "demo@cojourney.local"
#: Letters and digits easy to copy from a terminal (no 0/O, 1/l/I).
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class DemoSite:
    """How to sign in to the served demo, and a consumer share link of its journey."""

    email: str
    password: str
    share_url: str


def prepare_demo_site(
    workspace: str | Path,
    *,
    database_url: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> DemoSite:
    """Create (or give a new password to) the demo owner of ``workspace`` and make a
    30-day consumer share link to its default journey (earlier demo links are revoked).

    Parameters
    ----------
    workspace
        The demo workspace folder.
    database_url
        The web-state database; the workspace's own SQLite file when None.
    base_url
        Where the server will be reached, for the share link.
    """
    from datetime import timedelta

    from cojourney.storage import (
        add_user,
        list_share_links,
        make_session_factory,
        open_database,
        revoke_share_link,
    )
    from cojourney.storage.accounts import set_password, user_by_email

    model = open_workspace(workspace)
    password = "".join(secrets.choice(_ALPHABET) for _ in range(20))
    engine = open_database(workspace, database_url)
    try:
        with make_session_factory(engine).begin() as db:
            owner = user_by_email(db, DEMO_OWNER_EMAIL)
            if owner is None:
                owner = add_user(db, DEMO_OWNER_EMAIL, password, "owner")
            else:
                set_password(db, owner, password)
                owner.disabled = False
            for link in list_share_links(db):
                if link.created_by == owner.id and link.revoked_at is None:
                    revoke_share_link(db, link.id)
            shared = create_share(
                db,
                model,
                model.journey(None).id,
                expires_in=timedelta(days=30),
                base_url=base_url,
                created_by=owner.id,
            )
    finally:
        engine.dispose()
    log.info("demo owner %s ready; share link %d", DEMO_OWNER_EMAIL, shared.id)
    return DemoSite(DEMO_OWNER_EMAIL, password, shared.url)
