"""Importing a survey export (CSV, Parquet, JSON Lines) into the store's ``feedback`` table.

The same rules as for events (:mod:`cojourney.events.store_ingest`): the file is read
by DuckDB itself and never round-tripped through Python rows; everything happens in
one transaction:

1. each source row becomes its answers, staged in a temporary table: one answer per
   row in the long layout, one per non-empty question cell in the wide layout
   (:class:`~cojourney.events.feedback_mapping.FeedbackColumns`), with flags for
   every problem (no journey id, unreadable timestamp, no question, a score that
   is not a number or is outside its question's scale, neither score nor comment,
   a touchpoint or step the workspace does not have);
2. with ``on_error="fail"`` any problem refuses the import with the first
   :data:`~cojourney.events.readers.base.MAX_LISTED_PROBLEMS` problems (file, line
   or row, column, value, fix) and the total count; with ``"skip"`` the source rows
   with a problem (all their answers) are written, with their source columns and a
   ``reason``, to a quarantine CSV file;
3. an answer whose identity (journey, respondent, touchpoint, question, time) the
   store or an earlier row has already is left out and counted once
   (:func:`~cojourney.events.store_identity.mark_repeated_answers`); those with
   another score or comment are reported as conflicts, the first answer kept;
4. the other answers of the valid rows are appended with a global ``answer_seq``
   (``offset + row x answers per row + position in the row``), their ``step``
   filled from the workspace's touchpoint when the file does not give it.

``rows_imported`` of the import counts answers; ``rows_rejected`` counts source rows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from cojourney.errors import ImportRejected, Problem, location_in
from cojourney.events import feedback_schema as F
from cojourney.events.feedback_mapping import (
    BOOKKEEPING,
    FeedbackColumns,
    column_problems,
    effective_scales,
)
from cojourney.events.feedback_problems import (
    FLAGS,
    describe_conflicts,
    describe_rows,
    reason_sql,
)
from cojourney.events.readers.base import (
    MAX_LISTED_PROBLEMS,
    ReadOptions,
    check_timezone,
    describe,
    quote_identifier,
    sql_string,
)
from cojourney.events.schema import ColumnMapping
from cojourney.events.store_identity import mark_repeated_answers
from cojourney.events.store_ingest import (
    ProgressCallback,
    _poller,
    _session_time_zone,
    _utc,
    _write_quarantine,
    file_columns,
)
from cojourney.events.store_schema import IMPORT_ID, ImportRecord

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from cojourney.events.readers.ragged import RaggedRows
    from cojourney.events.readers.tabular import PreparedRead, RaggedLine
    from cojourney.events.store import EventStore, PendingImport

__all__ = ["FeedbackImport", "FeedbackOutcome", "ingest_feedback"]

log = logging.getLogger(__name__)

_ROW: Final = "__cojourney_row"
_STAGE: Final = "__cojourney_feedback_stage"
_REPEATED: Final = "__cojourney_feedback_repeated"
_BAD: Final = "(" + " OR ".join(FLAGS) + ")"
_STANDARD = tuple(F.QUESTION_SCALES)


@dataclass(frozen=True, slots=True)
class FeedbackImport:
    """Everything an import of one survey export needs to know.

    Parameters
    ----------
    path
        The export: CSV (or TSV), Parquet or JSON Lines.
    columns
        Its layout and source columns (unset fields resolve to canonical names).
    time_zone
        IANA time zone of timestamps written without an offset.
    options
        How to parse the file (CSV dialect, encoding).
    source_sha256, mapping_name, mapping_fingerprint
        Recorded in the ``imports`` table (idempotence is checked by the caller).
    on_error
        ``"fail"``: any problem refuses the import. ``"skip"``: rows with a problem
        go to a quarantine file in ``quarantine_dir``, the others are imported.
    quarantine_dir
        Where quarantine files go (needed with ``"skip"``).
    touchpoint_steps
        ``{touchpoint id: step id}`` of the workspace: other touchpoints are
        rejected, and a missing step is taken from here. ``None`` skips both.
    known_steps
        Step ids of the workspace; other steps are rejected. ``None`` skips the check.
    """

    path: Path
    columns: FeedbackColumns
    time_zone: str = "UTC"
    options: ReadOptions = field(default_factory=ReadOptions)
    source_sha256: str = ""
    mapping_name: str | None = None
    mapping_fingerprint: str = ""
    on_error: Literal["fail", "skip"] = "fail"
    quarantine_dir: Path | None = None
    touchpoint_steps: Mapping[str, str] | None = None
    known_steps: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class FeedbackOutcome:
    """What one feedback import did (answers, source rows, what was filled in)."""

    record: ImportRecord
    rows_read: int
    answers_read: int
    rejected: tuple[Problem, ...]
    journeys: int
    first_timestamp: datetime | None
    last_timestamp: datetime | None
    questions: tuple[tuple[str, int], ...]
    steps_filled: int
    conflicts: tuple[Problem, ...] = ()
    conflict_count: int = 0


def ingest_feedback(
    store: EventStore, request: FeedbackImport, *, progress: ProgressCallback | None = None
) -> FeedbackOutcome:
    """Import ``request.path`` into the ``feedback`` table of ``store`` in one transaction.

    Raises
    ------
    cojourney.errors.ImportRejected
        Not a CSV, Parquet or JSON Lines file, unreadable, columns missing, an
        unknown time zone, or (with ``on_error="fail"``) any answer with a problem.
    """
    from cojourney.events.readers.connections import configure
    from cojourney.events.readers.ragged import rows_with_ragged_aside
    from cojourney.events.readers.tabular import is_tabular

    path = request.path
    if not is_tabular(path):
        raise ImportRejected(
            Problem(
                "survey answers are read from CSV, Parquet or JSON Lines files",
                location_in(path),
                found=path.suffix or "(no suffix)",
                expected=".csv, .tsv, .txt, .parquet, .pq, .jsonl or .ndjson",
                hint="export the survey answers as CSV or Parquet",
            )
        )
    check_timezone(ColumnMapping(timezone=request.time_zone), path)
    available = file_columns(path, request.options) or []
    columns = request.columns.resolve(available)
    problems = column_problems(columns, available, path)
    if problems:
        raise ImportRejected(problems, title=f"{path}: the columns do not match")
    assert columns.journey_id is not None and columns.timestamp is not None
    # The readers' dialect handling and timestamp SQL, through an event mapping of
    # the same journey and timestamp columns (its activity column is not used).
    reading = ColumnMapping(
        journey_id=columns.journey_id,
        activity=columns.journey_id,
        timestamp=columns.timestamp,
        timestamp_format=columns.timestamp_format,
        timezone=request.time_zone,
        attributes=(),
    )
    con = store.connection
    configure(con)  # duckdb_memory_limit, duckdb_threads and temp_dir hold while it is read
    with ExitStack() as stack:
        pending = stack.enter_context(
            store.import_transaction(
                source_name=path.name,
                source_sha256=request.source_sha256,
                mapping_name=request.mapping_name,
                mapping_fingerprint=request.mapping_fingerprint,
                kind="feedback",
            )
        )
        stack.enter_context(_session_time_zone(con, request.time_zone))
        prepared, rows = stack.enter_context(
            rows_with_ragged_aside(con, path, reading, request.options)
        )
        outcome = _run(con, prepared, rows, columns, request, pending, progress)
    assert pending.committed is not None
    return replace(outcome, record=pending.committed)


# --------------------------------------------------------------------------- staging SQL


def _text(column: str | None) -> str:
    """SQL of a source column as trimmed text, empty as null."""
    if column is None:
        return "CAST(NULL AS VARCHAR)"
    return f"NULLIF(trim(CAST({quote_identifier(column)} AS VARCHAR)), '')"


def _case(expr: str, pairs: Mapping[str, str], default: str) -> str:
    """``CASE expr WHEN key THEN value ... ELSE default END`` (just ``default`` when empty)."""
    if not pairs:
        return default
    whens = " ".join(f"WHEN {sql_string(k)} THEN {sql_string(v)}" for k, v in pairs.items())
    return f"CASE {expr} {whens} ELSE {default} END"


def _in(expr: str, values: tuple[str, ...] | frozenset[str] | list[str]) -> str:
    if not values:
        return "false"
    return f"{expr} IN ({', '.join(sql_string(v) for v in sorted(values))})"


def _parts(columns: FeedbackColumns) -> tuple[str, int]:
    """The SQL list of a row's answers (a struct each) and how many a row can hold."""

    def part(index: int, question: str, value: str, comment: str, column: str | None) -> str:
        return (
            f"{{'part': {index}, 'question': {question}, 'value': {value}, "
            f"'comment': {comment}, 'column': {sql_string(column or '')}}}"
        )

    null = "CAST(NULL AS VARCHAR)"
    if not columns.wide:
        return "[" + part(
            0, _text(columns.question), _text(columns.score), _text(columns.comment), columns.score
        ) + "]", 1
    items = [
        part(i, sql_string(q), _text(col), null, col)
        for i, (q, col) in enumerate(columns.score_columns.items())
    ]
    offset = len(items)
    items += [
        part(offset + i, sql_string(q), null, _text(col), col)
        for i, (q, col) in enumerate(columns.text_columns.items())
    ]
    return "[" + ", ".join(items) + "]", len(items)


