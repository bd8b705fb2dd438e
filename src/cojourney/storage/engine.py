"""Engines and sessions: SQLite inside the workspace by default, PostgreSQL by URL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from cojourney.errors import InputError, Location, Problem

log = logging.getLogger(__name__)

#: Where the web state of a workspace lives, relative to the workspace folder.
STATE_FOLDER = ".cojourney"
SQLITE_FILE = "web.sqlite"
#: How long SQLite waits for another writer before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 5000

_FIELD = "database_url"
_EXPECTED = "sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE"


def default_database_url(workspace: str | Path) -> str:
    """The SQLite file of ``workspace``: ``<workspace>/.cojourney/web.sqlite``.

    >>> default_database_url("/srv/journeys")
    'sqlite:////srv/journeys/.cojourney/web.sqlite'
    """
    path = Path(workspace).absolute() / STATE_FOLDER / SQLITE_FILE
    return f"sqlite:///{path.as_posix()}"


def database_url_for(workspace: str | Path, url: str | None = None) -> str:
    """``url`` when given, else the workspace's SQLite file (its folder is created).

    The folder ``.cojourney`` gets a ``.gitignore`` so the web state is not committed
    with the journeys.
    """
    if url:
        return normalize_url(url)
    folder = Path(workspace)
    if not folder.is_dir():
        raise InputError(
            Problem(
                "the workspace folder does not exist",
                Location(str(folder)),
                hint="create one with 'cojourney init DIR' or name an existing workspace",
            )
        )
    state = folder / STATE_FOLDER
    state.mkdir(exist_ok=True)
    ignore = state / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# cojourney web state: accounts, sessions, tokens\n*\n", "utf-8")
    return default_database_url(folder)


def normalize_url(url: str) -> str:
    """Name the pure-Python PostgreSQL driver (pg8000) when a URL names none.

    >>> normalize_url("postgres://u@h/db")
    'postgresql+pg8000://u@h/db'
    >>> normalize_url("sqlite:///web.sqlite")
    'sqlite:///web.sqlite'
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+pg8000://" + url[len(prefix) :]
    return url


def redact_url(url: str) -> str:
    """The URL with its password hidden, for messages and logs.

    >>> redact_url("postgresql+pg8000://app:s3cret@db/cj")
    'postgresql+pg8000://app:***@db/cj'
    """
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable URL>"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` (SQLite: WAL, busy timeout and foreign keys switched on).

    Nothing is connected until first use. Raises :class:`~cojourney.errors.InputError`
    naming ``database_url`` when the URL cannot be used.
    """
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(
            Problem(
                "the database URL cannot be read",
                Location(field=_FIELD),
                found=redact_url(url),
                expected=_EXPECTED,
            )
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise InputError(
            Problem(
                f"unsupported database {backend!r}",
                Location(field=_FIELD),
                found=redact_url(url),
                expected=_EXPECTED,
            )
        )
    try:
        if backend == "sqlite":
            # Web requests hop between threads; SQLAlchemy's pool keeps each
            # connection to one request at a time.
            kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(parsed, pool_pre_ping=backend == "postgresql", **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise InputError(
            Problem(
                f"the database driver is not installed ({exc})",
                Location(field=_FIELD),
                found=redact_url(url),
                hint="use postgresql:// (pg8000 is installed) or sqlite:///PATH",
            )
        ) from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    log.debug("engine for %s", redact_url(url))
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine`` whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
