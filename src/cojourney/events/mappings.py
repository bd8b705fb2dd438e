"""Import mappings saved in a workspace: how the columns of a log become canonical events.

A mapping is a small, commented YAML file, ``WORKSPACE/data/mappings/NAME.yaml``,
written after an import with flags and chosen again for the next file of the same
kind. It wraps a :class:`~cojourney.events.schema.ColumnMapping` (source column of
each canonical field, activity renames, timestamp format) with what the column
mapping does not hold: the file format it applies to, the time zone of naive
timestamps (``None``: the workspace's), CSV options, the XES classifier and the
OCEL object type. A mapping of ``kind: feedback`` maps a survey export onto the
canonical feedback schema instead: its columns are a
:class:`~cojourney.events.feedback_mapping.FeedbackColumns` (long or wide layout).

>>> m = ImportMapping("orders", format="csv",
...                   columns=ColumnMapping(journey_id="order", activity="step", timestamp="at"))
>>> m.source_columns()
['order', 'step', 'at']
>>> ImportMapping.from_yaml(m.to_yaml(), name="orders") == m
True
>>> survey = ImportMapping("survey", kind="feedback", feedback=FeedbackColumns(
...     journey_id="member", timestamp="at", score_columns={"csat": "Q1", "nps": "Q7"}))
>>> survey.source_columns()
['member', 'at', 'Q1', 'Q7']
>>> ImportMapping.from_yaml(survey.to_yaml(), name="survey") == survey
True
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.events import schema as S
from cojourney.events.feedback_mapping import FEEDBACK_FIELDS, FeedbackColumns
from cojourney.events.readers.base import ReadOptions
from cojourney.events.schema import ColumnMapping
from cojourney.files import atomic_write_text

__all__ = [
    "EVENT_ONLY_FLAGS",
    "FEEDBACK_FORMATS",
    "FEEDBACK_ONLY_FLAGS",
    "FORMATS",
    "KINDS",
    "MAPPING_VERSION",
    "CsvOptions",
    "FeedbackColumns",
    "ImportMapping",
    "MappingFlags",
    "MappingLibrary",
    "mapping_name_for",
]

log = logging.getLogger(__name__)

#: Version of the mapping file layout (``mapping_version:`` in the file).
MAPPING_VERSION: Final = 1
#: File formats a mapping can be meant for (``format:`` in the file).
FORMATS: Final[tuple[str, ...]] = ("csv", "parquet", "jsonl", "xes", "ocel")
#: Kinds of log a mapping can be for (``kind:`` in the file).
KINDS: Final[tuple[str, ...]] = ("events", "feedback")
#: Formats a feedback mapping can be for.
FEEDBACK_FORMATS: Final[tuple[str, ...]] = ("csv", "parquet", "jsonl")
#: Field names of the ``columns:`` section, in file order.
COLUMN_FIELDS: Final[tuple[str, ...]] = (S.JOURNEY_ID, S.ACTIVITY, S.TIMESTAMP, *S.OPTIONAL_COLUMNS)
_XES_DEFAULTS = {S.JOURNEY_ID: S.XES_CASE, S.ACTIVITY: S.XES_ACTIVITY, S.TIMESTAMP: S.XES_TIMESTAMP}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class CsvOptions:
    """How a CSV (or TSV) file is split into fields.

    Parameters
    ----------
    sep
        Field separator; ``None`` detects it.
    encoding
        Python codec name (``utf-8``, ``latin-1``, ``cp1252``, ...).
    quote, escape
        Quote and escape characters; ``None`` detects them.
    null_values
        Cell texts that mean "no value" (the empty cell always does).
    """

    sep: str | None = None
    encoding: str = "utf-8"
    quote: str | None = None
    escape: str | None = None
    null_values: tuple[str, ...] = ("",)


@dataclass(frozen=True, slots=True)
class ImportMapping:
    """A named mapping from a source log onto the canonical event schema.

    Parameters
    ----------
    name
        The mapping's name (its file is ``NAME.yaml``).
    columns
        Events: source columns, activity renames, timestamp format and attributes.
        Its ``timezone`` is ignored: :attr:`time_zone` holds the mapping's.
    format
        The file format the mapping is meant for (one of :data:`FORMATS`);
        ``None``: any.
    kind
        The kind of log: ``"events"`` or ``"feedback"`` (survey answers, mapped by
        :attr:`feedback`).
    time_zone
        IANA time zone of timestamps written without an offset; ``None`` uses the
        workspace's ``time_zone``.
    csv
        CSV options.
    classifier
        XES: the attribute(s) naming the activity (``concept:name`` by default).
    object_type
        OCEL: the object type whose objects are the journeys.
    feedback
        Feedback: source columns, layout, scales, renames, timestamp format and
        attributes (:class:`~cojourney.events.feedback_mapping.FeedbackColumns`).
    """

    name: str
    columns: ColumnMapping = field(default_factory=ColumnMapping)
    format: str | None = None
    kind: str = "events"
    time_zone: str | None = None
    csv: CsvOptions = field(default_factory=CsvOptions)
    classifier: str | None = None
    object_type: str | None = None
    feedback: FeedbackColumns = field(default_factory=FeedbackColumns)

    # ------------------------------------------------------------------ derived values

    def column_mapping(self, default_time_zone: str = "UTC") -> ColumnMapping:
        """The :class:`ColumnMapping` to read with, its time zone filled in."""
        return replace(self.columns, timezone=self.time_zone or default_time_zone)

    def read_options(self) -> ReadOptions:
        """The readers' :class:`~cojourney.events.readers.base.ReadOptions`."""
        return ReadOptions(
            delimiter=self.csv.sep,
            encoding=self.csv.encoding,
            quote=self.csv.quote,
            escape=self.csv.escape,
            null_values=self.csv.null_values,
            classifier=self.classifier or "concept:name",
        )

    def source_columns(self) -> list[str]:
        """Every source column the mapping reads, required ones first.

        Required fields left unset count with their XES names (``case:concept:name``,
        ``concept:name``, ``time:timestamp``), which is what the readers fall back to;
        for feedback, with their canonical names (``journey_id``, ``timestamp``, ...).
        """
        if self.kind == "feedback":
            return self.feedback.source_columns()
        found = [getattr(self.columns, name) or _XES_DEFAULTS[name] for name in S.REQUIRED_COLUMNS]
        found += [src for name in S.OPTIONAL_COLUMNS if (src := getattr(self.columns, name))]
        return list(dict.fromkeys(found))

    def fingerprint(self, default_time_zone: str = "UTC") -> str:
        """A SHA-256 of what the mapping does (not of its name or comments).

        Two imports of the same file with mappings of equal fingerprints give the
        same events; the time zone is the effective one.
        """
        doc = self.to_dict()
        doc["timestamp"]["time_zone"] = self.time_zone or default_time_zone
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def with_flags(self, flags: MappingFlags) -> ImportMapping:
        """A copy with the fields given on the command line replacing the saved ones.

        Renames, score and text columns, journey questions and scales are merged
        into the saved ones; for a feedback mapping ``flags.renames`` are touchpoint
        renames.
        """
        if self.kind == "feedback":
            return self._with_feedback_flags(flags)
        changes: dict[str, Any] = {
            name: value for name in COLUMN_FIELDS if (value := getattr(flags, name)) is not None
        }
        if flags.timestamp_format is not None:
            changes["timestamp_format"] = flags.timestamp_format
        if flags.renames:
            changes["activity_renames"] = {**self.columns.activity_renames, **flags.renames}
        columns = replace(self.columns, **changes) if changes else self.columns
        given: tuple[tuple[str, Any], ...] = (
            ("sep", flags.sep),
            ("encoding", flags.encoding),
            ("quote", flags.quote),
            ("null_values", ("", *flags.null_values) if flags.null_values else None),
        )
        csv_changes: dict[str, Any] = {k: v for k, v in given if v is not None}
        return replace(
            self,
            columns=columns,
            time_zone=flags.time_zone if flags.time_zone is not None else self.time_zone,
            csv=replace(self.csv, **csv_changes) if csv_changes else self.csv,
            classifier=flags.classifier if flags.classifier is not None else self.classifier,
            object_type=flags.object_type if flags.object_type is not None else self.object_type,
        )

    def _with_feedback_flags(self, flags: MappingFlags) -> ImportMapping:
        fb = self.feedback
        changes: dict[str, Any] = {
            name: value for name in FEEDBACK_FIELDS if (value := getattr(flags, name)) is not None
        }
        if flags.timestamp_format is not None:
            changes["timestamp_format"] = flags.timestamp_format
        merged = (
            ("score_columns", flags.score_columns),
            ("text_columns", flags.text_columns),
            ("scales", flags.scales),
            ("question_renames", flags.question_renames),
            ("touchpoint_renames", flags.renames),
        )
        for name, given in merged:
            if given:
                changes[name] = {**getattr(fb, name), **given}
        if flags.journey_questions:
            changes["journey_questions"] = tuple(
                dict.fromkeys((*fb.journey_questions, *flags.journey_questions))
            )
        given_csv: tuple[tuple[str, Any], ...] = (
            ("sep", flags.sep),
            ("encoding", flags.encoding),
            ("quote", flags.quote),
            ("null_values", ("", *flags.null_values) if flags.null_values else None),
        )
        csv_changes: dict[str, Any] = {k: v for k, v in given_csv if v is not None}
        return replace(
            self,
            feedback=replace(fb, **changes) if changes else fb,
            time_zone=flags.time_zone if flags.time_zone is not None else self.time_zone,
            csv=replace(self.csv, **csv_changes) if csv_changes else self.csv,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ImportMapping):
            return NotImplemented
        return self.name == other.name and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.name, self.fingerprint()))

    # ------------------------------------------------------------------ YAML

    def to_dict(self) -> dict[str, Any]:
        """The mapping as plain data, in the layout of the YAML file."""
        c = self.columns
        csv = {
            "sep": self.csv.sep,
            "encoding": self.csv.encoding,
            "quote": self.csv.quote,
            "escape": self.csv.escape,
            "null_values": list(self.csv.null_values),
        }
        if self.kind == "feedback":
            return {
                "mapping_version": MAPPING_VERSION,
                "kind": self.kind,
                "format": self.format,
                **self.feedback.to_dict(),
                "timestamp": {
                    "format": self.feedback.timestamp_format,
                    "time_zone": self.time_zone,
                },
                "csv": csv,
            }
        return {
            "mapping_version": MAPPING_VERSION,
            "kind": self.kind,
            "format": self.format,
            "columns": {name: getattr(c, name) for name in COLUMN_FIELDS},
            "attributes": "all" if c.attributes is None else list(c.attributes),
            "activity_renames": dict(c.activity_renames),
            "timestamp": {"format": c.timestamp_format, "time_zone": self.time_zone},
            "csv": csv,
            "xes": {"classifier": self.classifier},
            "ocel": {"object_type": self.object_type},
        }

    def to_yaml(self) -> str:
        """The mapping as a commented YAML document (see :meth:`from_yaml`)."""
        from cojourney.events._mapping_yaml import render

        return render(self)

    @classmethod
    def from_yaml(cls, text: str, *, name: str, source: str | None = None) -> ImportMapping:
        """Parse a mapping file.

        Parameters
        ----------
        text
            The YAML document.
        name
            The mapping's name (the file's stem).
        source
            The file, for messages.

        Raises
        ------
        cojourney.errors.InputError
            Every problem of the file, each with its line.
        """
        from cojourney.events._mapping_yaml import parse

        return parse(text, name, source or f"{name}.yaml")


