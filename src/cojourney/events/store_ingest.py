"""Importing one file into the event store, inside the store's own DuckDB connection.

The file is never round-tripped through Python rows: CSV, Parquet and JSON Lines are
read by DuckDB itself (with the readers' dialect handling and mapping SQL,
:func:`cojourney.events.readers.tabular.prepared_read` and
:class:`~cojourney.events.readers.base.MappingQuery`); XES and OCEL logs are parsed
by their readers and handed over as Arrow. Then, in one transaction:

1. the mapped rows are staged in a temporary table, each with its position in the
   source and flags for a missing journey id, activity or timestamp (a file without rows
   is refused: nothing is recorded);
2. with ``on_error="fail"`` any flagged row refuses the import with the first
   :data:`~cojourney.events.readers.base.MAX_LISTED_PROBLEMS` problems (file,
   line or row, column, value, fix) and the total count; with ``"skip"`` the
   flagged rows are written, with their source columns and a ``reason``, to a
   quarantine CSV file;
3. the valid rows the store holds already (same identity, see
   :mod:`cojourney.events.store_identity`) are left out and counted;
4. the other valid rows are appended to the events table with a global ``event_seq``;
5. the import's statistics (journeys, time range, activities that are not
   touchpoints) are computed from the staged rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from cojourney.errors import ImportRejected, Location, Problem, location_in
from cojourney.events import schema as S
from cojourney.events.readers.base import (
    MAX_LISTED_PROBLEMS,
    RAW_READER_COLUMNS,
    BatchChecker,
    MappingQuery,
    ReaderSpec,
    ReadOptions,
    check_timezone,
    describe,
    quote_identifier,
    reader_for,
    sql_string,
)
from cojourney.events.schema import ColumnMapping
from cojourney.events.store_identity import mark_already_stored
from cojourney.events.store_schema import IMPORT_ID, ImportRecord, quietly
from cojourney.settings import current_settings

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from cojourney.events.readers.tabular import RaggedLine
    from cojourney.events.store import EventStore, PendingImport

__all__ = [
    "FileImport",
    "ImportProgress",
    "IngestOutcome",
    "ProgressCallback",
    "file_columns",
    "ingest_file",
]

log = logging.getLogger(__name__)

_ROW: Final = "__cojourney_row"
_STAGE: Final = "__cojourney_stage"
_RAW: Final = "__cojourney_raw"
_RAW_IN: Final = "__cojourney_raw_in"
_KNOWN: Final = "__cojourney_known"
_BAD: Final = "(__no_journey OR __no_activity OR __no_timestamp)"
#: Unknown activities listed by name (the rest are counted).
TOP_UNKNOWN: Final = 10


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """Where an import is: a stage name, and how far when known (0..1) or rows parsed."""

    stage: str
    fraction: float | None = None
    rows: int | None = None


ProgressCallback = Callable[[ImportProgress], None]


@dataclass(frozen=True, slots=True)
class FileImport:
    """Everything an import of one file needs to know.

    Parameters
    ----------
    path
        The event log (CSV, TSV, Parquet, JSON Lines, XES, OCEL).
    mapping
        The effective column mapping (its ``timezone`` applies to naive times).
    options
        How to parse the file (CSV dialect, XES classifier).
    source_sha256, mapping_name, mapping_fingerprint
        Recorded in the ``imports`` table (idempotence is checked by the caller).
    object_type
        OCEL: the object type to flatten on.
    on_error
        ``"fail"``: any bad row refuses the import. ``"skip"``: bad rows go to a
        quarantine file in ``quarantine_dir``, the others are imported.
    quarantine_dir
        Where quarantine files go (needed with ``"skip"``).
    known_activities
        Touchpoint ids of the workspace; other activities are reported. ``None``
        skips the check.
    kind
        The kind of log (only ``"events"`` is read from files so far).
    """

    path: Path
    mapping: ColumnMapping
    options: ReadOptions = field(default_factory=ReadOptions)
    source_sha256: str = ""
    mapping_name: str | None = None
    mapping_fingerprint: str = ""
    object_type: str | None = None
    on_error: Literal["fail", "skip"] = "fail"
    quarantine_dir: Path | None = None
    known_activities: frozenset[str] | None = None
    kind: str = "events"


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What one import did."""

    record: ImportRecord
    rows_read: int
    rejected: tuple[Problem, ...]
    journeys: int
    first_timestamp: datetime | None
    last_timestamp: datetime | None
    unknown_activities: tuple[tuple[str, int], ...]
    unknown_activity_count: int
    unknown_event_count: int


