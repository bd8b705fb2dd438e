"""The SQL seam the SQL-written analyses run through: a DuckDB connection, or its Spark twin.

Experience, agreements, value indicators, leakage and improvements are written once, as
DuckDB SQL. They run on whatever :attr:`cojourney.events.store.EventSource.sql` gives: the
source's own DuckDB connection, or (``--engine spark``)
:class:`cojourney.analytics.engines.spark_sql.SparkSqlConnection`, which transpiles the
same statements to Spark SQL and runs them on the Spark session. :class:`SqlConnection`
is the small part of DuckDB's connection API the analyses use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = ["SqlConnection", "SqlResult"]


class SqlResult(Protocol):
    """The result of :meth:`SqlConnection.execute`, fetched once."""

    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...

    def fetchnumpy(self) -> Any: ...

    def fetch_arrow_table(self) -> pa.Table: ...


class SqlConnection(Protocol):
    """What the SQL analyses need of a connection (DuckDB's API, a subset)."""

    def execute(self, query: str, parameters: Any = ...) -> SqlResult: ...

    def register(self, view_name: str, python_object: Any) -> Any: ...

    def unregister(self, view_name: str) -> Any: ...
