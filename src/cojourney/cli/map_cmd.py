"""``cojourney map``: journey maps, stakeholder maps and service blueprints as files."""

from __future__ import annotations

from pathlib import Path

import click

from cojourney.cli.common import date_range_options, period
from cojourney.cli.journey_filter_options import journey_filter, journey_filter_options
from cojourney.cli.terminal import clean
from cojourney.services.maps import AUDIENCES, FORMATS, KINDS


@click.command("map")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write.",
)
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="journey",
    show_default=True,
    help="journey: the journey map; stakeholders: the power/interest map with its history; "
    "blueprint: the service blueprint.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="html (a self-contained page), svg, or mermaid (journey syntax). "
    "Default: from the output file's suffix, else html.",
)
@click.option(
    "--journey",
    "journey_id",
    metavar="ID",
    help="The journey to draw (default: the workspace's default journey).",
)
@click.option(
    "--audience",
    type=click.Choice(AUDIENCES),
    default="provider",
    show_default=True,
    help="provider: everything; consumer: only what the customer sees (steps, frontstage and "
    "customer-only touchpoints; no backstage, teams, goals or notes of the provider). "
    "Journey maps only.",
)
@click.option(
    "--measured",
    is_flag=True,
    help="Draw the measured overlay on the journey map: journeys per touchpoint, drop-off "
    "per step, median time at each touchpoint and the measured emotion, and against the "
    "design: waits beyond the designed durations, satisfaction with its 95% interval and n, "
    "the status of the SLA clocks covering each step, the moments of truth and the worst "
    "leaks (needs imported events). --from, --to, --segment, --where and --persona draw "
    "it for the journeys they keep only.",
)
@date_range_options("journeys that start (measured map)")
@journey_filter_options()
def map_(
    path: Path,
    output: Path,
    kind: str,
    fmt: str | None,
    journey_id: str | None,
    audience: str,
    measured: bool,
    date_from: str | None,
    date_to: str | None,
    segments: tuple[str, ...],
    where: tuple[str, ...],
    personas: tuple[str, ...],
) -> None:
    """Draw the workspace at PATH as a picture that opens offline.

    With --measured, --from, --to, --segment, --where and --persona keep whole journeys:
    every measured mark describes only the journeys they keep.

    \b
    Examples:
      cojourney map my-workspace -o map.html
      cojourney map my-workspace -o map.svg --measured --persona student
    """
    from cojourney.services.maps import draw_map

    start, end = period(path, date_from, date_to)
    filters = journey_filter(segments, where, personas, start, end)

    written = draw_map(
        path,
        output,
        kind=kind,
        fmt=fmt,
        journey_id=journey_id,
        audience=audience,
        measured=measured,
        journey_filter=filters,
    )
    click.echo(f"Wrote {kind} map to {clean(written)}")
