"""The fast path of the XES reader: the usual one-element-per-line layout, read as columns.

XES writers (OpenXES, ProM, PM4Py, Disco) put one element on each line::

    <trace>
        <string key="concept:name" value="173688"/>
        <event>
            <string key="concept:name" value="A_SUBMITTED"/>
            <date key="time:timestamp" value="2011-10-01T00:38:44.546+02:00"/>
        </event>
    </trace>

For such a body no XML parser is needed: Arrow's CSV reader (one column, no quoting)
cuts the decompressed text into lines in C++, and every line is classified by
vectorised compute (trimmed, split at ``"``, compared with the six attribute
prefixes and the four structural tags), so no Python code runs per line or per
attribute. Nesting is checked with cumulative sums (traces and events open and close
in turn, attributes sit inside them); each attribute key becomes a string column by
one ``take``. Line numbers are the row numbers.

Whatever does not fit exactly (several elements on a line, nested or ``list``
attributes, attributes in another order or quoting, character references, a comment
among the traces, a line longer than a block, invalid UTF-8...) raises
:class:`NotFast`, and the reader parses the whole file again with expat
(:class:`~cojourney.events.readers._xes_parser.XesParser`), which reports malformed
XML with its line and column. The lines before the first ``<trace>`` (declaration,
extensions, globals, classifiers, log attributes) and after the last ``</trace>``
are always given to expat, so the log's root and classifiers are read as before.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cojourney.errors import ImportRejected
from cojourney.events.readers._input import input_blocks
from cojourney.events.readers._xes_parser import AttributeTypes, Chunk, XesParser

__all__ = ["ColumnChunk", "NotFast", "fast_chunks"]

#: Bytes of decompressed text per CSV block (a line must fit in one block).
BLOCK = 1 << 20

_STRUCT = pa.array(["<trace>", "</trace>", "<event>", "</event>"])
_T_OPEN, _T_CLOSE, _E_OPEN, _E_CLOSE = range(4)
_TAGS = ("string", "date", "int", "float", "boolean", "id")
_PREFIXES = pa.array([f"<{tag} key=" for tag in _TAGS])
_ENDS = pa.array(["/>", " />"])
_BAD_CHARS = "[\\t\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x{FFFE}\\x{FFFF}<]"
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_NOT_UTF8 = re.compile(r"""encoding\s*=\s*["'](?!utf-?8["'])""", re.IGNORECASE)

Ints = npt.NDArray[np.int64]


class NotFast(Exception):
    """The file is not in the one-element-per-line layout: read it with expat."""


@dataclass
class ColumnChunk:
    """Events of whole traces as string columns (every key a column), before typing."""

    n_events: int = 0
    events: dict[str, pa.Array] = field(default_factory=dict)
    lines: pa.Array = field(default_factory=lambda: pa.array([], pa.int64()))
    trace_of_event: pa.Array = field(default_factory=lambda: pa.array([], pa.int32()))
    traces: dict[str, pa.Array] = field(default_factory=dict)
    trace_lines: list[int] = field(default_factory=list)

    @property
    def n_traces(self) -> int:
        return len(self.trace_lines)

    def event_column(self, key: str) -> pa.Array:
        found = self.events.get(key)
        return pa.nulls(self.n_events, pa.string()) if found is None else found

    def trace_column(self, key: str) -> pa.Array:
        found = self.traces.get(key)
        return pa.nulls(self.n_traces, pa.string()) if found is None else found

    @classmethod
    def of(cls, chunk: Chunk, parser: XesParser) -> ColumnChunk:
        """The columns of an expat chunk (every key the parser knows, absent ones null)."""

        def column(rows: list[dict[str, str | None]], key: str) -> pa.Array:
            return pa.array([r.get(key) for r in rows], pa.string())

        return cls(
            n_events=len(chunk.events),
            events={k: column(chunk.events, k) for k in parser.event_types.first},
            lines=pa.array(chunk.lines, pa.int64()),
            trace_of_event=pa.array(chunk.trace_of_event, pa.int32()),
            traces={k: column(chunk.traces, k) for k in parser.trace_types.first},
            trace_lines=chunk.trace_lines,
        )

    @classmethod
    def concat(cls, parts: list[ColumnChunk]) -> ColumnChunk:
        """Chunks one after the other (keys missing from a part are null there)."""
        if len(parts) == 1:
            return parts[0]
        ev_keys = dict.fromkeys(k for p in parts for k in p.events)
        tr_keys = dict.fromkeys(k for p in parts for k in p.traces)
        offsets = np.cumsum([0] + [p.n_traces for p in parts[:-1]], dtype=np.int32)
        return cls(
            n_events=sum(p.n_events for p in parts),
            events={k: pa.concat_arrays([p.event_column(k) for p in parts]) for k in ev_keys},
            lines=pa.concat_arrays([p.lines for p in parts]),
            trace_of_event=pa.concat_arrays(
                [
                    pc.add(p.trace_of_event, pa.scalar(int(o), pa.int32()))
                    for p, o in zip(parts, offsets, strict=True)
                ]
            ),
            traces={k: pa.concat_arrays([p.trace_column(k) for p in parts]) for k in tr_keys},
            trace_lines=[line for p in parts for line in p.trace_lines],
        )


class _Blocks(io.RawIOBase):
    """The decompressed bytes of :func:`input_blocks` as a file for Arrow's CSV reader."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._rest:
            nxt = next(self._blocks, None)
            if nxt is None:
                return 0
            self._rest = nxt
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


def _lines(path: Path) -> Iterator[pa.Array]:
    """The file's lines (``\\n``, ``\\r\\n`` or ``\\r``), in blocks, as UTF-8 strings."""
    source = io.BufferedReader(_Blocks(input_blocks(path, 1 << 20)), 1 << 20)
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(
                autogenerate_column_names=True, block_size=BLOCK, use_threads=False
            ),
            parse_options=pacsv.ParseOptions(
                delimiter="\x1f",
                quote_char=False,
                escape_char=False,
                ignore_empty_lines=False,
                newlines_in_values=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={"f0": pa.string()},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            if batch.num_columns != 1:
                raise NotFast("a line holds the CSV delimiter")
            yield batch.column(0)
    except pa.ArrowException as exc:  # invalid UTF-8, a line over a block, ...
        raise NotFast(str(exc)) from None


def _np(array: pa.Array) -> npt.NDArray[np.int64]:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.int64)


def _unescape(values: pa.Array) -> pa.Array:
    """Values with ``&amp;``-style entities decoded (character references are not fast)."""
    has = pc.match_substring(values, "&")
    if not pc.any(has).as_py():
        return values
    rows = np.flatnonzero(has.to_numpy(zero_copy_only=False))
    decoded = []
    for text in values.take(pa.array(rows)).to_pylist():
        if text.count("&") != len(_ENTITY.findall(text)):
            raise NotFast("a character reference or a bare '&'")
        decoded.append(_ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text))
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(values, pa.array(mask), pa.array(decoded, pa.string()))


