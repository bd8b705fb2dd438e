"""What the measurement commands share: their common options, date parsing and output.

``experience``, ``agreements``, ``value``, ``leakage``, ``improvements`` and ``report``
take the same WORKSPACE argument and several of the same options; the decorators here
declare each of them once, with the help text as a parameter where the meaning differs
between commands. Only click and the standard library are imported, so
``cojourney --help`` stays fast; rich is imported on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cojourney.files import atomic_write_text

if TYPE_CHECKING:  # pragma: no cover
    from rich.table import Table

F = TypeVar("F", bound=Callable[..., Any])

_DEFAULT_JOURNEY = "[default: the workspace's default journey]"


# --------------------------------------------------------------------------- options


def workspace_argument(f: F) -> F:
    """The WORKSPACE argument: an existing folder, passed on as a :class:`~pathlib.Path`."""
    return click.argument(
        "workspace", type=click.Path(exists=True, file_okay=False, path_type=Path)
    )(f)


def events_option(
    help: str = "Read this Parquet file or folder of Parquet files instead of the imported events.",
) -> Callable[[F], F]:
    """``--events PARQUET``, as ``events``: an existing file or folder (a Path), a
    ``file://`` URL (a Path), or a URL of another filesystem such as ``s3://`` (text,
    read through pyarrow), or None."""

    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> str | Path | None:
        if value is None:
            return None
        if "://" in value and not value.startswith("file://"):
            return value
        path = Path(value.removeprefix("file://"))
        if not path.exists():
            raise click.BadParameter(f"{value!r}: no such file or folder.", ctx, param)
        return path

    return click.option(
        "--events",
        metavar="PARQUET",
        callback=convert,
        help=help + " A folder (hive partitions welcome) or URL: file://, s3://, gs://, hdfs://.",
    )


def json_option(what: str = "every result", instead: str = "tables") -> Callable[[F], F]:
    """``--json OUT.json`` (``-`` for standard output), as ``json_out``; write it with
    :func:`emit`.

    The help reads "Write ``what`` as JSON (- for standard output) instead of ``instead``."
    """
    return click.option(
        "--json",
        "json_out",
        metavar="OUT.json",
        type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
        help=f"Write {what} as JSON (- for standard output) instead of {instead}.",
    )


def csv_option(what: str = "the table") -> Callable[[F], F]:
    """``--csv OUT.csv`` (``-`` for standard output), as ``csv_out``; write it with
    :func:`emit_csv`.

    The help reads "Write ``what`` as CSV (- for standard output; numbers unformatted)
    instead of tables."
    """
    return click.option(
        "--csv",
        "csv_out",
        metavar="OUT.csv",
        type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
        help=f"Write {what} as CSV (- for standard output; numbers unformatted) instead of tables.",
    )


def journey_option(help: str, default: str = _DEFAULT_JOURNEY) -> Callable[[F], F]:
    """``--journey ID``, as ``journey_id``; ``help`` says what the journey is for and is
    followed by ``default`` (the workspace's default journey)."""
    return click.option("--journey", "journey_id", metavar="ID", help=f"{help} {default}")


def date_range_options(what: str, *, days: bool = False) -> Callable[[F], F]:
    """``--from DATE`` and ``--to DATE``, as ``date_from`` and ``date_to`` (text): "Only
    ``what`` on or after DATE..."; every command reads them the same way.

    Parse them with :func:`period`, or with :func:`day_period` (``days``) for commands
    that count whole days.
    """
    if days:
        help_from = (
            f"Only {what} on or after DATE: a date (2025-03-01) in the workspace's time zone "
            "(this command counts whole days)."
        )
        help_to = f"Only {what} on or before DATE (the whole day)."
    else:
        help_from = f"Only {what} on or after DATE: {PERIOD_HELP}."
        help_to = (
            f"Only {what} up to DATE: the whole day for a date, up to (not including) "
            "a date and time."
        )

    def decorate(f: F) -> F:
        f = click.option("--to", "date_to", metavar="DATE", help=help_to)(f)
        return click.option("--from", "date_from", metavar="DATE", help=help_from)(f)

    return decorate


def as_of_option(help: str) -> Callable[[F], F]:
    """``--as-of DATETIME``, as ``as_of`` (text; parse it with :func:`parse_instant`).

    ``help`` says what is read at that instant; the accepted values and the default
    follow it.
    """
    return click.option(
        "--as-of",
        "as_of",
        metavar="DATETIME",
        help=f"{help}: a date (its end) or a date and time, in the workspace's "
        "time zone unless it has an offset. [default: the latest event]",
    )


def engine_options(what: str = "the analyses") -> Callable[[F], F]:
    """``--engine``, ``--spark-master URL`` and ``--spark-remote URL``, as ``engine``,
    ``spark_master`` and ``spark_remote`` (each ``None`` when not given: the settings
    decide, :mod:`cojourney.services.engine_choice`). Check them with
    :func:`check_engine_flags`.

    ``what`` names what runs on the engine ("Where ``what`` run").
    """

    def decorate(f: F) -> F:
        f = click.option(
            "--spark-remote",
            metavar="URL",
            help="Run on a Spark Connect server, e.g. sc://host:15002 (with --engine spark). "
            "[default: the spark_remote setting]",
        )(f)
        f = click.option(
            "--spark-master",
            metavar="URL",
            help="Spark master with --engine spark, e.g. spark://host:7077. "
            "[default: the spark_master setting, else local[2]]",
        )(f)
        return click.option(
            "--engine",
            type=click.Choice(["duckdb", "spark"]),
            help=f"Where {what} run. [default: the engine setting, duckdb]",
        )(f)

    return decorate


def check_engine_flags(
    engine: str | None, spark_master: str | None, spark_remote: str | None
) -> None:
    """A usage error for ``--spark-master`` or ``--spark-remote`` without the Spark engine,
    or for both at once."""
    if not (spark_master or spark_remote):
        return
    from cojourney.settings import current_settings

    flag = "--spark-master" if spark_master else "--spark-remote"
    if (engine or current_settings().engine) != "spark":
        raise click.UsageError(f"{flag} needs --engine spark.")
    if spark_master and spark_remote:
        raise click.UsageError("--spark-master and --spark-remote: choose one.")


# --------------------------------------------------------------------------- dates


def parse_date(text: str | None, flag: str) -> date | None:
    """A ``YYYY-MM-DD`` option value as a date (``None`` stays ``None``).

    Raises
    ------
    click.BadParameter
        For anything else, naming ``flag`` and the expected form.
    """
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date (use 2025-03-01).", param_hint=flag
        ) from None


