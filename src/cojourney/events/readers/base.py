"""What every event-log reader shares: options, the format registry, and the mapping of
source columns onto the canonical schema.

A reader turns one file into an iterator of :class:`pyarrow.RecordBatch` in the
canonical schema (:mod:`cojourney.events.schema`). Two kinds exist:

* *tabular* readers (CSV, Parquet, JSON Lines, in :mod:`.tabular`) produce canonical
  batches themselves, streaming the file through DuckDB;
* *raw* readers (XES, OCEL, written elsewhere) produce batches of source columns
  (``case:concept:name``, ``concept:name``, ``time:timestamp``, ...) which
  :func:`map_raw_batches` maps onto the canonical schema.

Both kinds map columns with the same SQL (:class:`MappingQuery`) and check rows with
the same code (:class:`BatchChecker`), so a mistake is reported the same way
whatever the format: file, line or row, column, the value found and what to do.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cojourney.errors import (
    ImportRejected,
    Problem,
    location_in,
)
from cojourney.events import schema as S
from cojourney.events.readers.checks import (
    MAX_LISTED_PROBLEMS,
    BadRow,
    BatchChecker,
    ProgressCallback,
    checked_batches,
)
from cojourney.events.readers.connections import (
    configure,
    duckdb_config,
    duckdb_connect,
    out_of_memory,
)
from cojourney.events.schema import ColumnMapping
from cojourney.settings import current_settings

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "MAX_LISTED_PROBLEMS",
    "PANDAS_NULL_VALUES",
    "RAW_READER_COLUMNS",
    "BadRow",
    "BatchChecker",
    "MappingQuery",
    "ProgressCallback",
    "ReadOptions",
    "ReaderSpec",
    "check_timezone",
    "checked_batches",
    "configure",
    "connect_for",
    "describe",
    "duckdb_config",
    "duckdb_connect",
    "map_raw_batches",
    "missing_columns_problems",
    "out_of_memory",
    "quote_identifier",
    "read_events",
    "reader_for",
    "register_reader",
    "sql_string",
    "supported_suffixes",
]

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pyarrow as pa

log = logging.getLogger(__name__)

#: Rows per batch unless a caller asks otherwise: bounded memory, few round trips.
DEFAULT_CHUNK_ROWS = 100_000

#: The texts pandas' ``read_csv`` reads as missing (what PM4Py sees when it reads a CSV).
PANDAS_NULL_VALUES: tuple[str, ...] = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)

#: Bookkeeping columns of raw readers: never attributes (``event_seq``: input order,
#: ``source_line``: where the event is written).
RAW_READER_COLUMNS: tuple[str, ...] = ("event_seq", "source_line")


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read a file, independent of which columns mean what.

    Parameters
    ----------
    delimiter
        Field separator of CSV files. ``None`` detects it (``\\t`` for ``.tsv``).
    encoding
        Text encoding. A byte-order mark decides first (UTF-8 or UTF-16). UTF-8,
        UTF-16 and Latin-1 are read directly; any other Python codec (``cp1252``,
        ...) is transcoded to a temporary UTF-8 copy.
    quote, escape
        CSV quoting characters; ``None`` detects them (usually ``"``, doubled to escape).
    null_values
        CSV only: cell texts that mean "no value". The default is only the empty
        cell, so a journey called ``NA`` is kept. Pandas (and so PM4Py) also treats
        ``NA``, ``N/A``, ``NULL``, ``nan``, ... as missing: see :data:`PANDAS_NULL_VALUES`.
    skip_incomplete
        Drop events without journey id, activity or readable timestamp (with a
        warning in the log) instead of refusing the file. PM4Py drops them silently.
    classifier
        XES only: the event attribute(s) that name the activity.
    object_type
        OCEL only: the object type whose objects become the journeys.
    chunk_rows
        Events per batch; memory use is bounded by a few batches.
    """

    delimiter: str | None = None
    encoding: str = "utf-8"
    quote: str | None = None
    escape: str | None = None
    null_values: tuple[str, ...] = ("",)
    skip_incomplete: bool = False
    classifier: str = "concept:name"
    object_type: str | None = None
    chunk_rows: int = DEFAULT_CHUNK_ROWS


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True, slots=True)
class ReaderSpec:
    """One file format: its suffixes and the function that reads it (``"module:function"``).

    ``kind="canonical"`` functions are called as ``fn(path, mapping, *, options,
    on_progress)`` and yield canonical batches; ``kind="raw"`` functions are called
    with those of ``classifier``, ``object_type``, ``chunk_rows``, ``naive_timezone``
    and ``progress`` that their signature accepts, and yield source columns.
    """

    name: str
    suffixes: tuple[str, ...]
    target: str
    kind: Literal["canonical", "raw"] = "canonical"

    def load(self) -> Callable[..., Iterator[pa.RecordBatch]]:
        module_name, attr = self.target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            raise ImportRejected(
                Problem(
                    f"{self.name} files cannot be read yet: the reader {self.target} is not installed",
                    hint="convert the log to CSV or Parquet, or update cojourney",
                )
            ) from exc
        fn: Callable[..., Iterator[pa.RecordBatch]] = getattr(module, attr)
        return fn


