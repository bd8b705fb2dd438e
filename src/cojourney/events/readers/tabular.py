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

import codecs
import csv
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cojourney.errors import ImportRejected, Location, Problem, location_in
from cojourney.events import schema as S
from cojourney.events.readers.base import (
    BatchChecker,
    MappingQuery,
    ProgressCallback,
    ReadOptions,
    checked_batches,
    connect_for,
    describe,
    quote_identifier,
    sql_string,
)
from cojourney.events.schema import ColumnMapping

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pyarrow as pa

log = logging.getLogger(__name__)

#: Python codec name -> DuckDB ``read_csv`` encoding, for the encodings DuckDB reads itself.
_NATIVE_ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "iso8859-1": "latin-1",
    "utf-16": "utf-16",
}


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

    def select_sql(self) -> str:
        """The canonical columns (without ``event_seq``) plus ``_timestamp_text``."""
        return self.query.select_sql(self.relation)

    def direct_sql(self, session_timezone: str) -> str | None:
        """The canonical columns, ``event_seq`` the row's position in the file, read
        straight from the file at every query, or ``None`` when the rows must be copied
        first.

        Only a Parquet file qualifies, whose timestamp column has a timestamp type
        (nothing to parse): a query over the file then finds every possible problem
        (an event without journey id, activity or timestamp). A timestamp without time
        zone is read in the session's time zone at every query, so the mapping's time
        zone must be ``session_timezone``.
        """
        if self.fmt != "parquet" or not self.query.typed_timestamp():
            return None
        mapping, types = self.query.mapping, self.query.column_types
        assert mapping.timestamp is not None
        zoned = types[mapping.timestamp].upper().startswith("TIMESTAMP WITH TIME ZONE")
        if (not zoned and mapping.timezone != session_timezone) or _ROW_NUMBER in types:
            return None
        relation = f"read_parquet({sql_string(str(self.path.resolve()))}, {_ROW_NUMBER} = true)"
        mapped = self.query.select_sql(relation, extra=[f"{_ROW_NUMBER} AS {S.EVENT_SEQ}"])
        columns = ", ".join(quote_identifier(c) for c in S.CANONICAL_COLUMNS)
        return f"SELECT {columns} FROM ({mapped})"

    def checker(self) -> BatchChecker:
        return BatchChecker(
            self.path, self.locate, self.query.mapping, skip_incomplete=self.options.skip_incomplete
        )


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
) -> Iterator[PreparedRead]:
    """Prepare reading ``path`` on ``con`` (whose ``TimeZone`` must be the mapping's).

    DuckDB errors raised inside the ``with`` block (a ragged CSV line, a bad
    encoding) become :class:`~cojourney.errors.ImportRejected`. A temporary UTF-8
    copy made for an unusual encoding lives as long as the block.
    """
    import duckdb

    path = Path(path)
    mapping, options = mapping or ColumnMapping(), options or ReadOptions()
    fmt = next(f for suffix, f in _SUFFIX_FORMAT.items() if path.name.lower().endswith(suffix))
    with ExitStack() as stack:
        try:
            file = _readable_copy(path, options.encoding, stack) if fmt != "parquet" else path
            if fmt == "csv":
                delimiter = options.delimiter or ("\t" if path.suffix.lower() == ".tsv" else None)
                relation = _csv_relation(con, file, delimiter, options)
            elif fmt == "jsonl":
                relation = _json_relation(con, file, mapping)
            else:
                relation = f"read_parquet({sql_string(str(file))})"
            query = MappingQuery(mapping, describe(con, relation), path)
            yield PreparedRead(path, relation, query, _locator(path, fmt), options, fmt)
        except duckdb.Error as exc:
            raise _unreadable(path, exc) from exc


# --------------------------------------------------------------------------- internals

#: DuckDB's ``read_parquet`` option (and column) numbering the rows of each file from 0.
_ROW_NUMBER = "file_row_number"
_SUFFIX_FORMAT = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
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
    try:
        with prepared_read(con, path, mapping, options) as prepared:
            reader = con.execute(prepared.select_sql()).fetch_record_batch(options.chunk_rows)
            yield from checked_batches(reader, prepared.checker(), on_progress)
    finally:
        con.close()


def _csv_relation(
    con: duckdb.DuckDBPyConnection, file: Path, delimiter: str | None, options: ReadOptions
) -> str:
    """``read_csv`` with the dialect fixed and the header's names as text columns.

    Only the delimiter (and a non-default quote) is detected; the header is parsed
    here, so a ragged line is an error at its line instead of a reason for DuckDB's
    sniffer to guess a different header.
    """
    encoding = _NATIVE_ENCODINGS.get(_codec_name(options.encoding), "utf-8")
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
    names = _header_names(file, delimiter, quote, options.encoding)
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
    return f"read_csv({', '.join(args)})"