def parse_instant(text: str | None, flag: str) -> datetime | date | None:
    """A date (``2025-03-31``, a date object) or an ISO date and time (a datetime).

    ``None`` stays ``None``; what a bare date means (its start or its end) is the
    caller's choice.
    """
    if text is None:
        return None
    text = text.strip()
    try:
        return date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date or a date and time (use 2025-03-31 "
            "or 2025-03-31T17:00, with +01:00 for an offset).",
            param_hint=flag,
        ) from None


def time_window(
    date_from: str | None, date_to: str | None
) -> tuple[datetime | None, datetime | None]:
    """``--from`` and ``--to`` as a half-open window ``[start, end)`` of datetimes.

    A bare date starts at its midnight; a bare ``--to`` date names the last day, so the
    window ends at the next midnight. A ``--to`` with a time is the exclusive end. An
    empty value is no bound.
    """
    start = parse_instant(date_from or None, "--from")
    end = parse_instant(date_to or None, "--to")
    if end is not None and not isinstance(end, datetime):
        end += timedelta(days=1)  # --to names the last day
    return _midnight(start), _midnight(end)


#: How every command reads --from and --to (the help texts end with it).
PERIOD_HELP = (
    "a date (2025-03-01) or an ISO date and time, in the workspace's time zone unless "
    "it has an offset"
)


