"""``cojourney demo``: the flagship demo."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from cojourney.cli.terminal import clean
from cojourney.cli.terminal import console as terminal_console
from cojourney.cli.vocabulary import deprecated_alias


def _day(text: str) -> datetime:
    """A ``YYYY-MM-DD`` value of a deprecated spelling, read like its replacement."""
    return click.DateTime(formats=["%Y-%m-%d"]).convert(text, None, None)


@click.group()
def demo() -> None:
    """The flagship demos: the eCampus and incident workspaces, their maps, simulated logs."""


#: ``demo build``'s folder when none is given, by example.
_DEMO_FOLDERS = {
    "ecampus-car-share": "out/ecampus-demo",
    "incident-resolution": "out/incident-demo",
}


@demo.command("build")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option(
    "--example",
    type=click.Choice(list(_DEMO_FOLDERS)),
    default="ecampus-car-share",
    show_default=True,
    help="The example to build: the eCampus car share (journeys are members) or "
    "incident resolution (journeys are incidents, with priorities, SLA clocks paused "
    "while waiting for the user, escalations and reopened tickets).",
)
@click.option(
    "-n",
    "--journeys",
    type=click.IntRange(min=0),
    default=3000,
    show_default=True,
    metavar="N",
    help="Journeys (eCampus members, or incidents) to simulate into the workspace's event "
    "store; 0 draws the maps only.",
)
@click.option(
    "--seed",
    type=int,
    default=7,
    show_default=True,
    help="Random seed of the simulation; the same seed gives the same journeys.",
)
@click.option(
    "--serve/--no-serve",
    default=False,
    show_default=True,
    help="Then create the demo owner account (a new password each run), print the sign-in "
    "and a share link, and serve the web workspace on http://127.0.0.1:8000/ until Ctrl+C.",
)
@click.pass_context
def build(
    ctx: click.Context,
    folder: Path | None,
    example: str,
    journeys: int,
    seed: int,
    serve: bool,
) -> None:
    """Build a demo in FOLDER: workspace, maps, simulated journeys, report.

    Creates (or refreshes) FOLDER/workspace from the example (eCampus Car Share unless
    --example says otherwise), draws its journey map, stakeholder map and service
    blueprint as HTML, simulates N journeys and their survey answers into its event
    store, and writes the journey report. Every file opens offline in a browser. FOLDER
    defaults to out/ecampus-demo, or out/incident-demo for incident-resolution. With
    --serve ('make demo' does it), the web workspace is then served on 127.0.0.1 with a
    demo owner account.
    """
    from cojourney.services.demo import build_demo

    out = build_demo(
        folder if folder is not None else Path(_DEMO_FOLDERS[example]),
        example=example,
        journeys=journeys,
        seed=seed,
        on_stage=lambda text: click.echo(f"... {text}", err=True),
    )
    click.echo(f"Demo workspace:    {clean(out.workspace)}")
    click.echo(f"Journey map:       {clean(out.journey_map)}")
    click.echo(f"Stakeholder map:   {clean(out.stakeholder_map)}")
    click.echo(f"Service blueprint: {clean(out.blueprint)}")
    if out.report is not None:
        measured = f", {out.measurements:,} measurements" if out.measurements else ""
        click.echo(
            f"Simulated:         {out.events:,} events, {out.answers:,} survey answers{measured}"
        )
        click.echo(f"Journey report:    {clean(out.report)}")
    click.echo("Open the .html files in a browser; they work offline.")
    if serve:
        _serve_demo(ctx, out.workspace)


def _serve_demo(ctx: click.Context, workspace: Path) -> None:
    """Print the demo owner's sign-in and a share link, then serve until Ctrl+C."""
    from cojourney.cli.serve_cmd import serve as serve_command
    from cojourney.services.demo_serve import prepare_demo_site

    host, port = "127.0.0.1", 8000
    site = prepare_demo_site(workspace, base_url=f"http://{host}:{port}")
    click.echo("")
    click.echo(f"Web workspace:     http://{host}:{port}/")
    click.echo(f"Sign in as:        {site.email}")
    click.echo(f"Password:          {site.password}   (new on every run)")
    click.echo(f"Customers' view:   {site.share_url}")
    click.echo("Stop the server with Ctrl+C.")
    ctx.invoke(serve_command, workspace=workspace, host=host, port=port, database_url=None)


@demo.command("simulate")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-n",
    "--journeys",
    type=click.IntRange(min=1),
    required=True,
    metavar="N",
    help="How many journeys to simulate: eCampus members, or incidents.",
)
@click.option(
    "--seed",
    type=int,
    default=7,
    show_default=True,
    help="Random seed; the same seed and options give the same logs.",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write DIR/events.parquet and DIR/feedback.parquet (eCampus: also "
    "DIR/measurements.parquet) instead of importing into the workspace's event store.",
)
@deprecated_alias("--out", "out", "--output", convert=Path, metavar="DIR")
@click.option(
    "--from",
    "start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="DATE",
    help="First day journeys may start (local time). [default: the example's period]",
)
@deprecated_alias("--start", "start", "--from", convert=_day, metavar="DATE")
@click.option(
    "--to",
    "end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="DATE",
    help="Last day journeys may start (local time). [default: the example's period]",
)
@deprecated_alias("--end", "end", "--to", convert=_day, metavar="DATE")
def simulate(
    workspace: Path,
    journeys: int,
    seed: int,
    out: Path | None,
    start: datetime | None,
    end: datetime | None,
) -> None:
    """Simulate event and feedback logs for an example workspace.

    WORKSPACE must be made from the ecampus-car-share or incident-resolution example
    (`cojourney init DIR --example NAME`). Without --output the logs are imported into
    the workspace's event store; running the same simulation again adds nothing.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cojourney.services.simulation import simulate as run

    console = terminal_console(stderr=True)
    columns = (
        TextColumn("Simulating journeys"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task("simulate", total=journeys)
        result = run(
            workspace,
            journeys,
            seed=seed,
            out=out,
            start=start.date() if start else None,
            end=end.date() if end else None,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    click.echo(
        f"Simulated {result.journeys:,} journeys of {result.example} "
        f"(seed {result.seed}, starting {result.start}..{result.end})"
    )
    if result.events_path is not None:
        click.echo(f"Events:  {result.events:>12,}  {clean(result.events_path)}")
        click.echo(f"Answers: {result.answers:>12,}  {clean(result.feedback_path)}")
        if result.measurements_path is not None:
            click.echo(
                f"Measurements: {result.measurements:>7,}  {clean(result.measurements_path)}"
            )
        return
    if result.already_imported:
        click.echo(
            f"Already in the event store: {result.events:,} events and {result.answers:,} "
            "answers from an earlier run of the same simulation; nothing added."
        )
        return
    for label, count, record in (
        ("Events: ", result.events, result.events_import),
        ("Answers:", result.answers, result.feedback_import),
    ):
        where = f"import #{record.id}" if record is not None else "nothing to import"
        click.echo(f"{label} {count:>12,}  {where}")
    if result.measurements:
        click.echo(f"Measurements: {result.measurements:>7,}  telematics, billing, monitoring")
    click.echo(f"Event store: {clean(workspace / 'data' / 'events.duckdb')}")
