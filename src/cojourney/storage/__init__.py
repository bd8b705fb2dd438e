"""Web state: accounts, sessions, API tokens, share links, versions, the secret key.

Everything the web workspace keeps outside the YAML workspace lives in one database
reached through SQLAlchemy 2: by default a SQLite file inside the workspace
(``.cojourney/web.sqlite``), or PostgreSQL by URL. The schema is owned by the Alembic
migrations shipped in :mod:`cojourney.storage.migrations` and applied with
:func:`upgrade`; nothing is created at import time.

>>> normalize_url("postgresql://app@db/cojourney")
'postgresql+pg8000://app@db/cojourney'
"""

from __future__ import annotations

from cojourney.storage.accounts import Role, add_user, authenticate, list_users, user_by_id
from cojourney.storage.engine import (
    database_url_for,
    default_database_url,
    make_engine,
    make_session_factory,
    normalize_url,
    redact_url,
)
from cojourney.storage.keys import secret_key
from cojourney.storage.migrate import current_revision, head_revision, open_database, upgrade
from cojourney.storage.models import (
    ApiToken,
    Base,
    KeyValue,
    ShareLink,
    User,
    Version,
    WebSession,
)
from cojourney.storage.sessions import create_session, end_session, session_user
from cojourney.storage.share_links import (
    create_share_link,
    list_share_links,
    resolve_share_link,
    revoke_share_link,
)
from cojourney.storage.tokens import (
    TOKEN_ROLES,
    create_token,
    list_tokens,
    revoke_token,
    token_by_secret,
)
from cojourney.storage.versions import get_version, list_versions, save_version

__all__ = [
    "TOKEN_ROLES",
    "ApiToken",
    "Base",
    "KeyValue",
    "Role",
    "ShareLink",
    "User",
    "Version",
    "WebSession",
    "add_user",
    "authenticate",
    "create_session",
    "create_share_link",
    "create_token",
    "current_revision",
    "database_url_for",
    "default_database_url",
    "end_session",
    "get_version",
    "head_revision",
    "list_share_links",
    "list_tokens",
    "list_users",
    "list_versions",
    "make_engine",
    "make_session_factory",
    "normalize_url",
    "open_database",
    "redact_url",
    "resolve_share_link",
    "revoke_share_link",
    "revoke_token",
    "save_version",
    "secret_key",
    "session_user",
    "token_by_secret",
    "upgrade",
    "user_by_id",
]