def _columns(
    owner: Ints, n_owners: int, keys: pa.Array, tags: Ints, values: pa.Array, types: AttributeTypes
) -> dict[str, pa.Array]:
    """One string column per key (length ``n_owners``); the last value wins in an owner."""
    if len(keys) == 0:
        return {}
    encoded = pc.dictionary_encode(keys)  # codes in order of first appearance
    codes = _np(encoded.indices)
    names: list[str] = encoded.dictionary.to_pylist()
    out: dict[str, pa.Array] = {}
    for code, name in enumerate(names):
        rows = np.flatnonzero(codes == code)
        key_tags = tags[rows]
        types.note(name, _TAGS[key_tags[0]])
        for other in np.unique(key_tags):
            types.note(name, _TAGS[other])
        who = owner[rows]
        last = np.ones(len(rows), dtype=bool)
        last[:-1] = who[1:] != who[:-1]
        take = np.full(n_owners, -1, dtype=np.int64)
        take[who[last]] = rows[last]
        out[name] = values.take(pa.array(take, mask=take < 0))
    return out


class _Body:
    """Reads the trace lines of one block into a :class:`ColumnChunk`."""

    def __init__(self, parser: XesParser) -> None:
        self.parser = parser

    def chunk(self, trimmed: pa.Array, first_line: int) -> ColumnChunk:
        """``trimmed`` lines (without their indentation) start with ``<trace>`` and end
        with ``</trace>``; line numbers from ``first_line``."""
        kind = _np(pc.fill_null(pc.index_in(trimmed, value_set=_STRUCT), -1))
        parts = pc.split_pattern(trimmed, '"')
        n_parts = _np(pc.list_value_length(parts))
        attr = np.flatnonzero(n_parts == 5)
        starts = _np(parts.offsets)[attr]
        flat = parts.values

        def part(i: int) -> pa.Array:
            return flat.take(pa.array(starts + i))

        tag = _np(pc.fill_null(pc.index_in(part(0), value_set=_PREFIXES), -1))
        ok = (
            (tag >= 0)
            & pc.equal(part(2), " value=").to_numpy(zero_copy_only=False)
            & pc.is_in(part(4), value_set=_ENDS).to_numpy(zero_copy_only=False)
        )
        if not ok.all():
            raise NotFast('an attribute not written as <tag key="..." value="..."/>')
        keys, values = part(1), part(3)
        if pc.any(
            pc.match_substring_regex(keys, "[&\\t\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f<]")
        ).as_py():
            raise NotFast("a key with '&', '<' or a control character")
        if pc.any(pc.match_substring_regex(values, _BAD_CHARS)).as_py():
            raise NotFast("a value with '<' or a control character")
        values = _unescape(values)
        kind[attr] = 4
        blank = pc.equal(trimmed, "").to_numpy(zero_copy_only=False)
        if ((kind < 0) & ~blank).any():
            raise NotFast("a line that is not one XES element")

        t_open, e_open = kind == _T_OPEN, kind == _E_OPEN
        in_trace = np.cumsum(t_open.astype(np.int8) - (kind == _T_CLOSE))
        in_event = np.cumsum(e_open.astype(np.int8) - (kind == _E_CLOSE))
        is_attr = kind == 4
        if (
            in_trace.min() < 0
            or in_trace.max() > 1
            or in_event.min() < 0
            or in_event.max() > 1
            or (in_trace[e_open] != 1).any()
            or (in_event[kind == _T_CLOSE] != 0).any()
            or (in_trace[is_attr] != 1).any()
            or in_trace[-1] != 0
        ):
            raise NotFast("traces and events do not nest")
        trace_no = np.cumsum(t_open) - 1
        event_no = np.cumsum(e_open) - 1
        ev_rows, tr_rows = np.flatnonzero(e_open), np.flatnonzero(t_open)
        on_event = in_event[attr] == 1
        tags = tag.astype(np.int64)

        def pick(mask: npt.NDArray[np.bool_]) -> tuple[pa.Array, Ints, pa.Array]:
            rows = pa.array(np.flatnonzero(mask))
            return keys.take(rows), tags[mask], values.take(rows)

        ev_keys, ev_tags, ev_values = pick(on_event)
        tr_keys, tr_tags, tr_values = pick(~on_event)
        p = self.parser
        return ColumnChunk(
            n_events=len(ev_rows),
            events=_columns(
                event_no[attr][on_event], len(ev_rows), ev_keys, ev_tags, ev_values, p.event_types
            ),
            lines=pa.array(ev_rows + first_line, pa.int64()),
            trace_of_event=pa.array(trace_no[ev_rows], pa.int32()),
            traces=_columns(
                trace_no[attr][~on_event], len(tr_rows), tr_keys, tr_tags, tr_values, p.trace_types
            ),
            trace_lines=(tr_rows + first_line).tolist(),
        )