@dataclass(frozen=True, slots=True)
class _Source:
    """A file as a relation of the store's connection, mapped and numbered."""

    relation: str  # the numbered source rows (read again for the quarantine file)
    query: MappingQuery
    locate: Callable[[int, str], Location]
    seq: str  # staged column giving the input order
    line: str | None  # staged column giving the line, or None
    where_sql: str  # SQL text "line 12" / "row 12" of a staged row
    excluded: tuple[str, ...]  # bookkeeping columns of ``relation`` left out of quarantine
    # CSV: the lines set aside as ragged, known once the file has been read (staged)
    ragged: Callable[[], list[RaggedLine]] = list
    json: bool = False  # JSON Lines: a missing value is shown as null


def ingest_file(
    store: EventStore, request: FileImport, *, progress: ProgressCallback | None = None
) -> IngestOutcome:
    """Import ``request.path`` into ``store`` in one transaction.

    Raises
    ------
    cojourney.errors.ImportRejected
        Unreadable file, missing columns, unknown time zone, or (with
        ``on_error="fail"``) rows without journey id, activity or readable timestamp.
    """
    from cojourney.events.readers.connections import configure

    check_timezone(request.mapping, request.path)
    spec = reader_for(request.path)
    con = store.connection
    configure(con)  # duckdb_memory_limit, duckdb_threads and temp_dir hold while it is read
    with ExitStack() as stack:
        pending = stack.enter_context(
            store.import_transaction(
                source_name=request.path.name,
                source_sha256=request.source_sha256,
                mapping_name=request.mapping_name,
                mapping_fingerprint=request.mapping_fingerprint,
                kind=request.kind,
            )
        )
        stack.enter_context(_session_time_zone(con, request.mapping.timezone))
        source = stack.enter_context(_open_source(con, spec, request, progress))
        outcome = _run(con, source, request, pending, progress)
    assert pending.committed is not None
    return replace(outcome, record=pending.committed)


# --------------------------------------------------------------------------- the steps


