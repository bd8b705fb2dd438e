"""``db upgrade``, ``users`` and ``tokens`` through the CLI's entry point, on both databases."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from cojourney.cli.main import main
from cojourney.storage import current_revision, head_revision, make_engine

PASSWORD = "correct horse battery"


def run(capsys: Any, *args: str, stdin: str | None = None, monkeypatch: Any = None) -> tuple:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    return folder


def test_db_upgrade_is_idempotent(capsys: Any, workspace: Path, database_url: str) -> None:
    for _ in range(2):
        code, out, err = run(
            capsys, "db", "upgrade", str(workspace), "--database-url", database_url
        )
        assert code == 0, err
        assert f"revision {head_revision()}" in out
    engine = make_engine(database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_default_database_is_the_workspace_sqlite_file(capsys: Any, workspace: Path) -> None:
    code, out, _ = run(capsys, "db", "upgrade", str(workspace))
    assert code == 0
    assert (workspace / ".cojourney" / "web.sqlite").is_file()
    assert ".cojourney/web.sqlite" in out


def test_environment_names_the_database(
    capsys: Any, workspace: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    target = tmp_path / "elsewhere.sqlite"
    monkeypatch.setenv("COJOURNEY_DATABASE_URL", f"sqlite:///{target}")
    assert run(capsys, "db", "upgrade", str(workspace))[0] == 0
    assert target.is_file()
    assert not (workspace / ".cojourney" / "web.sqlite").exists()


def test_users_and_tokens(
    capsys: Any, monkeypatch: Any, workspace: Path, database_url: str
) -> None:
    db = ("--database-url", database_url)
    ws = str(workspace)
    code, out, err = run(
        capsys, "users", "add", ws, "Ada@Example.org", "--role", "owner", "--password-stdin", *db,
        stdin=PASSWORD + "\n", monkeypatch=monkeypatch,
    )  # fmt: skip
    assert code == 0, err
    assert "ada@example.org (owner)" in out
    code, _, err = run(
        capsys, "users", "add", ws, "ada@example.org", "--role", "viewer", "--password-stdin", *db,
        stdin=PASSWORD + "\n", monkeypatch=monkeypatch,
    )  # fmt: skip
    assert code == 2 and "exists already" in err
    code, out, _ = run(capsys, "users", "list", ws, "--json", "-", *db)
    assert [(u["email"], u["role"]) for u in json.loads(out)] == [("ada@example.org", "owner")]

    code, out, err = run(capsys, "tokens", "create", ws, "--name", "ci", "--role", "ingest", *db)
    assert code == 0
    secret = out.strip()
    assert secret.startswith("cjt_") and "\n" not in secret  # only the token on stdout
    assert "cannot be shown again" in err
    code, out, _ = run(capsys, "tokens", "list", ws, "--json", "-", *db)
    listed = json.loads(out)
    assert secret not in out
    assert [(t["name"], t["role"], t["revoked"]) for t in listed] == [("ci", "ingest", False)]
    code, out, _ = run(capsys, "tokens", "revoke", ws, str(listed[0]["id"]), *db)
    assert code == 0 and "Revoked" in out
    code, out, _ = run(capsys, "tokens", "list", ws, "--json", "-", *db)
    assert json.loads(out)[0]["revoked"] is True
    code, _, err = run(capsys, "tokens", "revoke", ws, "999", *db)
    assert code == 3 and "no API token" in err


def test_short_password_is_refused_by_field(capsys: Any, monkeypatch: Any, workspace: Path) -> None:
    code, _, err = run(
        capsys, "users", "add", str(workspace), "a@b.org", "--role", "viewer", "--password-stdin",
        stdin="short\n", monkeypatch=monkeypatch,
    )  # fmt: skip
    assert code == 2
    assert "[password]" in err and "at least" in err


def test_serve_migrates_then_runs_uvicorn(capsys: Any, monkeypatch: Any, workspace: Path) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen.update(kwargs, app=app)

    monkeypatch.setattr("uvicorn.run", fake_run)
    access = logging.getLogger("cojourney.web.access")
    monkeypatch.setattr(access, "handlers", [])
    monkeypatch.setattr(access, "propagate", True)
    monkeypatch.setattr(access, "level", logging.NOTSET)
    code, _, err = run(capsys, "serve", str(workspace), "--port", "8123")
    assert code == 0, err
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert current_revision(seen["app"].state.web.engine) == head_revision()
    assert "users add" in err  # tells how to create the first account
    assert access.level == logging.INFO and len(access.handlers) == 1  # JSON lines on stderr


def test_users_add_asks_for_the_password_twice_without_echo(workspace: Path) -> None:
    from click.testing import CliRunner

    from cojourney.cli.web_cmds import users

    runner = CliRunner()
    mismatch = runner.invoke(
        users, ["add", str(workspace), "a@b.org", "--role", "editor"], input="one\ntwo\n" * 3
    )
    assert mismatch.exit_code != 0
    result = runner.invoke(
        users,
        ["add", str(workspace), "a@b.org", "--role", "editor"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input
    assert "Repeat for confirmation" in result.output
    assert "a@b.org (editor)" in result.output
