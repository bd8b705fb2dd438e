"""``cojourney report``: the self-contained HTML journey report of a workspace.

Parses the arguments, shows a progress bar on a terminal and calls
:func:`cojourney.services.report.build_report`; nothing else. Heavy imports happen
inside the command, so ``cojourney --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from cojourney.cli.common import (
    check_engine_flags,
    date_range_options,
    engine_options,
    events_option,
    journey_option,
    period,
    workspace_argument,
)
from cojourney.cli.journey_filter_options import journey_filter, journey_filter_options
from cojourney.cli.terminal import clean, console, safe
from cojourney.cli.vocabulary import to_flags
from cojourney.domain.visibility import AUDIENCES


@click.command("report")
@workspace_argument
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write (replaced if it exists).",
)
@journey_option("The journey to report on.")
@date_range_options("journeys that start")
@journey_filter_options()
@engine_options("the journey analyses")
@events_option(
    help="Report on this Parquet file or folder of Parquet files instead of the "
    "imported events (no feedback then)."
)
@click.option(
    "--audience",
    type=click.Choice(AUDIENCES),
    default="provider",
    show_default=True,
    help="provider: the whole report; consumer: a report for customers with only what they "
    "see (steps, frontstage touchpoints, their answers at them; no backstage, agreements, "
    "targets, costs or volumes).",
)
def report(
    workspace: Path,
    output: Path,
    journey_id: str | None,
    date_from: str | None,
    date_to: str | None,
    segments: tuple[str, ...],
    where: tuple[str, ...],
    personas: tuple[str, ...],
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
    events: str | Path | None,
    audience: str,
) -> None:
    """Write the journey report of WORKSPACE: one HTML file that opens offline.

    The report holds an executive summary, the journey map with measured overlays,
    the actual-journey graph, the variant explorer, the step funnel, experience,
    agreements, value indicators, value leakage, improvements and the stakeholder
    map. Sections without data say so instead of showing numbers. --segment,
    --persona, --cohort and --where report on the journeys they keep only (every
    section; the page's header names the filters).

    \b
    Examples:
      cojourney report my-workspace -o report.html
      cojourney report my-workspace --from 2025-01-01 --to 2025-03-31 -o q1.html
      cojourney report my-workspace --events exports/ --engine spark -o report.html
      cojourney report my-workspace --audience consumer -o for-customers.html
      cojourney report my-workspace --persona anna -o anna.html
    """
    from cojourney.services.report import build_report

    check_engine_flags(engine, spark_master, spark_remote)
    start, end = period(workspace, date_from, date_to)
    with _progress(workspace) as on_progress:
        result = build_report(
            workspace,
            output,
            journey_id=journey_id,
            start=start,
            end=end,
            engine=engine,
            source=events,
            spark_master=spark_master,
            spark_remote=spark_remote,
            on_progress=on_progress,
            audience=audience,
            filters=journey_filter(segments, where, personas),
        )
    for section, reason in result.reasons.items():
        click.echo(clean(to_flags(f"  {section}: {reason}")), err=True)
    size = result.size / 1_000_000
    what = "consumer report" if audience == "consumer" else "journey report"
    click.echo(
        clean(
            f"Wrote the {what} of {result.journey_id} to {result.output} "
            f"({size:.1f} MB, {result.seconds:.1f}s)"
        )
    )


@contextmanager
def _progress(workspace: Path) -> Iterator[Callable[[str, int, int], None] | None]:
    """A transient progress bar of the report's stages, on a terminal's stderr only."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,
    )
    name = safe(workspace.resolve().name)
    task = progress.add_task(f"{name}: starting", total=None)

    def update(stage: str, done: int, total: int) -> None:
        progress.update(task, description=f"{name}: {safe(stage)}", completed=done, total=total)

    with progress:
        yield update
