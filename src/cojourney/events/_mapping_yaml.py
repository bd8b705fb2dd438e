"""The YAML file of an import mapping: written with comments, read with line numbers.

:meth:`ImportMapping.to_yaml <cojourney.events.mappings.ImportMapping.to_yaml>` and
:meth:`~cojourney.events.mappings.ImportMapping.from_yaml` call :func:`render` and
:func:`parse`.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cojourney.errors import InputError, Location, Problem
from cojourney.events import feedback_schema as F
from cojourney.events import schema as S
from cojourney.events.feedback_mapping import FEEDBACK_FIELDS, FeedbackColumns
from cojourney.events.mappings import (
    COLUMN_FIELDS,
    FEEDBACK_FORMATS,
    FORMATS,
    KINDS,
    MAPPING_VERSION,
    CsvOptions,
    ImportMapping,
)
from cojourney.events.schema import ColumnMapping

__all__ = ["parse", "render"]


# --------------------------------------------------------------------------- YAML writing

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ./:+-]*$")
_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def _scalar(value: Any) -> str:
    """A YAML scalar: plain when unambiguous, else double-quoted (JSON escapes are YAML ones)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if (
        _PLAIN.fullmatch(text)
        and text.lower() not in _RESERVED
        and not text.endswith((" ", ":"))
        and ": " not in text
        and " #" not in text
    ):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in quoted)


def _escape(ch: str) -> str:
    """A YAML escape of one unprintable character (``\\UXXXXXXXX`` beyond the BMP)."""
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_COLUMN_HELP = {
    S.JOURNEY_ID: "required: the journey (case) id",
    S.ACTIVITY: "required: what happened (renamed to a touchpoint id below)",
    S.TIMESTAMP: "required: when it happened",
    S.CHANNEL: "optional: contact channel (web, app, phone, desk, ...)",
    S.ACTOR: "optional: who performed it (XES org:resource)",
    S.ROLE: "optional: the actor's role (XES org:role)",
    S.SEGMENT: "optional: customer segment or persona",
    S.LIFECYCLE: "optional: lifecycle transition (start, complete, ...)",
}


def render(m: ImportMapping) -> str:
    """The commented YAML text of a mapping."""
    if m.kind == "feedback":
        return _render_feedback(m)
    c = m.columns
    out = io.StringIO()
    w = out.write
    w(
        f"# cojourney import mapping '{m.name}': how the columns of an event log become journey\n"
        "# events. `cojourney import` chooses it for a file that has every source column named\n"
        "# below (or when it is named). Edit freely: the next import reads this file again.\n"
    )
    w(f"mapping_version: {MAPPING_VERSION}\n")
    w(f"kind: {_scalar(m.kind)}          # events, or feedback (survey answers)\n")
    w(
        f"format: {_scalar(m.format)}     # the files it is for: {', '.join(FORMATS)} "
        "(null: any)\n\n"
    )
    w(
        "# canonical field: source column (null: not in the file; unset required fields\n"
        "# default to the XES names case:concept:name, concept:name, time:timestamp)\n"
    )
    w("columns:\n")
    for name in COLUMN_FIELDS:
        w(f"  {name}: {_scalar(getattr(c, name))}    # {_COLUMN_HELP[name]}\n")
    w("\n# other source columns kept, as JSON, in each event's `attributes`: all, or a list\n")
    if c.attributes is None:
        w("attributes: all\n")
    else:
        w("attributes: [" + ", ".join(_scalar(a) for a in c.attributes) + "]\n")
    w(
        "\n# activity values as written in the log -> touchpoint ids of the workspace;\n"
        "# values not listed are kept as they are\n"
    )
    if c.activity_renames:
        w("activity_renames:\n")
        for source, target in c.activity_renames.items():
            w(f"  {_scalar(source)}: {_scalar(target)}\n")
    else:
        w("activity_renames: {}\n")
    w("\ntimestamp:\n")
    w(
        f"  format: {_scalar(c.timestamp_format)}    # strftime format, e.g. '%d/%m/%Y %H:%M' "
        "(null: ISO 8601)\n"
    )
    w(
        f"  time_zone: {_scalar(m.time_zone)}    # of timestamps without an offset "
        "(null: the workspace's time_zone)\n"
    )
    _render_csv(m, w)
    w("\nxes:\n")
    w(
        f"  classifier: {_scalar(m.classifier)}    # attribute(s) naming the activity, joined by '+'"
        " (null: concept:name)\n"
    )
    w("\nocel:\n")
    w(
        f"  object_type: {_scalar(m.object_type)}    # the object type whose objects are the "
        "journeys\n"
    )
    return out.getvalue()