def period(
    workspace: Path, date_from: str | None, date_to: str | None
) -> tuple[datetime | None, datetime | None]:
    """``--from`` and ``--to`` read the one way every command reads them.

    A date or an ISO date and time (:func:`time_window`: a bare ``--to`` date names the
    last day), in the workspace's time zone unless it carries an offset; returned as
    naive UTC datetimes of the half-open window ``[start, end)``.
    """
    start, end = time_window(date_from, date_to)
    if start is None and end is None:
        return None, None
    zone = _time_zone(workspace)
    first, last = _as_utc(start, zone), _as_utc(end, zone)
    if first is not None and last is not None and last <= first:
        raise click.BadParameter("--to is before --from.", param_hint="--to")
    return first, last


def day_period(date_from: str | None, date_to: str | None) -> tuple[date | None, date | None]:
    """``--from`` and ``--to`` for commands that count whole days of the workspace's time
    zone (``value``, ``agreements``): the same syntax as :func:`period`, both days
    included; a time of day other than midnight, or an offset, is refused."""

    def day(text: str | None, flag: str) -> date | None:
        value = parse_instant(text or None, flag)
        if isinstance(value, datetime):
            if value.tzinfo is not None or value.time() != datetime.min.time():
                raise click.BadParameter(
                    f"{text!r}: this command counts whole days of the workspace's time "
                    "zone; give a date such as 2025-03-01.",
                    param_hint=flag,
                )
            return value.date()
        return value

    start, end = day(date_from, "--from"), day(date_to, "--to")
    if start is not None and end is not None and end < start:
        raise click.BadParameter("--to is before --from.", param_hint="--to")
    return start, end


def _time_zone(workspace: Path) -> Any:
    from zoneinfo import ZoneInfo

    from cojourney.services.workspaces import open_workspace

    return ZoneInfo(open_workspace(workspace).workspace.time_zone)


def _as_utc(value: datetime | None, zone: Any) -> datetime | None:
    """A naive (workspace-local) or aware datetime as a naive UTC one."""
    from datetime import UTC

    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return aware.astimezone(UTC).replace(tzinfo=None)


