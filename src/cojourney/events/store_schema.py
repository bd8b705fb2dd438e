"""The store's tables as data: the kinds of log, the ``imports`` table, its records.

A kind of log (:class:`LogKind`) is declared once, here or by :func:`register_kind`,
and the store creates, fills and reads its table with the same code as the events'.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cojourney.errors import InputError, Problem
from cojourney.events import feedback_schema as F
from cojourney.events import schema as S

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

__all__ = [
    "DEFAULT_STORE",
    "EVENTS",
    "FEEDBACK",
    "IMPORT_FIELDS",
    "IMPORT_ID",
    "MEASUREMENTS",
    "MIGRATIONS",
    "STORE_SCHEMA_VERSION",
    "Column",
    "ImportRecord",
    "LogKind",
    "PendingImport",
    "kinds",
    "log_kind",
    "quietly",
    "register_kind",
    "sql_value",
]

log = logging.getLogger(__name__)

#: Where the store lives inside a workspace.
DEFAULT_STORE: Final = Path("data") / "events.duckdb"
#: Version of the store's tables; a store written by a newer version is refused.
#: 2: ``imports.rows_duplicate`` (a version-1 store gets it, as 0, when opened for writing).
#: 3: ``events.event_id`` and ``feedback.answer_id``, the ids the ingestion API receives
#: (null for file imports; an older store gets the columns when opened for writing).
#: 4: the ``measurements`` table (an older store gets it when opened for writing).
STORE_SCHEMA_VERSION: Final = 4
IMPORT_ID: Final = "import_id"


# --------------------------------------------------------------------------- kinds of log


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a store table: name, DuckDB type, whether it may be null."""

    name: str
    sql_type: str
    nullable: bool = True

    def ddl(self) -> str:
        return f'"{self.name}" {self.sql_type}' + ("" if self.nullable else " NOT NULL")


@dataclass(frozen=True, slots=True)
class LogKind:
    """A kind of log kept in the store: its table, its columns and its order column.

    Parameters
    ----------
    name
        What users call it (``"events"``, later ``"feedback"``).
    table
        The table holding its rows; it has an ``import_id`` column too.
    columns
        The columns, ``import_id`` excluded.
    seq_column
        The input-order column, kept global across imports.
    identity
        The columns that tell two rows apart: a row whose identity is already
        stored is not stored again (events: every column but ``event_seq``;
        feedback answers: who, about what, which question, when).
    external_id
        The column of the id a sender gives each row (``event_id``, ``answer_id``):
        outside :attr:`columns` (readers never fill it), null for file imports,
        unique among the rows that have one (the ingestion API stores an id once).
    """

    name: str
    table: str
    columns: tuple[Column, ...]
    seq_column: str
    identity: tuple[str, ...] = ()
    external_id: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def create_sql(self) -> str:
        cols = [c.ddl() for c in self.columns] + [f"{IMPORT_ID} INTEGER NOT NULL"]
        if self.external_id:
            cols.append(f'"{self.external_id}" VARCHAR')
        return f'CREATE TABLE IF NOT EXISTS "{self.table}" (\n  ' + ",\n  ".join(cols) + "\n)"


#: The event log: the canonical schema.
EVENTS: Final = LogKind(
    "events",
    "events",
    (
        Column(S.JOURNEY_ID, "VARCHAR", False),
        Column(S.ACTIVITY, "VARCHAR", False),
        Column(S.TIMESTAMP, "TIMESTAMPTZ", False),
        Column(S.EVENT_SEQ, "BIGINT", False),
        *(Column(name, "VARCHAR") for name in S.OPTIONAL_COLUMNS),
        Column(S.ATTRIBUTES, "VARCHAR"),
    ),
    S.EVENT_SEQ,
    (S.JOURNEY_ID, S.ACTIVITY, S.TIMESTAMP, *S.OPTIONAL_COLUMNS, S.ATTRIBUTES),
    S.EVENT_ID,
)

#: Survey answers: the canonical feedback schema (:mod:`cojourney.events.feedback_schema`).
FEEDBACK: Final = LogKind(
    "feedback",
    "feedback",
    (
        Column(F.JOURNEY_ID, "VARCHAR", False),
        Column(F.TIMESTAMP, "TIMESTAMPTZ", False),
        Column(F.ANSWER_SEQ, "BIGINT", False),
        Column(F.QUESTION, "VARCHAR", False),
        Column(F.SCORE, "DOUBLE"),
        *(Column(name, "VARCHAR") for name in F.OPTIONAL_TEXT_COLUMNS),
        Column(F.ATTRIBUTES, "VARCHAR"),
    ),
    F.ANSWER_SEQ,
    (F.JOURNEY_ID, F.RESPONDENT, F.TOUCHPOINT, F.QUESTION, F.TIMESTAMP),
    F.ANSWER_ID,
)

#: Indicator values measured outside the event log (telematics, billing, monitoring,
#: manual entries): one value of one indicator at one time, optionally per segment.
MEASUREMENTS: Final = LogKind(
    "measurements",
    "measurements",
    (
        Column("indicator", "VARCHAR", False),
        Column("timestamp", "TIMESTAMPTZ", False),
        Column("measurement_seq", "BIGINT", False),
        Column("value", "DOUBLE", False),
        Column("segment", "VARCHAR"),
        Column("unit", "VARCHAR"),
    ),
    "measurement_seq",
    ("indicator", "timestamp", "segment"),
)

_KINDS: dict[str, LogKind] = {
    EVENTS.name: EVENTS,
    FEEDBACK.name: FEEDBACK,
    MEASUREMENTS.name: MEASUREMENTS,
}