def _text(lines: pa.Array) -> bytes:
    """The UTF-8 bytes of ``lines``, each ended by a newline."""
    ended = pc.binary_join_element_wise(lines, "", "\n")
    _, offsets, data = ended.buffers()
    at = np.frombuffer(offsets, dtype=np.int32)[ended.offset : ended.offset + len(ended) + 1]
    start, stop = int(at[0]), int(at[-1])
    return bytes(data.slice(start, stop - start).to_pybytes())


def _feed(parser: XesParser, lines: list[pa.Array], final: bool) -> None:
    """Give the lines around the traces to expat (their problems are seen by the caller)."""
    text = b"".join(_text(a) for a in lines if len(a))
    if b"<trace" in text or b"<event" in text:
        raise NotFast("a trace or event outside the one-per-line body")
    try:
        parser.feed(text, final=final)
    except ImportRejected as exc:
        raise NotFast("expat refused the log's head or tail") from exc


def fast_chunks(
    path: Path, parser: XesParser, progress: Callable[[int], None] | None = None
) -> Iterator[ColumnChunk]:
    """The log as chunks of at least ``parser.chunk_rows`` events (whole traces).

    Raises
    ------
    NotFast
        The layout is not one element per line (nothing of the file can be trusted:
        read it again with expat).
    """
    body = _Body(parser)
    head: list[pa.Array] | None = []
    carry: pa.Array | None = None
    carry_line = 1  # the line number of carry[0]
    next_line = 1
    pending: list[ColumnChunk] = []
    n_pending = read = 0
    for block in _lines(path):
        lines = block if carry is None else pa.concat_arrays([carry, block])
        first = carry_line if carry is not None else next_line
        next_line += len(block)
        trimmed = pc.utf8_trim(lines, " \t")
        if head is not None:
            opens = np.flatnonzero(pc.equal(trimmed, "<trace>").to_numpy(zero_copy_only=False))
            if len(opens) == 0:
                head.append(lines)
                carry = None
                continue
            head.append(lines.slice(0, opens[0]))
            if _NOT_UTF8.search(head[0][0].as_py() if len(head[0]) else ""):
                raise NotFast("an encoding other than UTF-8 is declared")
            _feed(parser, head, final=False)
            head = None
            lines, first = lines.slice(opens[0]), first + int(opens[0])
            trimmed = trimmed.slice(opens[0])
        closes = np.flatnonzero(pc.equal(trimmed, "</trace>").to_numpy(zero_copy_only=False))
        if len(closes) == 0:
            carry, carry_line = lines, first
            continue
        end = int(closes[-1]) + 1
        part = body.chunk(trimmed.slice(0, end), first)
        carry, carry_line = lines.slice(end), first + end
        pending.append(part)
        n_pending += part.n_events
        read += part.n_events
        if n_pending >= parser.chunk_rows:
            rest = yield from _cut(ColumnChunk.concat(pending), parser.chunk_rows)
            pending = [] if rest is None else [rest]
            n_pending = 0 if rest is None else rest.n_events
        if progress is not None:
            progress(read)
    if head is not None:
        raise NotFast("no <trace> line")
    _feed(parser, [] if carry is None else [carry], final=True)
    if pending:
        yield ColumnChunk.concat(pending)


