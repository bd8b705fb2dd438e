"""Write an event log as XES (IEEE 1849-2016), plain or gzip-compressed.

Two kinds of table are understood:

canonical
    ``journey_id``, ``activity``, ``timestamp``, ``event_seq`` and the optional
    ``lifecycle`` (-> ``lifecycle:transition``), ``actor`` (-> ``org:resource``),
    ``role`` (-> ``org:role``), ``channel``, ``segment`` and ``attributes`` (a JSON
    object per event whose keys become XES attributes; keys written ``case:<key>``
    become trace attributes, taken from the first event of the journey).
raw
    The columns of :func:`cojourney.events.readers.xes.read_xes`:
    ``case:concept:name``, ``concept:name``, ``time:timestamp``, any
    ``case:<key>`` (trace attributes) and event attributes. ``event_seq`` and
    ``source_line`` are bookkeeping and are not written.

Attributes are typed from their Arrow type: strings -> ``<string>``, integers ->
``<int>``, floats -> ``<float>``, booleans -> ``<boolean>``, timestamps and dates ->
``<date>`` (an ``xs:dateTime`` in UTC, ``2024-02-01T10:00:00.500000+00:00``); anything
else as text. In the canonical ``attributes`` JSON, a text instant with an offset
(how a stored date attribute reads there: ``2024-02-01 10:00:00+00``) is written as
a ``<date>`` too, so a log read from XES goes back out with its dates typed. Null values are left out (XES
has no null). Traces come in order of first appearance, events in a trace by
timestamp then ``event_seq`` (then input order).
"""

from __future__ import annotations

import gzip as gzip_module
import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from cojourney.errors import InputError, Problem
from cojourney.events.writers.parquet import atomic_target

__all__ = ["write_xes"]

log = logging.getLogger(__name__)

_CASE, _ACT = "case:concept:name", "concept:name"
_TS, _LIFE = "time:timestamp", "lifecycle:transition"
_BOOKKEEPING = frozenset({"event_seq", "source_line"})
_CANONICAL_RENAMES = {
    "journey_id": _CASE,
    "activity": _ACT,
    "timestamp": _TS,
    "lifecycle": _LIFE,
    "actor": "org:resource",
    "role": "org:role",
}
_EXTENSIONS = {
    "concept": ("Concept", "http://www.xes-standard.org/concept.xesext"),
    "time": ("Time", "http://www.xes-standard.org/time.xesext"),
    "lifecycle": ("Lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    "org": ("Organizational", "http://www.xes-standard.org/org.xesext"),
}
_ESCAPES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
    ("\t", "&#9;"),
)
_NOT_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"
_SEP_EVENT = "\n\t\t\t"
_SEP_TRACE = "\n\t\t"
_SLICE_ROWS = 100_000


def _escape_text(text: str) -> str:
    for raw, entity in _ESCAPES:
        text = text.replace(raw, entity)
    return text


def _escape(values: Any) -> Any:
    values = pc.replace_substring_regex(values, _NOT_XML, "\ufffd")
    for raw, entity in _ESCAPES:
        values = pc.replace_substring(values, raw, entity)
    return values


