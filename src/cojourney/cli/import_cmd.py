"""``cojourney import`` and ``cojourney export``: parsing and output only.

The work is :func:`cojourney.services.imports.import_events`,
:func:`~cojourney.services.imports.import_feedback` (``--kind feedback``) and
:func:`~cojourney.services.imports.export_events`; heavy modules are imported inside
the commands so ``cojourney --help`` stays fast.

Survey answers come in two layouts. *Long*: one row per answer, named with
``--question COLUMN --score COLUMN`` (and ``--comment COLUMN``). *Wide*: one row per
response and one column per question, named with ``--score-column QUESTION=COLUMN``
for each numeric question and ``--text-column QUESTION=COLUMN`` for each free-text
one; every non-empty cell becomes one answer. In both, ``--case`` and
``--timestamp`` are required and ``--touchpoint``, ``--step``, ``--respondent``,
``--channel`` and ``--segment`` apply to every answer of a row.

Measurements (``--kind measurements``, :func:`cojourney.services.measurement_imports.import_measurements`)
are a time series of value-indicator values: ``--indicator``, ``--timestamp`` and
``--value`` name its columns (default: ``indicator``, ``timestamp``, ``value``),
``--segment`` the optional segment column.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cojourney.cli.common import null_value_texts, refuse_given, separator
from cojourney.cli.terminal import clean, console, safe
from cojourney.cli.vocabulary import deprecated_alias, to_flags
from cojourney.events.presets import list_presets

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.store_ingest import ImportProgress
    from cojourney.services.imports import ImportResult

#: Rejected rows shown in the summary (all of them are in the quarantine file).
SHOWN_REJECTED = 5
#: Options that only an event import takes, and those only a feedback import takes.
EVENT_ONLY = ("activity", "actor", "role", "lifecycle", "classifier", "object_type")
FEEDBACK_ONLY = (
    "question",
    "score",
    "touchpoint",
    "step",
    "comment",
    "respondent",
    "score_columns",
    "text_columns",
    "journey_questions",
    "scales",
    "question_renames",
)
#: Options that only a measurement import takes, and those it takes besides them.
MEASUREMENT_ONLY = ("indicator", "value")
MEASUREMENT_OPTIONS = (
    *MEASUREMENT_ONLY,
    "workspace",
    "file",
    "timestamp",
    "timestamp_format",
    "time_zone",
    "segment",
    "on_error",
    "kind",
)


@click.command("import")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["events", "feedback", "measurements"]),
    default="events",
    show_default=True,
    help="events: an event log. feedback: survey answers (CSAT 1-5, CES 1-7, "
    "NPS 0-10, emotion -3..3, custom questions, free text). measurements: values "
    "of value indicators over time (telematics, billing, monitoring exports).",
)
@click.option(
    "--mapping",
    "mapping_name",
    metavar="NAME",
    help="Use (or, with column flags, create) the saved mapping "
    "WORKSPACE/data/mappings/NAME.yaml. [default: the saved mapping whose "
    "columns are all in FILE, else the XES column names (feedback: the "
    "canonical names journey_id, timestamp, question, score, ...)]",
)
@click.option(
    "--preset",
    type=click.Choice(list_presets()),
    default=None,
    metavar="NAME",
    help="Import a vendor export with a shipped mapping: "
    + ", ".join(list_presets())
    + " (docs/presets.md). Column flags apply on top of it; not with --mapping.",
)
@click.option(
    "--case",
    "journey_id",
    metavar="COLUMN",
    help="Column with the journey (case) id. [default: case:concept:name; feedback: journey_id]",
)
@deprecated_alias("--journey-id", "journey_id", "--case", metavar="COLUMN")
@click.option(
    "--activity",
    metavar="COLUMN",
    help="Column with the activity (touchpoint). [default: concept:name]",
)
@click.option(
    "--timestamp",
    metavar="COLUMN",
    help="Column with the event (or answer) time. [default: time:timestamp; feedback: timestamp]",
)
@click.option(
    "--timestamp-format",
    metavar="FMT",
    help="strftime format of text timestamps, e.g. '%d/%m/%Y %H:%M'. "
    "[default: ISO 8601, offsets honoured]",
)
@click.option(
    "--timezone",
    "time_zone",
    metavar="TZ",
    help="IANA time zone of timestamps written without an offset. "
    "[default: the workspace's time_zone]",
)
@deprecated_alias("--time-zone", "time_zone", "--timezone", metavar="TZ")
@click.option(
    "--sep",
    metavar="CHAR",
    help="CSV field separator ('\\t' or 'tab' for tab). [default: detected]",
)
@click.option(
    "--encoding",
    metavar="ENC",
    help="Text encoding of CSV and JSON Lines files (latin-1, cp1252, utf-16, ...). "
    "[default: utf-8]",
)
@click.option("--quote", metavar="CHAR", help="CSV quote character. [default: detected]")
@click.option(
    "--null-value",
    "null_values",
    multiple=True,
    metavar="TEXT",
    help="CSV cell text meaning 'no value' (repeatable; saved in the mapping); the empty "
    "cell always does.",
)
@click.option(
    "--classifier",
    metavar="KEYS",
    help="XES: the attribute(s) naming the activity, joined by '+' "
    "(e.g. concept:name+lifecycle:transition). [default: concept:name]",
)
@click.option(
    "--object-type",
    metavar="TYPE",
    help="OCEL: the object type whose objects are the journeys (one journey per object).",
)
@click.option(
    "--channel", metavar="COLUMN", help="Column with the contact channel (web, app, ...)."
)
@click.option("--segment", metavar="COLUMN", help="Column with the customer segment or persona.")
@click.option("--actor", metavar="COLUMN", help="Column with who performed the event.")
@click.option("--role", metavar="COLUMN", help="Column with the actor's role.")
@click.option(
    "--lifecycle",
    metavar="COLUMN",
    help="Column with the lifecycle transition (start, complete, ...).",
)
@click.option(
    "--rename",
    "renames",
    multiple=True,
    metavar="VALUE=TOUCHPOINT",
    help="Import the activity (feedback: the touchpoint) VALUE as the touchpoint id "
    "TOUCHPOINT (repeatable; saved in the mapping).",
)
@click.option(
    "--question",
    metavar="COLUMN",
    help="Feedback, long layout (one row per answer): column with the question "
    "(csat, ces, nps, emotion or your own id). [default: question]",
)
@click.option(
    "--score",
    metavar="COLUMN",
    help="Feedback, long layout: column with the numeric answer. [default: score]",
)
@click.option(
    "--comment", metavar="COLUMN", help="Feedback, long layout: column with the free-text comment."
)
@click.option(
    "--score-column",
    "score_columns",
    multiple=True,
    metavar="QUESTION=COLUMN",
    help="Feedback, wide layout (one column per question): COLUMN holds the scores of "
    "QUESTION, e.g. csat=Q1 (repeatable); an empty cell is no answer.",
)
@click.option(
    "--text-column",
    "text_columns",
    multiple=True,
    metavar="QUESTION=COLUMN",
    help="Feedback, wide layout: COLUMN holds free-text answers to QUESTION, e.g. "
    "why=Q8 (repeatable).",
)
@click.option(
    "--touchpoint",
    metavar="COLUMN",
    help="Feedback: column with the touchpoint an answer is about (empty: the whole "
    "journey). [default: touchpoint]",
)
@click.option(
    "--step",
    metavar="COLUMN",
    help="Feedback: column with the step. [default: the touchpoint's step in the workspace]",
)
@click.option("--respondent", metavar="COLUMN", help="Feedback: column with who answered.")
@click.option(
    "--indicator",
    metavar="COLUMN",
    help="Measurements: column with the value indicator's id. [default: indicator]",
)
@click.option(
    "--value",
    metavar="COLUMN",
    help="Measurements: column with the measured value. [default: value]",
)
@click.option(
    "--journey-question",
    "journey_questions",
    multiple=True,
    metavar="QUESTION",
    help="Feedback: QUESTION is about the whole journey (e.g. nps): its touchpoint "
    "is left empty and kept as asked_at in the attributes (repeatable).",
)
@click.option(
    "--scale",
    "scales",
    multiple=True,
    metavar="QUESTION=LOW..HIGH",
    help="Feedback: the scale of a custom question, e.g. late-car=1..5; scores "
    "outside are rejected (repeatable). The standard scales are fixed.",
)
@click.option(
    "--rename-question",
    "question_renames",
    multiple=True,
    metavar="VALUE=QUESTION",
    help="Feedback: import the question VALUE as the question id QUESTION, e.g. "
    "'How likely to recommend=nps' (repeatable; saved in the mapping).",
)
@click.option(
    "--on-error",
    type=click.Choice(["fail", "skip"]),
    default="fail",
    show_default=True,
    help="fail: a row without journey id, activity or readable timestamp (feedback: "
    "any answer with a problem) refuses the whole file. skip: import the valid "
    "rows and write the others, with a reason, to WORKSPACE/data/quarantine/.",
)
def import_(
    workspace: Path,
    file: Path,
    kind: str,
    mapping_name: str | None,
    preset: str | None,
    renames: tuple[str, ...],
    on_error: str,
    sep: str | None,
    quote: str | None,
    null_values: tuple[str, ...],
    score_columns: tuple[str, ...],
    text_columns: tuple[str, ...],
    journey_questions: tuple[str, ...],
    scales: tuple[str, ...],
    question_renames: tuple[str, ...],
    **columns: str | None,
) -> int:
    """Import the event log (or the survey answers) FILE into the store of WORKSPACE.

    FILE is a CSV, TSV, Parquet, JSON Lines, XES (.xes, .xes.gz) or OCEL 2.0 log;
    with --kind feedback, a CSV, TSV, Parquet or JSON Lines survey export, either
    long (one row per answer: --question, --score) or wide (one column per
    question: --score-column QUESTION=COLUMN, --text-column QUESTION=COLUMN).
    Scores outside their question's scale, and touchpoints or steps the workspace
    does not have, are rejected; an answer's step is taken from its touchpoint.
    The import is all or nothing, and an event (or answer) already in the store
    is not stored again: overlapping exports add only what is new. After an
    import with column flags the mapping is saved in WORKSPACE/data/mappings/ (as
    --mapping NAME, or after the file's name), so the next file with the same
    columns needs no flags.

    \b
    Examples:
      cojourney import shop/ orders.csv --case order_id --activity step \\
          --timestamp at --timestamp-format '%d/%m/%Y %H:%M' --rename 'Visit web=search'
      cojourney import shop/ orders-february.csv
      cojourney import shop/ helpdesk.xes.gz --on-error skip
      cojourney import desk/ incidents.csv --preset servicenow-incident
      cojourney import shop/ answers.csv --kind feedback --case order_id \\
          --timestamp at --question q --score s --touchpoint tp --comment text
      cojourney import shop/ survey.csv --kind feedback --case order_id \\
          --timestamp at --score-column csat=Q1 --score-column nps=Q7 \\
          --text-column why=Q8 --journey-question nps
      cojourney import shop/ uptime.csv --kind measurements --indicator kpi \\
          --timestamp day --value pct

    With --kind measurements, FILE (CSV, Parquet or JSON Lines) holds values of the
    workspace's value indicators over time (indicator, timestamp, value, optional
    segment and unit); an indicator without a measure is then measured from them.
    """
    from cojourney.events.mappings import MappingFlags
    from cojourney.services.imports import import_events, import_feedback

    given = click.get_current_context().params
    if kind == "measurements":
        refuse_given(
            given,
            [n for n in given if n not in MEASUREMENT_OPTIONS],
            "is not for --kind measurements",
        )
        _import_measurements(workspace, file, on_error, columns)
        return 0
    refuse_given(given, MEASUREMENT_ONLY, "is for --kind measurements")
    for name in MEASUREMENT_ONLY:
        columns.pop(name, None)
    other = "--kind feedback" if kind == "events" else "an event import"
    refuse_given(
        given,
        FEEDBACK_ONLY if kind == "events" else EVENT_ONLY,
        f"is for {other}, not for --kind {kind}",
    )
    flags = MappingFlags(
        sep=separator(sep),
        quote=quote,
        null_values=null_value_texts(null_values, quote),
        renames=_renames(renames),
        score_columns=_pairs(score_columns, "--score-column", "QUESTION=COLUMN", "csat=Q1"),
        text_columns=_pairs(text_columns, "--text-column", "QUESTION=COLUMN", "why=Q8"),
        journey_questions=tuple(dict.fromkeys(q.strip() for q in journey_questions)),
        scales=_scales(scales),
        question_renames=_pairs(
            question_renames, "--rename-question", "VALUE=QUESTION", "'How likely to recommend=nps'"
        ),
        **columns,
    )
    run = import_feedback if kind == "feedback" else import_events
    with _progress(file) as on_progress:
        result = run(
            workspace,
            file,
            mapping=mapping_name,
            preset=preset,
            flags=flags,
            on_error="skip" if on_error == "skip" else "fail",
            progress=on_progress,
        )
    _print_summary(result, workspace)
    return 0


@click.command()
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The file to write (replaced once complete).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "xes"]),
    help="parquet: the canonical columns; xes: IEEE 1849 XES, gzip-compressed when "
    "FILE ends in .gz. [default: from FILE's suffix]",
)
@click.option(
    "--parquet-dataset",
    "dataset",
    metavar="URL",
    help="Instead of one file: a Parquet dataset partitioned by import and month "
    "(import_id=N/month=YYYY-MM/) in this folder or URL (file://, s3://, gs://, "
    "hdfs://) for a Spark cluster to read; only imports not there yet are written.",
)
def export(workspace: Path, output: Path | None, fmt: str | None, dataset: str | None) -> int:
    """Export every event imported into WORKSPACE as Parquet or XES.

    \b
    Examples:
      cojourney export shop/ -o events.parquet
      cojourney export shop/ --format xes -o events.xes.gz
      cojourney export shop/ --parquet-dataset s3://lake/shop/events
    """
    from cojourney.services.imports import export_event_dataset, export_events

    if (output is None) == (dataset is None):
        raise click.UsageError("Give either --output FILE or --parquet-dataset URL.")
    if dataset is not None:
        if fmt is not None:
            raise click.UsageError("--format applies to --output; a dataset is Parquet.")
        written = export_event_dataset(workspace, dataset)
        click.echo(
            clean(
                f"Exported {written.rows:,} events of {len(written.written)} imports to "
                f"{written.location}; {len(written.kept)} imports were there already"
                + (f", {len(written.removed)} deleted imports removed." if written.removed else ".")
            )
        )
        return 0
    assert output is not None
    result = export_events(
        workspace, output, format="xes" if fmt == "xes" else "parquet" if fmt else None
    )
    click.echo(clean(f"Exported {result.rows:,} events to {result.path} ({result.format})."))
    return 0


# --------------------------------------------------------------------------- parsing


def _pairs(values: tuple[str, ...], flag: str, shape: str, example: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, equals, target = value.partition("=")
        if not equals or not key.strip() or not target.strip():
            raise click.BadParameter(f"{value!r} is not {shape}, e.g. {example}.", param_hint=flag)
        pairs[key.strip()] = target.strip()
    return pairs


def _scales(values: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    scales = {}
    for question, text in _pairs(values, "--scale", "QUESTION=LOW..HIGH", "late-car=1..5").items():
        low, dots, high = text.partition("..")
        try:
            bounds = (float(low), float(high)) if dots else None
        except ValueError:
            bounds = None
        if bounds is None or not bounds[0] < bounds[1]:
            raise click.BadParameter(
                f"{text!r} is not LOW..HIGH with LOW < HIGH, e.g. 1..5.", param_hint="--scale"
            )
        scales[question] = bounds
    return scales


def _renames(values: tuple[str, ...]) -> dict[str, str]:
    renames = {}
    for value in values:
        source, equals, target = value.rpartition("=")
        if not equals or not source or not target.strip():
            raise click.BadParameter(
                f"{value!r} is not ACTIVITY=TOUCHPOINT, e.g. 'Visit web=search'.",
                param_hint="--rename",
            )
        renames[source] = target.strip()
    return renames


# --------------------------------------------------------------------------- output


@contextmanager
def _progress(file: Path) -> Iterator[Callable[[ImportProgress], None] | None]:
    """A transient progress bar on a terminal's stderr; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]}"),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,
    )
    name = safe(file.name)
    task = progress.add_task(f"{name}: starting", total=None, rows="")

    def update(event: ImportProgress) -> None:
        fields: dict[str, Any] = {"description": f"{name}: {safe(event.stage)}"}
        if event.fraction is not None:
            fields.update(total=100, completed=event.fraction * 100)
        else:
            fields.update(total=None)
        fields["rows"] = f"{event.rows:,} events" if event.rows is not None else ""
        progress.update(task, **fields)

    with progress:
        yield update


