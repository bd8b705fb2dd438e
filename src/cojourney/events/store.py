"""The event store: the imported logs of a workspace, in one DuckDB file.

``WORKSPACE/data/events.duckdb`` holds

``events``
    The canonical columns (:mod:`cojourney.events.schema`) plus ``import_id``.
    ``event_seq`` is global: each import adds the store's largest ``event_seq``
    plus one to its own input order, so it breaks timestamp ties across imports.
    ``event_id`` is the sender's id of an event received by the ingestion API
    (:mod:`cojourney.services.ingest`; stored once), null for file imports.
``imports``
    One row per successful import: ``id``, ``kind``, ``source_name``,
    ``source_sha256``, ``mapping_name``, ``mapping_fingerprint``,
    ``rows_imported``, ``rows_rejected``, ``quarantine_path``, ``started_at``,
    ``finished_at`` (UTC), ``seq_first``, ``seq_last``, ``rows_duplicate``.
``store_meta``
    ``schema_version``, and ``last_deleted_import_id`` once an import was deleted
    (import ids are never given twice).

Every import is one transaction: a process killed half-way leaves the store as it
was. A file import stores only the rows whose identity the store does not hold
(:mod:`cojourney.events.store_identity`); :meth:`EventStore.delete_import` undoes an
import in one transaction. The kinds of log are declared as data (:class:`LogKind`): a second kind (survey
feedback) is one more :func:`register_kind` with its own table, imported and read
through the same methods with ``kind="feedback"``.

:class:`EventSource` is the read side (what analytics need), also available over a
Parquet dataset (:meth:`EventSource.from_parquet`); :class:`EventStore` adds imports.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.errors import CojourneyError, InputError, NotFound, Problem, location_in
from cojourney.events import schema as S
from cojourney.events.store_schema import (
    DEFAULT_STORE,
    EVENTS,
    IMPORT_FIELDS,
    IMPORT_ID,
    IMPORTS_SQL,
    META_SQL,
    MIGRATIONS,
    SESSION_DEFAULTS,
    STORE_SCHEMA_VERSION,
    TIMES,
    Column,
    ImportRecord,
    LogKind,
    PendingImport,
    import_record,
    kinds,
    log_kind,
    micros,
    now_utc,
    quietly,
    register_kind,
    sql_value,
)

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pyarrow as pa

    from cojourney.events.sql import SqlConnection
    from cojourney.events.store_ingest import FileImport, IngestOutcome, ProgressCallback

__all__ = [
    "DEFAULT_STORE",
    "EVENTS",
    "STORE_SCHEMA_VERSION",
    "Column",
    "EventSource",
    "EventStore",
    "ImportRecord",
    "LogKind",
    "PendingImport",
    "StoreInUse",
    "log_kind",
    "register_kind",
]

log = logging.getLogger(__name__)

#: ``store_meta`` key of the largest deleted import id (ids are never given twice).
_LAST_DELETED = "last_deleted_import_id"

# --------------------------------------------------------------------------- read side


class EventSource:
    """Read access to imported logs, whether in an event store or a Parquet dataset.

    Analytics take an :class:`EventSource`: :meth:`relation` (a DuckDB relation),
    :meth:`events_table` (an Arrow table in the canonical schema) or :meth:`batches`.
    Build one with :meth:`from_parquet` or :meth:`EventStore.open`.
    """

    def __init__(
        self, con: duckdb.DuckDBPyConnection, tables: dict[str, str], *, label: str
    ) -> None:
        self._con: duckdb.DuckDBPyConnection | None = con
        self._tables = tables  # kind -> SQL relation (a table or a view)
        self.label = label
        #: The Parquet file, folder or URL read (:meth:`from_parquet`), else None: an
        #: engine that reads Parquet itself (Spark on a cluster) may read it there.
        self.parquet_location: str | None = None
        self._lock = threading.RLock()

    # ---------------------------------------------------------------- construction

    @classmethod
    def from_parquet(cls, path: str | Path) -> EventSource:
        """A read-only source over a Parquet file, or a folder of Parquet files.

        ``path`` may also be a ``file://`` URL, or a URL of a pyarrow filesystem
        (``s3://``, ``gs://``, ``hdfs://``), read through pyarrow. Folders may be
        hive-partitioned (``import_id=3/month=2025-01/``, as ``cojourney export
        --parquet-dataset`` writes them); the partition columns are left out. The
        files must have ``journey_id``, ``activity`` and ``timestamp``; missing
        optional canonical columns read as null, a missing ``event_seq`` as the
        row's position. Naive timestamps are taken as UTC.

        Raises
        ------
        cojourney.errors.NotFound
            ``path`` does not exist or holds no Parquet file.
        cojourney.errors.InputError
            A required column is missing.
        """
        import duckdb

        from cojourney.events.writers.dataset import is_url

        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        if is_url(path):
            raw = _register_remote_dataset(con, str(path))
        else:
            path = Path(str(path).removeprefix("file://"))
            pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
            if not path.exists() or (path.is_dir() and not any(path.rglob("*.parquet"))):
                con.close()
                raise NotFound(f"{path}: no Parquet file there")
            raw = f"read_parquet({sql_value(pattern)}, union_by_name = true)"
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()}
        missing = [c for c in S.REQUIRED_COLUMNS if c not in have]
        if missing:
            con.close()
            raise InputError(
                Problem(
                    "the Parquet data is not a canonical event log",
                    location_in(str(path)),
                    found="columns: " + ", ".join(sorted(have)),
                    expected=", ".join(missing),
                    hint="write it with an export (export.format=parquet), or import the log "
                    "with a mapping",
                )
            )
        cols = []
        for c in EVENTS.columns:
            if c.name == S.EVENT_SEQ and c.name not in have:
                cols.append(f"CAST(row_number() OVER () - 1 AS BIGINT) AS {c.name}")
            elif c.name in have:
                cols.append(f'CAST("{c.name}" AS {c.sql_type}) AS "{c.name}"')
            else:
                cols.append(f'CAST(NULL AS {c.sql_type}) AS "{c.name}"')
        con.execute(f"CREATE VIEW events AS SELECT {', '.join(cols)} FROM {raw}")
        source = cls(con, {EVENTS.name: "events"}, label=str(path))
        source.parquet_location = str(path)
        return source

    # ---------------------------------------------------------------- reading

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (e.g. for ``ibis.duckdb.from_connection``)."""
        if self._con is None:
            raise CojourneyError(f"{self.label}: the event source is closed")
        return self._con

    @property
    def sql(self) -> SqlConnection:
        """Where the SQL-written analyses run: the DuckDB connection here; a Spark
        source (:mod:`cojourney.analytics.engines.spark_source`) runs them on Spark."""
        return self.connection

    def table_name(self, kind: str = "events") -> str:
        """The SQL name of the table (or view) holding ``kind``."""
        try:
            return self._tables[kind]
        except KeyError:
            raise NotFound(f"{self.label} holds no {kind!r} log") from None

    def relation(self, kind: str = "events") -> duckdb.DuckDBPyRelation:
        """The rows of ``kind`` as a DuckDB relation (lazy; nothing is read yet)."""
        return self.connection.table(self.table_name(kind))

    def events_table(
        self, kind: str = "events", *, ordered: bool = False, import_ids: bool = True
    ) -> pa.Table:
        """Every row of ``kind`` as an Arrow table (events: the canonical schema).

        Parameters
        ----------
        kind
            The kind of log.
        ordered
            Sort by the input-order column (``event_seq``); by default the order
            is the store's.
        import_ids
            Add the ``import_id`` column (stores only).
        """
        with self._lock:
            return self._cast(self._query(kind, ordered, import_ids).fetch_arrow_table(), kind)

    def batches(
        self,
        kind: str = "events",
        *,
        batch_rows: int = 100_000,
        ordered: bool = False,
        import_ids: bool = True,
    ) -> Iterator[pa.RecordBatch]:
        """The rows of ``kind`` as record batches of at most ``batch_rows`` rows."""
        with self._lock:
            reader = self._query(kind, ordered, import_ids).fetch_record_batch(batch_rows)
            for batch in reader:
                yield self._cast(batch, kind)

    def count(self, kind: str = "events") -> int:
        """The number of rows of ``kind``."""
        with self._lock:
            sql = f'SELECT count(*) FROM "{self.table_name(kind)}"'
            row = self.connection.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def imports(self, kind: str | None = None) -> list[ImportRecord]:
        """The imports, oldest first (a Parquet dataset has none)."""
        return []

    def _query(self, kind: str, ordered: bool, import_ids: bool) -> duckdb.DuckDBPyConnection:
        k = log_kind(kind)
        names = ", ".join(f'"{c}"' for c in self._columns(kind, import_ids))
        order = f' ORDER BY "{k.seq_column}"' if ordered else ""
        return self.connection.execute(f'SELECT {names} FROM "{self.table_name(kind)}"{order}')

    def _columns(self, kind: str, import_ids: bool) -> list[str]:
        return log_kind(kind).column_names

    @staticmethod
    def _cast(data: Any, kind: str) -> Any:
        if kind != EVENTS.name:
            return data
        import pyarrow as pa

        schema = S.canonical_arrow_schema()
        if IMPORT_ID in data.schema.names:
            schema = schema.append(pa.field(IMPORT_ID, pa.int32(), nullable=False))
        return data.cast(schema)

    # ---------------------------------------------------------------- life cycle

    def close(self) -> None:
        """Release the connection (and the store's file lock)."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> EventSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label!r})"


# --------------------------------------------------------------------------- the store


class EventStore(EventSource):
    """The imported logs of a workspace, in one DuckDB file.

    Parameters
    ----------
    path
        The DuckDB file; created with its tables unless ``read_only``.
    read_only
        Open for reading only (several processes may then read at once).

    Raises
    ------
    cojourney.errors.NotFound
        ``read_only`` and the file does not exist.
    cojourney.errors.CojourneyError
        Another process is writing to the store, or it was written by a newer cojourney.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        import duckdb

        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.is_file():
            raise NotFound(f"{self.path}: no events imported yet (run `cojourney import` first)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            raise _store_error(self.path, exc) from exc
        except duckdb.Error as exc:
            raise CojourneyError(f"{self.path}: not a cojourney event store ({exc})") from exc
        super().__init__(con, {k.name: k.table for k in kinds()}, label=str(self.path))
        try:
            con.execute("SET TimeZone = 'UTC'")
            self._prepare()
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(cls, location: str | Path, *, read_only: bool = False) -> EventStore:
        """Open the store of a workspace folder, or a store file given by path."""
        return cls(cls.path_for(location), read_only=read_only)

    @staticmethod
    def path_for(location: str | Path) -> Path:
        """``WORKSPACE/data/events.duckdb`` for a folder; ``location`` itself for a file."""
        location = Path(location)
        return location / DEFAULT_STORE if location.is_dir() else location

    def __enter__(self) -> EventStore:
        return self

    def _columns(self, kind: str, import_ids: bool) -> list[str]:
        return log_kind(kind).column_names + ([IMPORT_ID] if import_ids else [])

    def _prepare(self) -> None:
        con = self.connection
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        if "store_meta" in tables:
            row = con.execute(
                "SELECT value FROM store_meta WHERE key = 'schema_version'"
            ).fetchone()
            version = int(row[0]) if row else 0
            if version > STORE_SCHEMA_VERSION:
                raise CojourneyError(
                    f"{self.path} was written by a newer cojourney (store version "
                    f"{version}); update cojourney to read it"
                )
        else:
            version = STORE_SCHEMA_VERSION
        if self.read_only:
            self._tables = {k: t for k, t in self._tables.items() if t in tables}
            return
        missing = [k for k in kinds() if k.table not in tables]
        current = version == STORE_SCHEMA_VERSION
        if "store_meta" in tables and "imports" in tables and not missing and current:
            return
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(META_SQL)
            con.execute(IMPORTS_SQL)
            for kind in kinds():
                con.execute(kind.create_sql())
            for target in range(version + 1, STORE_SCHEMA_VERSION + 1):
                for statement in MIGRATIONS.get(target, ()):
                    con.execute(statement)
                log.info("%s: store upgraded to version %d", self.path, target)
            con.execute(
                f"INSERT INTO store_meta VALUES ('schema_version', '{STORE_SCHEMA_VERSION}') "
                "ON CONFLICT DO UPDATE SET value = excluded.value"
            )
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise
        log.debug("prepared event store %s", self.path)

    # ---------------------------------------------------------------- bookkeeping

    def imports(self, kind: str | None = None) -> list[ImportRecord]:
        where = f"WHERE kind = {sql_value(kind)}" if kind else ""
        with self._lock:
            if "imports" not in {r[0] for r in self.connection.execute("SHOW TABLES").fetchall()}:
                return []
            have = {
                r[0]
                for r in self.connection.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'imports'"
                ).fetchall()
            }
            columns = [
                f"epoch_us({f})" if f in TIMES else f if f in have else "NULL"
                for f in IMPORT_FIELDS
            ]
            rows = self.connection.execute(
                f"SELECT {', '.join(columns)} FROM imports {where} ORDER BY id"
            ).fetchall()
        return [import_record(r) for r in rows]

    def find_import(
        self, source_sha256: str, mapping_fingerprint: str, *, kind: str = "events"
    ) -> ImportRecord | None:
        """The import of the same content with the same mapping, if any."""
        return next(
            (
                r
                for r in self.imports(kind)
                if r.source_sha256 == source_sha256 and r.mapping_fingerprint == mapping_fingerprint
            ),
            None,
        )

    def delete_import(self, import_id: int) -> tuple[ImportRecord, int]:
        """Undo one import: remove its rows and its ``imports`` row, in one transaction.

        Import ids are never given again (the next import gets a new one).

        Returns
        -------
        tuple[ImportRecord, int]
            The import removed, and how many rows (events or answers) went with it.

        Raises
        ------
        cojourney.errors.NotFound
            No import has that id (the message lists those that exist).
        """
        if self.read_only:
            raise CojourneyError(f"{self.path} is open read-only")
        record = next((r for r in self.imports() if r.id == import_id), None)
        if record is None:
            known = ", ".join(f"#{r.id} ({r.source_name})" for r in self.imports())
            raise NotFound(
                f"{self.path}: no import #{import_id}; "
                + (f"the imports are {known}" if known else "nothing was imported yet")
            )
        table = log_kind(record.kind).table
        con = self.connection
        with self._lock:
            con.execute("BEGIN TRANSACTION")
            try:
                row = con.execute(
                    f'DELETE FROM "{table}" WHERE {IMPORT_ID} = {int(import_id)}'
                ).fetchone()
                con.execute(f"DELETE FROM imports WHERE id = {int(import_id)}")
                con.execute(
                    f"INSERT INTO store_meta VALUES ({sql_value(_LAST_DELETED)}, "
                    f"'{int(import_id)}') ON CONFLICT DO UPDATE SET value = CAST(greatest("
                    "CAST(store_meta.value AS INTEGER), CAST(excluded.value AS INTEGER)) AS VARCHAR)"
                )
                con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                raise
        removed = int(row[0]) if row else 0
        log.info("%s: import #%d deleted (%d rows)", self.path, import_id, removed)
        return record, removed

    # ---------------------------------------------------------------- writing

    @contextmanager
    def import_transaction(
        self,
        *,
        source_name: str,
        source_sha256: str,
        mapping_name: str | None,
        mapping_fingerprint: str,
        kind: str = "events",
    ) -> Iterator[PendingImport]:
        """One import as one transaction: everything the block writes, or nothing.

        The block fills :class:`PendingImport`'s counts; on leaving, the
        ``imports`` row is added and the transaction committed (callables in
        ``before_commit`` run just before). Any exception rolls everything back.
        """
        if self.read_only:
            raise CojourneyError(f"{self.path} is open read-only")
        k = log_kind(kind)
        con = self.connection
        with self._lock:
            con.execute("BEGIN TRANSACTION")
            try:
                row = con.execute(
                    "SELECT greatest(coalesce(max(id), 0), coalesce((SELECT CAST(value AS INTEGER) "
                    f"FROM store_meta WHERE key = {sql_value(_LAST_DELETED)}), 0)) + 1 FROM imports"
                ).fetchone()
                seq = con.execute(
                    f'SELECT coalesce(max("{k.seq_column}") + 1, 0) FROM "{k.table}"'
                ).fetchone()
                assert row is not None and seq is not None
                pending = PendingImport(
                    int(row[0]),
                    k,
                    int(seq[0]),
                    source_name,
                    source_sha256,
                    mapping_name,
                    mapping_fingerprint,
                    now_utc(),
                )
                yield pending
                record = pending.record(now_utc())
                values = [
                    f"timezone('UTC', make_timestamp({micros(getattr(record, f))}))"
                    if f in TIMES
                    else sql_value(getattr(record, f))
                    for f in IMPORT_FIELDS
                ]
                con.execute(
                    f"INSERT INTO imports ({', '.join(IMPORT_FIELDS)}) VALUES ({', '.join(values)})"
                )
                for callback in pending.before_commit:
                    callback()
                con.execute("COMMIT")
                pending.committed = record
            except BaseException:
                _rollback(con)
                raise
        log.info(
            "%s: import #%d of %s committed (%d rows)",
            self.path,
            record.id,
            source_name,
            record.rows_imported,
        )

    def import_batches(
        self,
        batches: Iterable[pa.RecordBatch],
        *,
        source_name: str,
        source_sha256: str,
        mapping_name: str | None = None,
        mapping_fingerprint: str = "",
        kind: str = "events",
    ) -> ImportRecord:
        """Import canonical batches (from any reader) as one transaction.

        ``event_seq`` of the batches is the input order of the source; the store
        offsets it by its current largest ``event_seq`` plus one. Unlike
        :meth:`import_file`, rows are not compared with the stored ones: the caller
        (the simulator) knows its batches are new, from their ``source_sha256``.

        Raises
        ------
        cojourney.errors.ImportRejected
            Raised by the reader while the batches are consumed: nothing is kept.
        """
        import duckdb
        import pyarrow as pa

        k = log_kind(kind)
        schema = S.canonical_arrow_schema() if k is EVENTS else None
        relay = _ErrorRelay()
        it = iter(batches)
        first = next(it, None)
        if schema is None:
            if first is None:
                raise InputError(f"{source_name}: nothing to import")
            schema = first.schema
        stream = relay.watch(([first] if first is not None else []), it)
        reader = pa.RecordBatchReader.from_batches(schema, stream)
        with self.import_transaction(
            source_name=source_name,
            source_sha256=source_sha256,
            mapping_name=mapping_name,
            mapping_fingerprint=mapping_fingerprint,
            kind=kind,
        ) as pending:
            con = self.connection
            con.register("__cojourney_incoming", reader)
            try:
                cols = k.column_names
                select = [
                    f'"{c}"' if c != k.seq_column else f'"{c}" + {pending.seq_offset}' for c in cols
                ]
                con.execute(
                    f'INSERT INTO "{k.table}" ({", ".join(cols)}, {IMPORT_ID}) '
                    f"SELECT {', '.join(select)}, {pending.id} FROM __cojourney_incoming"
                )
            except duckdb.Error:
                relay.reraise()
                raise
            finally:
                con.unregister("__cojourney_incoming")
            row = con.execute(
                f'SELECT count(*), min("{k.seq_column}"), max("{k.seq_column}") '
                f'FROM "{k.table}" WHERE {IMPORT_ID} = {int(pending.id)}'
            ).fetchone()
            assert row is not None
            pending.rows_imported, pending.seq_first, pending.seq_last = int(row[0]), row[1], row[2]
        assert pending.committed is not None
        return pending.committed

    def import_file(
        self, request: FileImport, *, progress: ProgressCallback | None = None
    ) -> IngestOutcome:
        """Read, check and import one file in one transaction (see :mod:`.store_ingest`)."""
        from cojourney.events.store_ingest import ingest_file

        return ingest_file(self, request, progress=progress)


# --------------------------------------------------------------------------- helpers


def _register_remote_dataset(con: duckdb.DuckDBPyConnection, url: str) -> str:
    """Register the Parquet dataset at ``url`` (pyarrow filesystem, hive partitions) on
    ``con`` as ``parquet_source``; its name."""
    import pyarrow.dataset as ds

    from cojourney.events.writers.dataset import open_location

    filesystem, root = open_location(url)
    try:
        dataset = ds.dataset(root, filesystem=filesystem, format="parquet", partitioning="hive")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound(f"{url}: no Parquet dataset there ({exc})") from None
    if not dataset.files:
        raise NotFound(f"{url}: no Parquet file there")
    con.register("parquet_source", dataset)
    return "parquet_source"


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Undo the import, and put the session back as it was before it."""
    quietly(con, "ROLLBACK")
    for statement in SESSION_DEFAULTS:
        quietly(con, statement)


class StoreInUse(CojourneyError):
    """Another process holds the event store (DuckDB lets one process open it at a time)."""


def _store_error(path: Path, exc: Exception) -> CojourneyError:
    text = str(exc)
    if "lock" in text.lower():
        return StoreInUse(
            f"{path} is in use by another cojourney process (an import or an "
            "analysis); wait for it to finish and try again"
        )
    return CojourneyError(f"{path}: the event store cannot be opened: {text}")


class _ErrorRelay:
    """Keeps the exception of a batch iterator that DuckDB consumes (DuckDB wraps it)."""

    def __init__(self) -> None:
        self.error: BaseException | None = None

    def watch(self, *parts: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        try:
            for part in parts:
                yield from part
        except BaseException as exc:
            self.error = exc
            raise

    def reraise(self) -> None:
        if self.error is not None:
            raise self.error