def _lexical(values: Any) -> tuple[str, Any]:
    """The XES type and the escaped lexical form of an Arrow column (nulls stay null)."""
    t = values.type
    if pa.types.is_dictionary(t):
        return _lexical(values.cast(t.value_type))
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string", _escape(values)
    if pa.types.is_boolean(t):
        return "boolean", pc.if_else(values, "true", "false")
    if pa.types.is_integer(t):
        return "int", pc.cast(values, pa.string())
    if pa.types.is_floating(t):
        text = pc.cast(pc.cast(values, pa.float64()), pa.string())
        text = pc.replace_substring_regex(text, r"^inf$", "INF")
        text = pc.replace_substring_regex(text, r"^-inf$", "-INF")
        return "float", pc.replace_substring_regex(text, r"^-?nan$", "NaN")
    if pa.types.is_timestamp(t):
        utc = values if t.tz else pc.assume_timezone(values, "UTC")
        utc = pc.cast(utc, pa.timestamp(t.unit if t.unit != "ns" else "us", tz="UTC"))
        text = pc.strftime(utc, format="%Y-%m-%dT%H:%M:%S")
        return "date", pc.binary_join_element_wise(text, "+00:00", "")
    if pa.types.is_date(t):
        text = pc.strftime(pc.cast(values, pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S")
        return "date", pc.binary_join_element_wise(text, "+00:00", "")
    try:
        return "string", _escape(pc.cast(values, pa.string()))
    except pa.ArrowNotImplementedError:
        text = [None if v is None else json.dumps(v, default=str) for v in values.to_pylist()]
        return "string", _escape(pa.array(text, pa.string()))


def _rendered(key: str, values: Any) -> Any:
    """``<type key="key" value="..."/>`` per row, null where the value is null."""
    tag, text = _lexical(values)
    return pc.binary_join_element_wise(f'<{tag} key="{_escape_text(key)}" value="', text, '"/>', "")


def _json_attributes(values: Any) -> tuple[Any, Any]:
    """Render a canonical ``attributes`` JSON column: (event part, trace part) per row."""
    events: list[str | None] = []
    traces: list[str | None] = []
    for raw in values.to_pylist():
        doc = json.loads(raw) if raw else {}
        ev: list[str] = []
        tr: list[str] = []
        for key, value in doc.items() if isinstance(doc, dict) else ():
            if value is None:
                continue
            if isinstance(value, bool):
                tag, text = "boolean", "true" if value else "false"
            elif isinstance(value, int):
                tag, text = "int", str(value)
            elif isinstance(value, float):
                tag, text = "float", repr(value)
            elif isinstance(value, str) and (instant := _iso_instant(value)) is not None:
                tag, text = "date", instant
            else:
                tag = "string"
                text = value if isinstance(value, str) else json.dumps(value, default=str)
            is_case = key.startswith("case:")
            name = key[5:] if is_case else key
            if (name in (_ACT,) and is_case) or key in _BOOKKEEPING:
                continue
            item = f'<{tag} key="{_escape_text(name)}" value="{_escape_text(text)}"/>'
            (tr if is_case else ev).append(item)
        events.append(_SEP_EVENT.join(ev) or None)
        traces.append(_SEP_TRACE.join(tr) or None)
    return pa.array(events, pa.string()), pa.array(traces, pa.string())


_INSTANT = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}(?::?\d{2})?)$"
)


def _iso_instant(text: str) -> str | None:
    """An xs:dateTime for a text instant with an offset (``2024-02-01 10:00:00+00``, as a
    stored date attribute reads in the ``attributes`` JSON), else ``None``.

    Texts without an offset stay strings: their clock is unknown.
    """
    match = _INSTANT.match(text)
    if match is None:
        return None
    day, clock, zone = match.groups()
    if zone != "Z":
        zone = zone.replace(":", "")
        zone = f"{zone[:3]}:{zone[3:5] or '00'}"
    return f"{day}T{clock}{zone}"


def _as_table(data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch]) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    return pa.Table.from_batches(list(data))


def _to_raw(table: pa.Table) -> tuple[pa.Table, str | None]:
    """Canonical columns renamed to their XES names; the JSON attributes column apart."""
    if "journey_id" not in table.column_names:
        return table, None
    names = [_CANONICAL_RENAMES.get(n, n) for n in table.column_names]
    return table.rename_columns(names), ("attributes" if "attributes" in names else None)


def _sort(table: pa.Table) -> pa.Table:
    """Traces in order of first appearance; events by timestamp, event_seq, input order."""
    case = table.column(_CASE).combine_chunks()
    keys: dict[str, Any] = {"__case": pc.dictionary_encode(case).indices}
    if _TS in table.column_names:
        keys["__ts"] = table.column(_TS)
    if "event_seq" in table.column_names:
        keys["__seq"] = table.column("event_seq")
    keys["__row"] = pa.array(range(table.num_rows), pa.int64())
    order = pc.sort_indices(pa.table(keys), sort_keys=[(k, "ascending") for k in keys])
    return table.take(order)


def _check(table: pa.Table) -> None:
    problems = []
    for column, what in ((_CASE, "case id"), (_ACT, "activity")):
        if column not in table.column_names:
            problems.append(
                Problem(
                    f"the table has no {what} column",
                    expected=f"{column!r} (raw) or the canonical columns",
                )
            )
        elif table.column(column).null_count:
            problems.append(
                Problem(
                    f"{table.column(column).null_count} rows have no {what}",
                    hint="drop or fill these rows before writing XES",
                )
            )
    if problems:
        raise InputError(problems, title="the table cannot be written as XES")


def _header(keys: Iterable[str], lifecycle: bool) -> str:
    prefixes = {"concept", "time"} | {k.split(":", 1)[0] for k in keys if ":" in k}
    lines = [
        '<?xml version="1.0" encoding="UTF-8" ?>',
        '<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">',
    ]
    for prefix, (name, uri) in _EXTENSIONS.items():
        if prefix in prefixes:
            lines.append(f'\t<extension name="{name}" prefix="{prefix}" uri="{uri}"/>')
    lines.append('\t<classifier name="Activity" keys="concept:name"/>')
    if lifecycle:
        lines.append(
            '\t<classifier name="Activity and lifecycle" keys="concept:name lifecycle:transition"/>'
        )
    lines.append('\t<string key="creator" value="cojourney"/>')
    return "\n".join(lines) + "\n"