def _attributes_sql(
    columns: FeedbackColumns, types: dict[str, str], touchpoint: str, journey_question: str
) -> str:
    """The ``attributes`` JSON of an answer: unmapped source columns (a canonical
    ``attributes`` object merged in) and ``asked_at`` for a journey-level question."""
    mapped = (
        set(columns.sources().values())
        | set(columns.score_columns.values())
        | set(columns.text_columns.values())
        | set(BOOKKEEPING)
        | {_ROW}
    )
    if columns.attributes is None:
        names = [c for c in types if c not in mapped]
    else:
        names = [c for c in columns.attributes if c in types]
    canonical = F.ATTRIBUTES if F.ATTRIBUTES in names and columns.attributes is None else None
    parts = [
        f"CASE WHEN {quote_identifier(c)} IS NOT NULL THEN "
        f"{sql_string(json.dumps(c) + ':')} || CAST(to_json({quote_identifier(c)}) AS VARCHAR)"
        f" END"
        for c in names
        if c != canonical
    ]
    parts.append(
        f"CASE WHEN {journey_question} AND {touchpoint} IS NOT NULL THEN "
        f"'\"asked_at\":' || CAST(to_json({touchpoint}) AS VARCHAR) END"
    )
    built = f"NULLIF('{{' || concat_ws(',', {', '.join(parts)}) || '}}', '{{}}')"
    if canonical is None:
        return built
    col = quote_identifier(canonical)
    text = col if types[canonical] == "VARCHAR" else f"CAST(to_json({col}) AS VARCHAR)"
    obj = (
        f"CASE WHEN {text} IS NULL THEN NULL WHEN (CASE WHEN json_valid({text}) THEN "
        f"json_type({text}) END) = 'OBJECT' THEN CAST({text} AS JSON) "
        f"ELSE json_object('attributes', {text}) END"
    )
    return (
        f"CASE WHEN ({obj}) IS NULL THEN {built} WHEN {built} IS NULL THEN "
        f"CAST(({obj}) AS VARCHAR) "
        f"ELSE CAST(json_merge_patch(({obj}), {built}) AS VARCHAR) END"
    )


