"""``cojourney report``: the self-contained HTML journey report of a workspace.

Parses the arguments, shows a progress bar on a terminal and calls
:func:`cojourney.services.report.build_report`; nothing else. Heavy imports happen
inside the command, so ``cojourney --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import click


@click.command("report")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (replaced if it exists).")
@click.option("--journey", "journey_id", metavar="ID",
              help="The journey to report on. [default: the workspace's default journey]")
@click.option("--from", "date_from", metavar="DATE",
              help="Only journeys that start on or after DATE (2025-03-01, or an ISO date and "
                   "time; UTC unless it has an offset).")
@click.option("--to", "date_to", metavar="DATE",
              help="Only journeys that start on or before DATE (a whole day; a date and time "
                   "is the exclusive end).")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
              show_default=True, help="Where the journey analyses run.")
@click.option("--spark-master", metavar="URL",
              help="Spark master with --engine spark, e.g. spark://host:7077. [default: local[2]]")
@click.option("--events", type=click.Path(exists=True, path_type=Path), metavar="PARQUET",
              help="Report on this Parquet file or folder of Parquet files instead of the "
                   "imported events (no feedback then).")
def report(workspace: Path, output: Path, journey_id: str | None, date_from: str | None,
           date_to: str | None, engine: str, spark_master: str | None,
           events: Path | None) -> None:
    """Write the journey report of WORKSPACE: one HTML file that opens offline.

    The report holds an executive summary, the journey map with measured overlays,
    the actual-journey graph, the variant explorer, the step funnel, experience,
    agreements, value indicators, value leakage, improvements and the stakeholder
    map. Sections without data say so instead of showing numbers.

    \b
    Examples:
      cojourney report my-workspace -o report.html
      cojourney report my-workspace --from 2025-01-01 --to 2025-03-31 -o q1.html
      cojourney report my-workspace --events exports/ --engine spark -o report.html
    """
    from cojourney.services.report import build_report

    if spark_master and engine != "spark":
        raise click.UsageError("--spark-master needs --engine spark.")
    start = _instant(date_from, "--from") if date_from else None
    end = _instant(date_to, "--to") if date_to else None
    if end is not None and date_to is not None and len(date_to.strip()) <= 10:
        end = end + timedelta(days=1)  # --to names the last day
    with _progress(workspace) as on_progress:
        result = build_report(workspace, output, journey_id=journey_id, start=start, end=end,
                              engine=engine, source=events, spark_master=spark_master,
                              on_progress=on_progress)
    for section, reason in result.reasons.items():
        click.echo(f"  {section}: {reason}", err=True)
    size = result.size / 1_000_000
    click.echo(f"Wrote the journey report of {result.journey_id} to {result.output} "
               f"({size:.1f} MB, {result.seconds:.1f}s)")


def _instant(text: str, flag: str) -> datetime | date:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date (use 2025-03-01 or "
                                 "2025-03-01T08:00:00+01:00).", param_hint=flag) from None
    return value


@contextmanager
def _progress(workspace: Path) -> Iterator[Callable[[str, int, int], None] | None]:
    """A transient progress bar of the report's stages, on a terminal's stderr only."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
    name = workspace.resolve().name
    task = progress.add_task(f"{name}: starting", total=None)

    def update(stage: str, done: int, total: int) -> None:
        progress.update(task, description=f"{name}: {stage}", completed=done, total=total)

    with progress:
        yield update
