"""``--engine`` and ``--spark-master`` for the analyses written in SQL.

``experience``, ``agreements``, ``value``, ``leakage`` and ``improvements`` run on DuckDB
by default, or on Spark with ``--engine spark``
(:func:`cojourney.services.engine_choice.events_on`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["check_spark_master", "engine_options"]


def engine_options(function: F) -> F:
    """Add ``--engine`` (``engine``) and ``--spark-master`` (``spark_master``)."""
    function = click.option(
        "--spark-master",
        metavar="URL",
        help="Spark master with --engine spark, e.g. spark://host:7077. [default: local[2]]",
    )(function)
    return click.option(
        "--engine",
        type=click.Choice(["duckdb", "spark"]),
        default="duckdb",
        show_default=True,
        help="Where the analysis runs.",
    )(function)


def check_spark_master(engine: str, spark_master: str | None) -> None:
    """Refuse ``--spark-master`` without ``--engine spark``."""
    if spark_master and engine != "spark":
        raise click.UsageError("--spark-master needs --engine spark.")