def _midnight(value: datetime | date | None) -> datetime | None:
    """A date as the (naive) datetime of its midnight; datetimes and None unchanged."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


# --------------------------------------------------------------------------- output


def emit(text: str, out: Path) -> None:
    """Write ``text`` to ``out``, or to standard output for ``-`` (the ``--json`` value).

    A file gets a final newline and is replaced whole or not at all; "Wrote OUT" goes
    to standard error. On standard output, JSON text gets the C1 controls and bidi
    marks that JSON leaves raw written as ``\\uNNNN`` escapes (the same JSON), so no
    data can steer the terminal.
    """
    from cojourney.cli.terminal import clean

    if str(out) == "-":
        click.echo(text.translate(_JSON_UNSAFE))
    else:
        atomic_write_text(out, text + "\n")
        click.echo(f"Wrote {clean(out)}", err=True)


def emit_csv(columns: Sequence[str], rows: Iterable[Sequence[object]], out: Path) -> None:
    """Write a header of ``columns`` and ``rows`` as CSV to ``out`` (``-``: standard
    output), the way :func:`emit` writes JSON.

    Numbers are written raw (``0.8333333``, not ``83.3%``), ``None`` as an empty cell,
    dates and datetimes in ISO form.
    """
    import csv
    import io

    def cell(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, date | datetime):
            return value.isoformat()
        if hasattr(value, "value") and not isinstance(value, int | float | str):
            return value.value  # an Enum
        return value

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell(v) for v in row] for row in rows)
    emit(buffer.getvalue().removesuffix("\n"), out)


def refuse_both(json_out: Path | None, csv_out: Path | None) -> None:
    """A usage error when both ``--json`` and ``--csv`` are given."""
    if json_out is not None and csv_out is not None:
        raise click.UsageError("--json and --csv: choose one.")


#: Characters JSON may leave raw inside strings that a terminal would act on.
_JSON_UNSAFE = {
    code: f"\\u{code:04x}"
    for code in (*range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)
}


def number(value: float | None) -> str:
    """A value the way a dashboard shows it: 3 significant digits at most, no noise.

    >>> number(1234.5), number(12.345), number(0.1234), number(None)
    ('1,234', '12.3', '0.12', '-')
    """
    if value is None:
        return "-"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def formatted(value: float | None, spec: str = ".2f") -> str:
    """``value`` in the format ``spec`` (``".1%"``, ``"+.3f"``...), or ``-`` for None.

    >>> formatted(0.25, ".1%"), formatted(None)
    ('25.0%', '-')
    """
    return "-" if value is None else format(value, spec)


def table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[str]], left: Iterable[int] = (0,)
) -> Table:
    """A rich table whose columns are right-aligned, except those numbered in ``left``.

    Title, column names and cells are text, never markup (see
    :func:`cojourney.cli.terminal.safe`).
    """
    from rich.table import Table

    from cojourney.cli.terminal import safe

    result = Table(title=safe(title), title_justify="left")
    left = set(left)
    for n, name in enumerate(columns):
        result.add_column(safe(name), justify="left" if n in left else "right")
    for row in rows:
        result.add_row(*(safe(cell) for cell in row))
    return result


# --------------------------------------------------------------------------- reading options

_SEPARATOR_NAMES = {
    "\\t": "\t",
    "tab": "\t",
    "TAB": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
}


def separator(sep: str | None) -> str | None:
    """The CSV separator of ``--sep``: one character, or a name (``tab``, ``'\\t'``, ``pipe``...)."""
    if sep is None:
        return None
    sep = _SEPARATOR_NAMES.get(sep, sep)
    if len(sep) != 1:
        raise click.BadParameter(
            f"{sep!r} is not one character (use '\\t' for tab).", param_hint="--sep"
        )
    return sep


def null_value_texts(values: tuple[str, ...], quote: str | None) -> tuple[str, ...]:
    """The ``--null-value`` texts, without repeats; refuses one that holds the quote
    character (a CSV reader cannot tell it from quoting), naming the value.
    """
    quote = quote or '"'
    for value in values:
        if quote in value:
            raise click.BadParameter(
                f"{value!r} holds the quote character {quote!r}: a cell text meaning "
                "'no value' cannot (choose another text, or another --quote).",
                param_hint="--null-value",
            )
    return tuple(dict.fromkeys(values))


def refuse_given(given: dict[str, Any], names: Iterable[str], why: str) -> None:
    """A usage error ``"<flag> <why>."`` for the first option of ``names`` that was given
    on the command line (a value other than ``None``, an empty tuple or ``False``; a
    default is not given)."""
    ctx = click.get_current_context()
    for name in names:
        source = ctx.get_parameter_source(name)
        if source is click.core.ParameterSource.DEFAULT:
            continue
        if given.get(name) not in (None, (), False):
            flag = next(o for o in ctx.command.params if o.name == name).opts[0]
            raise click.UsageError(f"{flag} {why}.")


def emit_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    json_out: Path | None,
    csv_out: Path | None,
    *,
    empty: str,
    line: Callable[[Mapping[str, Any]], str],
) -> None:
    """A list command's rows: as JSON (``--json``), as CSV of ``columns`` (``--csv``), else
    one line of text each (``line``), or ``empty`` when there are none."""
    import json

    if json_out is not None:
        emit(json.dumps(list(rows), indent=2, default=str), json_out)
    elif csv_out is not None:
        emit_csv(columns, ([row[c] for c in columns] for row in rows), csv_out)
    elif not rows:
        click.echo(empty)
    else:
        for row in rows:
            click.echo(line(row))