def _run(
    con: duckdb.DuckDBPyConnection,
    src: _Source,
    request: FileImport,
    pending: PendingImport,
    progress: ProgressCallback | None,
) -> IngestOutcome:
    m = src.query.mapping
    flags = (
        f"({S.JOURNEY_ID} IS NULL OR {S.JOURNEY_ID} = '') AS __no_journey, "
        f"({S.ACTIVITY} IS NULL OR {S.ACTIVITY} = '') AS __no_activity, "
        f'("{S.TIMESTAMP}" IS NULL) AS __no_timestamp'
    )
    with _poller(con, "reading", progress):
        con.execute(
            f"CREATE TEMP TABLE {_STAGE} AS SELECT *, {flags} "
            f"FROM ({src.query.select_sql(src.relation)})"
        )
    counts = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {_BAD}) FROM {_STAGE}"
    ).fetchone()
    assert counts is not None
    ragged = src.ragged()  # CSV lines set aside for their number of fields
    total, bad = int(counts[0]) + len(ragged), int(counts[1]) + len(ragged)
    if total == 0:
        raise ImportRejected(
            Problem(
                "no events to import: the file holds no rows (a header alone, or nothing)",
                location_in(request.path),
                hint="check the export that wrote it; nothing was recorded",
            )
        )
    problems = _problems(con, src, request.path, total, bad, ragged) if bad else []
    if bad and request.on_error != "skip":
        listed = f"; the first {len(problems)} are listed" if bad > len(problems) else ""
        raise ImportRejected(
            problems,
            title=(
                f"{request.path}: {bad:,} of {total:,} events cannot be imported{listed}. Nothing was "
                "imported: fix these rows, or pass import.on_error=skip to import the others "
                "and set "
                "these aside in a quarantine file"
            ),
        )
    if bad:
        _quarantine(con, src, request, pending, m, progress, ragged)
    if src.relation == _RAW:  # staged: the parsed rows are not read again
        con.execute(f"DROP TABLE {_RAW}")
    if pending.seq_offset > 0:  # the store holds events: leave out those it has already
        if progress is not None:
            progress(ImportProgress("comparing with the stored events"))
        pending.rows_duplicate = mark_already_stored(
            con,
            pending.kind,
            _STAGE,
            f"NOT {_BAD}",
            quote_identifier("_" + _ROW),
            quote_identifier(src.seq),
            _KNOWN,
        )
        if pending.rows_duplicate:
            row = quote_identifier("_" + _ROW)
            con.execute(f"DELETE FROM {_STAGE} WHERE {row} IN (SELECT r FROM {_KNOWN})")
        con.execute(f"DROP TABLE {_KNOWN}")
    cols = pending.kind.column_names
    select = [
        f"{pending.seq_offset} + {quote_identifier(src.seq)}"
        if c == S.EVENT_SEQ
        else quote_identifier(c)
        for c in cols
    ]
    with _poller(con, "inserting", progress):
        targets = ", ".join(map(quote_identifier, cols))
        con.execute(
            f'INSERT INTO "{pending.kind.table}" ({targets}, '
            f"{IMPORT_ID}) SELECT {', '.join(select)}, {pending.id} FROM {_STAGE} "
            f"WHERE NOT {_BAD}"
        )
    seq = quote_identifier(src.seq)
    stats = con.execute(
        f'SELECT count(*), count(DISTINCT {S.JOURNEY_ID}), epoch_us(min("{S.TIMESTAMP}")), '
        f'epoch_us(max("{S.TIMESTAMP}")), min({seq}), max({seq}) '
        f"FROM {_STAGE} WHERE NOT {_BAD}"
    ).fetchone()
    assert stats is not None
    pending.rows_imported, pending.rows_rejected = int(stats[0]), bad
    if stats[4] is not None:
        pending.seq_first = pending.seq_offset + stats[4]
        pending.seq_last = pending.seq_offset + stats[5]
    unknown, distinct, events = _unknown_activities(con, request.known_activities)
    con.execute(f"DROP TABLE {_STAGE}")
    log.info(
        "%s: %d of %d events staged for import #%d (%d already stored, %d rejected)",
        request.path,
        pending.rows_imported,
        total,
        pending.id,
        pending.rows_duplicate,
        bad,
    )
    return IngestOutcome(
        pending.record(datetime.now(UTC)),
        total,
        tuple(problems),
        int(stats[1]),
        _utc(stats[2]),
        _utc(stats[3]),
        unknown,
        distinct,
        events,
    )


