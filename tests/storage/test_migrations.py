"""Migrations: up from empty, idempotent, matching the models, down and up again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from cojourney.errors import InputError
from cojourney.storage import (
    Base,
    current_revision,
    database_url_for,
    head_revision,
    make_engine,
    normalize_url,
    upgrade,
)
from cojourney.storage.migrate import DatabaseUnavailable


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_from_empty_creates_every_table(engine: Engine) -> None:
    assert current_revision(engine) is None
    assert not _tables(engine) & set(Base.metadata.tables)
    assert upgrade(engine) == head_revision()
    assert set(Base.metadata.tables) <= _tables(engine)
    assert current_revision(engine) == head_revision()


def test_upgrade_is_idempotent(engine: Engine) -> None:
    first = upgrade(engine)
    second = upgrade(engine)
    assert first == second == current_revision(engine)


def test_migrations_match_the_models(engine: Engine) -> None:
    """A model change without a migration fails here (autogenerate finds a difference)."""
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    from alembic import command

    from cojourney.storage.migrate import _config

    upgrade(engine)
    command.downgrade(_config(engine), "base")
    assert current_revision(engine) is None
    assert not _tables(engine) & set(Base.metadata.tables)
    upgrade(engine)
    assert set(Base.metadata.tables) <= _tables(engine)


def test_plain_postgresql_urls_get_the_pg8000_driver() -> None:
    assert normalize_url("postgresql://u:p@h:5432/d") == "postgresql+pg8000://u:p@h:5432/d"
    assert make_engine("postgresql://u@h/d").dialect.driver == "pg8000"


@pytest.mark.parametrize(
    ("url", "words"),
    [("mysql://u@h/d", "unsupported database"), ("not a url", "cannot be read")],
)
def test_unusable_urls_name_the_setting(url: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        make_engine(url)
    assert words in str(caught.value)
    assert "database_url" in str(caught.value)
    assert "--database-url" not in str(caught.value)


def test_unreachable_database_is_a_clear_error_without_password() -> None:
    engine = make_engine("postgresql://someone:hunter2@127.0.0.1:9/nowhere")
    with pytest.raises(DatabaseUnavailable) as caught:
        upgrade(engine)
    message = str(caught.value)
    assert "cannot be used" in message
    assert "hunter2" not in message


def test_default_database_is_inside_the_workspace(tmp_path) -> None:
    url = database_url_for(tmp_path)
    assert url == f"sqlite:///{(tmp_path / '.cojourney' / 'web.sqlite').as_posix()}"
    assert (tmp_path / ".cojourney" / ".gitignore").read_text().strip().endswith("*")
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert (mode, keys) == ("wal", 1)
    engine.dispose()


def test_missing_workspace_is_refused(tmp_path) -> None:
    with pytest.raises(InputError, match="workspace folder does not exist"):
        database_url_for(tmp_path / "nope")
