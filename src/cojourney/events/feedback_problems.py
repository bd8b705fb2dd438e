"""What is wrong with a staged survey answer, said for the person who fixes the file.

:mod:`cojourney.events.feedback_ingest` flags every staged answer with the checks
named in :data:`FLAGS`; this module turns flagged answers into
:class:`~cojourney.errors.Problem` objects (file, line or row, column, the value
found, what was expected and the fix) and into the ``reason`` text of the
quarantine file. :func:`describe_conflicts` says which answers were left out
because an answer of the same identity, with another score or comment, came first.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cojourney.errors import Location, Problem
from cojourney.events.feedback_mapping import FEEDBACK_FLAGS, FeedbackColumns, effective_scales
from cojourney.events.readers.base import MAX_LISTED_PROBLEMS, sql_string

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from cojourney.events.feedback_ingest import FeedbackImport

__all__ = ["FLAGS", "describe_conflicts", "describe_rows", "reason_sql"]

#: The problem flags of a staged answer.
FLAGS: Final[tuple[str, ...]] = (
    "__no_journey",
    "__no_timestamp",
    "__no_question",
    "__bad_score",
    "__out_of_scale",
    "__no_answer",
    "__unknown_touchpoint",
    "__unknown_step",
    "__step_mismatch",
)

_COLUMNS: Final = (
    "_row",
    "_part",
    *FLAGS,
    "_timestamp_text",
    "question",
    "_score_text",
    "_score_column",
    "score",
    "_touchpoint",
    "_touchpoint_text",
    "_step_given",
    "_step_derived",
)


def _scale_text(columns: FeedbackColumns) -> str:
    """SQL: the scale of the answer's question as text (``1..5``)."""
    whens = " ".join(
        f"WHEN {sql_string(q)} THEN {sql_string(f'{lo:g}..{hi:g}')}"
        for q, (lo, hi) in effective_scales(columns).items()
    )
    return f"CASE question {whens} END"


def reason_sql(columns: FeedbackColumns) -> str:
    """SQL of the ``reason`` text of a flagged, staged answer (without its line)."""
    fmt = columns.timestamp_format
    expected = f"format {fmt}" if fmt else "ISO 8601"
    parts = [
        f"CASE WHEN __no_journey THEN "
        f"{sql_string(f'no journey id (column {columns.journey_id})')} END",
        f"CASE WHEN __no_timestamp THEN CASE WHEN _timestamp_text IS NULL THEN "
        f"{sql_string(f'no timestamp (column {columns.timestamp})')} ELSE 'timestamp ''' || "
        f"_timestamp_text || {sql_string(f''' cannot be read, expected {expected}''')} END END",
        f"CASE WHEN __no_question THEN "
        f"{sql_string(f'no question (column {columns.question})')} END",
        "CASE WHEN __bad_score THEN 'score ''' || _score_text || ''' (column ' || _score_column "
        "|| ') is not a number' END",
        f"CASE WHEN __out_of_scale THEN question || ' score ' || _score_text || ' (column ' || "
        f"_score_column || ') is outside its scale ' || {_scale_text(columns)} END",
        "CASE WHEN __no_answer THEN 'neither a score nor a comment' END",
        "CASE WHEN __unknown_touchpoint THEN 'touchpoint ''' || _touchpoint || "
        "''' is not a touchpoint of the workspace' END",
        "CASE WHEN __unknown_step THEN 'step ''' || _step_given || "
        "''' is not a step of the workspace' END",
        "CASE WHEN __step_mismatch THEN 'step ''' || _step_given || ''' is not the step of "
        "touchpoint ''' || _touchpoint || ''' (' || _step_derived || ')' END",
    ]
    return f"concat_ws('; ', {', '.join(parts)})"


