"""``cojourney survey link|list|disable``: public survey links at the touchpoints."""

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
from cojourney.services.sharing import DEFAULT_BASE_URL


@click.group()
def survey() -> None:
    """Ask customers at the touchpoints: public survey links and their QR codes.

    A survey link opens a one-question page (the touchpoint's CSAT, CES, NPS or a
    question of surveys.yaml, and an optional comment) that anyone can answer without
    an account, on a phone, without JavaScript. Answers go into the workspace's
    feedback log like imported ones. Links can be disabled.
    """


@survey.command("link")
@workspace_argument
@click.option(
    "--touchpoint", required=True, metavar="ID", help="The touchpoint whose question is asked."
)
@click.option(
    "--question",
    metavar="KIND",
    help="csat, ces, nps, emotion or a question of surveys.yaml "
    "(default: the one surveys.yaml asks there, else csat).",
)
@click.option(
    "--journey",
    "journey_id",
    metavar="ID",
    help="Tie the answers to this journey id (signed into the link, so it cannot be changed).",
)
@click.option(
    "--qr",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write the link as a QR code to FILE (.svg or .png).",
)
@click.option(
    "--base-url",
    default=DEFAULT_BASE_URL,
    show_default=True,
    metavar="URL",
    help="Address people reach 'cojourney serve' at; the link is URL/survey/TOKEN.",
)
@database_url_option
def survey_link(
    workspace: Path,
    touchpoint: str,
    question: str | None,
    journey_id: str | None,
    qr: Path | None,
    base_url: str,
    database_url: str | None,
) -> None:
    """Create a survey link at a touchpoint of WORKSPACE and print it (shown this once)."""
    from cojourney.services.survey_links import QR_FORMATS, create_link, write_qr
    from cojourney.services.workspaces import open_workspace
    from cojourney.settings import load_settings
    from cojourney.storage import make_session_factory, secret_key

    if qr is not None and qr.suffix.lower() not in QR_FORMATS:
        raise click.BadParameter("the QR code file must end in .svg or .png", param_hint="--qr")
    model = open_workspace(workspace)
    settings = load_settings(database_url=database_url)
    engine = open_web_state(workspace, database_url)
    try:
        with make_session_factory(engine).begin() as session:
            key = secret_key(session, settings.secret_key)
            created = create_link(
                session,
                model,
                touchpoint,
                secret_key=key,
                base_url=base_url,
                question=question,
                journey_id=journey_id,
            )
            if qr is not None:
                write_qr(created.url, qr)
            link_id = created.link.id
    finally:
        engine.dispose()
    click.echo(clean(created.url))
    journey = f" for journey {clean(journey_id)}" if journey_id else ""
    click.echo(
        f"Survey link {link_id} asks {clean(created.question.id)} at {clean(touchpoint)}{journey}; "
        "keep it "
        "now, it cannot be shown again ('cojourney survey disable' withdraws it).",
        err=True,
    )
    if qr is not None:
        click.echo(f"Wrote {clean(qr)}", err=True)


@survey.command("list")
@workspace_argument
@json_option("the survey links", "lines of text")
@csv_option("the survey links, one a row (the --json fields),")
@database_url_option
def survey_list(
    workspace: Path, json_out: Path | None, csv_out: Path | None, database_url: str | None
) -> None:
    """List the survey links of WORKSPACE (never their tokens)."""
    from cojourney.storage import make_session_factory
    from cojourney.storage.survey_links import list_survey_links

    refuse_both(json_out, csv_out)
    engine = open_web_state(workspace, database_url)
    with make_session_factory(engine)() as session:
        rows = [
            {
                "id": link.id,
                "touchpoint": link.touchpoint,
                "question": link.question,
                "journey_policy": link.journey_policy,
                "created_at": link.created_at.isoformat(timespec="seconds"),
                "state": "disabled" if link.disabled_at else "active",
            }
            for link in list_survey_links(session)
        ]
    engine.dispose()
    emit_rows(
        rows,
        ("id", "touchpoint", "question", "journey_policy", "created_at", "state"),
        json_out,
        csv_out,
        empty="No survey links yet: create one with 'cojourney survey link'.",
        line=lambda row: (
            f"{row['id']:>4}  {clean(row['touchpoint'])}  {clean(row['question'])}  "
            f"{clean(row['journey_policy'])}  {row['state']}"
        ),
    )


@survey.command("disable")
@workspace_argument
@click.argument("link_id", type=click.IntRange(min=1))
@database_url_option
def survey_disable(workspace: Path, link_id: int, database_url: str | None) -> None:
    """Disable the survey link LINK_ID (see 'cojourney survey list') for good."""
    from cojourney.storage import make_session_factory
    from cojourney.storage.survey_links import disable_survey_link

    engine = open_web_state(workspace, database_url)
    with make_session_factory(engine).begin() as session:
        link = disable_survey_link(session, link_id)
        click.echo(f"Disabled survey link {link.id} at touchpoint {clean(link.touchpoint)}.")
    engine.dispose()
