"""The engine the SQL-written analyses run on: the source's DuckDB, or Spark.

Experience, agreements, value indicators, leakage and improvements take an event source;
:func:`events_on` gives them the source itself (``engine="duckdb"``) or a
:class:`~cojourney.analytics.engines.spark_source.SparkEventSource` over it
(``engine="spark"``), on which the same analyses run as Spark SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cojourney.errors import InputError, Location, Problem

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.store import EventSource

__all__ = ["ENGINE_NAMES", "check_engine", "events_on"]

#: The engines the analyses run on.
ENGINE_NAMES = ("duckdb", "spark")


def check_engine(engine: str) -> str:
    """``engine`` when it is one of :data:`ENGINE_NAMES`.

    Raises
    ------
    cojourney.errors.InputError
        Any other name.
    """
    if engine not in ENGINE_NAMES:
        raise InputError(
            Problem(
                "unknown engine",
                Location(field="engine"),
                found=engine,
                expected=" or ".join(ENGINE_NAMES),
            )
        )
    return engine


@contextmanager
def events_on(
    events: EventSource, engine: str = "duckdb", *, spark_master: str | None = None
) -> Iterator[EventSource]:
    """``events`` as the analyses on ``engine`` read them (closed again at the end).

    With ``"spark"``, a running Spark session is used (and left running), else one is
    started on ``spark_master`` (``local[2]`` by default) and stopped at the end.
    """
    if check_engine(engine) == "duckdb":
        yield events
        return
    from cojourney.analytics.engines.spark import SparkEngine
    from cojourney.analytics.engines.spark_source import SparkEventSource

    with SparkEngine(spark_master) as spark:
        on_spark = SparkEventSource(events, spark.session)
        try:
            yield on_spark
        finally:
            on_spark.close()