def _problems(
    con: duckdb.DuckDBPyConnection,
    src: _Source,
    path: Path,
    total: int,
    bad: int,
    ragged: Sequence[RaggedLine] = (),
) -> list[Problem]:
    """The first bad rows described as the readers describe them, ragged lines first."""
    listed = [r.problem(path) for r in ragged[:MAX_LISTED_PROBLEMS]]
    line = quote_identifier(src.line) if src.line else "NULL"
    rows = con.execute(
        f"SELECT {quote_identifier('_' + _ROW)} AS i, {line}, __no_journey, __no_activity, "
        f"__no_timestamp, _timestamp_text, _journey_text, _activity_text, "
        f"{S.JOURNEY_ID} IS NULL, {S.ACTIVITY} IS NULL FROM {_STAGE} WHERE {_BAD} "
        f"ORDER BY {quote_identifier('_' + _ROW)} LIMIT {MAX_LISTED_PROBLEMS - len(listed)}"
    ).fetchall()
    null = "null" if src.json else None
    checker = BatchChecker(path, src.locate, src.query.mapping, null_text=null)
    checker.rows_read, checker.bad_rows = total, bad
    checker.problems = listed
    checker.describe(
        (
            int(r[0]),
            r[1],
            null if r[2] and r[8] and null else r[2],
            null if r[3] and r[9] and null else r[3],
            r[4],
            r[5],
            r[6],
            r[7],
        )
        for r in rows
    )
    return checker.problems


def _reason_sql(m: ColumnMapping, where: str) -> str:
    """SQL of the ``reason`` text of a rejected, staged row."""
    low, high = S.TIMESTAMP_RANGE
    expected = f"format {m.timestamp_format}" if m.timestamp_format else "ISO 8601"
    expected += f", from {low[:10]} to before {high[:10]}"
    unreadable = sql_string(f"' cannot be read, expected {expected}")
    limit = current_settings().max_value_chars

    def refused(text: str, what: str, column: str | None) -> str:
        too_long = sql_string(f"{what} longer than {limit} characters (column {column})")
        broken = sql_string(f"{what} with a line break or NUL character (column {column})")
        return f"CASE WHEN length({text}) > {limit} THEN {too_long} ELSE {broken} END"

    parts = [
        f"CASE WHEN _journey_text IS NOT NULL THEN "
        f"{refused('_journey_text', 'journey id', m.journey_id)} "
        f"WHEN __no_journey THEN {sql_string(f'no journey id (column {m.journey_id})')} END",
        f"CASE WHEN _activity_text IS NOT NULL THEN "
        f"{refused('_activity_text', 'activity', m.activity)} "
        f"WHEN __no_activity THEN {sql_string(f'no activity (column {m.activity})')} END",
        f"CASE WHEN __no_timestamp THEN CASE WHEN _timestamp_text IS NULL "
        f"THEN {sql_string(f'no timestamp (column {m.timestamp})')} "
        f"ELSE 'timestamp ''' || _timestamp_text || {unreadable}"
        f" END END",
    ]
    return f"{where} || ': ' || concat_ws('; ', {', '.join(parts)})"


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    src: _Source,
    request: FileImport,
    pending: PendingImport,
    m: ColumnMapping,
    progress: ProgressCallback | None,
    ragged: Sequence[RaggedLine] = (),
) -> None:
    """Write the rejected rows (source columns plus ``reason``) to the quarantine file.

    Ragged lines (too many or too few fields for the columns) come first, their text
    in ``reason``.
    """
    reasons = (
        f"SELECT {quote_identifier('_' + _ROW)} AS r, "
        f"{_reason_sql(m, src.where_sql)} AS reason FROM {_STAGE} WHERE {_BAD}"
    )
    if ragged:
        from cojourney.events.readers.ragged import ragged_reasons_sql

        reasons += f" UNION ALL {ragged_reasons_sql(ragged)}"
    target = _write_quarantine(
        con,
        pending,
        request.path,
        request.quarantine_dir,
        request.options.delimiter,
        progress,
        src.relation,
        src.excluded,
        reasons,
    )
    log.info("%s: rejected rows set aside in %s", request.path, target)


