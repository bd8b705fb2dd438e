"""Where the canonical feedback columns come from in a survey export.

A survey export comes in one of two layouts, and :class:`FeedbackColumns` describes both:

*long*
    one row per answer: a ``question`` column (``csat``, ``nps``, ``Q1``...) and a
    ``score`` column, plus an optional free-text ``comment``;
*wide*
    one row per response, one column per question: ``score_columns`` names the
    question of each score column (``{"csat": "Q1", "nps": "Q7"}``) and
    ``text_columns`` the free-text questions (``{"why": "Q8"}``); every non-empty
    cell becomes one answer (a free-text answer has no score and the text as its
    comment), and an empty cell is a question not answered (no answer, no error).

In both layouts ``journey_id`` and ``timestamp`` are required, and ``touchpoint``,
``step``, ``respondent``, ``channel`` and ``segment`` apply to every answer of the
row. ``journey_questions`` lists questions about the whole journey: their
touchpoint (and step) are left empty, and the row's touchpoint is kept in
``attributes`` as ``asked_at``. Unset columns default to their canonical names
when the file has them, so a file in the canonical feedback schema
(:mod:`cojourney.events.feedback_schema`) needs no mapping at all.

>>> cols = FeedbackColumns(journey_id="member", timestamp="at", score_columns={"nps": "Q7"})
>>> cols.wide, cols.source_columns()
(True, ['member', 'at', 'Q7'])
>>> FeedbackColumns().resolve(["journey_id", "timestamp", "question", "score", "x"]).score
'score'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from cojourney.errors import Problem, location_in
from cojourney.events import feedback_schema as F

__all__ = [
    "FEEDBACK_FIELDS",
    "FEEDBACK_FLAGS",
    "FeedbackColumns",
    "column_problems",
    "effective_scales",
]

#: The single-column fields of a feedback mapping (``columns:`` in its YAML), in file order.
FEEDBACK_FIELDS: Final[tuple[str, ...]] = (
    F.JOURNEY_ID,
    F.TIMESTAMP,
    F.QUESTION,
    F.SCORE,
    F.TOUCHPOINT,
    F.STEP,
    F.COMMENT,
    F.RESPONDENT,
    F.CHANNEL,
    F.SEGMENT,
)
#: Fields that apply to every answer of a row (both layouts).
ROW_FIELDS: Final[tuple[str, ...]] = (F.TOUCHPOINT, F.STEP, F.RESPONDENT, F.CHANNEL, F.SEGMENT)
#: Required in both layouts.
REQUIRED: Final[tuple[str, ...]] = (F.JOURNEY_ID, F.TIMESTAMP)
#: Required in the long layout.
LONG_REQUIRED: Final[tuple[str, ...]] = (F.QUESTION, F.SCORE)
#: The concept naming each field in messages (the CLI shows it as its flag).
FEEDBACK_FLAGS: Final[Mapping[str, str]] = {
    F.JOURNEY_ID: "mapping.columns.journey_id",
    F.TIMESTAMP: "mapping.columns.timestamp",
    F.QUESTION: "mapping.columns.question",
    F.SCORE: "mapping.columns.score",
    F.TOUCHPOINT: "mapping.columns.touchpoint",
    F.STEP: "mapping.columns.step",
    F.COMMENT: "mapping.columns.comment",
    F.RESPONDENT: "mapping.columns.respondent",
    F.CHANNEL: "mapping.columns.channel",
    F.SEGMENT: "mapping.columns.segment",
}
#: Source columns never kept in ``attributes`` (the bookkeeping of a canonical file).
BOOKKEEPING: Final[tuple[str, ...]] = (F.ANSWER_SEQ, "import_id")


@dataclass(frozen=True, slots=True)
class FeedbackColumns:
    """The source column of each canonical feedback field, and the layout of the file.

    Parameters
    ----------
    journey_id, timestamp
        Required: the journey instance and when the answer was given.
    question, score
        The long layout's question id and numeric answer.
    touchpoint, step, comment, respondent, channel, segment
        Optional columns (``comment`` in the long layout only).
    score_columns
        Wide layout: ``{question id: source column}`` of the numeric answers.
    text_columns
        Wide layout: ``{question id: source column}`` of free-text answers.
    journey_questions
        Questions about the whole journey (touchpoint and step left empty).
    scales
        ``{question id: (lowest, highest)}`` of custom questions; scores outside
        are rejected, as for the standard ones
        (:data:`~cojourney.events.feedback_schema.QUESTION_SCALES`).
    question_renames
        ``{value in the file: question id}``, applied before the standard names
        are recognised (case-insensitively: ``NPS`` is ``nps``).
    touchpoint_renames
        ``{value in the file: touchpoint id}``.
    timestamp_format
        A ``strftime`` format of text timestamps (``None``: ISO 8601).
    attributes
        Source columns kept as JSON in ``attributes``; ``None`` keeps every unmapped
        column.
    """

    journey_id: str | None = None
    timestamp: str | None = None
    question: str | None = None
    score: str | None = None
    touchpoint: str | None = None
    step: str | None = None
    comment: str | None = None
    respondent: str | None = None
    channel: str | None = None
    segment: str | None = None
    score_columns: Mapping[str, str] = field(default_factory=dict, hash=False)
    text_columns: Mapping[str, str] = field(default_factory=dict, hash=False)
    journey_questions: tuple[str, ...] = ()
    scales: Mapping[str, tuple[float, float]] = field(default_factory=dict, hash=False)
    question_renames: Mapping[str, str] = field(default_factory=dict, hash=False)
    touchpoint_renames: Mapping[str, str] = field(default_factory=dict, hash=False)
    timestamp_format: str | None = None
    attributes: tuple[str, ...] | None = None

    @property
    def wide(self) -> bool:
        """Whether the file has one column per question."""
        return bool(self.score_columns or self.text_columns)

    def sources(self) -> dict[str, str]:
        """``{canonical field: source column}`` of the single-column fields that are set."""
        return {name: src for name in FEEDBACK_FIELDS if (src := getattr(self, name)) is not None}

    def source_columns(self) -> list[str]:
        """Every source column read, required ones first; unset required fields count
        with their canonical names (what :meth:`resolve` falls back to)."""
        required = REQUIRED if self.wide else REQUIRED + LONG_REQUIRED
        found = [getattr(self, name) or name for name in required]
        found += [
            src for name in FEEDBACK_FIELDS if name not in required and (src := getattr(self, name))
        ]
        found += [*self.score_columns.values(), *self.text_columns.values()]
        return list(dict.fromkeys(found))

    def resolve(self, available: Sequence[str]) -> FeedbackColumns:
        """Fill unset fields with the columns of their canonical names, when present.

        The long layout's ``question`` and ``score`` (and ``comment``) are filled only
        when the mapping is not wide.
        """
        present = set(available)
        skip = {F.QUESTION, F.SCORE, F.COMMENT} if self.wide else set()
        taken = (
            set(self.sources().values())
            | set(self.score_columns.values())
            | set(self.text_columns.values())
        )
        changes: dict[str, Any] = {
            name: name
            for name in FEEDBACK_FIELDS
            if getattr(self, name) is None
            and name in present
            and name not in skip
            and name not in taken
        }
        return replace(self, **changes) if changes else self

    def to_dict(self) -> dict[str, Any]:
        """The mapping's feedback sections as plain data, in the layout of the YAML file."""
        return {
            "columns": {name: getattr(self, name) for name in FEEDBACK_FIELDS},
            "score_columns": dict(self.score_columns),
            "text_columns": dict(self.text_columns),
            "journey_questions": list(self.journey_questions),
            "scales": {q: [float(lo), float(hi)] for q, (lo, hi) in self.scales.items()},
            "question_renames": dict(self.question_renames),
            "touchpoint_renames": dict(self.touchpoint_renames),
            "attributes": "all" if self.attributes is None else list(self.attributes),
        }


