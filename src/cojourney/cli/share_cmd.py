"""``cojourney share create|list|revoke``: links that show a journey to its customers."""

from __future__ import annotations

from pathlib import Path

import click

from cojourney.cli.common import (
    csv_option,
    emit_rows,
    json_option,
    refuse_both,
    workspace_argument,
)
from cojourney.cli.terminal import clean
from cojourney.cli.web_cmds import database_url_option, open_web_state
from cojourney.services.sharing import DEFAULT_BASE_URL, DEFAULT_EXPIRY


@click.group()
def share() -> None:
    """Share a journey with its customers: links to a read-only consumer view.

    A share link opens the journey as its customers see it (steps, consumer-facing
    touchpoints, what the customer does, thinks and feels), with nothing of the
    backstage, and without an account. Links expire and can be revoked.
    """


@share.command("create")
@workspace_argument
@click.option("--journey", "journey_id", required=True, metavar="ID", help="The journey to share.")
@click.option(
    "--expires",
    default=DEFAULT_EXPIRY,
    show_default=True,
    metavar="DURATION",
    help="How long the link works: hours, days or weeks (12h, 30d, 2w), or 'never'.",
)
@click.option(
    "--base-url",
    default=DEFAULT_BASE_URL,
    show_default=True,
    metavar="URL",
    help="Address people reach 'cojourney serve' at; the link is URL/s/TOKEN.",
)
@database_url_option
def share_create(
    workspace: Path, journey_id: str, expires: str, base_url: str, database_url: str | None
) -> None:
    """Create a share link to a journey of WORKSPACE and print it (shown this once).

    Only a digest of the link's token is kept: a lost link cannot be shown again;
    revoke it and create another.
    """
    from cojourney.errors import InputError
    from cojourney.services.sharing import create_share, parse_expiry
    from cojourney.services.workspaces import open_workspace
    from cojourney.storage import make_session_factory

    try:
        life = parse_expiry(expires, field="--expires")
    except InputError as exc:
        raise click.BadParameter(exc.problems[0].expected or "", param_hint="--expires") from exc
    model = open_workspace(workspace)
    engine = open_web_state(workspace, database_url)
    with make_session_factory(engine).begin() as session:
        created = create_share(session, model, journey_id, expires_in=life, base_url=base_url)
    engine.dispose()
    click.echo(clean(created.url))
    until = (
        f"until {created.expires_at:%Y-%m-%d %H:%M} UTC" if created.expires_at else "until revoked"
    )
    click.echo(
        f"Share link {created.id} to journey {clean(created.journey_id)} works {until}; keep it now, "
        "it cannot be shown again ('cojourney share revoke' withdraws it).",
        err=True,
    )


@share.command("list")
@workspace_argument
@json_option("the share links", "lines of text")
@csv_option("the share links, one a row (the --json fields),")
@database_url_option
def share_list(
    workspace: Path, json_out: Path | None, csv_out: Path | None, database_url: str | None
) -> None:
    """List the share links of WORKSPACE (never their tokens)."""
    from cojourney.services.sharing import link_state
    from cojourney.storage import list_share_links, make_session_factory

    refuse_both(json_out, csv_out)
    engine = open_web_state(workspace, database_url)
    with make_session_factory(engine)() as session:
        rows = [
            {
                "id": link.id,
                "journey_id": link.journey_id,
                "audience": link.audience,
                "created_at": link.created_at.isoformat(timespec="seconds"),
                "expires_at": link.expires_at.isoformat(timespec="seconds")
                if link.expires_at
                else None,
                "state": link_state(link),
            }
            for link in list_share_links(session)
        ]
    engine.dispose()
    emit_rows(
        rows,
        ("id", "journey_id", "audience", "created_at", "expires_at", "state"),
        json_out,
        csv_out,
        empty="No share links yet: create one with 'cojourney share create'.",
        line=lambda row: (
            f"{row['id']:>4}  {clean(row['journey_id'])}  {row['state']}  "
            + (f"expires {row['expires_at']}" if row["expires_at"] else "no expiry")
        ),
    )


@share.command("revoke")
@workspace_argument
@click.argument("link_id", type=click.IntRange(min=1))
@database_url_option
def share_revoke(workspace: Path, link_id: int, database_url: str | None) -> None:
    """Revoke the share link LINK_ID (see 'cojourney share list') for good."""
    from cojourney.storage import make_session_factory, revoke_share_link

    engine = open_web_state(workspace, database_url)
    with make_session_factory(engine).begin() as session:
        link = revoke_share_link(session, link_id)
        click.echo(f"Revoked share link {link.id} to journey {clean(link.journey_id)}.")
    engine.dispose()