def _stage_sql(
    relation: str,
    prepared: PreparedRead,
    columns: FeedbackColumns,
    types: dict[str, str],
    request: FeedbackImport,
) -> str:
    """``SELECT`` of the staged answers, one row each, with their problem flags.

    The inner query names its values ``__f_*`` so that source columns of canonical
    names (a canonical feedback file) never clash with them.
    """
    parts, _ = _parts(columns)
    raw_q = "trim(__a.question)"
    renamed = _case(raw_q, columns.question_renames, raw_q)
    standard = ", ".join(map(sql_string, _STANDARD))
    touchpoint = _text(columns.touchpoint)
    inner = f"""
SELECT {quote_identifier(_ROW)} AS __f_row, __a.part AS __f_part,
  CAST({quote_identifier(columns.journey_id or "")} AS VARCHAR) AS __f_journey_id,
  {prepared.query.timestamp_sql()} AS __f_timestamp,
  CAST({quote_identifier(columns.timestamp or "")} AS VARCHAR) AS __f_timestamp_text,
  CASE WHEN lower({renamed}) IN ({standard}) THEN lower({renamed})
       ELSE NULLIF({renamed}, '') END AS __f_question,
  __a.value AS __f_score_text, __a.column AS __f_score_column,
  TRY_CAST(__a.value AS DOUBLE) AS __f_score,
  {_case(touchpoint, columns.touchpoint_renames, touchpoint)} AS __f_touchpoint,
  {touchpoint} AS __f_touchpoint_text,
  {_text(columns.step)} AS __f_step_given,
  __a.comment AS __f_comment,
  {_text(columns.respondent)} AS __f_respondent, {_text(columns.channel)} AS __f_channel,
  {_text(columns.segment)} AS __f_segment,
  * EXCLUDE (__a)
FROM (SELECT *, unnest({parts}) AS __a FROM {relation})"""
    if columns.wide:
        inner += " WHERE __a.value IS NOT NULL OR __a.comment IS NOT NULL"
    steps, known = request.touchpoint_steps, request.known_steps
    jq = _in(
        "__f_question",
        tuple(q.lower() if q.lower() in _STANDARD else q for q in columns.journey_questions),
    )
    derived = _case("__f_touchpoint", steps or {}, "CAST(NULL AS VARCHAR)")
    known_tp = "true" if steps is None else _in("__f_touchpoint", frozenset(steps))
    known_step = "true" if known is None else _in("__f_step_given", known)
    out_of_scale = " ".join(
        f"WHEN {sql_string(q)} THEN NOT (__f_score BETWEEN {lo!r} AND {hi!r})"
        for q, (lo, hi) in effective_scales(columns).items()
    )
    attributes = _attributes_sql(columns, types, "__f_touchpoint", jq)
    return f"""
SELECT __f_row AS _row, __f_part AS _part, __f_journey_id AS {F.JOURNEY_ID},
  __f_timestamp AS "{F.TIMESTAMP}", __f_timestamp_text AS _timestamp_text,
  __f_question AS {F.QUESTION}, __f_score_text AS _score_text,
  __f_score_column AS _score_column, __f_score AS {F.SCORE},
  CASE WHEN {jq} THEN NULL ELSE __f_touchpoint END AS {F.TOUCHPOINT},
  __f_touchpoint AS _touchpoint, __f_touchpoint_text AS _touchpoint_text,
  CASE WHEN {jq} THEN NULL ELSE coalesce(__f_step_given, {derived}) END AS {F.STEP},
  __f_step_given AS _step_given, {derived} AS _step_derived,
  __f_comment AS {F.COMMENT}, __f_respondent AS {F.RESPONDENT}, __f_channel AS {F.CHANNEL},
  __f_segment AS {F.SEGMENT}, {attributes} AS {F.ATTRIBUTES},
  (__f_journey_id IS NULL OR __f_journey_id = '') AS __no_journey,
  (__f_timestamp IS NULL) AS __no_timestamp,
  (__f_question IS NULL) AS __no_question,
  (__f_score_text IS NOT NULL AND __f_score IS NULL) AS __bad_score,
  coalesce(CASE __f_question {out_of_scale} ELSE false END, false) AS __out_of_scale,
  (__f_score_text IS NULL AND __f_comment IS NULL) AS __no_answer,
  (__f_touchpoint IS NOT NULL AND NOT {known_tp}) AS __unknown_touchpoint,
  (__f_step_given IS NOT NULL AND NOT {known_step}) AS __unknown_step,
  (__f_step_given IS NOT NULL AND NOT {jq} AND {derived} IS NOT NULL
   AND __f_step_given <> {derived}) AS __step_mismatch
FROM ({inner})"""