def effective_scales(columns: FeedbackColumns) -> dict[str, tuple[float, float]]:
    """The standard question scales plus the mapping's custom ones."""
    return {**F.QUESTION_SCALES, **columns.scales}


def column_problems(
    columns: FeedbackColumns,
    available: Sequence[str],
    source: str | Path,
    *,
    fix: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every problem of a (resolved) feedback mapping against a file's columns.

    Parameters
    ----------
    columns
        The mapping, already :meth:`~FeedbackColumns.resolve`-d against ``available``.
    available
        The file's column names.
    source
        The file, for messages.
    fix
        ``{field: hint}`` replacing the default hint of a field (the CLI names its
        flag, a saved mapping its file).
    """
    shown = ", ".join(available) if available else "(none)"
    present = set(available)
    fix = fix or {}
    problems: list[Problem] = []

    def hint(name: str) -> str:
        return fix.get(name) or (
            f"name the column with {FEEDBACK_FLAGS[name]} COLUMN"
            if name in FEEDBACK_FLAGS
            else f"fix {name} of the mapping"
        )

    required = REQUIRED if columns.wide else REQUIRED + LONG_REQUIRED
    for name in required:
        if getattr(columns, name) is None:
            extra = (
                " (or give one column per question in mapping.score_columns)"
                if name in LONG_REQUIRED
                else ""
            )
            problems.append(
                Problem(
                    f"no column chosen for {name}",
                    location_in(source, field=name),
                    found=f"columns: {shown}",
                    expected=f"the column holding the {name}{extra}",
                    hint=hint(name) + " (names are case-sensitive)",
                )
            )
    named = [(name, src) for name, src in columns.sources().items()]
    named += [(f"score_columns.{q}", src) for q, src in columns.score_columns.items()]
    named += [(f"text_columns.{q}", src) for q, src in columns.text_columns.items()]
    for name, src in named:
        if src not in present:
            problems.append(
                Problem(
                    f"column {src!r} (for {name}) is not in the file",
                    location_in(source, field=src),
                    found=f"columns: {shown}",
                    expected=src,
                    hint=hint(name) + " (names are case-sensitive)",
                )
            )
    if columns.wide and columns.comment is not None:
        problems.append(
            Problem(
                "a comment column is for the long layout (one row per answer)",
                location_in(source, field=columns.comment),
                found=f"comment: {columns.comment}",
                expected="free-text columns named in mapping.text_columns",
                hint="replace mapping.columns.comment by mapping.text_columns",
            )
        )
    if columns.wide and (columns.question is not None or columns.score is not None):
        problems.append(
            Problem(
                "a question or score column is for the long layout (one row per answer)",
                location_in(source, field=columns.question or columns.score),
                found=f"question: {columns.question}, score: {columns.score}",
                expected="either mapping.columns.question and mapping.columns.score, "
                "or mapping.score_columns",
                hint="choose one layout: drop mapping.columns.question and "
                "mapping.columns.score, or mapping.score_columns",
            )
        )
    for question, (low, high) in columns.scales.items():
        if question in F.QUESTION_SCALES:
            problems.append(
                Problem(
                    f"the scale of the standard question {question!r} cannot be changed",
                    location_in(source, field=f"scales.{question}"),
                    found=f"{low:g}..{high:g}",
                    expected=f"{F.QUESTION_SCALES[question][0]:g}.."
                    f"{F.QUESTION_SCALES[question][1]:g}",
                    hint="import the answers as a custom question id (e.g. csat-10) with its scale",
                )
            )
        elif not low < high:
            problems.append(
                Problem(
                    f"the scale of {question!r} is empty",
                    location_in(source, field=f"scales.{question}"),
                    found=f"{low:g}..{high:g}",
                    expected="LOWEST..HIGHEST with LOWEST < HIGHEST",
                    hint="fix mapping.scales",
                )
            )
    return problems
