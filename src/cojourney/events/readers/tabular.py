"""Readers of tabular event logs: CSV (and TSV), Parquet and JSON Lines.

Each file is streamed through DuckDB (``read_csv``, ``read_parquet``,
``read_json``) in batches of :attr:`ReadOptions.chunk_rows` events, mapped onto the
canonical schema by :class:`~cojourney.events.readers.base.MappingQuery` and checked
by :class:`~cojourney.events.readers.base.BatchChecker`.

CSV files are read as text (no type guessing): a journey id ``007`` stays ``007``.
The first line must be a header. Line numbers in messages assume one line per
record (a quoted value spanning lines shifts them).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cojourney.errors import Location, Problem, location_in
from cojourney.events import schema as S
from cojourney.events.readers._input import check_size
from cojourney.events.readers._text_files import (
    NATIVE_ENCODINGS,
    codec_name,
    header_names,
    no_rows,
    text_input,
    unreadable,
)
from cojourney.events.readers.base import (
    BatchChecker,
    MappingQuery,
    ProgressCallback,
    ReadOptions,
    checked_batches,
    connect_for,
    describe,
    out_of_memory,
    quote_identifier,
    sql_string,
)
from cojourney.events.schema import ColumnMapping
from cojourney.settings import current_settings

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pyarrow as pa

log = logging.getLogger(__name__)


def read_csv(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    *,
    options: ReadOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> Iterator[pa.RecordBatch]:
    """Read a CSV or TSV event log as canonical batches.

    Parameters
    ----------
    path
        The file. Its first line is the header.
    mapping
        Source columns of the canonical columns (XES names are the default).
    options
        ``delimiter`` (detected when ``None``; tab for ``.tsv``), ``encoding``,
        ``quote``, ``escape``, ``null_values``, ``skip_incomplete``, ``chunk_rows``.
    on_progress
        Called with the number of events read so far after each batch.

    Yields
    ------
    pyarrow.RecordBatch
        Canonical batches in file order.

    Raises
    ------
    ImportRejected
        With file, line, column, value and a fix for every problem found.
    """
    return _stream(Path(path), mapping, options, on_progress)


def read_parquet(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    *,
    options: ReadOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> Iterator[pa.RecordBatch]:
    """Read a Parquet event log as canonical batches (columns keep their types).

    Timestamp columns may be text, ``TIMESTAMP`` (read in the mapping's time zone),
    ``TIMESTAMP WITH TIME ZONE`` or ``DATE``. Problems name the row (``event N``).
    See :func:`read_csv` for the parameters.
    """
    return _stream(Path(path), mapping, options, on_progress)


def read_jsonl(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    *,
    options: ReadOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> Iterator[pa.RecordBatch]:
    """Read a JSON Lines event log (one JSON object per line) as canonical batches.

    Nested values of unmapped keys are kept as JSON in ``attributes``. The timestamp
    is always parsed by cojourney (never by DuckDB's type guessing), so offsets and
    ``timestamp_format`` apply as for CSV. See :func:`read_csv` for the parameters.
    """
    return _stream(Path(path), mapping, options, on_progress)


@dataclass(frozen=True)
class PreparedRead:
    """A tabular file ready for DuckDB: the mapped ``SELECT`` and how to report problems.

    Engines that run on DuckDB use it to load a file without a round trip through
    Arrow (see :meth:`cojourney.analytics.engines.duckdb.DuckDBEngine.load_file`).
    """

    path: Path
    relation: str
    query: MappingQuery
    locate: Callable[[int, str], Location]
    options: ReadOptions
    fmt: str = "csv"
    rejects: str | None = None
    dialect: tuple[str, str] | None = None

    def select_sql(self) -> str:
        """The canonical columns (without ``event_seq``) plus ``_timestamp_text``."""
        return self.query.select_sql(self.relation)

    def direct_sql(self, session_timezone: str, *, checked: bool = True) -> str | None:
        """The canonical columns, ``event_seq`` the row's position in the file, read
        straight from the file at every query, or ``None`` when the rows must be copied
        first.

        Only a Parquet file qualifies, whose timestamp column has a timestamp type
        (nothing to parse): a query over the file then finds every possible problem
        (an event without journey id, activity or timestamp;
        :meth:`direct_problems_sql`). A timestamp without time zone is read in the
        session's time zone at every query, so the mapping's time zone must be
        ``session_timezone``. ``checked=False``: without the checks
        (:meth:`MappingQuery.select_sql`), for a file whose check found no problem.
        """
        relation = self._direct_relation(session_timezone)
        if relation is None:
            return None
        mapped = self.query.select_sql(
            relation, extra=[f"{_ROW_NUMBER} AS {S.EVENT_SEQ}"], checked=checked
        )
        columns = ", ".join(quote_identifier(c) for c in S.CANONICAL_COLUMNS)
        return f"SELECT {columns} FROM ({mapped})"

    def direct_problems_sql(self, session_timezone: str) -> str | None:
        """One query over the file whose first value is zero exactly when no event of
        :meth:`direct_sql` is incomplete, then the number of journeys and the
        activities (:meth:`MappingQuery.problems_sql`), or ``None`` as for
        :meth:`direct_sql`."""
        relation = self._direct_relation(session_timezone)
        return None if relation is None else self.query.problems_sql(relation)

    def _direct_relation(self, session_timezone: str) -> str | None:
        if self.fmt != "parquet" or not self.query.typed_timestamp():
            return None
        mapping, types = self.query.mapping, self.query.column_types
        assert mapping.timestamp is not None
        zoned = types[mapping.timestamp].upper().startswith("TIMESTAMP WITH TIME ZONE")
        if (not zoned and mapping.timezone != session_timezone) or _ROW_NUMBER in types:
            return None
        return f"read_parquet({sql_string(str(self.path.resolve()))}, {_ROW_NUMBER} = true)"

    def ragged_lines(self, con: duckdb.DuckDBPyConnection) -> list[RaggedLine]:
        """The lines DuckDB set aside (too many or too few fields), once the file was read.

        Empty unless the read was prepared with ``rejects``.
        """
        import duckdb

        if self.rejects is None:
            return []
        try:
            rows = con.execute(
                f"SELECT line, any_value(csv_line), min(error_type), "
                f"max(CAST(regexp_extract(error_message, 'Found: (\\d+)', 1) AS BIGINT)), "
                f"max(CAST(regexp_extract(error_message, 'Columns: (\\d+)', 1) AS BIGINT)) "
                f"FROM {quote_identifier(self.rejects)} GROUP BY line ORDER BY line"
            ).fetchall()
        except duckdb.CatalogException:
            return []
        out = []
        for line, text, _, found, expected in rows:
            fields = _field_count(text, self.dialect) or int(found or 0)
            out.append(RaggedLine(int(line), fields, int(expected or 0), text))
        return out

    def checker(self) -> BatchChecker:
        return BatchChecker(
            self.path,
            self.locate,
            self.query.mapping,
            skip_incomplete=self.options.skip_incomplete,
            null_text="null" if self.fmt == "jsonl" else None,
        )


@dataclass(frozen=True, slots=True)
class RaggedLine:
    """A CSV line with more or fewer fields than the header."""

    line: int
    fields: int
    expected: int
    text: str | None

    def problem(self, path: Path) -> Problem:
        """The line as a problem of ``path``."""
        return Problem(
            f"line {self.line} has {fields(self.fields)} where the header has {self.expected}",
            location_in(path, line=self.line),
            found=_shorten(self.text or ""),
            expected=f"{self.expected} fields, like the header",
            hint="fix the line (a separator inside a value needs quotes), or check the "
            "separator (sep) and the quote character",
        )

    def reason(self) -> str:
        """The quarantine file's ``reason`` for the line."""
        return f"line {self.line}: {fields(self.fields)} where the header has {self.expected}"


def fields(n: int) -> str:
    """``1 field``, ``9 fields``."""
    return f"{n} field" if n == 1 else f"{n} fields"


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"


def _field_count(text: str | None, dialect: tuple[str, str] | None) -> int | None:
    if text is None or dialect is None:
        return None
    try:
        row = next(csv.reader([text], delimiter=dialect[0], quotechar=dialect[1]), None)
    except csv.Error:  # e.g. a bare carriage return inside a field: DuckDB's count stands
        return None
    return None if row is None else len(row)


def is_tabular(path: str | Path) -> bool:
    """Whether ``path`` is a format of this module (by suffix)."""
    name = Path(path).name.lower()
    return any(name.endswith(suffix) for suffix in _SUFFIX_FORMAT)


@contextmanager
def prepared_read(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
    *,
    rejects: str | None = None,
) -> Iterator[PreparedRead]:
    """Prepare reading ``path`` on ``con`` (whose ``TimeZone`` must be the mapping's).

    The file is checked first (:mod:`._input`): its size, its expansion when it is
    gzip, its encoding (a byte-order mark decides), binary content, a header
    without rows, duplicate or over-long column names, JSON nested deeper than
    ``json_max_depth``. DuckDB errors raised inside the ``with`` block (a ragged CSV
    line, a bad encoding, malformed JSON) become
    :class:`~cojourney.errors.ImportRejected` with the line; running out of memory
    becomes a :class:`~cojourney.errors.CojourneyError` that says what to do.
    Temporary copies (a gzip file expanded, an unusual encoding transcoded) live as
    long as the block.

    Parameters
    ----------
    rejects
        CSV only: the name of a temporary table where DuckDB sets aside ragged lines
        (too many or too few fields) instead of failing; see
        :meth:`PreparedRead.ragged_lines`.
    """
    import duckdb

    path = Path(path)
    mapping, options = mapping or ColumnMapping(), options or ReadOptions()
    fmt = format_of(path)
    dialect: tuple[str, str] | None = None
    with ExitStack() as stack:
        try:
            if fmt == "parquet":
                check_size(path)
                file = path
                relation = f"read_parquet({sql_string(str(file))})"
            else:
                file, options = text_input(path, fmt, options, stack)
            if fmt == "csv":
                delimiter = options.delimiter or ("\t" if _is_tsv(path) else None)
                relation, dialect = _csv_relation(con, file, delimiter, options, path, rejects)
            elif fmt == "jsonl":
                relation = _json_relation(con, file, mapping)
            query = MappingQuery(mapping, describe(con, relation), path)
            yield PreparedRead(
                path,
                relation,
                query,
                _locator(path, fmt),
                options,
                fmt,
                rejects if fmt == "csv" else None,
                dialect,
            )
        except duckdb.OutOfMemoryException as exc:
            raise out_of_memory(exc, path) from exc
        except duckdb.Error as exc:
            raise unreadable(path, exc, file=locals().get("file"), dialect=dialect) from exc


def format_of(path: str | Path) -> str:
    """``csv``, ``parquet`` or ``jsonl``: the tabular format of ``path`` by its suffix."""
    name = Path(path).name.lower()
    matches = [s for s in _SUFFIX_FORMAT if name.endswith(s)]
    if not matches:
        raise ValueError(f"not a tabular file: {path}")
    return _SUFFIX_FORMAT[max(matches, key=len)]


def _is_tsv(path: Path) -> bool:
    return path.name.lower().removesuffix(".gz").endswith(".tsv")


# --------------------------------------------------------------------------- internals

#: DuckDB's ``read_parquet`` option (and column) numbering the rows of each file from 0.
_ROW_NUMBER = "file_row_number"
_SUFFIX_FORMAT = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".csv.gz": "csv",
    ".tsv.gz": "csv",
    ".txt.gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson.gz": "jsonl",
}
#: Line of the first event (CSV: after the header); Parquet has no lines.
_FIRST_LINE = {"csv": 2, "jsonl": 1}


def _locator(path: Path, fmt: str) -> Callable[[int, str], Location]:
    first = _FIRST_LINE.get(fmt)

    def locate(index: int, column: str) -> Location:
        return location_in(path, line=None if first is None else index + first, field=column)

    return locate


def _stream(
    path: Path,
    mapping: ColumnMapping | None,
    options: ReadOptions | None,
    on_progress: ProgressCallback | None,
) -> Iterator[pa.RecordBatch]:
    mapping, options = mapping or ColumnMapping(), options or ReadOptions()
    con = connect_for(mapping, path)
    # Skipping: ragged lines are set aside (and counted) like incomplete rows.
    rejects = "__cojourney_rejects" if options.skip_incomplete else None
    try:
        with prepared_read(con, path, mapping, options, rejects=rejects) as prepared:
            reader = con.execute(prepared.select_sql()).fetch_record_batch(options.chunk_rows)
            checker = prepared.checker()
            yield from checked_batches(reader, checker, on_progress)
            ragged = prepared.ragged_lines(con)
            if checker.rows_read == 0 and not ragged:
                raise no_rows(path, "no events: the file has no rows (a header alone?)")
            if ragged:
                log.warning(
                    "%s: skipped %d lines whose number of fields differs from the header's "
                    "(lines %s)",
                    path,
                    len(ragged),
                    ", ".join(str(r.line) for r in ragged[:10])
                    + (", ..." if len(ragged) > 10 else ""),
                )
    finally:
        con.close()


def _csv_relation(
    con: duckdb.DuckDBPyConnection,
    file: Path,
    delimiter: str | None,
    options: ReadOptions,
    path: Path,
    rejects: str | None = None,
) -> tuple[str, tuple[str, str]]:
    """``read_csv`` with the dialect fixed and the header's names as text columns, and
    the dialect (delimiter, quote).

    Only the delimiter (and a non-default quote) is detected; the header is parsed
    here, so a ragged line is an error at its line (or, with ``rejects``, a row of
    that table) instead of a reason for DuckDB's sniffer to guess a different header.
    """
    encoding = NATIVE_ENCODINGS.get(codec_name(options.encoding), "utf-8")
    if delimiter is None or options.quote is None:
        sniffed = con.execute(
            f"SELECT Delimiter, Quote FROM sniff_csv({sql_string(str(file))}, "
            f"encoding = {sql_string(encoding)})"
        ).fetchone()
        assert sniffed is not None
        delimiter = delimiter or _check_delimiter(file, sniffed[0], options.encoding)
        quote = options.quote or (sniffed[1] if sniffed[1] not in ("(empty)", "") else '"')
    else:
        quote = options.quote
    escape = options.escape or quote
    names = header_names(file, delimiter, quote, options.encoding, path)
    columns = ", ".join(f"{sql_string(name)}: 'VARCHAR'" for name in names)
    nulls = ", ".join(sql_string(v) for v in dict.fromkeys(("", *options.null_values)))
    args = [
        sql_string(str(file)),
        "auto_detect = false",
        "header = true",
        f"delim = {sql_string(delimiter)}",
        f"quote = {sql_string(quote)}",
        f"escape = {sql_string(escape)}",
        f"columns = {{{columns}}}",
        f"nullstr = [{nulls}]",
        f"encoding = {sql_string(encoding)}",
    ]
    if rejects is not None:
        args += [
            "store_rejects = true",
            f"rejects_table = {sql_string(rejects)}",
            f"rejects_scan = {sql_string(rejects + '_scans')}",
        ]
    return f"read_csv({', '.join(args)})", (delimiter, quote)


_DELIMITER_CANDIDATES = (",", ";", "\t", "|")


def _check_delimiter(file: Path, sniffed: str, encoding: str) -> str:
    """The sniffed delimiter, unless the header line plainly uses another one.

    DuckDB's sniffer looks at the whole sample: one ragged line (a row with fewer
    fields) can make it fall back to a delimiter the header does not contain, and the
    file would then seem to have a single column. The header line decides then.
    """
    with file.open(encoding=encoding, errors="replace", newline="") as f:
        header = f.readline(1 << 20)
    if sniffed and sniffed in header:
        return sniffed
    counts = {c: header.count(c) for c in _DELIMITER_CANDIDATES}
    best = max(counts, key=lambda c: counts[c])
    if counts[best]:
        log.debug("sniffed delimiter %r is not in the header of %s; using %r", sniffed, file, best)
        return best
    return sniffed


def _json_relation(con: duckdb.DuckDBPyConnection, file: Path, mapping: ColumnMapping) -> str:
    """``read_json`` with the mapped keys read as text.

    The timestamp is parsed by cojourney (offsets kept), and ids are text: ``1`` and
    ``"1"`` are the same journey id (a number is kept as written in the file). Type
    detection stops at ``json_max_depth`` (deeper values stay JSON).
    """
    depth = current_settings().json_max_depth
    guessed = (
        f"read_json({sql_string(str(file))}, format = 'newline_delimited', maximum_depth = {depth}"
    )
    types = describe(con, guessed + ")")
    as_text = set(mapping.resolve(list(types)).sources().values())
    if all(types.get(name, "VARCHAR") == "VARCHAR" for name in as_text):
        return guessed + ")"
    spec = ", ".join(
        f"{sql_string(name)}: {sql_string('VARCHAR' if name in as_text else kind)}"
        for name, kind in types.items()
    )
    return f"{guessed}, columns = {{{spec}}})"
