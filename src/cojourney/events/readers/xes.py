"""Read XES event logs (IEEE 1849-2016, ``.xes`` and ``.xes.gz``) as Arrow batches.

The reader streams the XML through expat (the C parser of the standard library)
with two small callbacks, so no element tree is ever built. Events are gathered in
chunks of whole traces; each finished chunk becomes an Arrow table, and all but the
first and the newest are spilled to temporary Arrow IPC files, so memory stays
bounded by a few chunks whatever the size of the log. Batches are produced once
the whole file has been read, because the schema (every attribute key and its XES
type) is known only then and every batch has the same schema; a malformed file is
therefore refused before anything is yielded.

Raw columns (the canonical schema is mapped from these elsewhere):

``case:concept:name`` (string)
    The ``concept:name`` of the trace.
``concept:name`` (string)
    The activity as given by the classifier: with the default classifier the
    event's ``concept:name``; with ``"concept:name+lifecycle:transition"`` the
    values joined by ``"+"``, in the order given, exactly as PM4Py names
    classified activities (``"+".join(event[key] for key in classifier_keys)``).
``time:timestamp`` (timestamp[us, UTC], or string)
    Offsets in the file are honoured; a date without an offset is read on the
    clock of ``naive_timezone`` (UTC by default). When a value is not ISO 8601
    (``2019/11/03 01:11:19.000``, ``?``) the whole column is kept as the text
    written, for the mapping's ``timestamp_format`` to parse (unreadable values are
    then reported, or skipped, with their line).
``lifecycle:transition`` (string, null when absent)
``event_seq`` (int64)
    The event's 0-based position in the file.
``source_line`` (int64)
    The line of the event's ``<event>`` tag (of the decompressed text).
every other event attribute
    ``string``/``id`` as string, ``int`` as int64, ``float`` as float64,
    ``boolean`` as bool, ``date`` as timestamp[us, UTC]. A key seen with several
    XES types (or whose values do not parse as the declared type) is kept as the
    strings written in the file; ``int`` mixed with ``float`` becomes float64.
``case:<key>`` for every other trace attribute, typed the same way.

``list`` and ``container`` attributes and nested (meta-)attributes are skipped;
the keys skipped are logged once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from cojourney.errors import ImportRejected, NotFound
from cojourney.events.readers._input import input_blocks, make_temp_dir, remove_temp
from cojourney.events.readers._values import (
    TS_TYPE,
    XES_TO_ARROW,
    TimestampParseError,
    cast_strings,
    to_utc_timestamps,
)
from cojourney.events.readers._xes_fast import ColumnChunk, NotFast, fast_chunks
from cojourney.events.readers._xes_parser import AttributeTypes, XesParser, classifier_keys

__all__ = [
    "ACTIVITY",
    "CASE_ID",
    "EVENT_SEQ",
    "LIFECYCLE",
    "SOURCE_LINE",
    "TIMESTAMP",
    "TimestampParseError",
    "read_xes",
    "to_utc_timestamps",
]

log = logging.getLogger(__name__)

CASE_ID = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"
LIFECYCLE = "lifecycle:transition"
EVENT_SEQ = "event_seq"
SOURCE_LINE = "source_line"
CASE_PREFIX = "case:"

_BLOCK = 1 << 20


# --------------------------------------------------------------------------- chunks to Arrow


class _Spool:
    """Chunk tables in order: the first and the newest in memory, the others in temporary
    Arrow IPC files, so memory holds about two chunks whatever the size of the log."""

    def __init__(self) -> None:
        self._items: list[pa.Table | Path] = []
        self._dir: Path | None = None

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget every chunk (and remove the spilled ones)."""
        self._items.clear()
        if self._dir is not None:
            remove_temp(self._dir)
            self._dir = None

    def add(self, table: pa.Table) -> None:
        if len(self._items) >= 2 and isinstance(self._items[-1], pa.Table):
            self._items[-1] = self._spill(self._items[-1], len(self._items) - 1)
        self._items.append(table)

    def _spill(self, table: pa.Table, index: int) -> Path:
        if self._dir is None:
            self._dir = make_temp_dir("xes")
        target = self._dir / f"chunk{index:06d}.arrow"
        with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table)
        return target

    def tables(self) -> Iterator[pa.Table]:
        for item in self._items:
            if isinstance(item, Path):
                with pa.memory_map(str(item), "r") as source:
                    yield pa.ipc.open_file(source).read_all()
            else:
                yield item