def _write_quarantine(
    con: duckdb.DuckDBPyConnection,
    pending: PendingImport,
    path: Path,
    folder: Path | None,
    delimiter: str | None,
    progress: ProgressCallback | None,
    relation: str,
    excluded: Collection[str],
    reasons: str,
) -> Path:
    """Write the rejected rows of ``relation`` (its columns but ``excluded``, plus
    ``reason``) to ``FOLDER/<import id>-<file stem>.csv``, and return that path.

    ``relation`` numbers its rows in a ``__cojourney_row`` column; ``reasons`` is a
    query of ``r`` (that number, for each rejected row) and its ``reason``. The file
    is written under a temporary name and renamed just before the commit.
    """
    if folder is None:
        raise ValueError("on_error='skip' needs a quarantine_dir")
    if progress is not None:
        progress(ImportProgress("writing the quarantine file"))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{pending.id}-{_stem(path)}.csv"
    tmp = target.with_name(f".{target.name}.tmp")
    columns = [c for c in describe(con, relation) if c not in excluded]
    reason = "reason" if "reason" not in columns else "cojourney_reason"
    row = quote_identifier(_ROW)
    select = ", ".join(f"s.{quote_identifier(c)}" for c in columns)
    con.execute(
        f"COPY (SELECT {select}, q.reason AS {quote_identifier(reason)} FROM ({reasons}) q "
        f"LEFT JOIN {relation} s ON s.{row} = q.r ORDER BY q.r) "
        f"TO {sql_string(str(tmp))} "
        f"(FORMAT csv, HEADER true, DELIMITER {sql_string(delimiter or ',')})"
    )
    pending.quarantine_path = str(target)

    def publish() -> None:
        tmp.replace(target)

    pending.before_commit.append(publish)
    return target


def _unknown_activities(
    con: duckdb.DuckDBPyConnection, known: frozenset[str] | None
) -> tuple[tuple[tuple[str, int], ...], int, int]:
    """Top unknown activities with their events, how many distinct, how many events."""
    if known is None:
        return (), 0, 0
    known_sql = "[" + ", ".join(sql_string(a) for a in sorted(known)) + "]"
    rows = con.execute(
        f"WITH u AS (SELECT {S.ACTIVITY} AS a, count(*) AS n FROM {_STAGE} WHERE NOT {_BAD} "
        f"AND NOT list_contains(CAST({known_sql} AS VARCHAR[]), {S.ACTIVITY}) GROUP BY 1) "
        f"SELECT a, n, count(*) OVER (), sum(n) OVER () FROM u ORDER BY n DESC, a "
        f"LIMIT {TOP_UNKNOWN}"
    ).fetchall()
    if not rows:
        return (), 0, 0
    return tuple((str(r[0]), int(r[1])) for r in rows), int(rows[0][2]), int(rows[0][3])


# --------------------------------------------------------------------------- sources


@contextmanager
def _open_source(
    con: duckdb.DuckDBPyConnection,
    spec: ReaderSpec,
    request: FileImport,
    progress: ProgressCallback | None,
) -> Iterator[_Source]:
    from cojourney.events.readers.tabular import is_tabular

    if is_tabular(request.path):
        with _tabular_source(con, request) as source:
            yield source
    else:
        with _raw_source(con, spec, request, progress) as source:
            yield source


@contextmanager
def _tabular_source(con: duckdb.DuckDBPyConnection, request: FileImport) -> Iterator[_Source]:
    """A CSV, Parquet or JSON Lines file read by DuckDB. Ragged CSV lines are set aside
    (:mod:`cojourney.events.readers.ragged`), and the line of every other row counts them."""
    from cojourney.events.readers.ragged import rows_with_ragged_aside

    path = request.path
    with rows_with_ragged_aside(con, path, request.mapping, request.options) as (prepared, rows):
        numbered = f"(SELECT *, row_number() OVER () - 1 AS {_ROW} FROM {prepared.relation})"
        query = MappingQuery(
            prepared.query.mapping, describe(con, numbered), path, reader_columns=(_ROW,)
        )
        yield _Source(
            numbered,
            query,
            rows.locate,
            "_" + _ROW,
            None,
            rows.where_sql(quote_identifier("_" + _ROW)),
            (_ROW,),
            rows.collect,
            prepared.fmt == "jsonl",
        )