@dataclass(frozen=True, slots=True)
class MappingFlags:
    """Mapping fields given on the command line; ``None`` (or empty) leaves a field as it is.

    ``journey_id``, ``timestamp``, ``channel``, ``segment``, the timestamp, time zone
    and CSV options and ``renames`` (of activities, or of touchpoints for feedback)
    apply to both kinds; ``activity``, ``actor``, ``role``, ``lifecycle``,
    ``classifier`` and ``object_type`` to events only (:data:`EVENT_ONLY_FLAGS`);
    the others to feedback only (:data:`FEEDBACK_ONLY_FLAGS`).
    """

    journey_id: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    channel: str | None = None
    actor: str | None = None
    role: str | None = None
    segment: str | None = None
    lifecycle: str | None = None
    timestamp_format: str | None = None
    time_zone: str | None = None
    sep: str | None = None
    encoding: str | None = None
    quote: str | None = None
    null_values: tuple[str, ...] = ()
    classifier: str | None = None
    object_type: str | None = None
    renames: Mapping[str, str] = field(default_factory=dict)
    question: str | None = None
    score: str | None = None
    touchpoint: str | None = None
    step: str | None = None
    comment: str | None = None
    respondent: str | None = None
    score_columns: Mapping[str, str] = field(default_factory=dict)
    text_columns: Mapping[str, str] = field(default_factory=dict)
    journey_questions: tuple[str, ...] = ()
    scales: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    question_renames: Mapping[str, str] = field(default_factory=dict)

    def given(self) -> list[str]:
        """Names of the fields that were given."""
        return [f for f in self.__dataclass_fields__ if _given(getattr(self, f))]

    def is_empty(self) -> bool:
        """Whether no flag was given."""
        return not self.given()