def _render_csv(m: ImportMapping, w: Any) -> None:
    w("\ncsv:                # CSV and TSV files only\n")
    w(f"  sep: {_scalar(m.csv.sep)}    # field separator (null: detected)\n")
    w(f"  encoding: {_scalar(m.csv.encoding)}\n")
    w(f"  quote: {_scalar(m.csv.quote)}    # null: detected\n")
    w(f"  escape: {_scalar(m.csv.escape)}    # null: the quote character\n")
    w(
        "  null_values: ["
        + ", ".join(json.dumps(v, ensure_ascii=False) for v in m.csv.null_values)
        + "]    # cell texts meaning 'no value'\n"
    )


_FEEDBACK_HELP = {
    F.JOURNEY_ID: "required: the journey instance the answer is about",
    F.TIMESTAMP: "required: when it was given",
    F.QUESTION: "long layout: the question (csat, ces, nps, emotion or your own id)",
    F.SCORE: "long layout: the numeric answer",
    F.TOUCHPOINT: "optional: the touchpoint it is about (empty: the whole journey)",
    F.STEP: "optional: the step (default: the touchpoint's step in the workspace)",
    F.COMMENT: "optional, long layout: free text",
    F.RESPONDENT: "optional: who answered",
    F.CHANNEL: "optional: where it was asked (app, email, phone, ...)",
    F.SEGMENT: "optional: customer segment or persona",
}


def _render_map(w: Any, key: str, values: Mapping[str, Any], comment: str) -> None:
    w(f"{comment}\n")
    if not values:
        w(f"{key}: {{}}\n")
        return
    w(f"{key}:\n")
    for k, v in values.items():
        w(f"  {_scalar(k)}: {_scalar(v)}\n")


def _render_feedback(m: ImportMapping) -> str:
    fb = m.feedback
    out = io.StringIO()
    w = out.write
    w(
        f"# cojourney import mapping '{m.name}': how the columns of a survey export become\n"
        "# feedback answers. A feedback import chooses it for a file that has every source\n"
        "# column named below (or when it is named). Edit freely.\n"
    )
    w(f"mapping_version: {MAPPING_VERSION}\n")
    w("kind: feedback\n")
    w(
        f"format: {_scalar(m.format)}     # the files it is for: {', '.join(FEEDBACK_FORMATS)} "
        "(null: any)\n\n"
    )
    w(
        "# canonical field: source column (null: not in the file; unset fields default to the\n"
        "# column of the same name when the file has one)\n"
    )
    w("columns:\n")
    for name in FEEDBACK_FIELDS:
        w(f"  {name}: {_scalar(getattr(fb, name))}    # {_FEEDBACK_HELP[name]}\n")
    _render_map(
        w,
        "score_columns",
        fb.score_columns,
        "\n# wide layout (one row per response): question id: column of its scores",
    )
    _render_map(
        w,
        "text_columns",
        fb.text_columns,
        "\n# wide layout: free-text question id: column of its answers (no score)",
    )
    w("\n# questions about the whole journey: their touchpoint and step are left empty\n")
    w("journey_questions: [" + ", ".join(_scalar(q) for q in fb.journey_questions) + "]\n")
    w(
        "\n# custom questions: [lowest, highest]; scores outside are rejected (the standard\n"
        "# scales are csat 1-5, ces 1-7, nps 0-10, emotion -3..3)\n"
    )
    if fb.scales:
        w("scales:\n")
        for q, (low, high) in fb.scales.items():
            w(f"  {_scalar(q)}: [{low:g}, {high:g}]\n")
    else:
        w("scales: {}\n")
    _render_map(
        w,
        "question_renames",
        fb.question_renames,
        "\n# question values as written in the file -> question ids",
    )
    _render_map(
        w,
        "touchpoint_renames",
        fb.touchpoint_renames,
        "\n# touchpoint values as written in the file -> touchpoint ids of the workspace",
    )
    w("\n# other source columns kept, as JSON, in each answer's `attributes`: all, or a list\n")
    if fb.attributes is None:
        w("attributes: all\n")
    else:
        w("attributes: [" + ", ".join(_scalar(a) for a in fb.attributes) + "]\n")
    w("\ntimestamp:\n")
    w(
        f"  format: {_scalar(fb.timestamp_format)}    # strftime format, e.g. '%d/%m/%Y %H:%M' "
        "(null: ISO 8601)\n"
    )
    w(
        f"  time_zone: {_scalar(m.time_zone)}    # of timestamps without an offset "
        "(null: the workspace's time_zone)\n"
    )
    _render_csv(m, w)
    return out.getvalue()


# --------------------------------------------------------------------------- YAML reading

