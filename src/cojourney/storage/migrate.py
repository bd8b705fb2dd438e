"""Schema migrations: the Alembic scripts shipped in this package, run from code.

Users need no ``alembic.ini``: :func:`upgrade` builds Alembic's configuration in
memory, points it at :mod:`cojourney.storage.migrations` and runs it on the given
engine. Upgrading a database that is already current does nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from cojourney.errors import CojourneyError
from cojourney.storage.engine import database_url_for, make_engine, redact_url

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseUnavailable(CojourneyError):
    """The web-state database cannot be reached or written."""

    exit_code = 5


def _config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of cojourney."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except (OperationalError, DBAPIError) as exc:
        raise _unavailable(engine, exc) from None


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the database up to ``revision`` (the newest by default); return the revision.

    Idempotent: a database already at ``revision`` is left as it is.
    """
    before = current_revision(engine)
    try:
        command.upgrade(_config(engine), revision)
    except (OperationalError, DBAPIError) as exc:
        raise _unavailable(engine, exc) from None
    after = current_revision(engine)
    if before != after:
        log.info("database %s upgraded from %s to %s", redact_url(str(engine.url)), before, after)
    assert after is not None
    return after


def _unavailable(engine: Engine, exc: Exception) -> DatabaseUnavailable:
    cause = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:300]
    return DatabaseUnavailable(
        f"the web-state database {redact_url(engine.url.render_as_string(hide_password=True))} "
        f"cannot be used: {cause} (check the database URL, that the server is running "
        "and that the account may create tables)"
    )


def open_database(workspace: str | Path, url: str | None = None) -> Engine:
    """An engine on the web state of ``workspace``, migrated to the newest revision.

    ``url`` names the database (PostgreSQL or SQLite); without it, the workspace's
    own SQLite file is used (and created).
    """
    engine = make_engine(database_url_for(workspace, url))
    upgrade(engine)
    return engine