def _case_starts(table: pa.Table) -> list[int]:
    """Row numbers where a new case begins in a table sorted by case."""
    if table.num_rows == 0:
        return []
    case = table.column(_CASE).combine_chunks()
    changes = pc.indices_nonzero(pc.not_equal(case[1:], case[:-1])).to_pylist()
    return [0, *(i + 1 for i in changes)]


def _slices(starts: list[int], max_rows: int) -> Iterator[tuple[int, int]]:
    """``(begin, end)`` row ranges of whole cases, each of at most ``max_rows`` rows
    unless one case alone is longer; ``starts`` ends with the number of rows."""
    i = 0
    while i < len(starts) - 1:
        j = i + 1
        while j < len(starts) - 1 and starts[j + 1] - starts[i] <= max_rows:
            j += 1
        yield starts[i], starts[j]
        i = j


def _write_slice(
    out: IO[str],
    part: pa.Table,
    json_column: str | None,
    event_cols: list[str],
    trace_cols: list[str],
) -> None:
    """Write the traces of ``part`` (whole traces, sorted)."""
    starts = _case_starts(part)
    ends = [*starts[1:], part.num_rows]
    json_ev = json_tr = None
    if json_column is not None:
        json_ev, json_tr = _json_attributes(part.column(json_column))
    ev_parts = [_rendered(c, part.column(c)) for c in event_cols]
    if json_ev is not None:
        ev_parts.append(json_ev)
    events = pc.binary_join_element_wise(*ev_parts, _SEP_EVENT, null_handling="skip").to_pylist()
    heads = part.take(pa.array(starts, pa.int64()))
    tr_parts = [_rendered("concept:name", heads.column(_CASE))]
    tr_parts += [_rendered(c[5:], heads.column(c)) for c in trace_cols]
    if json_tr is not None:
        tr_parts.append(json_tr.take(pa.array(starts, pa.int64())))
    traces = pc.binary_join_element_wise(*tr_parts, _SEP_TRACE, null_handling="skip").to_pylist()
    chunks = []
    for head, s, e in zip(traces, starts, ends, strict=False):
        chunks.append(f"\t<trace>\n\t\t{head}\n\t\t<event>\n\t\t\t")
        chunks.append("\n\t\t</event>\n\t\t<event>\n\t\t\t".join(events[s:e]))
        chunks.append("\n\t\t</event>\n\t</trace>\n")
    out.write("".join(chunks))


def write_xes(
    table: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch],
    path: str | Path,
    *,
    gzip: bool | None = None,
) -> int:
    """Write an event log as an XES 1849-2016 file.

    Parameters
    ----------
    table
        A canonical or raw event table (see the module documentation), or its
        record batches.
    path
        The file to create or replace; it appears only once complete.
    gzip
        Compress with gzip; by default when ``path`` ends in ``.gz``.

    Returns
    -------
    int
        The number of events written.

    Raises
    ------
    cojourney.errors.InputError
        The table has no case id or activity column, or rows without them.
    """
    path = Path(path)
    compress = path.suffix.lower() == ".gz" if gzip is None else gzip
    raw, json_column = _to_raw(_as_table(table))
    _check(raw)
    raw = _sort(raw)
    present = [c for c in raw.column_names if raw.column(c).null_count < raw.num_rows]
    trace_cols = [c for c in present if c.startswith("case:") and c != _CASE]
    event_cols = [
        c
        for c in present
        if c not in trace_cols and c not in _BOOKKEEPING and c not in (_CASE, json_column)
    ]
    event_cols.sort(key=lambda c: (c != _ACT, c != _LIFE, c != _TS))
    has_life = _LIFE in event_cols
    starts = [*_case_starts(raw), raw.num_rows] if raw.num_rows else [0]
    with atomic_target(path) as tmp, _text(tmp, compress) as out:
        out.write(_header(event_cols + [c[5:] for c in trace_cols], has_life))
        for begin, end in _slices(starts, _SLICE_ROWS):
            _write_slice(out, raw.slice(begin, end - begin), json_column, event_cols, trace_cols)
        out.write("</log>\n")
    written: int = raw.num_rows
    log.info("%s: %d events in %d traces written", path, written, len(starts) - 1)
    return written


def _text(path: Path, compress: bool) -> IO[str]:
    """A UTF-8 text stream to ``path``, gzip-compressed or not."""
    if compress:
        return gzip_module.open(path, "wt", encoding="utf-8", newline="\n", compresslevel=6)
    return path.open("w", encoding="utf-8", newline="\n")