def _cut(chunk: ColumnChunk, rows: int) -> Generator[ColumnChunk, None, ColumnChunk | None]:
    """Yield the pieces of ``chunk`` that end with the first trace reaching ``rows``
    events (the expat parser's chunking); return the rest, if any."""
    ends = np.cumsum(np.bincount(_np(chunk.trace_of_event), minlength=chunk.n_traces))
    t0 = 0
    while t0 < chunk.n_traces:
        before = int(ends[t0 - 1]) if t0 else 0
        t1 = int(np.searchsorted(ends, before + rows, side="left")) + 1
        if t1 > chunk.n_traces:
            return _slice(chunk, t0, chunk.n_traces, before, int(ends[-1]))
        yield _slice(chunk, t0, t1, before, int(ends[t1 - 1]))
        t0 = t1
    return None


def _slice(chunk: ColumnChunk, t0: int, t1: int, e0: int, e1: int) -> ColumnChunk:
    if t0 == 0 and t1 == chunk.n_traces:
        return chunk
    return ColumnChunk(
        n_events=e1 - e0,
        events={k: v.slice(e0, e1 - e0) for k, v in chunk.events.items()},
        lines=chunk.lines.slice(e0, e1 - e0),
        trace_of_event=pc.subtract(
            chunk.trace_of_event.slice(e0, e1 - e0), pa.scalar(t0, pa.int32())
        ),
        traces={k: v.slice(t0, t1 - t0) for k, v in chunk.traces.items()},
        trace_lines=chunk.trace_lines[t0:t1],
    )
