"""``cojourney analyze``: process discovery on an event log, or a workspace's journeys.

``cojourney analyze FILE`` discovers the process of one event log
(:func:`cojourney.services.discovery.discover_log`); ``cojourney analyze WORKSPACE``
compares the workspace's imported events with a designed journey
(:func:`cojourney.services.analysis.analyze_workspace`). This module parses
arguments and formats output only. Heavy imports (DuckDB, Ibis, Spark, rich) happen
inside the command, so ``cojourney --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cojourney.cli.common import (
    check_engine_flags,
    csv_option,
    date_range_options,
    emit_csv,
    engine_options,
    events_option,
    null_value_texts,
    period,
    refuse_both,
    refuse_given,
    separator,
)
from cojourney.cli.common import emit as _emit
from cojourney.cli.group_options import where_arguments, where_options
from cojourney.cli.journey_tables import duration as _duration
from cojourney.cli.terminal import console as _console
from cojourney.cli.terminal import safe
from cojourney.cli.vocabulary import deprecated_alias

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.analytics.journey_results import JourneyAnalysis
    from cojourney.analytics.results import DiscoverySummary

#: Directly-follows rows shown in the terminal (all of them go to --json).
SHOWN_DIRECTLY_FOLLOWS = 30


_BY_HELP = (
    "WORKSPACE: break the key numbers down by this (repeatable): segment, persona, "
    "cohort (month of the first event), segments (the named segments), channel (entry "
    "channel), month, week, offering, relationship, or any case attribute. "
    "[default: segment, channel, month]"
)
#: Options of the FILE form only, and of the WORKSPACE form only (parameter names).
_FILE_ONLY = (
    "case_column",
    "activity_column",
    "timestamp_column",
    "timestamp_format",
    "sep",
    "quote",
    "null_values",
    "on_error",
    "classifier",
    "object_type",
)
_WORKSPACE_ONLY = (
    "journey_id",
    "events",
    "date_from",
    "date_to",
    "segments",
    "variant",
    "breakdown_by",
    "where",
    "personas",
)


@click.command()
@click.argument("source", metavar="FILE|WORKSPACE", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--case",
    "case_column",
    metavar="COLUMN",
    help="Column with the journey (case) id. [default: case:concept:name]",
)
@click.option(
    "--activity",
    "activity_column",
    metavar="COLUMN",
    help="Column with the activity (touchpoint). [default: concept:name]",
)
@click.option(
    "--timestamp",
    "timestamp_column",
    metavar="COLUMN",
    help="Column with the event time. [default: time:timestamp]",
)
@click.option(
    "--timestamp-format",
    metavar="FMT",
    help="strftime format of text timestamps, e.g. '%Y/%m/%d %H:%M:%S.%f' "
    "(%f takes 1-6 digits). [default: ISO 8601, offsets honoured]",
)
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    metavar="TZ",
    help="Time zone of timestamps written without an offset.",
)
@click.option(
    "--sep",
    metavar="CHAR",
    help="CSV field separator ('\\t' or 'tab' for tab). [default: detected]",
)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    metavar="ENC",
    help="Text encoding of CSV and JSON Lines files (latin-1, cp1252, utf-16, ...).",
)
@click.option("--quote", metavar="CHAR", help="CSV quote character. [default: detected]")
@click.option(
    "--null-value",
    "null_values",
    multiple=True,
    metavar="TEXT",
    help="CSV cell text meaning 'no value' (repeatable); the empty cell always does.",
)
@click.option(
    "--on-error",
    type=click.Choice(["fail", "skip"]),
    default="fail",
    show_default=True,
    help="fail: an event without journey id, activity or readable timestamp refuses "
    "the file. skip: analyse the others (PM4Py drops them silently).",
)
@deprecated_alias("--skip-incomplete", "on_error", "--on-error skip", flag_value="skip")
@click.option(
    "--classifier",
    metavar="KEYS",
    help="XES: the attribute(s) naming the activity, joined by '+' "
    "(e.g. concept:name+lifecycle:transition). [default: concept:name]",
)
@click.option(
    "--object-type", metavar="TYPE", help="OCEL: the object type whose objects become the journeys."
)
@engine_options()
@click.option(
    "--top",
    "top_variants",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="How many variants to list.",
)
@click.option(
    "--journey",
    "journey_id",
    metavar="ID",
    help="WORKSPACE: the designed journey to compare with. [default: the "
    "workspace's default journey]",
)
@events_option(
    help="WORKSPACE: analyse this Parquet file or folder of Parquet files instead "
    "of the imported events."
)
@date_range_options("journeys that start (WORKSPACE)")
@click.option(
    "--segment",
    "segments",
    multiple=True,
    metavar="SEGMENT",
    help="WORKSPACE: only journeys of this segment (repeatable).",
)
@click.option(
    "--variant",
    type=click.IntRange(min=1),
    metavar="N",
    help="WORKSPACE: only journeys of the N-th most frequent variant.",
)
@where_options("journeys (WORKSPACE)")
@click.option("--by", "breakdown_by", multiple=True, metavar="DIMENSION|ATTRIBUTE", help=_BY_HELP)
@click.option(
    "--json",
    "json_out",
    metavar="OUT.json",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
    help="Write the results as JSON (- for standard output) instead of tables.",
)
@csv_option("the top variants (--top of them; activities joined by ' → ')")
def analyze(
    source: Path,
    case_column: str | None,
    activity_column: str | None,
    timestamp_column: str | None,
    timestamp_format: str | None,
    timezone: str,
    sep: str | None,
    encoding: str,
    quote: str | None,
    null_values: tuple[str, ...],
    on_error: str,
    classifier: str | None,
    object_type: str | None,
    engine: str | None,
    spark_master: str | None,
    spark_remote: str | None,
    top_variants: int,
    journey_id: str | None,
    events: str | Path | None,
    date_from: str | None,
    date_to: str | None,
    segments: tuple[str, ...],
    variant: int | None,
    breakdown_by: tuple[str, ...],
    where: tuple[str, ...],
    personas: tuple[str, ...],
    json_out: Path | None,
    csv_out: Path | None,
) -> int:
    """Discover the process in an event log FILE, or analyse a WORKSPACE's journeys.

    With a WORKSPACE folder: its imported events (or --events) are compared with a
    designed journey: the actual-journey graph, variants, entry and exit, rework, the
    step funnel and onboarding, gates, conformance and fitness, and breakdowns by
    segment, persona, cohort, channel, period or any case attribute (--by).

    FILE is a CSV, TSV, Parquet, JSON Lines, XES (.xes, .xes.gz) or OCEL 2.0
    (.jsonocel, .sqlite; with --object-type) event log. The
    columns default to the XES names (case:concept:name, concept:name,
    time:timestamp); otherwise name them with --case, --activity and --timestamp.
    Events of a journey are ordered by time, ties kept in file order; times are
    read as UTC unless they carry an offset (or --timezone says otherwise).

    \b
    Examples:
      cojourney analyze receipt.csv
      cojourney analyze sepsis.csv --sep ';' --case 'Case ID' --activity Activity \\
          --timestamp 'Complete Timestamp' --timestamp-format '%Y/%m/%d %H:%M:%S.%f'
      cojourney analyze log.xes.gz --engine spark --json result.json
      cojourney analyze my-workspace --journey main-journey --from 2024-01-01 --to 2024-03-31
      cojourney analyze my-workspace --events exports/ --segment students --json -
      cojourney analyze my-workspace --where channel=app --by persona --by cohort
    """
    check_engine_flags(engine, spark_master, spark_remote)
    refuse_both(json_out, csv_out)
    given = click.get_current_context().params
    if source.is_dir():
        refuse_given(given, _FILE_ONLY, "applies to an event log FILE, not to a workspace")
        journey_filter = _journey_filter(
            source, date_from, date_to, segments, variant, where_arguments(where, personas)
        )
        started = time.perf_counter()
        result = _run_workspace(
            source,
            engine,
            (spark_master, spark_remote),
            journey_id,
            events,
            journey_filter,
            breakdown_by or ("segment", "channel", "month"),
            top_variants,
        )
        elapsed = time.perf_counter() - started
        if json_out is not None:
            _write_workspace_json(result, source, json_out)
        elif csv_out is not None:
            _write_variants_csv(result.variants.top, csv_out, designed=True)
        else:
            from cojourney.cli.journey_tables import print_journey_analysis

            print_journey_analysis(result, source.resolve().name, elapsed)
        return 0
    refuse_given(given, _WORKSPACE_ONLY, "applies to a WORKSPACE folder, not to an event log file")

    from cojourney.services.discovery import discover_log

    started = time.perf_counter()
    with _progress(source) as (on_progress, on_stage):
        summary = discover_log(
            source,
            journey_id=case_column,
            activity=activity_column,
            timestamp=timestamp_column,
            timestamp_format=timestamp_format,
            time_zone=timezone,
            sep=separator(sep),
            encoding=encoding,
            quote=quote,
            null_values=null_value_texts(null_values, quote),
            on_error="skip" if on_error == "skip" else "fail",
            classifier=classifier,
            object_type=object_type,
            engine=engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
            top_variants=top_variants,
            on_progress=on_progress,
            on_stage=on_stage,
        )
    elapsed = time.perf_counter() - started
    if json_out is not None:
        _write_json(summary, source, json_out)
    elif csv_out is not None:
        _write_variants_csv(summary.top_variants, csv_out, designed=False)
    else:
        _print_tables(summary, source, elapsed)
    return 0


def _write_variants_csv(variants: Sequence[Any], out: Path, *, designed: bool) -> None:
    """The variants as CSV, numbers raw; against a designed journey (``designed``) with
    their fitness and whether they enter mid-way or leave early."""
    columns = ["rank", "journeys", "share", "mean_duration_seconds"]
    columns += ["fitness", "starts_in_middle", "ends_early"] if designed else []
    rows = []
    for rank, v in enumerate(variants, 1):
        row: list[object] = [rank, v.journeys, v.share, v.mean_duration_seconds]
        if designed:
            row += [v.fitness, v.starts_in_middle, v.ends_early]
        rows.append([*row, " → ".join(v.activities)])
    emit_csv([*columns, "activities"], rows, out)


def _journey_filter(
    workspace: Path,
    date_from: str | None,
    date_to: str | None,
    segments: tuple[str, ...],
    variant: int | None,
    groups: dict[str, Any],
) -> JourneyFilter:
    from cojourney.analytics.filters import JourneyFilter

    start, end = period(workspace, date_from, date_to)
    return JourneyFilter(start=start, end=end, segments=segments, variant=variant, **groups)


def _run_workspace(
    workspace: Path,
    engine: str | None,
    spark: tuple[str | None, str | None],
    journey_id: str | None,
    events: str | Path | None,
    journey_filter: JourneyFilter,
    breakdown_by: tuple[str, ...],
    top_variants: int,
) -> JourneyAnalysis:
    from cojourney.services.analysis import analyze_workspace

    with _progress(workspace) as (_, on_stage):
        return analyze_workspace(
            workspace,
            journey_id=journey_id,
            engine=engine,
            source=events,
            filters=journey_filter,
            breakdown_by=breakdown_by,
            top_variants=top_variants,
            spark_master=spark[0],
            spark_remote=spark[1],
            on_stage=on_stage,
        )


def _write_workspace_json(result: JourneyAnalysis, workspace: Path, out: Path) -> None:
    document = {
        "workspace": str(workspace),
        "computed_with": f"cojourney {_version()} ({result.engine})",
        **result.to_dict(),
    }
    _emit(json.dumps(document, indent=1, ensure_ascii=False), out)


@contextmanager
def _progress(
    source: Path,
) -> Iterator[tuple[Callable[[int], None] | None, Callable[[str], None] | None]]:
    """A transient spinner with the events read so far, on a terminal's stderr only."""
    if not sys.stderr.isatty():
        yield None, None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=_console(stderr=True),
        transient=True,
    )
    name = safe(source.resolve().name)
    task = progress.add_task(f"{name}: starting", total=None)
    with progress:
        yield (
            lambda n: progress.update(task, description=f"{name}: reading, {n:,} events"),
            lambda stage: progress.update(task, description=f"{name}: {stage}"),
        )