def describe_rows(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    path: Path,
    locate: Callable[[int, str], Location],
    columns: FeedbackColumns,
    request: FeedbackImport,
    bad: int,
) -> list[Problem]:
    """Problems of the first flagged answers (at most :data:`MAX_LISTED_PROBLEMS`)."""
    rows = con.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM {stage} WHERE __bad ORDER BY _row, _part "
        f"LIMIT {MAX_LISTED_PROBLEMS}"
    ).fetchall()
    scales = effective_scales(columns)
    touchpoints = sorted(request.touchpoint_steps or {})
    steps = sorted(request.known_steps or ())
    problems: list[Problem] = []
    for values in rows:
        r = dict(zip(_COLUMNS, values, strict=True))
        problems += _problems_of(r, path, locate, columns, scales, touchpoints, steps)
        if len(problems) >= MAX_LISTED_PROBLEMS:
            break
    return problems[:MAX_LISTED_PROBLEMS]


def _problems_of(
    r: dict[str, Any],
    path: Path,
    locate: Callable[[int, str], Location],
    columns: FeedbackColumns,
    scales: dict[str, tuple[float, float]],
    touchpoints: list[str],
    steps: list[str],
) -> list[Problem]:
    index = int(r["_row"])

    def where(column: str | None) -> Location:
        return locate(index, column or "")

    row = "" if where(None).line is not None else f"row {index + 1}: "
    out: list[Problem] = []
    if r["__no_journey"]:
        out.append(
            Problem(
                f"{row}the answer has no journey id",
                where(columns.journey_id),
                found="an empty value",
                expected="the id of the journey instance the answer is about",
                hint="fill the value, or remove the row",
            )
        )
    if r["__no_timestamp"]:
        out.append(_timestamp(row, r["_timestamp_text"], where(columns.timestamp), columns))
    if r["__no_question"]:
        out.append(
            Problem(
                f"{row}the answer has no question",
                where(columns.question),
                found="an empty value",
                expected="a question id: csat, ces, nps, emotion or your own",
                hint="fill the value, or remove the row",
            )
        )
    if r["__bad_score"]:
        out.append(
            Problem(
                f"{row}the {r['question'] or ''} score is not a number".replace("the  ", "the "),
                where(r["_score_column"]),
                found=repr(r["_score_text"]),
                expected="a number such as 4 or 4.5 (with a point as decimal separator)",
                hint="fix the value, or empty the cell (no answer)",
            )
        )
    if r["__out_of_scale"]:
        low, high = scales[r["question"]]
        out.append(
            Problem(
                f"{row}the {r['question']} score is outside its scale",
                where(r["_score_column"]),
                found=repr(r["_score_text"]),
                expected=f"a number from {low:g} to {high:g}",
                hint="fix the value; if the column holds another question, map it to that question "
                "(--score-column QUESTION=COLUMN or --rename-question), or import it as a "
                "custom question with its --scale QUESTION=LOW..HIGH",
            )
        )
    if r["__no_answer"]:
        out.append(
            Problem(
                f"{row}the answer has neither a score nor a comment",
                where(columns.score),
                found="empty score and comment",
                expected="a score, a comment, or both",
                hint="fill the score, or remove the row",
            )
        )
    if r["__unknown_touchpoint"]:
        out.append(
            _unknown(
                row,
                "touchpoint",
                r["_touchpoint"],
                r["_touchpoint_text"],
                where(columns.touchpoint),
                touchpoints,
            )
        )
    if r["__unknown_step"]:
        out.append(
            _unknown(row, "step", r["_step_given"], r["_step_given"], where(columns.step), steps)
        )
    if r["__step_mismatch"]:
        out.append(
            Problem(
                f"{row}step {r['_step_given']!r} is not the step of touchpoint {r['_touchpoint']!r}",
                where(columns.step),
                found=repr(r["_step_given"]),
                expected=repr(r["_step_derived"]),
                hint="fix the step, or leave the step column out: the step is then taken from "
                "the touchpoint",
            )
        )
    return out


