"""The DuckDB engine (the default): in-process, in memory, spills to disk when needed.

Two ways in: :meth:`DuckDBEngine.load_events` takes canonical Arrow batches from any
reader; :meth:`DuckDBEngine.load_file` lets DuckDB read a CSV, Parquet or JSON Lines
file itself, with the readers' own mapping SQL and row checks, so the events never
leave DuckDB (no Arrow round trip, bounded memory).

The engine holds a plain DuckDB connection and compiles the Ibis expressions with
Ibis's DuckDB compiler; results come back through DuckDB's cursor. Ibis's DuckDB
*backend* (a connection wrapper that pulls in pyarrow and pandas, about half a second
of start-up) is created only if someone asks for :attr:`DuckDBEngine.backend`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.datatypes as dt

from cojourney.analytics.engines import Engine, ErrorRelay
from cojourney.events import schema as S

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import ibis.expr.types as ir
    import pyarrow as pa
    from ibis.backends.duckdb import Backend

    from cojourney.events.readers.base import ReadOptions
    from cojourney.events.schema import ColumnMapping

log = logging.getLogger(__name__)


@ibis.udf.scalar.builtin(name="epoch_us")  # type: ignore[untyped-decorator]
def _epoch_us(timestamp: dt.timestamp) -> dt.int64:
    """DuckDB's ``epoch_us``: microseconds since the epoch."""


