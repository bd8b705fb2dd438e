"""Storage fixtures: every test runs on SQLite and, when reachable, on PostgreSQL.

PostgreSQL is used when ``COJOURNEY_TEST_POSTGRES_URL`` names a server (for example
``postgresql://postgres@127.0.0.1:5432/test``): one uniquely named database is created
for the test session and dropped at its end; each test gets an empty schema in it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cojourney.storage import make_engine, make_session_factory, upgrade

POSTGRES_ENV = "COJOURNEY_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set: the PostgreSQL variant of this test is skipped")
    name = f"cojourney_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        admin.dispose()
        pytest.skip(f"PostgreSQL at {POSTGRES_ENV} cannot create a database: {exc}")
    url = make_url(make_engine(server).url).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or an emptied schema of the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'web.sqlite'}"
    url: str = request.getfixturevalue("postgres_database")
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the empty database (not migrated)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on the migrated database."""
    upgrade(engine)
    with make_session_factory(engine)() as session:
        yield session
