"""The streaming part of the XES reader: expat callbacks that gather events in chunks.

:class:`XesParser` turns the XML into :class:`Chunk` objects (events of whole
traces, as Python strings) and notes the XES type of every attribute key
(:class:`AttributeTypes`); :mod:`cojourney.events.readers.xes` turns the chunks
into Arrow tables.
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat
from dataclasses import dataclass, field
from pathlib import Path

from cojourney.errors import ImportRejected, Problem, location_in

__all__ = ["MAX_PROBLEMS", "SCALAR_TAGS", "AttributeTypes", "Chunk", "XesParser", "classifier_keys"]

#: XES attribute tags that become columns (``list`` and ``container`` are skipped).
SCALAR_TAGS = frozenset({"string", "id", "int", "float", "boolean", "date"})
#: Problems listed one by one before the XES reader refuses the file.
MAX_PROBLEMS = 20


@dataclass
class Chunk:
    """Events of whole traces, as Python objects, before they become Arrow."""

    events: list[dict[str, str | None]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    trace_of_event: list[int] = field(default_factory=list)
    traces: list[dict[str, str | None]] = field(default_factory=list)
    trace_lines: list[int] = field(default_factory=list)


@dataclass
class AttributeTypes:
    """First XES type seen for each key, and the keys seen with several types."""

    first: dict[str, str] = field(default_factory=dict)
    clashes: dict[str, set[str]] = field(default_factory=dict)

    def note(self, key: str, tag: str) -> None:
        known = self.first.get(key)
        if known is None:
            self.first[key] = tag
        elif known != tag:
            self.clashes.setdefault(key, {known}).add(tag)

    def final(self, key: str) -> str | None:
        """The XES type of a column: its only type, ``float`` for int/float, else ``string``.

        ``None`` for a key only ever seen as a ``list`` or ``container`` (skipped).
        """
        tags = self.clashes.get(key)
        if tags is None:
            tag = self.first[key]
            return tag if tag in SCALAR_TAGS else None
        return "float" if tags <= {"int", "float"} else "string"


_KEYS_RE = re.compile(r"'([^']*)'|(\S+)")


def classifier_keys(classifier: str, declared: dict[str, list[str]]) -> list[str]:
    """Keys of a classifier: a classifier declared in the log by name, or keys joined by ``+``."""
    if classifier in declared:
        return declared[classifier]
    return [k.strip() for k in classifier.split("+") if k.strip()]


class XesParser:
    """Expat callbacks that turn XES into chunks of events; see :func:`read_xes`."""

    def __init__(self, path: Path, chunk_rows: int) -> None:
        self.path = path
        self.chunk_rows = chunk_rows
        self.event_types = AttributeTypes()
        self.trace_types = AttributeTypes()
        self.classifiers: dict[str, list[str]] = {}
        self.skipped: set[str] = set()
        self.problems: list[Problem] = []
        self.done: list[Chunk] = []
        self.events_read = 0
        self.parser = expat.ParserCreate()
        self._install()

    def problem(
        self,
        message: str,
        line: int | None,
        *,
        found: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                Problem(
                    message, location_in(self.path, line), found=found, expected=expected, hint=hint
                )
            )

    def _install(self) -> None:
        p = self.parser
        ev_types, tr_types = self.event_types, self.trace_types
        ev_type_of, tr_type_of = ev_types.first.get, tr_types.first.get
        chunk = Chunk()
        depth = 0
        in_trace = in_event = False
        ev: dict[str, str | None] = {}
        tr: dict[str, str | None] = {}
        n_traces = 0

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal depth, in_trace, in_event, ev, tr, n_traces
            depth += 1
            if depth == 4:
                if in_event:
                    key = attrs.get("key")
                    if key is None:
                        self._keyless(name, p.CurrentLineNumber)
                        return
                    ev[key] = attrs.get("value")
                    if ev_type_of(key) != name:
                        ev_types.note(key, name)
                return
            if depth == 3:
                if not in_trace:
                    return
                if name == "event":
                    in_event = True
                    ev = {}
                    chunk.lines.append(p.CurrentLineNumber)
                    return
                key = attrs.get("key")
                if key is None:
                    self._keyless(name, p.CurrentLineNumber)
                    return
                tr[key] = attrs.get("value")
                if tr_type_of(key) != name:
                    tr_types.note(key, name)
                return
            if depth == 2:
                if name == "trace":
                    in_trace = True
                    tr = {}
                    chunk.trace_lines.append(p.CurrentLineNumber)
                elif name == "classifier" and "name" in attrs:
                    keys = [a or b for a, b in _KEYS_RE.findall(attrs.get("keys", ""))]
                    self.classifiers[attrs["name"]] = keys
                elif name == "event":
                    self.problem(
                        "an event outside any trace",
                        p.CurrentLineNumber,
                        hint="put every event inside the <trace> of its case",
                    )
                return
            if depth == 1 and name != "log":
                self.problem(
                    "this is not an XES log",
                    p.CurrentLineNumber,
                    found=f"<{name}>",
                    expected="<log> as the root element",
                    hint="export the log as XES (IEEE 1849), or use the CSV importer",
                )

        def end(name: str) -> None:
            nonlocal depth, in_trace, in_event, n_traces, chunk
            level = depth
            depth = level - 1
            if level == 4:
                return
            if level == 3 and in_event:
                in_event = False
                chunk.events.append(ev)
                chunk.trace_of_event.append(n_traces)
            elif level == 2 and in_trace:
                in_trace = False
                chunk.traces.append(tr)
                n_traces += 1
                if len(chunk.events) >= self.chunk_rows:
                    self.events_read += len(chunk.events)
                    self.done.append(chunk)
                    chunk = Chunk()
                    n_traces = 0

        def finish() -> None:
            nonlocal chunk
            self.events_read += len(chunk.events)
            if chunk.traces or not self.events_read:  # an empty log still gives one batch
                self.done.append(chunk)
            chunk = Chunk()

        def pending_events() -> int:
            return self.events_read + len(chunk.events)

        def entity(name: str, *_: object) -> None:
            raise ImportRejected(
                Problem(
                    "the XES file declares an XML entity, which is not allowed",
                    location_in(self.path, p.CurrentLineNumber),
                    found=f"<!ENTITY {name} ...>",
                    expected="a log without a DOCTYPE (XES needs no entities)",
                    hint="remove the DOCTYPE and its entities (entities can expand a small "
                    "file into gigabytes)",
                ),
                title="the XES file cannot be read",
            )

        p.StartElementHandler = start
        p.EndElementHandler = end
        p.EntityDeclHandler = entity
        self.finish = finish
        self.pending_events = pending_events

    def _keyless(self, tag: str, line: int) -> None:
        if tag in SCALAR_TAGS:
            self.problem(
                f"a <{tag}> attribute has no key",
                line,
                expected=f'<{tag} key="..." value="..."/>',
                hint="give every attribute a key, or remove it",
            )

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise ImportRejected(
                Problem(
                    f"the XML is malformed: {expat.errors.messages[exc.code]}",
                    location_in(self.path, exc.lineno, exc.offset + 1),
                    hint="fix the XML at this place (an unclosed tag, a stray '<' or '&', a "
                    "truncated file?); `xmllint --noout FILE` lists every such error",
                ),
                title="the XES file cannot be read",
            ) from None