_DELIMITER_CANDIDATES = (",", ";", "\t", "|")


def _check_delimiter(file: Path, sniffed: str, encoding: str) -> str:
    """The sniffed delimiter, unless the header line plainly uses another one.

    DuckDB's sniffer looks at the whole sample: one ragged line (a row with fewer
    fields) can make it fall back to a delimiter the header does not contain, and the
    file would then seem to have a single column. The header line decides then.
    """
    with file.open(encoding=encoding, errors="replace", newline="") as f:
        header = f.readline()
    if sniffed and sniffed in header:
        return sniffed
    counts = {c: header.count(c) for c in _DELIMITER_CANDIDATES}
    best = max(counts, key=lambda c: counts[c])
    if counts[best]:
        log.debug("sniffed delimiter %r is not in the header of %s; using %r", sniffed, file, best)
        return best
    return sniffed


def _header_names(file: Path, delimiter: str, quote: str, encoding: str) -> list[str]:
    """The header's column names; empty ones become ``column<i>``, repeats get ``_<n>``."""
    codec = _codec_name(encoding)
    codec = "utf-8-sig" if codec == "utf-8" else codec
    with open(file, encoding=codec, newline="", errors="replace") as f:
        header = next(csv.reader(f, delimiter=delimiter, quotechar=quote), None)
    if not header:
        raise ImportRejected(
            Problem(
                "the file is empty: a header line is expected",
                location_in(file, line=1),
                hint="the first line must name the columns",
            )
        )
    names: list[str] = []
    for i, raw in enumerate(header):
        name, n = raw or f"column{i}", 1
        while name in names:
            name, n = f"{raw or f'column{i}'}_{n}", n + 1
        names.append(name)
    return names


def _json_relation(con: duckdb.DuckDBPyConnection, file: Path, mapping: ColumnMapping) -> str:
    """``read_json`` with the timestamp key read as text, so cojourney parses it (offsets kept)."""
    guessed = f"read_json({sql_string(str(file))}, format = 'newline_delimited')"
    types = describe(con, guessed)
    timestamp = mapping.resolve(list(types)).timestamp
    if timestamp is None or types.get(timestamp, "VARCHAR") == "VARCHAR":
        return guessed
    spec = ", ".join(
        f"{sql_string(name)}: {sql_string('VARCHAR' if name == timestamp else kind)}"
        for name, kind in types.items()
    )
    return f"read_json({sql_string(str(file))}, format = 'newline_delimited', columns = {{{spec}}})"


def _codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError as exc:
        raise ImportRejected(
            Problem(
                "unknown text encoding",
                found=encoding,
                expected="a Python codec name such as utf-8, latin-1, cp1252, utf-16",
                hint="fix mapping.csv.encoding",
            )
        ) from exc


def _readable_copy(path: Path, encoding: str, stack: ExitStack) -> Path:
    """``path`` itself when DuckDB reads its encoding, else a temporary UTF-8 copy."""
    codec = _codec_name(encoding)
    if codec in _NATIVE_ENCODINGS:
        return path
    fd, name = tempfile.mkstemp(suffix=path.suffix, prefix="cojourney-")
    stack.callback(os.unlink, name)
    log.info("transcoding %s from %s to UTF-8", path, codec)
    try:
        with (
            open(path, encoding=codec, newline="") as src,
            os.fdopen(fd, "w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            Problem(
                f"the file is not valid {codec}",
                location_in(path),
                found=str(exc),
                hint="set the file's real encoding as mapping.csv.encoding",
            )
        ) from exc
    return Path(name)


def _unreadable(path: Path, exc: Exception) -> ImportRejected:
    """DuckDB's error as a problem: its first lines (not its tuning advice) and a fix."""
    lines = [ln.strip() for ln in str(exc).strip().splitlines()]
    lines = [ln for ln in lines if ln][:4]
    kept: list[str] = []
    for ln in lines:
        if ln.lower().startswith(("possible fixes", "*")):
            break
        kept.append(ln.removeprefix("Invalid Input Error: ").removeprefix("Conversion Error: "))
    text = " ".join(kept) or type(exc).__name__
    line = re.search(r"[Ll]ine:? (\d+)", text)
    lowered = text.lower()
    if "unicode" in lowered or ("utf" in lowered and "encod" in lowered):
        hint = "set the file's encoding as mapping.csv.encoding, e.g. latin-1 or cp1252"
    elif path.suffix.lower() in {".csv", ".tsv", ".txt"}:
        hint = (
            "check the separator (mapping.csv.sep) and the quoting, and that every line has "
            "as many "
            "fields as the header"
        )
    else:
        hint = "check that the file is complete and of the format its suffix says"
    return ImportRejected(
        Problem(
            f"cannot read the file: {text}",
            location_in(path, line=int(line.group(1)) if line else None),
            hint=hint,
        )
    )