# --------------------------------------------------------------------------- the steps


def _run(
    con: duckdb.DuckDBPyConnection,
    prepared: PreparedRead,
    rows: RaggedRows,
    columns: FeedbackColumns,
    request: FeedbackImport,
    pending: PendingImport,
    progress: ProgressCallback | None,
) -> FeedbackOutcome:
    relation = f"(SELECT *, row_number() OVER () - 1 AS {_ROW} FROM {prepared.relation})"
    types = describe(con, relation)
    path = request.path
    with _poller(con, "reading", progress):
        con.execute(
            f"CREATE TEMP TABLE {_STAGE} AS SELECT *, {_BAD} AS __bad, "
            f"bool_or({_BAD}) OVER (PARTITION BY _row) AS __row_bad "
            f"FROM ({_stage_sql(relation, prepared, columns, types, request)})"
        )
    counts = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE __bad), count(DISTINCT _row) FILTER "
        f"(WHERE __row_bad) FROM {_STAGE}"
    ).fetchone()
    total_rows = con.execute(f"SELECT count(*) FROM {prepared.relation}").fetchone()
    assert counts is not None and total_rows is not None
    ragged = rows.collect()  # CSV lines set aside for their number of fields
    answers, bad_answers = int(counts[0]), int(counts[1])
    bad_rows, rows_read = int(counts[2]) + len(ragged), int(total_rows[0]) + len(ragged)
    if rows_read == 0:
        raise ImportRejected(
            Problem(
                "no answers to import: the file holds no rows (a header alone, or nothing)",
                location_in(path),
                hint="check the export that wrote it; nothing was recorded",
            )
        )
    problems = [r.problem(path) for r in ragged[:MAX_LISTED_PROBLEMS]]
    if bad_answers:
        problems += describe_rows(con, _STAGE, path, rows.locate, columns, request, bad_answers)
        problems = problems[:MAX_LISTED_PROBLEMS]
    if bad_rows and request.on_error != "skip":
        listed = (
            f"; the first {len(problems)} are listed"
            if bad_answers + len(ragged) > len(problems)
            else ""
        )
        raise ImportRejected(
            problems,
            title=(
                f"{path}: {_rejected_count(bad_answers, answers, ragged)} ({bad_rows:,} of "
                f"{rows_read:,} rows) cannot be imported{listed}. Nothing was imported: fix "
                "these rows, or pass import.on_error=skip to import the others and set these "
                "aside in a quarantine file"
            ),
        )
    if bad_rows:
        _quarantine(con, relation, request, pending, columns, rows, ragged, progress)
    _, per_row = _parts(columns)
    conflicts, conflict_count = _leave_out_repeated(con, pending, per_row, rows, columns)
    cols = pending.kind.column_names
    select = [
        f"{pending.seq_offset} + _row * {per_row} + _part"
        if c == F.ANSWER_SEQ
        else quote_identifier(c)
        for c in cols
    ]
    with _poller(con, "inserting", progress):
        con.execute(
            f'INSERT INTO "{pending.kind.table}" ({", ".join(map(quote_identifier, cols))},'
            f" {IMPORT_ID}) SELECT {', '.join(select)}, {pending.id} FROM {_STAGE} "
            "WHERE NOT __row_bad"
        )
    stats = con.execute(
        f'SELECT count(*), count(DISTINCT {F.JOURNEY_ID}), epoch_us(min("{F.TIMESTAMP}")), '
        f'epoch_us(max("{F.TIMESTAMP}")), min(_row * {per_row} + _part), '
        f"max(_row * {per_row} + _part), count(*) FILTER (WHERE _step_given IS NULL AND "
        f"{F.STEP} IS NOT NULL) FROM {_STAGE} WHERE NOT __row_bad"
    ).fetchone()
    assert stats is not None
    questions = con.execute(
        f"SELECT {F.QUESTION}, count(*) FROM {_STAGE} WHERE NOT __row_bad GROUP BY 1 "
        "ORDER BY 2 DESC, 1"
    ).fetchall()
    pending.rows_imported, pending.rows_rejected = int(stats[0]), bad_rows
    if stats[4] is not None:
        pending.seq_first = pending.seq_offset + int(stats[4])
        pending.seq_last = pending.seq_offset + int(stats[5])
    con.execute(f"DROP TABLE {_STAGE}")
    log.info(
        "%s: %d of %d answers staged for import #%d (%d rows rejected)",
        path,
        pending.rows_imported,
        answers,
        pending.id,
        bad_rows,
    )
    return FeedbackOutcome(
        pending.record(datetime.now(UTC)),
        rows_read,
        answers,
        tuple(problems),
        int(stats[1]),
        _utc(stats[2]),
        _utc(stats[3]),
        tuple((str(q), int(n)) for q, n in questions),
        int(stats[6]),
        tuple(conflicts),
        conflict_count,
    )