#: Flags that only an event import takes.
EVENT_ONLY_FLAGS: Final[tuple[str, ...]] = (
    "activity",
    "actor",
    "role",
    "lifecycle",
    "classifier",
    "object_type",
)
#: Flags that only a feedback import takes.
FEEDBACK_ONLY_FLAGS: Final[tuple[str, ...]] = (
    "question",
    "score",
    "touchpoint",
    "step",
    "comment",
    "respondent",
    "score_columns",
    "text_columns",
    "journey_questions",
    "scales",
    "question_renames",
)


def _given(value: object) -> bool:
    return bool(value) if isinstance(value, (Mapping, tuple)) else value is not None


def mapping_name_for(path: str | Path) -> str:
    """The default mapping name of a file: its stem, lower-cased, as a valid id.

    >>> mapping_name_for("exports/BPIC14 incident log.csv.gz")
    'bpic14-incident-log'
    """
    stem = Path(path).name.lower()
    for suffix in (
        ".gz",
        ".csv",
        ".tsv",
        ".txt",
        ".parquet",
        ".pq",
        ".jsonl",
        ".ndjson",
        ".xes",
        ".jsonocel",
        ".json",
        ".sqlite",
    ):
        stem = stem.removesuffix(suffix)
    slug = re.sub(r"[^a-z0-9_.]+", "-", stem).strip("-._")
    return slug or "events"