@contextmanager
def _raw_source(
    con: duckdb.DuckDBPyConnection,
    spec: ReaderSpec,
    request: FileImport,
    progress: ProgressCallback | None,
) -> Iterator[_Source]:
    """XES, OCEL (or another raw reader): parsed in Python, staged as Arrow in DuckDB."""
    import duckdb
    import pyarrow as pa

    from cojourney.events.store import _ErrorRelay

    raw = _raw_batches(spec, request, progress)
    first = next(raw)
    relay = _ErrorRelay()
    reader = pa.RecordBatchReader.from_batches(first.schema, relay.watch([first], raw))
    con.register(_RAW_IN, reader)
    try:
        if progress is not None:
            progress(ImportProgress("staging"))
        con.execute(
            f"CREATE TEMP TABLE {_RAW} AS SELECT *, row_number() OVER () - 1 AS {_ROW} "
            f"FROM {_RAW_IN}"
        )
    except duckdb.Error:
        relay.reraise()
        raise
    finally:
        con.unregister(_RAW_IN)
    path = request.path
    names = describe(con, _RAW)
    query = MappingQuery(request.mapping, names, path, reader_columns=(*RAW_READER_COLUMNS, _ROW))
    has_line = "source_line" in names
    row = quote_identifier("_" + _ROW)
    where = (
        "'line ' || CAST(_source_line AS VARCHAR)"
        if has_line
        else f"'row ' || CAST({row} + 1 AS VARCHAR)"
    )
    seq = "_event_seq" if "event_seq" in names else "_" + _ROW
    excluded = tuple(c for c in (*RAW_READER_COLUMNS, _ROW) if c in names)

    def locate(index: int, column: str) -> Location:
        return location_in(path, field=column or None)

    try:
        yield _Source(
            _RAW, query, locate, seq, "_source_line" if has_line else None, where, excluded
        )
    finally:
        quietly(con, f"DROP TABLE IF EXISTS {_RAW}")


def _raw_batches(
    spec: ReaderSpec, request: FileImport, progress: ProgressCallback | None
) -> Iterator[Any]:
    chunk = request.options.chunk_rows
    tz = request.mapping.timezone
    if spec.target.endswith(":read_xes"):
        from cojourney.events.readers.xes import read_xes

        def parsed(n: int) -> None:
            if progress is not None:
                progress(ImportProgress("parsing", rows=n))

        return iter(
            read_xes(
                request.path,
                classifier=request.options.classifier,
                chunk_rows=chunk,
                progress=parsed,
                naive_timezone=tz,
            )
        )
    if spec.target.endswith(":read_ocel"):
        from cojourney.events.readers.ocel import read_ocel

        return iter(
            read_ocel(
                request.path, object_type=request.object_type, chunk_rows=chunk, naive_timezone=tz
            )
        )
    return iter(spec.load()(request.path, classifier=request.options.classifier, chunk_rows=chunk))


def file_columns(path: str | Path, options: ReadOptions | None = None) -> list[str] | None:
    """The column names of a CSV, TSV, Parquet or JSON Lines file, read cheaply.

    ``None`` for formats whose columns are known only after parsing (XES, OCEL).
    CSV: the header line, split with ``options`` (the separator is detected when
    not given); empty names become ``column<i>`` and repeats get ``_<n>``, as the
    CSV reader names them.
    """
    import duckdb

    from cojourney.events.readers.connections import duckdb_connect
    from cojourney.events.readers.tabular import is_tabular

    path, options = Path(path), options or ReadOptions()
    if not is_tabular(path):
        return None
    if path.name.lower().removesuffix(".gz").endswith((".csv", ".tsv", ".txt")):
        return _csv_header(path, options)
    con = duckdb_connect()
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return list(describe(con, f"read_parquet({sql_string(str(path))})"))
        with _json_sample(path) as sample:
            depth = current_settings().json_max_depth
            return list(
                describe(
                    con,
                    f"read_json({sql_string(str(sample))}, format = 'newline_delimited', "
                    f"maximum_depth = {depth})",
                )
            )
    except duckdb.Error as exc:
        raise ImportRejected(
            Problem(
                f"cannot read the file: {str(exc).splitlines()[0]}",
                location_in(path),
                hint="check that the file is complete and of the format its suffix says",
            )
        ) from exc
    finally:
        con.close()