def _write_json(summary: DiscoverySummary, source: Path, out: Path) -> None:
    from cojourney.analytics.results import CONVENTIONS

    document = {
        "log": source.name,
        "computed_with": f"cojourney {_version()} ({summary.engine})",
        "conventions": CONVENTIONS,
        **summary.to_reference_dict(),
    }
    _emit(json.dumps(document, indent=1, ensure_ascii=False), out)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cojourney")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _print_tables(summary: DiscoverySummary, source: Path, elapsed: float) -> None:
    from rich.table import Table

    console = _console()
    c, d = summary.counts, summary.case_durations
    console.print(
        f"[bold]{safe(source.name)}[/]: {c.journeys:,} journeys, {c.events:,} events, "
        f"{c.activities:,} activities, {summary.variant_count:,} variants "
        f"[dim]({summary.engine}, {elapsed:.2f}s)[/]"
    )
    console.print(
        f"Journey duration: mean {_duration(d.mean)}, median {_duration(d.median)}, "
        f"min {_duration(d.min)}, max {_duration(d.max)}"
    )

    variants = Table(title=f"Top {len(summary.top_variants)} variants", title_justify="left")
    for name, justify in (
        ("#", "right"),
        ("journeys", "right"),
        ("share", "right"),
        ("mean duration", "right"),
        ("activities", "left"),
    ):
        variants.add_column(name, justify=justify)  # type: ignore[arg-type]
    for rank, v in enumerate(summary.top_variants, 1):
        variants.add_row(
            str(rank),
            f"{v.journeys:,}",
            f"{v.share:.1%}",
            _duration(v.mean_duration_seconds),
            safe(" → ".join(v.activities)),
        )
    console.print(variants)

    for title, counts in (
        ("Start activities", summary.start_activities),
        ("End activities", summary.end_activities),
    ):
        table = Table(title=title, title_justify="left")
        table.add_column("activity")
        table.add_column("journeys", justify="right")
        for activity, n in counts.items():
            table.add_row(safe(activity), f"{n:,}")
        console.print(table)

    shown = summary.directly_follows[:SHOWN_DIRECTLY_FOLLOWS]
    dfg = Table(
        title=f"Directly-follows ({len(shown)} of {len(summary.directly_follows)})",
        title_justify="left",
    )
    for name in ("from", "to", "events", "journeys", "mean", "median", "p90"):
        dfg.add_column(name, justify="left" if name in ("from", "to") else "right")
    for row in shown:
        dfg.add_row(
            safe(row.source),
            safe(row.target),
            f"{row.events:,}",
            f"{row.journeys:,}",
            _duration(row.mean_seconds),
            _duration(row.median_seconds),
            _duration(row.p90_seconds),
        )
    console.print(dfg)
    if len(summary.directly_follows) > len(shown):
        hidden = len(summary.directly_follows) - len(shown)
        console.print(f"[dim]{hidden} more: use --json for all.[/]")
