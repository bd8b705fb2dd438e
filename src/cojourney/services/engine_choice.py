"""Which engine an analysis runs on, and where Spark runs: flags over settings, once.

Every service that runs analyses (``analyze``, ``report``, the web app's pages) asks
:func:`engine_name` and :func:`spark_options`, so the flags, the settings
(``engine``, ``spark_master``, ``spark_remote``, ``spark_config``,
``spark_staging_dir``) and their
precedence live here only.
"""

from __future__ import annotations

from typing import Any

from cojourney.errors import InputError, Location, Problem
from cojourney.settings import Settings, current_settings

__all__ = ["check_spark_target", "engine_name", "spark_options"]


def engine_name(engine: str | None, settings: Settings | None = None) -> str:
    """``engine``, or the ``engine`` setting when none is named."""
    return engine or (settings or current_settings()).engine


def check_spark_target(engine: str, spark_master: str | None, spark_remote: str | None) -> None:
    """Refuse a Spark master or Connect URL given for another engine, or both at once.

    Raises
    ------
    cojourney.errors.InputError
        Naming the field (``query.spark_master``, ``query.spark_remote``).
    """
    for field, value, what in (
        ("query.spark_master", spark_master, "a Spark master"),
        ("query.spark_remote", spark_remote, "a Spark Connect URL"),
    ):
        if value and engine != "spark":
            raise InputError(
                Problem(
                    f"{what} applies to the Spark engine only",
                    Location(field=field),
                    found=f"query.engine={engine}",
                    hint=f"add query.engine=spark, or leave {field} out",
                )
            )
    if spark_master and spark_remote:
        raise InputError(
            Problem(
                "a Spark master and a Spark Connect URL name two different clusters",
                Location(field="query.spark_remote"),
                found=f"{spark_master} and {spark_remote}",
                hint="choose one: query.spark_master or query.spark_remote",
            )
        )


def spark_options(
    spark_master: str | None = None,
    spark_remote: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The options of a new :class:`~cojourney.analytics.engines.spark.SparkEngine`.

    A master or remote given here wins over both settings; else ``spark_remote``
    wins over ``spark_master``; ``spark_config`` and ``spark_staging_dir`` apply to all. Nothing given
    and nothing set: ``{}`` (local mode, or a session already running in this process).

    >>> spark_options("spark://h:7077", settings=Settings(spark_remote="sc://c:15002"))
    {'master': 'spark://h:7077'}
    >>> spark_options(settings=Settings(spark_remote="sc://c:15002", spark_master="local[1]"))
    {'remote': 'sc://c:15002'}
    """
    settings = settings or current_settings()
    options: dict[str, Any] = {}
    if spark_remote:
        options["remote"] = spark_remote
    elif spark_master:
        options["master"] = spark_master
    elif settings.spark_remote:
        options["remote"] = settings.spark_remote
    elif settings.spark_master:
        options["master"] = settings.spark_master
    if settings.spark_config:
        options["config"] = dict(settings.spark_config)
    if settings.spark_staging_dir:
        options["staging_dir"] = settings.spark_staging_dir
    return options