_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "mapping_version": None,
    "kind": None,
    "format": None,
    "columns": COLUMN_FIELDS,
    "attributes": None,
    "activity_renames": None,
    "timestamp": ("format", "time_zone"),
    "csv": ("sep", "encoding", "quote", "escape", "null_values"),
    "xes": ("classifier",),
    "ocel": ("object_type",),
}
_FEEDBACK_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "mapping_version": None,
    "kind": None,
    "format": None,
    "columns": FEEDBACK_FIELDS,
    "score_columns": None,
    "text_columns": None,
    "journey_questions": None,
    "scales": None,
    "question_renames": None,
    "touchpoint_renames": None,
    "attributes": None,
    "timestamp": ("format", "time_zone"),
    "csv": ("sep", "encoding", "quote", "escape", "null_values"),
}


class _Reader:
    """Checks a parsed mapping document, collecting every problem with its line."""

    def __init__(self, doc: Any, source: str) -> None:
        self.doc, self.source = doc, source
        self.problems: list[Problem] = []
        self.sections = _SECTIONS

    def where(self, node: Any, key: str | int, path: str) -> Location:
        line = column = None
        try:
            line, column = node.lc.key(key) if isinstance(key, str) else node.lc.item(key)
            line, column = line + 1, column + 1
        except (AttributeError, KeyError, TypeError):
            pass
        return Location(self.source, line, column, path)

    def add(self, node: Any, key: str | int, path: str, message: str, **kw: str | None) -> None:
        self.problems.append(Problem(message, self.where(node, key, path), **kw))

    def text(self, node: Any, key: str, path: str, *, required: bool = False) -> str | None:
        value = node.get(key) if isinstance(node, Mapping) else None
        if value is None:
            if required:
                self.add(node, key, path, "a value is required", expected="a text")
            return None
        if isinstance(value, (Mapping, list)):
            self.add(
                node,
                key,
                path,
                "expected a text",
                found=type(value).__name__,
                hint="write one value, quoted if it contains ': ' or '#'",
            )
            return None
        return str(value)

    def section(self, key: str) -> Mapping[str, Any]:
        node = self.doc.get(key)
        if node is None:
            return {}
        if not isinstance(node, Mapping):
            self.add(
                self.doc,
                key,
                key,
                "expected a mapping of keys to values",
                found=type(node).__name__,
            )
            return {}
        allowed = self.sections[key]
        for sub in node:
            if allowed is not None and sub not in allowed:
                self.add(
                    node,
                    sub,
                    f"{key}.{sub}",
                    f"unknown key {sub!r}",
                    expected="one of " + ", ".join(allowed),
                )
        return node


def parse(text: str, name: str, source: str) -> ImportMapping:
    """A mapping from its YAML text; every problem with its line (:class:`InputError`)."""
    from cojourney.yamlio import parse_yaml

    return from_document(parse_yaml(text, source), name, source)


def read(path: Path, name: str, *, within: Path | None = None) -> ImportMapping:
    """A mapping from its file, read within the YAML limits (:class:`InputError`).

    A file that a symbolic link takes out of the folder ``within`` is refused.
    """
    from cojourney.yamlio import read_yaml_file

    return from_document(read_yaml_file(path, str(path), within=within), name, str(path))


def from_document(doc: Any, name: str, source: str) -> ImportMapping:
    """A mapping from its parsed YAML document; every problem with its line."""
    if not isinstance(doc, Mapping):
        raise InputError(
            Problem(
                "an import mapping must be a YAML mapping",
                Location(source),
                hint="delete the file and import again with flags to recreate it",
            )
        )
    r = _Reader(doc, source)
    kind = r.text(doc, "kind", "kind") or "events"
    if kind not in KINDS:
        r.add(
            doc, "kind", "kind", "unknown kind of log", found=repr(kind), expected=", ".join(KINDS)
        )
        kind = "events"
    if kind == "feedback":
        r.sections = _FEEDBACK_SECTIONS
    for key in doc:
        if key not in r.sections:
            r.add(
                doc,
                key,
                str(key),
                f"unknown key {key!r}"
                + (" in a feedback mapping" if kind == "feedback" and key in _SECTIONS else ""),
                expected=", ".join(r.sections),
            )
    version = doc.get("mapping_version", MAPPING_VERSION)
    if version != MAPPING_VERSION:
        r.add(
            doc,
            "mapping_version",
            "mapping_version",
            "unsupported mapping version",
            found=repr(version),
            expected=str(MAPPING_VERSION),
            hint="update cojourney, or recreate the mapping",
        )
    fmt = r.text(doc, "format", "format")
    formats = FEEDBACK_FORMATS if kind == "feedback" else FORMATS
    if fmt is not None and fmt not in formats:
        r.add(
            doc,
            "format",
            "format",
            "unknown format",
            found=repr(fmt),
            expected=", ".join(formats) + " or null",
        )
    ts, csv = r.section("timestamp"), r.section("csv")
    nulls = csv.get("null_values", [""])
    if not isinstance(nulls, list) or not all(isinstance(v, str) for v in nulls):
        r.add(csv, "null_values", "csv.null_values", "expected a list of texts", found=repr(nulls))
        nulls = [""]
    common: dict[str, Any] = dict(
        format=fmt,
        kind=kind,
        time_zone=r.text(ts, "time_zone", "timestamp.time_zone"),
        csv=CsvOptions(
            sep=r.text(csv, "sep", "csv.sep"),
            encoding=r.text(csv, "encoding", "csv.encoding") or "utf-8",
            quote=r.text(csv, "quote", "csv.quote"),
            escape=r.text(csv, "escape", "csv.escape"),
            null_values=tuple(nulls),
        ),
    )
    if kind == "feedback":
        mapping = ImportMapping(name, feedback=_feedback(r, ts), **common)
    else:
        cols = r.section("columns")
        fields: dict[str, Any] = {n: r.text(cols, n, f"columns.{n}") for n in COLUMN_FIELDS}
        columns = ColumnMapping(
            **fields,
            timestamp_format=r.text(ts, "format", "timestamp.format"),
            activity_renames=_renames(r),
            attributes=_attributes(r),
        )
        mapping = ImportMapping(
            name,
            columns,
            **common,
            classifier=r.text(r.section("xes"), "classifier", "xes.classifier"),
            object_type=r.text(r.section("ocel"), "object_type", "ocel.object_type"),
        )
    if r.problems:
        raise InputError(r.problems, title=f"the import mapping {source} has problems")
    return mapping