_TABULAR = "cojourney.events.readers.tabular"
_REGISTRY: list[ReaderSpec] = [
    ReaderSpec(
        "CSV", (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz"), f"{_TABULAR}:read_csv"
    ),
    ReaderSpec("Parquet", (".parquet", ".pq"), f"{_TABULAR}:read_parquet"),
    ReaderSpec(
        "JSON Lines", (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"), f"{_TABULAR}:read_jsonl"
    ),
    ReaderSpec("XES", (".xes", ".xes.gz"), "cojourney.events.readers.xes:read_xes", "raw"),
    ReaderSpec(
        "OCEL",
        (".jsonocel", ".json", ".xmlocel", ".sqlite"),
        "cojourney.events.readers.ocel:read_ocel",
        "raw",
    ),
]


def register_reader(spec: ReaderSpec) -> None:
    """Add a format, or replace the reader of its suffixes (later registrations win)."""
    _REGISTRY.insert(0, spec)


def supported_suffixes() -> list[str]:
    """Every registered suffix, e.g. ``[".csv", ".tsv", ...]``."""
    return sorted({s for spec in _REGISTRY for s in spec.suffixes})


def reader_for(path: str | Path) -> ReaderSpec:
    """The reader of ``path``, chosen by its (longest matching) suffix.

    Raises
    ------
    ImportRejected
        When no registered format has the file's suffix.
    """
    name = Path(path).name.lower()
    matches = [(len(s), spec) for spec in _REGISTRY for s in spec.suffixes if name.endswith(s)]
    if not matches:
        raise ImportRejected(
            Problem(
                "unknown event-log format",
                location_in(path),
                found=Path(path).suffix or "(no suffix)",
                expected=", ".join(supported_suffixes()),
                hint="rename the file to its format's suffix, or convert it to CSV or Parquet",
            )
        )
    return max(matches, key=lambda m: m[0])[1]


def read_events(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    *,
    options: ReadOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> Iterator[pa.RecordBatch]:
    """Read an event log of any registered format as canonical batches.

    Parameters
    ----------
    path
        The file; its suffix chooses the reader (:func:`reader_for`).
    mapping
        Which source columns mean what. Unset columns default to XES-style names
        (``case:concept:name``, ``concept:name``, ``time:timestamp``) when present.
    options
        Parsing options (:class:`ReadOptions`).
    on_progress
        Called with the number of events read so far after each batch.

    Yields
    ------
    pyarrow.RecordBatch
        Batches in :func:`~cojourney.events.schema.canonical_arrow_schema`, in input
        order; ``event_seq`` numbers the events from 0 in that order.

    Raises
    ------
    ImportRejected
        For an unknown format, a missing column, a row without journey id or
        activity, or a timestamp that cannot be read. Batches are yielded only
        while every row is valid: a consumer must treat what it received as
        provisional until the iterator is exhausted without error.
    """
    path = Path(path)
    if not path.is_file():
        raise ImportRejected(
            Problem(
                "file not found",
                location_in(path),
                hint="check the path (relative paths start in the current folder)",
            )
        )
    spec = reader_for(path)
    mapping = mapping or ColumnMapping()
    options = options or ReadOptions()
    fn = spec.load()
    if spec.kind == "raw":
        import inspect

        offered: dict[str, Any] = {
            "classifier": options.classifier,
            "chunk_rows": options.chunk_rows,
            "object_type": options.object_type,
            "naive_timezone": mapping.timezone,
            "progress": on_progress,
        }
        accepted = inspect.signature(fn).parameters
        kwargs = {k: v for k, v in offered.items() if k in accepted and v is not None}
        if "progress" in kwargs:
            on_progress = None  # the raw reader reports; parsing is the long part
        raw = fn(path, **kwargs)
        return map_raw_batches(
            raw,
            mapping,
            source=path,
            on_progress=on_progress,
            skip_incomplete=options.skip_incomplete,
        )
    return fn(path, mapping, options=options, on_progress=on_progress)


# --------------------------------------------------------------------------- SQL mapping


def quote_identifier(name: str) -> str:
    """A DuckDB identifier for any column name (``case:concept:name`` included)."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    """A DuckDB string literal."""
    return "'" + value.replace("'", "''") + "'"


_XES_NAME = {S.JOURNEY_ID: S.XES_CASE, S.ACTIVITY: S.XES_ACTIVITY, S.TIMESTAMP: S.XES_TIMESTAMP}
_CONCEPT = {
    S.JOURNEY_ID: "mapping.columns.journey_id",
    S.ACTIVITY: "mapping.columns.activity",
    S.TIMESTAMP: "mapping.columns.timestamp",
}


def missing_columns_problems(
    mapping: ColumnMapping, available: Sequence[str], source: str | Path
) -> list[Problem]:
    """Problems for every required column that is unmapped or absent from ``available``."""
    shown = ", ".join(available) if available else "(none)"
    problems = []
    for name in S.REQUIRED_COLUMNS:
        if getattr(mapping, name) is None:
            problems.append(
                Problem(
                    f"no column chosen for {name}",
                    location_in(source, field=name),
                    found=f"columns: {shown}",
                    expected=f"the column holding the {name} (or one named {_XES_NAME[name]})",
                    hint=f"choose one of the columns found as {_CONCEPT[name]}",
                )
            )
    for name, src in mapping.sources().items():
        if src not in available:
            problems.append(
                Problem(
                    f"column {src!r} (for {name}) is not in the file",
                    location_in(source, field=src),
                    found=f"columns: {shown}",
                    expected=src,
                    hint="choose one of the columns found (names are case-sensitive)",
                )
            )
    return problems


class MappingQuery:
    """The SQL that maps a source relation's columns onto the canonical columns.

    The query returns the canonical columns except ``event_seq`` (numbered in
    Python, in input order) plus ``_timestamp_text``, the timestamp as written,
    for error messages. Columns named in ``reader_columns`` (the XES reader's
    ``event_seq`` and ``source_line``) are passed through with a leading ``_`` and
    kept out of ``attributes``. Timestamps: ``TIMESTAMPTZ`` values are kept; naive
    timestamps, dates and text without an offset are read in the connection's time
    zone (set from :attr:`ColumnMapping.timezone`); text with an offset uses it.
    """

    def __init__(
        self,
        mapping: ColumnMapping,
        column_types: dict[str, str],
        source: str | Path,
        *,
        reader_columns: Sequence[str] = (),
    ):
        self.reader_columns = [c for c in reader_columns if c in column_types]
        column_types = {c: t for c, t in column_types.items() if c not in self.reader_columns}
        self.mapping = mapping.resolve(list(column_types))
        problems = missing_columns_problems(self.mapping, list(column_types), source)
        if problems:
            raise ImportRejected(problems, title=f"{source}: the columns do not match")
        self.column_types = column_types
        self.source = source

    def timestamp_sql(self) -> str:
        """The timestamp as ``TIMESTAMPTZ``; null when unreadable or outside the accepted
        range (:data:`~cojourney.events.schema.TIMESTAMP_RANGE`)."""
        value = self._parsed_timestamp_sql()
        low, high = (sql_string(t) for t in S.TIMESTAMP_RANGE)
        return (
            f"CASE WHEN {value} >= CAST({low} AS TIMESTAMPTZ) "
            f"AND {value} < CAST({high} AS TIMESTAMPTZ) THEN {value} END"
        )

    def _parsed_timestamp_sql(self) -> str:
        src = self.mapping.timestamp
        assert src is not None
        col, kind = quote_identifier(src), self.column_types[src].upper()
        if kind.startswith("TIMESTAMP WITH TIME ZONE"):
            return col
        if kind.startswith("TIMESTAMP") or kind == "DATE":
            return f"CAST(CAST({col} AS TIMESTAMP) AS TIMESTAMPTZ)"
        if kind != "VARCHAR":
            raise ImportRejected(
                Problem(
                    f"the timestamp column has type {kind}",
                    location_in(self.source, field=src),
                    found=kind,
                    expected="text (ISO 8601 or mapping.timestamp.format) or a timestamp type",
                    hint="convert epoch numbers to ISO 8601 text or to a timestamp column first",
                )
            )
        if self.mapping.timestamp_format:
            fmt = sql_string(self.mapping.timestamp_format)
            return f"TRY_CAST(TRY_STRPTIME({col}, {fmt}) AS TIMESTAMPTZ)"
        return f"TRY_CAST({col} AS TIMESTAMPTZ)"

    def activity_sql(self) -> str:
        assert self.mapping.activity is not None
        col = f"CAST({quote_identifier(self.mapping.activity)} AS VARCHAR)"
        renames = self.mapping.activity_renames
        if not renames:
            return col
        cases = " ".join(f"WHEN {sql_string(k)} THEN {sql_string(v)}" for k, v in renames.items())
        return f"CASE {col} {cases} ELSE {col} END"

    def attributes_sql(self) -> str:
        mapped = set(self.mapping.sources().values())
        wanted = self.mapping.attributes
        names = (
            [c for c in self.column_types if c not in mapped]
            if wanted is None
            else [c for c in wanted if c in self.column_types]
        )
        if not names:
            return "CAST(NULL AS VARCHAR)"
        import json

        parts = [
            f"CASE WHEN {quote_identifier(c)} IS NOT NULL THEN "
            f"{sql_string(json.dumps(c) + ':')} || "
            f"CAST(to_json({quote_identifier(c)}) AS VARCHAR) END"
            for c in names
        ]
        return f"NULLIF('{{' || concat_ws(',', {', '.join(parts)}) || '}}', '{{}}')"

    def typed_timestamp(self) -> bool:
        """Whether the timestamp column has a date or timestamp type (never unreadable text)."""
        src = self.mapping.timestamp
        assert src is not None
        kind = self.column_types[src].upper()
        return kind.startswith("TIMESTAMP") or kind == "DATE"

    def timestamp_text_sql(self) -> str:
        """The timestamp as written (a typed one as DuckDB prints it), for messages about
        unreadable or out-of-range values; null when the value is missing."""
        src = self.mapping.timestamp
        assert src is not None
        return f"CAST({quote_identifier(src)} AS VARCHAR)"

    @staticmethod
    def incomplete_sql() -> str:
        """SQL condition, over the mapped columns, of an event that cannot be imported."""
        return (
            f"({S.JOURNEY_ID} IS NULL OR {S.JOURNEY_ID} = '' OR {S.ACTIVITY} IS NULL "
            f"OR {S.ACTIVITY} = '' OR {quote_identifier(S.TIMESTAMP)} IS NULL)"
        )

    def problems_sql(self, relation: str) -> str:
        """SQL of one row over ``relation``: a number that is zero exactly when no event
        is incomplete (:meth:`incomplete_sql` over :meth:`select_sql`), the number of
        distinct journey ids and the list of distinct activities (as mapped; both
        meaningful when the first is zero).

        Whether a journey id or an activity is usable depends on the value alone, so
        those checks run over the distinct values (a few per thousand events in an
        event log); the timestamp's over every event.
        """
        m = self.mapping
        assert m.journey_id is not None
        journey = f"CAST({quote_identifier(m.journey_id)} AS VARCHAR)"
        unusable = "v IS NULL OR v = '' OR NOT " + _acceptable("v")
        return (
            f"WITH journeys AS (SELECT DISTINCT {journey} AS v FROM {relation}), "
            f"activities AS (SELECT DISTINCT {self.activity_sql()} AS v FROM {relation}) "
            f"SELECT (SELECT count(*) FROM journeys WHERE {unusable}) "
            f"+ (SELECT count(*) FROM activities WHERE {unusable}) "
            f"+ (SELECT count(*) FROM {relation} WHERE ({self.timestamp_sql()}) IS NULL), "
            f"(SELECT count(*) FROM journeys), (SELECT list(v) FROM activities)"
        )

    def select_sql(self, relation: str, extra: Sequence[str] = (), *, checked: bool = True) -> str:
        """``SELECT <canonical columns>, <extra> FROM relation``.

        ``checked=False`` leaves out the checks of journey id, activity and timestamp
        (a value that fails them becomes null, :meth:`incomplete_sql`): for a relation
        already found to have no incomplete event, where the columns are then the
        same, computed once per value read instead of being checked again.
        """
        m = self.mapping
        assert m.journey_id is not None and m.timestamp is not None
        journey = f"CAST({quote_identifier(m.journey_id)} AS VARCHAR)"
        activity = self.activity_sql()
        if checked:
            journey_sql = f"CASE WHEN {_acceptable(journey)} THEN {journey} END"
            activity_sql = f"CASE WHEN {_acceptable(activity)} THEN {activity} END"
            timestamp_sql = self.timestamp_sql()
        else:
            journey_sql, activity_sql = journey, activity
            timestamp_sql = self._parsed_timestamp_sql()
        cols = [
            f"{journey_sql} AS {S.JOURNEY_ID}",
            f"{activity_sql} AS {S.ACTIVITY}",
            f"{timestamp_sql} AS {quote_identifier(S.TIMESTAMP)}",
            *(
                f"CAST({quote_identifier(src)} AS VARCHAR) AS {name}"
                if (src := getattr(m, name))
                else f"CAST(NULL AS VARCHAR) AS {name}"
                for name in S.OPTIONAL_COLUMNS
            ),
            f"{self.attributes_sql()} AS {S.ATTRIBUTES}",
            f"{self.timestamp_text_sql()} AS _timestamp_text",
            f"CASE WHEN NOT {_acceptable(journey)} THEN {journey} END AS _journey_text",
            f"CASE WHEN NOT {_acceptable(activity)} THEN {activity} END AS _activity_text",
            *(f"{quote_identifier(c)} AS {quote_identifier('_' + c)}" for c in self.reader_columns),
            *extra,
        ]
        return "SELECT " + ",\n  ".join(cols) + f"\nFROM {relation}"


def _acceptable(text_sql: str) -> str:
    """SQL: the id or name is at most ``max_value_chars`` long, without NUL or line break."""
    limit = current_settings().max_value_chars
    return (
        f"coalesce(length({text_sql}) <= {limit} AND NOT contains({text_sql}, chr(0)) "
        f"AND NOT contains({text_sql}, chr(10)) AND NOT contains({text_sql}, chr(13)), true)"
    )


def check_timezone(mapping: ColumnMapping, source: str | Path) -> None:
    """Refuse a mapping whose time zone is not an IANA name."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(mapping.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ImportRejected(
            Problem(
                "unknown time zone",
                location_in(source),
                found=mapping.timezone,
                expected="an IANA time zone such as UTC or Europe/Amsterdam",
                hint="fix mapping.timestamp.time_zone (it applies to timestamps written "
                "without an offset)",
            )
        ) from exc


def connect_for(mapping: ColumnMapping, source: str | Path) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB connection (:func:`duckdb_connect`) whose session time
    zone is the mapping's."""
    check_timezone(mapping, source)
    con = duckdb_connect()
    con.execute(f"SET TimeZone = {sql_string(mapping.timezone)}")
    return con


def describe(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """``{column: DuckDB type}`` of a relation, in order."""
    return {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


def map_raw_batches(
    raw: Iterable[pa.RecordBatch],
    mapping: ColumnMapping,
    *,
    source: str | Path,
    on_progress: ProgressCallback | None = None,
    skip_incomplete: bool = False,
) -> Iterator[pa.RecordBatch]:
    """Map batches of source columns (from the XES or OCEL reader) onto the canonical schema.

    Each batch is mapped on its own, so batches may differ in their attribute
    columns. A raw ``event_seq`` column becomes the canonical one; a raw
    ``source_line`` column gives the line in messages (else the event number does).
    """
    con = connect_for(mapping, source)
    checker = BatchChecker(
        source,
        lambda index, column: location_in(source, field=column or None),
        mapping,
        skip_incomplete=skip_incomplete,
    )

    def mapped() -> Iterator[pa.RecordBatch]:
        for batch in raw:
            con.register("raw_batch", batch)
            query = MappingQuery(
                mapping, describe(con, "raw_batch"), source, reader_columns=RAW_READER_COLUMNS
            )
            checker.mapping = query.mapping
            yield from con.execute(query.select_sql("raw_batch")).fetch_record_batch(
                max(batch.num_rows, 1)
            )
            con.unregister("raw_batch")

    try:
        yield from checked_batches(mapped(), checker, on_progress)
    finally:
        con.close()