@contextmanager
def _json_sample(path: Path, size: int = 1 << 22) -> Iterator[Path]:
    """The first whole lines (about ``size`` bytes) of a JSON Lines file as plain UTF-8
    in a temporary file: expanded when gzip, without a byte-order mark."""
    import codecs

    from cojourney.events.readers._input import temp_file

    with _text_head(path) as raw:
        head = raw.read(size)
    encoding = "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    text = head.decode(encoding, errors="replace")
    if len(head) == size and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    with temp_file("sample", ".jsonl") as sample:
        sample.write_text(text, encoding="utf-8")
        yield sample


def _text_head(path: Path) -> Any:
    """``path`` opened for reading bytes, expanded when it is gzip (only what is read)."""
    import gzip

    from cojourney.events.readers._input import is_gzip

    return gzip.open(path, "rb") if is_gzip(path) else path.open("rb")


def _csv_header(path: Path, options: ReadOptions) -> list[str]:
    import codecs
    import csv

    try:
        codecs.lookup(options.encoding)
    except LookupError:
        raise ImportRejected(
            Problem(
                "unknown text encoding",
                location_in(path),
                found=options.encoding,
                hint="fix mapping.csv.encoding",
            )
        ) from None
    encoding = "utf-8-sig" if codecs.lookup(options.encoding).name == "utf-8" else options.encoding
    with _text_head(path) as raw:
        head = raw.read(1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    sample = head.decode(encoding, errors="replace")
    sep = options.delimiter or (
        "\t" if path.name.lower().removesuffix(".gz").endswith(".tsv") else None
    )
    if sep is None:
        try:
            lines = sample.splitlines()
            sep = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
    header = next(
        csv.reader(sample.splitlines()[:1], delimiter=sep, quotechar=options.quote or '"'), []
    )
    names: list[str] = []
    for i, raw in enumerate(header):
        name, n = raw or f"column{i}", 1
        while name in names:
            name, n = f"{raw or f'column{i}'}_{n}", n + 1
        names.append(name)
    return names


# --------------------------------------------------------------------------- helpers


@contextmanager
def _session_time_zone(con: duckdb.DuckDBPyConnection, zone: str) -> Iterator[None]:
    """Naive timestamps are read in ``zone`` while the block runs; UTC again afterwards."""
    con.execute(f"SET TimeZone = {sql_string(zone)}")
    try:
        yield
    finally:
        quietly(con, "SET TimeZone = 'UTC'")  # after a failed statement: done by the rollback


@contextmanager
def _poller(
    con: duckdb.DuckDBPyConnection, stage: str, progress: ProgressCallback | None
) -> Iterator[None]:
    """While a long statement runs, report ``stage`` and DuckDB's progress of it;
    ``0.0`` before and ``1.0`` after it succeeds."""
    from cojourney.events.query_progress import QueryProgress

    if progress is None:
        yield
        return
    progress(ImportProgress(stage, 0.0))
    with QueryProgress(con, lambda fraction: progress(ImportProgress(stage, fraction))):
        yield
    progress(ImportProgress(stage, 1.0))


def _utc(micros: int | None) -> datetime | None:
    """A UTC datetime from epoch microseconds (DuckDB's ``epoch_us``)."""
    if micros is None:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))


def _stem(path: Path) -> str:
    """``log`` for ``log.csv``, ``log.xes.gz``."""
    return Path(path.name.removesuffix(".gz")).stem
