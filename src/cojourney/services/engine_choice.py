"""Which engine an analysis runs on, and where Spark runs: flags over settings, once.

Every service that runs analyses (``analyze``, ``report``, experience, agreements,
value, leakage, improvements, the web app's pages) asks :func:`engine_name` and
:func:`spark_options`, so the flags, the settings (``engine``, ``spark_master``,
``spark_remote``, ``spark_config``, ``spark_staging_dir``) and their precedence live
here only.

The analyses written in SQL (experience, agreements, value indicators, leakage,
improvements) take an event source; :func:`events_on` gives them the source itself
(``duckdb``) or a :class:`~cojourney.analytics.engines.spark_source.SparkEventSource`
over it (``spark``), on which the same SQL runs as Spark SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cojourney.errors import InputError, Location, Problem
from cojourney.settings import Settings, current_settings

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.domain import Workspace
    from cojourney.events.store import EventSource

__all__ = [
    "ENGINE_NAMES",
    "check_engine",
    "check_spark_target",
    "engine_name",
    "events_on",
    "kept_on",
    "on_spark",
    "spark_options",
]

#: The engines the analyses run on.
ENGINE_NAMES = ("duckdb", "spark")


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


def check_engine(engine: str | None, settings: Settings | None = None) -> str:
    """``engine`` (``None``: the ``engine`` setting of ``settings``, else of the settings
    in force) when it is one of :data:`ENGINE_NAMES`.

    Raises
    ------
    cojourney.errors.InputError
        Any other name.
    """
    engine = engine_name(engine, settings)
    if engine not in ENGINE_NAMES:
        raise InputError(
            Problem(
                "unknown engine",
                Location(field="query.engine"),
                found=engine,
                expected=" or ".join(ENGINE_NAMES),
            )
        )
    return engine


def on_spark(events: EventSource) -> bool:
    """Whether the SQL analyses of ``events`` run elsewhere than on its DuckDB connection
    (it is read through Spark already)."""
    return events.sql is not events.connection


@contextmanager
def events_on(
    events: EventSource,
    engine: str | None = None,
    *,
    spark_master: str | None = None,
    spark_remote: str | None = None,
    settings: Settings | None = None,
) -> Iterator[EventSource]:
    """``events`` as the analyses on ``engine`` read them (closed again at the end).

    ``engine`` defaults to the ``engine`` setting (of ``settings``, else of the settings
    in force: a web app passes its own). With ``"spark"``, the cluster is the one
    :func:`spark_options` names (a running session in this process is used and left
    running; else one is started and stopped at the end), so analyses nested in one
    ``events_on`` block (e.g. one per group of a breakdown) share one Spark session.
    A source already read through Spark (a
    :class:`~cojourney.analytics.engines.spark_source.SparkEventSource`, or a part of
    one) is given back as it is: its logs are on Spark already.
    """
    engine = check_engine(engine, settings)
    check_spark_target(engine, spark_master, spark_remote)
    if engine == "duckdb" or on_spark(events):
        yield events
        return
    from cojourney.analytics.engines.spark import SparkEngine
    from cojourney.analytics.engines.spark_source import SparkEventSource

    with SparkEngine(**spark_options(spark_master, spark_remote, settings)) as spark:
        staged = SparkEventSource(events, spark.session)
        try:
            yield staged
        finally:
            staged.close()


@contextmanager
def kept_on(
    events: EventSource,
    filters: JourneyFilter | None,
    model: Workspace,
    engine: str | None = None,
    *,
    spark_master: str | None = None,
    spark_remote: str | None = None,
    settings: Settings | None = None,
) -> Iterator[EventSource]:
    """The journeys ``filters`` keep of ``events`` (:func:`cojourney.analytics.journey_scope.scoped`),
    as the analyses on ``engine`` read them (:func:`events_on`)."""
    from cojourney.analytics.journey_scope import scoped

    with (
        scoped(events, filters, model) as kept,
        events_on(
            kept, engine, spark_master=spark_master, spark_remote=spark_remote, settings=settings
        ) as on,
    ):
        yield on