class DuckDBEngine(Engine):
    """Analyses on an in-memory DuckDB database.

    Parameters
    ----------
    connection
        An existing DuckDB connection to use (left open on :meth:`close`); a new
        in-memory database by default.
    **config
        DuckDB settings for a new database (``threads=4``, ``memory_limit="2GB"``).
    """

    name = "duckdb"

    def __init__(self, connection: duckdb.DuckDBPyConnection | None = None, **config: Any):

        from cojourney.events.readers.connections import configure, duckdb_connect

        self._owned = connection is None
        if connection is None:
            self._con = duckdb_connect(config=config)
        else:  # the settings' memory limit and threads hold on a borrowed connection too
            self._con = connection
            configure(connection)
        self._con.execute("SET TimeZone = 'UTC'")
        self._backend: Backend | None = None
        self._staging: dict[str, str | None] = {}  # view name -> the table it reads (or none)
        self._temporary: set[str] = set()  # cached tables

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection."""
        return self._con

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = ibis.duckdb.from_connection(self._con)
        return self._backend

    def table(self, name: str) -> ir.Table:
        """The canonical events table (or view) ``name`` as an Ibis table."""
        return ibis.table(canonical_ibis_schema(), name=name)

    def load_events(
        self, events: pa.Table | Iterable[pa.RecordBatch], *, name: str | None = None
    ) -> ir.Table:
        import duckdb
        import pyarrow as pa

        name = name or self.fresh_table_name()
        schema = S.canonical_arrow_schema()
        relay = ErrorRelay()
        if isinstance(events, pa.Table):
            reader = events.select(schema.names).cast(schema).to_reader()
        else:
            reader = pa.RecordBatchReader.from_batches(schema, relay.watch(events))
        con = self._con
        con.register("_cojourney_incoming", reader)
        try:
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _cojourney_incoming')
        except duckdb.Error:
            relay.reraise()  # the reader's own error (ImportRejected), not DuckDB's wrapper
            raise
        finally:
            con.unregister("_cojourney_incoming")
        return self.table(name)

    def load_file(
        self,
        path: str | Path,
        mapping: ColumnMapping | None = None,
        options: ReadOptions | None = None,
        *,
        on_stage: Callable[[str], None] | None = None,
    ) -> ir.Table | None:
        """Read a CSV, Parquet or JSON Lines file straight into DuckDB.

        Same mapping, checks and messages as :func:`cojourney.events.readers.read_events`
        (:func:`cojourney.analytics.engines.duckdb_files.load_tabular` does the work,
        without Ibis). Returns ``None`` for other formats (load them with
        :meth:`load_events`).

        Raises
        ------
        ImportRejected
            As the readers do: every problem, with line, column, value and fix.
        """
        from cojourney.analytics.engines.duckdb_files import load_tabular

        name = self.fresh_table_name()
        staging = load_tabular(self._con, path, name, mapping, options, on_stage=on_stage)
        if staging is False:
            return None
        self._staging[name] = staging
        return self.table(name)

    def epoch_microseconds(self, timestamp: ir.TimestampValue) -> ir.IntegerValue:
        result: ir.IntegerValue = _epoch_us(timestamp)
        return result

    def rows(self, expr: ir.Table) -> list[dict[str, Any]]:
        cursor = self._con.execute(_to_sql(expr))
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def cache(self, table: ir.Table) -> ir.Table:
        name = self.fresh_table_name("cojourney_cached")
        self._con.execute(f'CREATE TEMP TABLE "{name}" AS {_to_sql(table)}')
        self._temporary.add(name)
        return ibis.table(table.schema(), name=name)

    def release(self, table: ir.Table) -> None:
        name = table.get_name()
        if name in self._staging:
            self._con.execute(f'DROP VIEW IF EXISTS "{name}"')
            staging = self._staging.pop(name)
            if staging is not None:
                self._con.execute(f'DROP TABLE IF EXISTS "{staging}"')
        else:
            self._temporary.discard(name)
            self._con.execute(f'DROP TABLE IF EXISTS "{name}"')

    def close(self) -> None:
        if self._owned:
            self._con.close()


def canonical_ibis_schema() -> ibis.Schema:
    """The canonical schema in Ibis types (``timestamp`` is ``timestamp('UTC')``)."""
    return ibis.schema(
        {
            S.JOURNEY_ID: "!string",
            S.ACTIVITY: "!string",
            S.TIMESTAMP: "!timestamp('UTC', 6)",
            S.EVENT_SEQ: "!int64",
            **{name: "string" for name in S.OPTIONAL_COLUMNS},
            S.ATTRIBUTES: "string",
        }
    )


def _to_sql(expr: ir.Table) -> str:
    compiler = _compiler()
    sql: str = compiler.to_sqlglot(expr).sql(dialect=compiler.dialect)
    return sql


_COMPILER: Any = None


def _compiler() -> Any:
    """Ibis's DuckDB compiler, with faster SQL for a few operations (same results).

    * ``ArrayValue.zip``: DuckDB's native ``list_zip``. Ibis compiles ``zip`` to a
      lambda that indexes every input list per element, which DuckDB runs row by
      row (about 15 times slower on the journey analyses). ``list_zip`` pads the
      shorter lists with nulls, as Ibis's ``zip`` does, and a null list gives null,
      as in Ibis; the cast names the struct fields ``f1, f2, ...`` as Ibis expects.
    * ``argmax``/``argmin``: ``arg_max_null``/``arg_min_null`` (the value at the
      row with the largest or smallest key, null or not) instead of an ordered
      ``first``, which sorts each group.
    * ``ArrayValue.unique``: looks for a null with ``list_position`` rather than a
      lambda over every element.
    * ``collect`` of a struct built in the query (never null): no null filter,
      which would build every struct twice.
    """
    global _COMPILER
    if _COMPILER is None:
        import ibis.expr.operations as ops
        import sqlglot as sg
        import sqlglot.expressions as sge
        from ibis.backends.sql.compilers.duckdb import DuckDBCompiler

        class Compiler(DuckDBCompiler):  # type: ignore[misc]
            def visit_ArrayZip(self, op: Any, *, arg: Any) -> Any:
                any_null = sg.or_(*(a.is_(sge.Null()) for a in arg))
                return self.if_(any_null, sge.Null(), self.cast(self.f.list_zip(*arg), op.dtype))

            def visit_ArgMax(self, op: Any, *, arg: Any, key: Any, where: Any) -> Any:
                return self.agg.arg_max_null(arg, key, where=where)

            def visit_ArgMin(self, op: Any, *, arg: Any, key: Any, where: Any) -> Any:
                return self.agg.arg_min_null(arg, key, where=where)

            def _array_distinct(self, arg: Any) -> Any:
                has_null = self.f.list_position(arg, sge.Null()).is_(sg.not_(sge.Null()))
                return self.if_(
                    arg.is_(sge.Null()),
                    sge.Null(),
                    self.f.list_distinct(arg)
                    + self.if_(has_null, self.f.array(sge.Null()), self.f.array()),
                )

            def visit_ArrayCollect(
                self,
                op: Any,
                *,
                arg: Any,
                where: Any,
                order_by: Any,
                include_null: bool,
                distinct: bool,
            ) -> Any:
                never_null = isinstance(op.arg, ops.StructColumn)
                return super().visit_ArrayCollect(
                    op,
                    arg=arg,
                    where=where,
                    order_by=order_by,
                    include_null=include_null or never_null,
                    distinct=distinct,
                )

        _COMPILER = Compiler()
    return _COMPILER