def _import_measurements(
    workspace: Path, file: Path, on_error: str, columns: dict[str, str | None]
) -> None:
    from cojourney.events.measurements_ingest import MeasurementColumns
    from cojourney.services.measurement_imports import import_measurements

    r = import_measurements(
        workspace,
        file,
        columns=MeasurementColumns(
            indicator=columns.get("indicator"),
            timestamp=columns.get("timestamp"),
            value=columns.get("value"),
            segment=columns.get("segment"),
            timestamp_format=columns.get("timestamp_format"),
        ),
        on_error="skip" if on_error == "skip" else "fail",
        time_zone=columns.get("time_zone"),
    )

    def echo(text: str) -> None:
        click.echo(clean(to_flags(text)))

    if r.already_imported:
        echo(
            f"{r.source.name}: already imported as #{r.import_id} on "
            f"{r.imported_at:%Y-%m-%d %H:%M} UTC; nothing added."
        )
        return
    echo(
        f"Imported {_count(r.rows_imported, 'measurement')} from {r.source.name} "
        f"as import #{r.import_id}."
    )
    if r.rows_duplicate:
        echo(f"  stored:      {r.rows_imported:,} new, {r.rows_duplicate:,} already stored")
    for problem in r.conflicts[:SHOWN_REJECTED]:
        first, *rest = problem.render().splitlines()
        echo("  conflict:    " + first)
        for line in rest:
            echo("    " + line)
    if r.conflict_count > SHOWN_REJECTED:
        echo(f"    ... and {r.conflict_count - SHOWN_REJECTED:,} more conflicting values")
    if r.indicators:
        echo("  indicators:  " + ", ".join(f"{i} {n:,}" for i, n in r.indicators))
    if r.rows_imported:
        echo(f"  time range:  {_when(r.first_timestamp)} .. {_when(r.last_timestamp)} UTC")
    if r.rows_rejected:
        echo(
            f"  rejected:    {r.rows_rejected:,} of {r.rows_read:,} rows, set aside in "
            f"{r.quarantine_path}"
        )
        for problem in r.rejected[:SHOWN_REJECTED]:
            for line in problem.render().splitlines():
                echo("    " + line)
    else:
        echo("  rejected:    none")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def _print_summary(r: ImportResult, workspace: Path) -> None:
    def echo(text: str) -> None:
        click.echo(clean(to_flags(text)))

    if r.already_imported:
        echo(
            f"{r.source.name}: already imported as #{r.import_id} on "
            f"{r.imported_at:%Y-%m-%d %H:%M} UTC; nothing added."
        )
        return
    feedback = r.kind == "feedback"
    what = _count(r.rows_imported, "answer" if feedback else "event")
    echo(
        f"Imported {what} of {_count(r.journeys or 0, 'journey')} "
        f"from {r.source.name} as import #{r.import_id} ({r.seconds:.1f}s)."
    )
    if r.rows_duplicate:
        repeated = " or repeated in the file" if feedback else ""
        echo(
            f"  stored:      {r.rows_imported:,} new, {r.rows_duplicate:,} already stored{repeated}"
        )
    for problem in r.conflicts[:SHOWN_REJECTED]:
        echo("  conflict:    " + problem.render().replace("\n", "\n    "))
    if r.conflict_count > SHOWN_REJECTED:
        echo(f"    ... and {r.conflict_count - SHOWN_REJECTED:,} more conflicting answers")
    if r.rows_imported:
        echo(f"  time range:  {_when(r.first_timestamp)} .. {_when(r.last_timestamp)} UTC")
    if feedback and r.questions:
        echo("  questions:   " + ", ".join(f"{q} {n:,}" for q, n in r.questions))
    if feedback and r.steps_filled:
        echo(f"  steps:       {_count(r.steps_filled, 'answer')} got the step of their touchpoint")
    if r.mapping_origin == "default":
        echo(
            "  mapping:     the canonical feedback column names (journey_id, timestamp, "
            "question, score, ...)"
            if feedback
            else "  mapping:     the XES column names "
            "(case:concept:name, concept:name, time:timestamp)"
        )
    else:
        saved = " (saved)" if r.mapping_saved else ""
        echo(f"  mapping:     {r.mapping_name}, {r.mapping_path}{saved}")
    if r.rows_rejected:
        echo(
            f"  rejected:    {r.rows_rejected:,} of {r.rows_read:,} rows, set aside in "
            f"{r.quarantine_path}"
        )
        for problem in r.rejected[:SHOWN_REJECTED]:
            for line in problem.render().splitlines():
                echo("    " + line)
        if r.rows_rejected > SHOWN_REJECTED:
            echo(f"    ... and {r.rows_rejected - SHOWN_REJECTED:,} more (see the quarantine file)")
    else:
        echo("  rejected:    none")
    if r.unknown_activity_count:
        what = (
            "activity is not a touchpoint"
            if r.unknown_activity_count == 1
            else "activities are not touchpoints"
        )
        echo(
            f"  unknown:     {r.unknown_activity_count:,} {what} of the workspace "
            f"({_count(r.unknown_event_count, 'event')}):"
        )
        shown = ", ".join(f"{name!r} ({n:,})" for name, n in r.unknown_activities)
        more = r.unknown_activity_count - len(r.unknown_activities)
        echo(f"    {shown}" + (f" and {more:,} more" if more > 0 else ""))
        example = r.unknown_activities[0][0]
        where = r.mapping_path or (workspace / "data" / "mappings")
        echo(
            f"    fix: for the next imports, map them to touchpoint ids under activity_renames "
            f"in {where} (or --rename '{example}=TOUCHPOINT'); these were imported as they are"
        )
    for warning in r.warnings:
        echo(f"  warning:     {warning}")