def _count(n: int, noun: str) -> str:
    return f"1 {noun} has" if n == 1 else f"{n} {noun}s have"


def _lines(lines: list[int], shown: int = 5) -> str:
    text = "line " if len(lines) == 1 else "lines "
    text += ", ".join(map(str, lines[:shown]))
    return text + (f" and {len(lines) - shown} more" if len(lines) > shown else "")


class _Builder:
    """Turns parsed chunks into tables and decides the final schema."""

    def __init__(self, parser: XesParser, classifier: str, naive_timezone: str) -> None:
        self.parser = parser
        self.classifier = classifier
        self.naive_timezone = naive_timezone
        self.keys: list[str] | None = None
        self.demoted: set[str] = set()
        self.text_timestamps = False
        self.seq = 0

    def table(self, chunk: ColumnChunk) -> pa.Table:
        """One chunk: ids, activity and timestamp final, other attributes as strings."""
        parser, n = self.parser, chunk.n_events
        if self.keys is None:
            self.keys = classifier_keys(self.classifier, parser.classifiers)
            log.debug("%s: classifier %r -> keys %s", parser.path, self.classifier, self.keys)
        trace_idx = chunk.trace_of_event
        cases = chunk.trace_column(ACTIVITY)
        self._check_case_names(cases, chunk)
        by_key = {key: chunk.event_column(key) for key in parser.event_types.first}
        cols: dict[str, pa.Array] = {
            CASE_ID: cases.take(trace_idx),
            ACTIVITY: self._classify(by_key, chunk),
            TIMESTAMP: self._timestamps(by_key.pop(TIMESTAMP, None), chunk),
            LIFECYCLE: by_key.pop(LIFECYCLE, pa.nulls(n, pa.string())),
            EVENT_SEQ: pa.array(range(self.seq, self.seq + n), pa.int64()),
            SOURCE_LINE: chunk.lines,
        }
        self.seq += n
        for key, column in by_key.items():
            if key not in cols:
                cols[key] = column
                self._validate(key, column, parser.event_types)
        for key in parser.trace_types.first:
            if key != ACTIVITY:
                column = chunk.trace_column(key)
                self._validate(CASE_PREFIX + key, column, parser.trace_types, key)
                cols[CASE_PREFIX + key] = column.take(trace_idx)
        return pa.table(cols)

    def _validate(
        self, name: str, column: pa.Array, types: AttributeTypes, key: str | None = None
    ) -> None:
        """Remember columns whose values do not parse as their XES type: they stay strings."""
        xes_type = types.final(key or name)
        if xes_type in (None, "string", "id") or name in self.demoted:
            return
        if cast_strings(column, xes_type, naive_timezone=self.naive_timezone) is None:
            log.warning(
                "%s: attribute %r is not always a valid %s; kept as text",
                self.parser.path,
                key or name,
                xes_type,
            )
            self.demoted.add(name)

    def _check_case_names(self, cases: pa.Array, chunk: ColumnChunk) -> None:
        if cases.null_count:
            rows = pc.indices_nonzero(pc.is_null(cases)).to_pylist()
            lines = [chunk.trace_lines[i] for i in rows]
            self.parser.problem(
                f"{_count(len(lines), 'trace')} no concept:name (the case id)",
                lines[0],
                found=_lines(lines),
                expected='<string key="concept:name" value="..."/> inside each <trace>',
                hint="give every trace a unique concept:name",
            )

    def _classify(self, by_key: dict[str, pa.Array], chunk: ColumnChunk) -> pa.Array:
        keys, n = self.keys or [ACTIVITY], chunk.n_events
        parts = [by_key.get(k, pa.nulls(n, pa.string())) for k in keys]
        activity = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "+")
        if activity.null_count:
            rows = pc.indices_nonzero(pc.is_null(activity)).to_pylist()
            absent = [k for k in keys if k not in by_key or not by_key[k][rows[0]].is_valid]
            self.parser.problem(
                f"{_count(len(rows), 'event')} no {' / '.join(absent)}, needed for the activity "
                f"(classifier {self.classifier!r})",
                chunk.lines[rows[0]].as_py(),
                found=_lines([chunk.lines[i].as_py() for i in rows]),
                expected=f"attribute{'s' if len(keys) > 1 else ''} {', '.join(keys)} on every "
                "event",
                hint="add the attribute to these events, or choose another classifier "
                "(classifier='concept:name')",
            )
        return activity

    def _timestamps(self, column: pa.Array | None, chunk: ColumnChunk) -> pa.Array:
        """The timestamps as written; a column that does not parse as ISO 8601 stays text.

        Text timestamps (``2019/11/03 01:11:19.000``) are parsed later with the
        mapping's ``timestamp_format``; an unreadable one (``?``) is then reported
        (or skipped) with its line like in any other format.
        """
        if column is None:
            return pa.nulls(chunk.n_events, pa.string())
        if not self.text_timestamps:
            try:
                to_utc_timestamps(column, naive_timezone=self.naive_timezone)
            except TimestampParseError as exc:
                log.info(
                    "%s: time:timestamp %r (line %d) is not ISO 8601; timestamps kept as text",
                    self.parser.path,
                    exc.value,
                    chunk.lines[exc.index].as_py(),
                )
                self.text_timestamps = True
        return column

    def schema(self) -> pa.Schema:
        """The schema of every batch, known once the whole file has been read."""
        p = self.parser
        fields = [
            pa.field(CASE_ID, pa.string()),
            pa.field(ACTIVITY, pa.string()),
            pa.field(TIMESTAMP, pa.string() if self.text_timestamps else TS_TYPE),
            pa.field(LIFECYCLE, pa.string()),
            pa.field(EVENT_SEQ, pa.int64()),
            pa.field(SOURCE_LINE, pa.int64()),
        ]
        taken = {f.name for f in fields}
        columns = [(key, key, p.event_types) for key in p.event_types.first] + [
            (CASE_PREFIX + key, key, p.trace_types)
            for key in p.trace_types.first
            if key != ACTIVITY
        ]
        for name, key, types in columns:
            xes_type = types.final(key)
            if xes_type is None:
                p.skipped.add(key)
            elif name in taken:
                if name not in (ACTIVITY, TIMESTAMP, LIFECYCLE):
                    log.warning(
                        "%s: attribute %r clashes with a reserved column; dropped", p.path, name
                    )
            else:
                arrow_type = pa.string() if name in self.demoted else XES_TO_ARROW[xes_type]
                fields.append(pa.field(name, arrow_type))
                taken.add(name)
        return pa.schema(fields)


