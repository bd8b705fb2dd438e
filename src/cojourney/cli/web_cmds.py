"""``cojourney db upgrade``, ``users add|list`` and ``tokens create|list|revoke``.

Each command takes ``--database-url`` (else ``COJOURNEY_DATABASE_URL``, else the
workspace's own SQLite file) and brings the database to the newest migration
before it works, so a fresh workspace needs no extra step.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cojourney.cli.common import (
    csv_option,
    emit_rows,
    json_option,
    refuse_both,
    workspace_argument,
)
from cojourney.cli.terminal import clean

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

F = TypeVar("F", bound=Callable[..., Any])

DATABASE_URL_HELP = (
    "Database of the web state (postgresql://USER@HOST/DB or sqlite:///PATH) "
    "[default: COJOURNEY_DATABASE_URL, else WORKSPACE/.cojourney/web.sqlite]."
)


def database_url_option(f: F) -> F:
    """``--database-url URL``."""
    return click.option("--database-url", metavar="URL", help=DATABASE_URL_HELP)(f)


def open_web_state(workspace: Path, database_url: str | None) -> Engine:
    """The migrated database of ``workspace`` (flag > environment > settings file > default)."""
    from cojourney.settings import load_settings
    from cojourney.storage import open_database

    settings = load_settings(database_url=database_url)
    return open_database(workspace, settings.database_url)


# ----------------------------------------------------------------------------- db


@click.group()
def db() -> None:
    """Manage the database of the web state (accounts, sessions, tokens, share links)."""


@db.command("upgrade")
@workspace_argument
@database_url_option
def db_upgrade(workspace: Path, database_url: str | None) -> None:
    """Create or migrate the web-state database of WORKSPACE to the newest schema.

    Safe to run again: a database already up to date is left as it is. 'cojourney
    serve' runs it on start too.
    """
    from cojourney.storage import current_revision, redact_url

    engine = open_web_state(workspace, database_url)
    click.echo(f"Database {redact_url(str(engine.url))} is at revision {current_revision(engine)}.")
    engine.dispose()


# -------------------------------------------------------------------------- users


@click.group()
def users() -> None:
    """Manage the accounts that sign in to the web workspace."""


@users.command("add")
@workspace_argument
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["owner", "editor", "viewer"]),
    required=True,
    help="viewer reads; editor also edits the model; owner also manages users, tokens "
    "and share links.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.",
)
@database_url_option
def users_add(
    workspace: Path, email: str, role: str, password_stdin: bool, database_url: str | None
) -> None:
    """Create an account for EMAIL in the web workspace of WORKSPACE.

    The password is asked twice without echo, or read from standard input with
    --password-stdin (for scripts: printf '%s' "$PW" | cojourney users add ...).
    Passwords are stored as argon2 hashes.
    """
    from cojourney.storage import add_user, make_session_factory

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = open_web_state(workspace, database_url)
    with make_session_factory(engine).begin() as session:
        user = add_user(session, email, password, role)
        click.echo(f"Added {clean(user.email)} ({clean(user.role)}).")
    engine.dispose()


@users.command("list")
@workspace_argument
@json_option("the accounts", "lines of text")
@csv_option("the accounts, one a row (the --json fields),")
@database_url_option
def users_list(
    workspace: Path, json_out: Path | None, csv_out: Path | None, database_url: str | None
) -> None:
    """List the accounts of the web workspace of WORKSPACE."""
    from cojourney.storage import list_users, make_session_factory

    refuse_both(json_out, csv_out)
    engine = open_web_state(workspace, database_url)
    with make_session_factory(engine)() as session:
        rows = [
            {
                "id": u.id,
                "email": u.email,
                "role": u.role,
                "disabled": u.disabled,
                "created_at": u.created_at.isoformat(timespec="seconds"),
            }
            for u in list_users(session)
        ]
    engine.dispose()
    emit_rows(
        rows,
        ("id", "email", "role", "disabled", "created_at"),
        json_out,
        csv_out,
        empty="No accounts yet: add one with 'cojourney users add WORKSPACE EMAIL --role owner'.",
        line=lambda row: (
            f"{row['id']:>4}  {clean(row['email'])}  {clean(row['role'])}"
            + (" (disabled)" if row["disabled"] else "")
        ),
    )


# ------------------------------------------------------------------------- tokens


@click.group()
def tokens() -> None:
    """Manage API tokens (sent as 'Authorization: Bearer TOKEN')."""


@tokens.command("create")
@workspace_argument
@click.option("--name", required=True, help="What the token is for, e.g. ci-ingest.")
@click.option(
    "--role",
    type=click.Choice(["editor", "viewer", "ingest"]),
    required=True,
    help="viewer reads; editor also edits the model; ingest only sends events and answers.",
)
@database_url_option
def tokens_create(workspace: Path, name: str, role: str, database_url: str | None) -> None:
    """Create an API token and print it on standard output (shown this once).

    Only a SHA-256 digest is kept, so a lost token cannot be shown again: revoke it
    and create another.
    """
    from cojourney.storage import create_token, make_session_factory

    engine = open_web_state(workspace, database_url)
    with make_session_factory(engine).begin() as session:
        token, secret = create_token(session, name, role)
        token_id = token.id
    engine.dispose()
    click.echo(secret)
    click.echo(
        f"Token {token_id} ({role}) created; keep it now, it cannot be shown again.", err=True
    )


@tokens.command("list")
@workspace_argument
@json_option("the tokens", "lines of text")
@csv_option("the tokens, one a row (the --json fields),")
@database_url_option
def tokens_list(
    workspace: Path, json_out: Path | None, csv_out: Path | None, database_url: str | None
) -> None:
    """List the API tokens of WORKSPACE (their first characters, never the secrets)."""
    from cojourney.storage import list_tokens, make_session_factory

    refuse_both(json_out, csv_out)
    engine = open_web_state(workspace, database_url)
    with make_session_factory(engine)() as session:
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "role": t.role,
                "created_at": t.created_at.isoformat(timespec="seconds"),
                "last_used_at": t.last_used_at.isoformat(timespec="seconds")
                if t.last_used_at
                else None,
                "revoked": t.revoked_at is not None,
            }
            for t in list_tokens(session)
        ]
    engine.dispose()
    emit_rows(
        rows,
        ("id", "name", "prefix", "role", "created_at", "last_used_at", "revoked"),
        json_out,
        csv_out,
        empty="No API tokens yet.",
        line=lambda row: (
            f"{row['id']:>4}  {clean(row['prefix'])}…  {clean(row['name'])}  "
            f"{clean(row['role'])}  "
            + ("revoked" if row["revoked"] else f"last used {row['last_used_at'] or 'never'}")
        ),
    )


@tokens.command("revoke")
@workspace_argument
@click.argument("token_id", type=click.IntRange(min=1))
@database_url_option
def tokens_revoke(workspace: Path, token_id: int, database_url: str | None) -> None:
    """Revoke the API token TOKEN_ID (see 'cojourney tokens list') for good."""
    from cojourney.storage import make_session_factory, revoke_token

    engine = open_web_state(workspace, database_url)
    with make_session_factory(engine).begin() as session:
        token = revoke_token(session, token_id)
        click.echo(f"Revoked token {token.id} ({clean(token.name)}).")
    engine.dispose()