def _feedback(r: _Reader, ts: Mapping[str, Any]) -> FeedbackColumns:
    cols = r.section("columns")
    fields: dict[str, Any] = {n: r.text(cols, n, f"columns.{n}") for n in FEEDBACK_FIELDS}
    questions = r.doc.get("journey_questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        r.add(
            r.doc,
            "journey_questions",
            "journey_questions",
            "expected a list of question ids",
            found=repr(questions),
        )
        questions = []
    return FeedbackColumns(
        **fields,
        score_columns=_text_map(r, "score_columns", "a column name"),
        text_columns=_text_map(r, "text_columns", "a column name"),
        journey_questions=tuple(questions),
        scales=_scales(r),
        question_renames=_text_map(r, "question_renames", "a question id"),
        touchpoint_renames=_text_map(r, "touchpoint_renames", "a touchpoint id"),
        timestamp_format=r.text(ts, "format", "timestamp.format"),
        attributes=_attributes(r),
    )


def _text_map(r: _Reader, key: str, what: str) -> dict[str, str]:
    """A ``{text: text}`` section, such as ``score_columns`` or ``question_renames``."""
    node = r.doc.get(key)
    if node is None:
        return {}
    if not isinstance(node, Mapping):
        r.add(
            r.doc,
            key,
            key,
            "expected a mapping",
            found=type(node).__name__,
            hint=f"write one 'key: {what}' per line",
        )
        return {}
    out = {}
    for k, value in node.items():
        if value is None or isinstance(value, (Mapping, list)):
            r.add(node, k, f"{key}.{k}", f"expected {what}", found=repr(value))
        else:
            out[str(k)] = str(value)
    return out


def _scales(r: _Reader) -> dict[str, tuple[float, float]]:
    node = r.doc.get("scales")
    if node is None:
        return {}
    if not isinstance(node, Mapping):
        r.add(
            r.doc,
            "scales",
            "scales",
            "expected a mapping",
            found=type(node).__name__,
            hint="write one 'question: [lowest, highest]' per line",
        )
        return {}
    out = {}
    for k, value in node.items():
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            and value[0] < value[1]
        ):
            out[str(k)] = (float(value[0]), float(value[1]))
        else:
            r.add(
                node,
                k,
                f"scales.{k}",
                "expected [lowest, highest] with lowest < highest",
                found=repr(value),
            )
    return out


def _renames(r: _Reader) -> dict[str, str]:
    node = r.doc.get("activity_renames")
    if node is None:
        return {}
    if not isinstance(node, Mapping):
        r.add(
            r.doc,
            "activity_renames",
            "activity_renames",
            "expected a mapping",
            found=type(node).__name__,
            hint="write one 'log value: touchpoint-id' per line",
        )
        return {}
    out = {}
    for key, value in node.items():
        if value is None or isinstance(value, (Mapping, list)):
            r.add(
                node, key, f"activity_renames.{key}", "expected a touchpoint id", found=repr(value)
            )
        else:
            out[str(key)] = str(value)
    return out


def _attributes(r: _Reader) -> tuple[str, ...] | None:
    node = r.doc.get("attributes", "all")
    if node == "all" or node is None:
        return None
    if isinstance(node, list) and all(isinstance(v, str) for v in node):
        return tuple(node)
    r.add(
        r.doc,
        "attributes",
        "attributes",
        "expected 'all' or a list of column names",
        found=repr(node),
    )
    return None
