"""An event source whose SQL analyses run on Spark (``--engine spark``).

:class:`SparkEventSource` wraps an open source (the event store or a Parquet dataset):
each of its logs (events, survey answers, measurements) is written once to Parquet in a
staging folder and read by Spark as a temporary view; :attr:`sql` is a
:class:`~cojourney.analytics.engines.spark_sql.SparkSqlConnection` on those views. The
analyses written in SQL (experience, agreements, value, leakage, improvements) take it
like any other source and so run on Spark; what comes back to Python are their
summaries. Counting rows, reading batches and the imports list are the wrapped
source's (they are not analyses).
"""

from __future__ import annotations

import itertools
import logging
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.events.store import EventSource

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterator

    import duckdb
    import pyarrow as pa
    from pyspark.sql import SparkSession

    from cojourney.analytics.engines.spark_sql import SparkSqlConnection
    from cojourney.events.sql import SqlConnection
    from cojourney.events.store_schema import ImportRecord

log = logging.getLogger(__name__)

__all__ = ["SparkEventSource"]

_numbers = itertools.count(1)


class SparkEventSource(EventSource):
    """``source``'s logs as Spark views; SQL analyses given this source run on Spark.

    Parameters
    ----------
    source
        The open source to read (left open on :meth:`close`: its owner closes it).
    session
        The Spark session (e.g. ``SparkEngine(...).session``).
    staging_dir
        Where the Parquet copies are written (a fresh folder inside it, deleted on
        :meth:`close`); on a cluster, a folder every executor can read.
    """

    def __init__(
        self,
        source: EventSource,
        session: SparkSession,
        *,
        staging_dir: str | Path | None = None,
    ) -> None:
        from cojourney.analytics.engines.spark_sql import SparkSqlConnection

        self.base = source
        self._tmp = Path(tempfile.mkdtemp(prefix="cojourney-spark-sql-", dir=staging_dir))
        self._spark = SparkSqlConnection(session)
        number = next(_numbers)
        views: dict[str, str] = {}
        try:
            for kind, table in source._tables.items():
                views[kind] = f"cojourney_sql_{kind}_{number}"  # apart from engines' tables
                self._stage(source.connection, table, views[kind])
        except BaseException:
            self._drop(views.values())
            raise
        super().__init__(source.connection, views, label=source.label)

    def _stage(self, con: duckdb.DuckDBPyConnection, table: str, view: str) -> None:
        import pyarrow.parquet as pq

        path = self._tmp / f"{view}.parquet"
        with self.base._lock:
            reader = con.execute(f'SELECT * FROM "{table}"').fetch_record_batch(100_000)
            with pq.ParquetWriter(path, _plain(reader.schema)) as writer:
                for batch in reader:
                    writer.write_batch(batch.cast(_plain(batch.schema)))
        self._spark.session.read.parquet(str(path)).createOrReplaceTempView(view)
        log.debug("staged %s for Spark as %s", table, view)

    # ---------------------------------------------------------------- the SQL seam

    @property
    def sql(self) -> SqlConnection:
        return self._spark

    @property
    def spark_sql(self) -> SparkSqlConnection:
        """The Spark connection (its statement count shows the work ran on Spark)."""
        return self._spark

    # ---------------------------------------------------------------- reading: the wrapped source's

    def relation(self, kind: str = "events") -> duckdb.DuckDBPyRelation:
        return self.base.relation(kind)

    def events_table(
        self, kind: str = "events", *, ordered: bool = False, import_ids: bool = True
    ) -> pa.Table:
        return self.base.events_table(kind, ordered=ordered, import_ids=import_ids)

    def batches(
        self,
        kind: str = "events",
        *,
        batch_rows: int = 100_000,
        ordered: bool = False,
        import_ids: bool = True,
    ) -> Iterator[pa.RecordBatch]:
        return self.base.batches(
            kind, batch_rows=batch_rows, ordered=ordered, import_ids=import_ids
        )

    def count(self, kind: str = "events") -> int:
        return self.base.count(kind)

    def imports(self, kind: str | None = None) -> list[ImportRecord]:
        return self.base.imports(kind)

    # ---------------------------------------------------------------- life cycle

    def close(self) -> None:
        """Drop the Spark views and the staged files; the wrapped source stays open."""
        self._spark.close()
        self._drop(self._tables.values())
        self._con = None

    def _drop(self, views: Any) -> None:
        for view in views:
            self._spark.session.catalog.dropTempView(view)
        shutil.rmtree(self._tmp, ignore_errors=True)


def _plain(schema: pa.Schema) -> pa.Schema:
    """``schema`` without Arrow extension types (DuckDB's JSON), which Spark cannot read."""
    import pyarrow as pa

    fields = []
    for f in schema:
        t = f.type.storage_type if isinstance(f.type, pa.ExtensionType) else f.type
        fields.append(pa.field(f.name, t, f.nullable))
    return pa.schema(fields)
