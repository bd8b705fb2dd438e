"""The engine an event source's journey analyses run on, with its events table.

An ordinary source is analysed by DuckDB on its own connection; a
:class:`~cojourney.analytics.engines.spark_source.SparkEventSource`, or a part of one
(the journeys a filter keeps, one group of a breakdown), by Spark on its events view. Used where a SQL-written analysis needs the journey analysis too
(leakage) and by the report's time at touchpoints.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.analytics.engines import Engine
    from cojourney.events.store import EventSource

__all__ = ["source_engine"]


@contextmanager
def source_engine(source: EventSource) -> Iterator[tuple[Engine, ir.Table]]:
    """``(engine, events table)`` for ``source``; the engine is closed at the end (a
    Spark session it was given is left running)."""
    from cojourney.analytics.engines.spark_sql import SparkSqlConnection

    engine: Engine
    name = source.table_name("events")
    sql = source.sql
    if isinstance(sql, SparkSqlConnection):
        from cojourney.analytics.engines.spark import SparkEngine

        engine = SparkEngine(session=sql.session)
        table = engine.backend.table(name)
    else:
        from cojourney.analytics.engines.duckdb import DuckDBEngine

        duck = DuckDBEngine(connection=source.connection)
        engine, table = duck, duck.table(name)
    try:
        yield engine, table
    finally:
        engine.close()