def _timestamp(row: str, raw: str | None, where: Location, columns: FeedbackColumns) -> Problem:
    if raw is None:
        return Problem(
            f"{row}the answer has no timestamp",
            where,
            found="an empty value",
            expected="when the answer was given",
            hint="fill the value, or remove the row",
        )
    fmt = columns.timestamp_format
    return Problem(
        f"{row}the timestamp cannot be read",
        where,
        found=repr(raw),
        expected=f"format {fmt}"
        if fmt
        else "ISO 8601, e.g. 2024-05-01 13:45:00 or 2024-05-01T13:45:00+02:00",
        hint=(
            "fix the value, or correct --timestamp-format"
            if fmt
            else "pass --timestamp-format, e.g. '%d/%m/%Y %H:%M' (strftime codes; %f = fraction)"
        ),
    )


def _unknown(
    row: str, what: str, value: str, raw: str, where: Location, known: list[str]
) -> Problem:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    flag = FEEDBACK_FLAGS["touchpoint"]
    if what == "touchpoint":
        hint = (
            f"map it with --rename '{raw}=TOUCHPOINT' (saved in the mapping's "
            f"touchpoint_renames), or add the touchpoint to the workspace's journey; "
            f"a journey-level answer leaves {flag} empty"
        )
    else:
        hint = "fix the value, or leave the step column out: the touchpoint gives the step"
    if close:
        hint = f"did you mean {close[0]!r}? " + hint
    return Problem(
        f"{row}{what} {value!r} is not a {what} of the workspace",
        where,
        found=repr(raw),
        expected=f"one of: {shown}" if known else f"a {what} id",
        hint=hint,
    )


def describe_conflicts(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    repeated: str,
    per_row: int,
    locate: Callable[[int, str], Location],
    columns: FeedbackColumns,
) -> tuple[list[Problem], int]:
    """The first conflicting answers left out (both answers located), and how many there are.

    ``repeated`` is the table of :func:`cojourney.events.store_identity.mark_repeated_answers`
    over ``stage``, whose answers are numbered ``_row * per_row + _part``.
    """
    counted = con.execute(f"SELECT count(*) FILTER (WHERE conflict) FROM {repeated}").fetchone()
    total = int(counted[0]) if counted else 0
    if not total:
        return [], 0
    rows = con.execute(
        f"SELECT s._row, s._score_column, s.journey_id, s.question, s.touchpoint, "
        f"strftime(timezone('UTC', s.timestamp), '%Y-%m-%d %H:%M:%S'), s.score, s.comment, "
        f"d.kept_r, d.kept_import, d.kept_source, d.kept_score, d.kept_comment "
        f"FROM {repeated} d JOIN {stage} s ON s._row * {per_row} + s._part = d.r "
        f"WHERE d.conflict ORDER BY d.r LIMIT {MAX_LISTED_PROBLEMS}"
    ).fetchall()
    problems = []
    for row, column, journey, question, touchpoint, when, score, comment, *kept in rows:
        kept_r, kept_import, kept_source, kept_score, kept_comment = kept
        here = locate(int(row), column or columns.score or "")
        if kept_import is not None:
            there = f"import #{kept_import} ({kept_source})"
            undo = f"delete import #{kept_import}, fix the answer in its file and import both again"
        else:
            index = int(kept_r) // per_row
            line = locate(index, column or "").line
            there = f"line {line}" if line is not None else f"row {index + 1}"
            undo = f"fix or remove one of the two rows ({there} is kept)"
        about = f"touchpoint {touchpoint}" if touchpoint else "the whole journey"
        problems.append(
            Problem(
                f"two different answers of journey {journey} to {question} about {about} at "
                f"{when} UTC: this one is left out, the one of {there} is kept",
                here,
                found=_answer_text(score, comment),
                expected=f"{_answer_text(kept_score, kept_comment)}, as in {there}",
                hint=f"the first answer of a journey, respondent, touchpoint, question and time "
                f"counts (the stored one, else the earlier row); to keep this one instead, {undo}",
            )
        )
    return problems, total


def _answer_text(score: float | None, comment: str | None) -> str:
    parts = ([f"score {score:g}"] if score is not None else []) + (
        [f"comment {comment!r}"] if comment is not None else []
    )
    return ", ".join(parts) or "no answer"
