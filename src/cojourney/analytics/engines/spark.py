"""The Apache Spark engine (``--engine spark``): local mode by default, or a cluster.

Three ways to run: local mode in this process (``local[2]``, the default), a
standalone cluster (``master="spark://HOST:7077"``: this process is the driver) or
a Spark Connect server (``remote="sc://HOST:15002"``: the server is the driver and
this process a thin gRPC client; no Java needed here). docs/scale.md explains when
to use which.

Events are written to a temporary Parquet file that Spark reads, so they never
pass through the driver's memory all at once; on a cluster that file must be where
every executor can read it (``staging_dir``, the ``spark_staging_dir`` setting: a
shared folder or an object-store URL). A Parquet dataset that the cluster can read
itself is read in place (:meth:`SparkEngine.read_parquet_dataset`). The session runs
in UTC. Needs the ``spark`` extra (``pip install 'cojourney[spark]'``) and, except
for Spark Connect, Java 17 or newer.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


#: Settings of a Spark Connect session that its client may set (the server owns the
#: rest: UI, JVM options, warehouse).
CONNECT_SESSION_CONFIG: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "8",
}


def create_session(
    master: str = DEFAULT_MASTER,
    *,
    app_name: str = "cojourney",
    config: dict[str, str] | None = None,
    remote: str | None = None,
) -> SparkSession:
    """A Spark session configured for cojourney (UTC, no UI, quiet logs).

    Parameters
    ----------
    master
        The master of a classic session (``local[2]``, ``spark://HOST:7077``).
    app_name
        The application name a cluster shows.
    config
        Extra Spark settings.
    remote
        A Spark Connect URL (``sc://HOST:PORT``): a Connect session instead of a
        classic one (``master`` is then the server's business).

    Raises
    ------
    NotFound
        When pyspark (or, for ``remote``, its Connect client libraries) is not installed.
    CojourneyError
        When Spark cannot start (usually: no Java) or the Connect server does not answer.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise NotFound(
            "The Spark engine needs pyspark: pip install 'cojourney[spark]' (and Java 17 or newer)."
        ) from exc
    if remote is not None:
        return _connect_session(remote, config)
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


def _connect_session(remote: str, config: dict[str, str] | None) -> SparkSession:
    """A Spark Connect session with cojourney's session settings, checked to answer."""
    check_remote_url(remote)
    try:
        from pyspark.sql import SparkSession
        from pyspark.sql.connect.utils import check_dependencies

        check_dependencies("pyspark.sql.connect")
    except ImportError as exc:
        raise NotFound(
            "Spark Connect needs its client libraries (grpcio, grpcio-status, "
            f"googleapis-common-protos): pip install 'cojourney[spark]' ({exc})."
        ) from exc
    _check_reachable(remote)
    try:
        session = SparkSession.builder.remote(remote).getOrCreate()
        for key, value in CONNECT_SESSION_CONFIG.items():
            session.conf.set(key, value)  # the first call to the server
    except Exception as exc:  # grpc errors come as several pyspark exception types
        raise CojourneyError(
            f"The Spark Connect server at {remote} did not answer ({_first_line(exc)}). "
            "Is it running and reachable? Start one with start-connect-server.sh "
            "(docs/scale.md), or leave query.spark_remote unset for local mode."
        ) from exc
    for key, value in (config or {}).items():
        try:
            session.conf.set(key, value)
        except Exception as exc:  # a static setting: the server's, fixed at its start
            if "CANNOT_MODIFY_CONFIG" not in str(exc):
                raise
            log.warning("%s is the Spark Connect server's setting; %s ignored", key, value)
    return session


def _check_reachable(remote: str, timeout: float = 10.0) -> None:
    """Refuse at once a Connect server that accepts no connection (the gRPC client
    would retry for minutes)."""
    import socket

    hostport = remote.removeprefix("sc://").split("/", 1)[0].split(";", 1)[0]
    host, _, port = hostport.rpartition(":") if ":" in hostport else (hostport, "", "15002")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise CojourneyError(
            f"The Spark Connect server at {remote} did not answer ({exc}). Is it running "
            "and reachable? Start one with start-connect-server.sh (docs/scale.md), or "
            "leave query.spark_remote unset for local mode."
        ) from None


def check_remote_url(remote: str) -> None:
    """Refuse a Spark Connect URL that is not ``sc://HOST[:PORT][/;options]``.

    >>> check_remote_url("sc://127.0.0.1:15002")
    >>> check_remote_url("spark://h:7077")
    Traceback (most recent call last):
    ...
    cojourney.errors.InputError: ...
    """
    if not re.fullmatch(r"sc://[^/\s:;]+(:\d+)?(/;?[^\s]*)?", remote):
        from cojourney.errors import InputError, Location, Problem

        raise InputError(
            Problem(
                "not a Spark Connect URL",
                Location(field="query.spark_remote"),
                found=remote,
                expected="sc://HOST:PORT, e.g. sc://spark.example.org:15002",
                hint="a standalone master (spark://HOST:7077) is query.spark_master",
            )
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


class SparkEngine(Engine):
    """Analyses on Apache Spark through Ibis.

    Parameters
    ----------
    master
        Spark master URL: ``local[2]`` (default), ``local[*]``, ``spark://host:7077``.
        Ignored when ``session`` or ``remote`` is given.
    session
        An existing session to use (it is left running on :meth:`close`); its time
        zone is set to UTC. Without one, a session already running in this process
        is used (and left running); else a new one is started (and stopped on close).
    config
        Extra Spark settings for a new session.
    staging_dir
        Where events are written for Spark to read (a fresh temporary folder inside
        it, deleted on :meth:`close`): a folder, or a URL that pyarrow can write and
        the executors can read (``file:///shared/tmp``, ``s3://bucket/tmp``,
        ``hdfs://nn/tmp``...). The default, the local temporary folder, suits local
        mode and a cluster on this machine; elsewhere give a folder every executor
        can read.
    remote
        A Spark Connect URL (``sc://HOST:PORT``): the analyses run on that server's
        Spark. Takes precedence over ``master``; ignored when ``session`` is given.
    """

    name = "spark"

    def __init__(
        self,
        master: str | None = None,
        *,
        session: SparkSession | None = None,
        config: dict[str, str] | None = None,
        staging_dir: str | Path | None = None,
        remote: str | None = None,
    ):
        if session is None:
            # A session already running in this process is shared, and left running:
            # the report, for one, runs several analyses on one engine at once.
            session = _active_session() if remote is None else _active_connect_session()
            if session is not None:
                log.info("using the running Spark session (%s)", describe_session(session))
        self._owned = session is None
        self._session = (
            session
            if session is not None
            else create_session(master or DEFAULT_MASTER, config=config, remote=remote)
        )
        self._backend: Backend = ibis.pyspark.connect(self._session)  # sets the session to UTC
        self._staging = Staging(staging_dir)
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

        name = name or self.fresh_table_name()
        schema = canonical_arrow_schema()
        batches = (
            events.select(schema.names).cast(schema).to_batches()
            if isinstance(events, pa.Table)
            else events
        )
        location = self._staging.write(f"{name}.parquet", schema, batches)
        log.debug("wrote %s for Spark", location)
        self._views.append(name)
        return self._backend.read_parquet(location, table_name=name)

    def read_parquet_dataset(self, location: str, *, name: str | None = None) -> ir.Table:
        """The canonical events of a Parquet dataset, read by Spark where it lies.

        ``location`` is a file, a folder (hive partitions such as
        ``import_id=3/month=2025-01/`` are welcome: ``cojourney export
        --parquet-dataset`` writes them) or a URL the executors can read. Columns
        beyond the canonical ones are left out; missing optional ones read as null.

        Raises
        ------
        cojourney.errors.InputError
            ``journey_id``, ``activity``, ``timestamp`` or ``event_seq`` is missing
            (without ``event_seq`` the input order is unknown: read it through
            :meth:`load_events` instead, which numbers the rows).
        """
        from pyspark.sql import functions as F

        from cojourney.errors import InputError, Problem, location_in
        from cojourney.events import schema as S

        name = name or self.fresh_table_name()
        frame = self._session.read.parquet(location)
        have = set(frame.columns)
        needed = [*S.REQUIRED_COLUMNS, S.EVENT_SEQ]
        missing = [c for c in needed if c not in have]
        if missing:
            raise InputError(
                Problem(
                    "the Parquet data is not a canonical event log",
                    location_in(location),
                    found="columns: " + ", ".join(sorted(have)),
                    expected=", ".join(missing),
                    hint="write it with an export (export.parquet_dataset)",
                )
            )
        spark_types = {"string": "string", "int64": "bigint", "timestamp[us, tz=UTC]": "timestamp"}
        columns = [
            (F.col(f"`{f.name}`") if f.name in have else F.lit(None))
            .cast(spark_types[str(f.type)])
            .alias(f.name)
            for f in canonical_arrow_schema()
        ]
        frame.select(*columns).createOrReplaceTempView(name)
        self._views.append(name)
        return self._backend.table(name)

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
            self._staging.remove(f"{name}.parquet")

    def close(self) -> None:
        for name in self._views:
            self._session.catalog.dropTempView(name)
        self._views.clear()
        self._staging.close()
        if self._owned:
            self._session.stop()


@ibis.udf.scalar.builtin(name="unix_micros")  # type: ignore[untyped-decorator]
def _unix_micros(timestamp: dt.timestamp) -> dt.int64:
    """Spark's ``unix_micros``: microseconds since the epoch."""


class Staging:
    """A fresh folder for the Parquet files Spark reads: local, or on a pyarrow filesystem.

    Parameters
    ----------
    where
        A local folder, a ``file://`` URL, or any URL pyarrow's
        ``FileSystem.from_uri`` understands (``s3://``, ``gs://``, ``hdfs://``...);
        ``None``: the local temporary folder.
    """

    def __init__(self, where: str | Path | None) -> None:
        text = None if where is None else str(where)
        self._fs: Any = None
        if text is not None and "://" in text and not text.startswith("file://"):
            from pyarrow import fs

            self._fs, root = fs.FileSystem.from_uri(text)
            scheme = text.split("://", 1)[0]
            self._root = f"{root.rstrip('/')}/cojourney-spark-{secrets.token_hex(6)}"
            self._fs.create_dir(self._root, recursive=True)
            self._url = f"{scheme}://{self._root}"
        else:
            local = text.removeprefix("file://") if text else None
            if local is not None:
                Path(local).mkdir(parents=True, exist_ok=True)
            self._root = tempfile.mkdtemp(prefix="cojourney-spark-", dir=local)
            self._url = self._root

    @property
    def location(self) -> str:
        """The folder (a path, or a URL on a remote filesystem)."""
        return self._url

    def write(self, name: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> str:
        """Write ``batches`` to the file ``name`` in the folder; its path or URL."""
        import pyarrow.parquet as pq

        path = f"{self._root}/{name}"
        try:
            with pq.ParquetWriter(path, schema, filesystem=self._fs) as writer:
                for batch in batches:
                    writer.write_batch(batch)
        except BaseException:
            self.remove(name)
            raise
        return f"{self._url}/{name}"

    def remove(self, name: str) -> None:
        """Delete the file ``name`` (nothing when it is not there)."""
        path = f"{self._root}/{name}"
        if self._fs is None:
            Path(path).unlink(missing_ok=True)
            return
        try:
            self._fs.delete_file(path)
        except (FileNotFoundError, OSError):
            log.debug("could not delete %s", path)

    def close(self) -> None:
        """Delete the folder and everything in it."""
        if self._fs is None:
            shutil.rmtree(self._root, ignore_errors=True)
            return
        try:
            self._fs.delete_dir(self._root)
        except (FileNotFoundError, OSError):
            log.warning("could not delete the staging folder %s", self._url)


def describe_session(session: SparkSession) -> str:
    """``master local[2]`` for a classic session, ``Spark Connect`` for a Connect one."""
    if _is_connect(session):
        return "Spark Connect"
    return f"master {session.sparkContext.master}"


def _is_connect(session: SparkSession) -> bool:
    return type(session).__module__.startswith("pyspark.sql.connect")


def _active_connect_session() -> SparkSession | None:
    """The Spark Connect session running in this process, if any."""
    try:
        from pyspark.sql.connect.session import SparkSession as ConnectSession
    except ImportError:
        return None
    active: SparkSession | None = ConnectSession.getActiveSession()  # type: ignore[assignment]
    return active


def _active_session() -> SparkSession | None:
    """The classic session running in this process, if any, seen from any thread.

    ``getActiveSession`` is per thread (a web app runs its analyses on worker threads),
    so the process's default session (the one the builder made) counts too, while its
    context runs.
    """
    try:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    active = SparkSession.getActiveSession()
    if active is None and SparkContext._active_spark_context is not None:
        active = getattr(SparkSession, "_instantiatedSession", None)
    return active