def register_kind(kind: LogKind) -> None:
    """Declare another kind of log; stores opened afterwards create its table."""
    _KINDS[kind.name] = kind


def kinds() -> list[LogKind]:
    """Every kind of log declared so far."""
    return list(_KINDS.values())


def log_kind(name: str) -> LogKind:
    """The kind called ``name``.

    Raises
    ------
    cojourney.errors.InputError
        No such kind.
    """
    try:
        return _KINDS[name]
    except KeyError:
        raise InputError(
            Problem("unknown kind of log", found=repr(name), expected=", ".join(sorted(_KINDS)))
        ) from None


META_SQL = "CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"
IMPORTS_SQL = """CREATE TABLE IF NOT EXISTS imports (
  id INTEGER PRIMARY KEY,
  kind VARCHAR NOT NULL,
  source_name VARCHAR NOT NULL,
  source_sha256 VARCHAR NOT NULL,
  mapping_name VARCHAR,
  mapping_fingerprint VARCHAR NOT NULL,
  rows_imported BIGINT NOT NULL,
  rows_rejected BIGINT NOT NULL,
  quarantine_path VARCHAR,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ NOT NULL,
  seq_first BIGINT,
  seq_last BIGINT,
  rows_duplicate BIGINT NOT NULL DEFAULT 0
)"""
#: Statements bringing a store of an older version to :data:`STORE_SCHEMA_VERSION`.
MIGRATIONS: Final[dict[int, tuple[str, ...]]] = {
    2: ("ALTER TABLE imports ADD COLUMN IF NOT EXISTS rows_duplicate BIGINT DEFAULT 0",),
    3: (
        f'ALTER TABLE events ADD COLUMN IF NOT EXISTS "{S.EVENT_ID}" VARCHAR',
        f'ALTER TABLE feedback ADD COLUMN IF NOT EXISTS "{F.ANSWER_ID}" VARCHAR',
    ),
}
IMPORT_FIELDS = (
    "id",
    "kind",
    "source_name",
    "source_sha256",
    "mapping_name",
    "mapping_fingerprint",
    "rows_imported",
    "rows_rejected",
    "quarantine_path",
    "started_at",
    "finished_at",
    "seq_first",
    "seq_last",
    "rows_duplicate",
)


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One successful import, as kept in the ``imports`` table.

    ``rows_imported`` counts the rows it added; ``rows_duplicate`` the valid rows
    it did not add because the store already held them (events, answers) or the
    file repeated them (answers); ``rows_rejected`` the rows refused or set aside.
    """

    id: int
    kind: str
    source_name: str
    source_sha256: str
    mapping_name: str | None
    mapping_fingerprint: str
    rows_imported: int
    rows_rejected: int
    quarantine_path: str | None
    started_at: datetime
    finished_at: datetime
    seq_first: int | None = None
    seq_last: int | None = None
    rows_duplicate: int = 0


@dataclass(slots=True)
class PendingImport:
    """An import inside its transaction; the body fills the counts before it commits."""

    id: int
    kind: LogKind
    seq_offset: int
    source_name: str
    source_sha256: str
    mapping_name: str | None
    mapping_fingerprint: str
    started_at: datetime
    rows_imported: int = 0
    rows_rejected: int = 0
    quarantine_path: str | None = None
    seq_first: int | None = None
    seq_last: int | None = None
    rows_duplicate: int = 0
    before_commit: list[Any] = field(default_factory=list)
    committed: ImportRecord | None = None

    def record(self, finished_at: datetime) -> ImportRecord:
        return ImportRecord(
            self.id,
            self.kind.name,
            self.source_name,
            self.source_sha256,
            self.mapping_name,
            self.mapping_fingerprint,
            self.rows_imported,
            self.rows_rejected,
            self.quarantine_path,
            self.started_at,
            finished_at,
            self.seq_first,
            self.seq_last,
            self.rows_duplicate,
        )


# --------------------------------------------------------------------------- SQL values


def now_utc() -> datetime:
    return datetime.now(UTC)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_value(value: str | int | None) -> str:
    """A SQL literal. Statements are built with literals, not parameters: a parameter
    makes DuckDB's Python client import pandas (about a second)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"no SQL literal for {value!r}")
    return str(value) if isinstance(value, int) else _literal(value)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TIMES = frozenset({"started_at", "finished_at"})


def micros(value: datetime) -> int:
    """Epoch microseconds of an aware datetime (DuckDB's ``epoch_us``; no pytz needed)."""
    return (value - _EPOCH) // timedelta(microseconds=1)


def import_record(row: tuple[Any, ...]) -> ImportRecord:
    values = dict(zip(IMPORT_FIELDS, row, strict=True))
    for name in TIMES:
        values[name] = _EPOCH + timedelta(microseconds=int(values[name]))
    values["rows_duplicate"] = int(values["rows_duplicate"] or 0)
    return ImportRecord(**values)


#: Session settings an import may change, and what they return to afterwards.
SESSION_DEFAULTS: Final = (
    "SET TimeZone = 'UTC'",
    "RESET enable_progress_bar",
    "RESET enable_progress_bar_print",
    "RESET progress_bar_time",
)


def quietly(con: duckdb.DuckDBPyConnection, sql: str) -> bool:
    """Run a clean-up statement; ``False`` (logged) when DuckDB refuses it.

    Inside a transaction aborted by a failed statement every statement fails
    until the rollback; a clean-up must not hide the error that caused it.
    """
    import duckdb

    try:
        con.execute(sql)
    except duckdb.Error:
        log.debug("clean-up statement refused: %s", sql, exc_info=True)
        return False
    return True