class MappingLibrary:
    """The saved mappings of a workspace: one YAML file each in ``folder``.

    Parameters
    ----------
    folder
        ``WORKSPACE/data/mappings``; created on the first :meth:`save`.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path_of(self, name: str) -> Path:
        """The file of mapping ``name`` (which may not exist yet)."""
        if not _NAME_RE.fullmatch(name):
            raise InputError(
                Problem(
                    "invalid mapping name",
                    Location(field="mapping"),
                    found=repr(name),
                    expected="letters, digits, '_', '.', '-', starting with a letter or digit",
                    hint="choose another import.mapping name",
                )
            )
        return self.folder / f"{name}.yaml"

    def names(self) -> list[str]:
        """Names of the saved mappings, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.yaml") if _NAME_RE.fullmatch(p.stem))

    def exists(self, name: str) -> bool:
        return self.path_of(name).is_file()

    def load(self, name: str) -> ImportMapping:
        """The mapping called ``name``.

        Raises
        ------
        cojourney.errors.NotFound
            No such mapping (the message lists those saved).
        cojourney.errors.InputError
            The file has problems.
        """
        path = self.path_of(name)
        if not path.is_file():
            saved = ", ".join(self.names()) or "none yet"
            raise NotFound(
                f"no mapping named {name!r} in {self.folder} (saved mappings: {saved}); "
                "name the columns (mapping.columns.journey_id, mapping.columns.activity and "
                "mapping.columns.timestamp; feedback: mapping.columns.journey_id, "
                "mapping.columns.timestamp, mapping.columns.question and "
                "mapping.columns.score) to create it"
            )
        from cojourney.events._mapping_yaml import read

        # a saved mapping may not be a link out of its folder (the folder itself may be
        # reached through a link: data/ often lives on another disk)
        return read(path, name, within=self.folder)

    def all(self) -> list[ImportMapping]:
        """Every saved mapping; a file with problems raises :class:`InputError` with all of them."""
        mappings, problems = [], []
        for name in self.names():
            try:
                mappings.append(self.load(name))
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise InputError(problems, title="saved import mappings have problems")
        return mappings

    def save(self, mapping: ImportMapping) -> Path:
        """Write ``mapping`` (atomically: the old file stays until the new one is complete).

        Raises
        ------
        cojourney.files.OutputError
            The file cannot be written (a read-only or full workspace): the message
            names the path, the cause and what to do.
        """
        path = self.path_of(mapping.name)
        atomic_write_text(path, mapping.to_yaml(), create_folder=True)
        log.info("saved import mapping %s", path)
        return path

    def candidates(
        self,
        file_format: str,
        columns: Callable[[ImportMapping], Sequence[str] | None],
        kind: str = "events",
    ) -> tuple[list[ImportMapping], dict[str, list[str]]]:
        """Saved mappings that fit a file.

        Parameters
        ----------
        file_format
            The file's format (one of :data:`FORMATS`).
        columns
            The file's column names as read with a mapping's CSV options, or
            ``None`` when they cannot be known before reading (XES, OCEL): then a
            mapping fits by its format alone.
        kind
            The kind of log.

        Returns
        -------
        tuple
            The mappings that fit, and ``{name: missing source columns}`` for those
            of the right format that do not.
        """
        fitting: list[ImportMapping] = []
        missing: dict[str, list[str]] = {}
        for mapping in self.all():
            if mapping.kind != kind or mapping.format not in (None, file_format):
                continue
            available = columns(mapping)
            absent = (
                []
                if available is None
                else [c for c in mapping.source_columns() if c not in set(available)]
            )
            if absent:
                missing[mapping.name] = absent
            else:
                fitting.append(mapping)
        return fitting, missing