def _rejected_count(bad_answers: int, answers: int, ragged: Sequence[RaggedLine]) -> str:
    """``3 of 40 answers``, ``... and 2 lines with a wrong number of fields``."""
    lines = (
        f"{len(ragged):,} {'line' if len(ragged) == 1 else 'lines'} with a wrong number of fields"
    )
    counted = f"{bad_answers:,} of {answers:,} answers"
    if not ragged:
        return counted
    return f"{counted} and {lines}" if bad_answers else lines


def _leave_out_repeated(
    con: duckdb.DuckDBPyConnection,
    pending: PendingImport,
    per_row: int,
    rows: RaggedRows,
    columns: FeedbackColumns,
) -> tuple[list[Problem], int]:
    """Drop the staged answers whose identity the store or an earlier row has; count them
    (``rows_duplicate``) and return the conflicting ones (first few, and how many)."""
    answer = f"_row * {per_row} + _part"
    pending.rows_duplicate = mark_repeated_answers(
        con, pending.kind, _STAGE, "NOT __row_bad", answer, _REPEATED
    )
    conflicts: tuple[list[Problem], int] = ([], 0)
    if pending.rows_duplicate:
        conflicts = describe_conflicts(con, _STAGE, _REPEATED, per_row, rows.locate, columns)
        con.execute(f"DELETE FROM {_STAGE} WHERE {answer} IN (SELECT r FROM {_REPEATED})")
    con.execute(f"DROP TABLE {_REPEATED}")
    return conflicts


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    request: FeedbackImport,
    pending: PendingImport,
    columns: FeedbackColumns,
    rows: RaggedRows,
    ragged: Sequence[RaggedLine],
    progress: ProgressCallback | None,
) -> None:
    """Write the rejected source rows (their columns plus ``reason``) to the quarantine file,
    under a temporary name renamed just before the commit. Ragged lines come first, their
    text in ``reason``."""
    reasons = (
        f"SELECT _row AS r, {rows.where_sql('_row')} || ': ' || string_agg("
        f"{reason_sql(columns)}, '; ' ORDER BY _part) AS reason FROM {_STAGE} WHERE __bad "
        "GROUP BY _row"
    )
    if ragged:
        from cojourney.events.readers.ragged import ragged_reasons_sql

        reasons += f" UNION ALL {ragged_reasons_sql(ragged)}"
    target = _write_quarantine(
        con,
        pending,
        request.path,
        request.quarantine_dir,
        request.options.delimiter,
        progress,
        relation,
        (_ROW,),
        reasons,
    )
    log.info("%s: rejected rows set aside in %s", request.path, target)
