"""The Apache Spark engine (``--engine spark``): local mode by default, or a cluster.

Events are written to a temporary Parquet file that Spark reads, so they never
pass through the driver's memory all at once. The session runs in UTC. Needs the
``spark`` extra (``pip install 'cojourney[spark]'``) and Java 17 or newer.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.datatypes as dt

from cojourney.analytics.engines import Engine
from cojourney.errors import CojourneyError, NotFound
from cojourney.events.schema import canonical_arrow_schema

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir
    import pyarrow as pa
    from ibis.backends.pyspark import Backend
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

DEFAULT_MASTER = "local[2]"
#: Settings of sessions cojourney creates. Few shuffle partitions: event logs are
#: small for Spark, and 200 empty partitions cost seconds per query in local mode.
SESSION_CONFIG: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
}


def create_session(
    master: str = DEFAULT_MASTER,
    *,
    app_name: str = "cojourney",
    config: dict[str, str] | None = None,
) -> SparkSession:
    """A Spark session configured for cojourney (UTC, no UI, quiet logs).

    Raises
    ------
    NotFound
        When pyspark is not installed.
    CojourneyError
        When Spark cannot start (usually: no Java).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise NotFound(
            "The Spark engine needs pyspark: pip install 'cojourney[spark]' (and Java 17 or newer)."
        ) from exc
    builder = SparkSession.builder.master(master).appName(app_name)
    warehouse = Path(tempfile.gettempdir()) / "cojourney-spark-warehouse"
    for key, value in {
        **SESSION_CONFIG,
        "spark.sql.warehouse.dir": str(warehouse),
        **(config or {}),
    }.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # pyspark raises plain runtime errors when the JVM fails
        raise CojourneyError(
            f"Spark could not start ({exc}). Is Java 17+ installed and "
            "JAVA_HOME set? Or use query.engine=duckdb."
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine(Engine):
    """Analyses on Apache Spark through Ibis.

    Parameters
    ----------
    master
        Spark master URL: ``local[2]`` (default), ``local[*]``, ``spark://host:7077``.
        Ignored when ``session`` is given.
    session
        An existing session to use (it is left running on :meth:`close`); its time
        zone is set to UTC. Without one, a session already running in this process
        is used (and left running); else a new one is started (and stopped on close).
    config
        Extra Spark settings for a new session.
    staging_dir
        Where events are written for Spark to read (a fresh temporary folder inside
        it, deleted on :meth:`close`). The default, the local temporary folder, suits
        local mode; on a cluster give a folder every executor can read.
    """

    name = "spark"

    def __init__(
        self,
        master: str | None = None,
        *,
        session: SparkSession | None = None,
        config: dict[str, str] | None = None,
        staging_dir: str | Path | None = None,
    ):
        if session is None:
            session = _active_session()
            if session is not None:
                log.info("using the running Spark session (master %s)", session.sparkContext.master)
        self._owned = session is None
        self._session = (
            session
            if session is not None
            else create_session(master or DEFAULT_MASTER, config=config)
        )
        self._backend: Backend = ibis.pyspark.connect(self._session)  # sets the session to UTC
        self._tmp = Path(tempfile.mkdtemp(prefix="cojourney-spark-", dir=staging_dir))
        self._views: list[str] = []

    @property
    def backend(self) -> Backend:
        return self._backend

    @property
    def session(self) -> SparkSession:
        """The Spark session."""
        return self._session

    def load_events(
        self, events: pa.Table | Iterable[pa.RecordBatch], *, name: str | None = None
    ) -> ir.Table:
        import pyarrow as pa
        import pyarrow.parquet as pq

        name = name or self.fresh_table_name()
        schema = canonical_arrow_schema()
        path = self._tmp / f"{name}.parquet"
        batches = (
            events.select(schema.names).cast(schema).to_batches()
            if isinstance(events, pa.Table)
            else events
        )
        try:
            with pq.ParquetWriter(path, schema) as writer:
                for batch in batches:
                    writer.write_batch(batch)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        log.debug("wrote %s for Spark", path)
        self._views.append(name)
        return self._backend.read_parquet(path, table_name=name)

    def epoch_microseconds(self, timestamp: ir.TimestampValue) -> ir.IntegerValue:
        result: ir.IntegerValue = _unix_micros(timestamp)
        return result

    def release(self, table: ir.Table) -> None:
        if getattr(table, "release", None) is not None:
            table.release()
            return
        name = table.get_name()
        if name in self._views:
            self._session.catalog.dropTempView(name)
            self._views.remove(name)
            (self._tmp / f"{name}.parquet").unlink(missing_ok=True)

    def close(self) -> None:
        for name in self._views:
            self._session.catalog.dropTempView(name)
        self._views.clear()
        shutil.rmtree(self._tmp, ignore_errors=True)
        if self._owned:
            self._session.stop()


@ibis.udf.scalar.builtin(name="unix_micros")  # type: ignore[untyped-decorator]
def _unix_micros(timestamp: dt.timestamp) -> dt.int64:
    """Spark's ``unix_micros``: microseconds since the epoch."""


def _active_session() -> SparkSession | None:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    return SparkSession.getActiveSession()