def _conform(table: pa.Table, schema: pa.Schema, naive_timezone: str = "UTC") -> pa.Table:
    """A chunk with exactly ``schema``: typed columns cast, absent ones null."""
    arrays = []
    for fld in schema:
        if fld.name not in table.column_names:
            arrays.append(pa.nulls(table.num_rows, fld.type))
            continue
        column = table.column(fld.name)
        if column.type != fld.type:
            xes_type = next(k for k, v in XES_TO_ARROW.items() if v == fld.type)
            cast = cast_strings(column, xes_type, naive_timezone=naive_timezone)
            if cast is None:  # validated while parsing: cannot happen
                raise AssertionError(f"column {fld.name} does not cast to {fld.type}")
            column = cast
        arrays.append(column)
    return pa.Table.from_arrays(arrays, schema=schema)


# --------------------------------------------------------------------------- public API


def read_xes(
    path: str | Path,
    *,
    classifier: str = "concept:name",
    chunk_rows: int = 200_000,
    progress: Callable[[int], None] | None = None,
    naive_timezone: str = "UTC",
    fast: bool = True,
) -> Iterator[pa.RecordBatch]:
    """Read an XES log (``.xes`` or gzip-compressed ``.xes.gz``) as Arrow record batches.

    Parameters
    ----------
    path
        The XES file. Compression is recognised by content, not by name.
    classifier
        How the activity (``concept:name`` column) is formed: attribute keys joined
        by ``"+"`` (``"concept:name+lifecycle:transition"`` gives ``"A+complete"``,
        as PM4Py names classified activities), or the name of a ``<classifier>``
        declared in the log.
    chunk_rows
        About how many events one batch holds; a chunk ends with a whole trace, so
        it may hold one trace's worth of events more.
    progress
        Called with the number of events read so far, about once per MiB of XML.
    naive_timezone
        The clock of dates written without an offset (IANA name or ``"+01:00"``);
        UTC by default.
    fast
        Read the usual one-element-per-line layout as columns (``_xes_fast``); any
        other layout is then read with expat. ``False`` always uses expat (the
        results are the same; this is for comparisons).

    Yields
    ------
    pyarrow.RecordBatch
        Batches with one schema, in file order (the module documentation lists
        the columns).

    Raises
    ------
    cojourney.errors.ImportRejected
        Malformed XML (with line and column), a trace without ``concept:name``, an
        event without the classifier's attributes or with an unreadable
        ``time:timestamp``: raised before the first batch is produced.
    cojourney.errors.NotFound
        The file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"{path}: no such XES file")
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be positive")
    shown = _monotone(progress)
    parser = XesParser(path, chunk_rows)
    builder = _Builder(parser, classifier, naive_timezone)
    with _Spool() as spool:
        try:
            if not fast:
                raise NotFast("the expat parser was asked for")
            for chunk in fast_chunks(path, parser, shown):
                spool.add(builder.table(chunk))
            if parser.problems:
                raise NotFast("the expat parser lists the problems")
            if shown is not None:
                shown(builder.seq)
        except NotFast as why:
            log.debug("%s: read with expat (%s)", path, why)
            spool.clear()
            parser = XesParser(path, chunk_rows)
            builder = _Builder(parser, classifier, naive_timezone)
            _parse_into(spool, parser, builder, shown)
        if parser.problems:
            raise ImportRejected(parser.problems, title=f"the XES file {path.name} was refused")
        schema = builder.schema()
        pa.default_memory_pool().release_unused()  # the parser's blocks, before DuckDB's turn
        if parser.skipped:
            log.warning(
                "%s: list/container attributes skipped: %s", path, ", ".join(sorted(parser.skipped))
            )
        log.info("%s: %d events in %d columns", path, builder.seq, len(schema))
        for table in spool.tables():
            typed = _conform(table, schema, naive_timezone)
            if typed.num_rows == 0:  # an empty log: one empty batch that carries the schema
                yield pa.RecordBatch.from_pylist([], schema=schema)
            else:
                yield from typed.combine_chunks().to_batches(max_chunksize=typed.num_rows)


def _monotone(progress: Callable[[int], None] | None) -> Callable[[int], None] | None:
    """``progress`` that never goes back (when the expat parser starts the file again)."""
    if progress is None:
        return None
    top = 0

    def shown(n: int) -> None:
        nonlocal top
        top = max(top, n)
        progress(top)

    return shown


def _parse_into(
    spool: _Spool, parser: XesParser, builder: _Builder, progress: Callable[[int], None] | None
) -> None:
    """Parse the whole file with expat, adding each completed chunk to ``spool`` as a table."""

    def drain() -> None:
        while parser.done:
            spool.add(builder.table(ColumnChunk.of(parser.done.pop(0), parser)))

    for block in input_blocks(parser.path, _BLOCK):
        parser.feed(block)
        drain()
        if progress is not None:
            progress(parser.pending_events())
    parser.feed(b"", final=True)
    parser.finish()
    drain()
    if progress is not None:
        progress(builder.seq)
