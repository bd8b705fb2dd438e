"""Fixtures of the analytics suite: one engine fixture, run on DuckDB and on Spark.

Spark tests are marked ``spark`` and grouped (``xdist_group("spark")``) so that
``pytest -n 2 --dist loadgroup`` runs them all on one worker, which starts one
SparkSession for the whole test session.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
import pytest

from cojourney.analytics.engines import Engine
from cojourney.events.schema import canonical_arrow_schema

SPARK = pytest.param("spark", marks=[pytest.mark.spark, pytest.mark.xdist_group("spark")])
ENGINES = ["duckdb", SPARK]


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """The one SparkSession of the test session (local[2], UTC)."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java, and no `java` is on the PATH")
    from cojourney.analytics.engines.spark import create_session

    session = create_session("local[2]", app_name="cojourney-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine shared by the tests of a session (tables get fresh names)."""
    if request.param == "spark":
        from cojourney.analytics.engines.spark import SparkEngine

        spark = SparkEngine(session=request.getfixturevalue("spark_session"))
        yield spark
        spark.close()
    else:
        from cojourney.analytics.engines.duckdb import DuckDBEngine

        with DuckDBEngine() as duck:
            yield duck


T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    """``T0`` plus ``seconds`` (microsecond precision)."""
    return T0 + dt.timedelta(seconds=seconds)


def event_table(rows: Sequence[tuple[str, str, float] | tuple[str, str, float, int]]) -> pa.Table:
    """Canonical events from ``(journey, activity, seconds after T0[, event_seq])`` tuples.

    Without an explicit ``event_seq`` the rows are numbered in the order given.
    """
    records = [
        {
            "journey_id": r[0],
            "activity": r[1],
            "timestamp": at(r[2]),
            "event_seq": r[3] if len(r) > 3 else i,
        }  # type: ignore[misc]
        for i, r in enumerate(rows)
    ]
    return pa.Table.from_pylist(records, schema=canonical_arrow_schema())


@pytest.fixture(scope="session")
def events() -> Any:
    """``events(rows)`` -> a canonical pyarrow table (see :func:`event_table`)."""
    return event_table


def pytest_configure(config: pytest.Config) -> None:
    # pandas 3 deprecation noise from inside pyspark's and Ibis's result conversion.
    for module in ("pyspark.sql.pandas.types", "ibis.formats.pandas"):
        config.addinivalue_line("filterwarnings", f"ignore::DeprecationWarning:{module}")
        config.addinivalue_line("filterwarnings", f"ignore::FutureWarning:{module}")


@pytest.fixture(scope="session")
def template() -> Any:
    """The ``main-journey`` of the DSV template workspace (a domain ``Journey``)."""
    from synthetic import template_journey

    return template_journey()
