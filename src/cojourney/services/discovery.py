"""Discovering the process of one event log file, without a workspace.

:func:`discover_log` is what ``cojourney analyze FILE`` runs (and what the web app
calls for an uploaded log): it checks the reading options against the file's
format, opens the engine, summarises the log
(:func:`cojourney.analytics.discovery.summarize`: counts, variants, start and end
activities, directly-follows with performance, case durations) and closes the engine
again. Problems name concepts (``mapping.xes.classifier``), never CLI flags.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cojourney.errors import InputError, Problem, location_in

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.results import DiscoverySummary

__all__ = ["discover_log"]


def discover_log(
    path: str | Path,
    *,
    journey_id: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
    timestamp_format: str | None = None,
    time_zone: str = "UTC",
    sep: str | None = None,
    encoding: str = "utf-8",
    quote: str | None = None,
    null_values: Sequence[str] = (),
    on_error: Literal["fail", "skip"] = "fail",
    classifier: str | None = None,
    object_type: str | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
    top_variants: int = 20,
    on_progress: Callable[[int], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> DiscoverySummary:
    """The process summary of the event log at ``path``.

    Parameters
    ----------
    path
        A CSV, TSV, Parquet, JSON Lines, XES (.xes, .xes.gz) or OCEL 2.0 log.
    journey_id, activity, timestamp
        The columns (default: the XES names ``case:concept:name``, ``concept:name``,
        ``time:timestamp``).
    timestamp_format, time_zone
        How text timestamps are read (default: ISO 8601; naive times in UTC).
    sep, encoding, quote, null_values
        CSV reading (the empty cell always means "no value").
    on_error
        ``fail``: an event without journey id, activity or readable timestamp, or
        whose journey id or activity cannot be used (longer than ``max_value_chars``,
        a NUL or a line break), refuses the file with the same located problems as an
        import; ``skip``: the others are summarised.
    classifier, object_type
        XES: the attribute(s) naming the activity; OCEL: the object type whose
        objects are the journeys.
    engine, spark_master, spark_remote
        Where the summary runs (``duckdb`` or ``spark``; by default the ``engine``
        setting), and on which Spark (a master URL or a Spark Connect URL; by default
        the settings, else local mode).
    top_variants
        How many variants to list.
    on_progress, on_stage
        Called with the events read so far, and with each stage's name.

    Raises
    ------
    cojourney.errors.InputError
        An option that does not fit the file's format, or a file that cannot be read.
    """
    from cojourney.events.readers.base import ReadOptions, reader_for
    from cojourney.events.schema import ColumnMapping

    path = Path(path)
    file_format = reader_for(path).name
    if classifier and file_format != "XES":
        raise InputError(
            Problem(
                "a classifier applies to XES files only",
                location_in(path, field="mapping.xes.classifier"),
                found=f"a {file_format} file",
                hint="choose the activity column as mapping.columns.activity",
            )
        )
    if object_type and file_format != "OCEL":
        raise InputError(
            Problem(
                "an object type applies to OCEL files only",
                location_in(path, field="mapping.ocel.object_type"),
                found=f"a {file_format} file",
            )
        )
    from cojourney.services.engine_choice import check_spark_target, engine_name, spark_options

    engine = engine_name(engine)
    check_spark_target(engine, spark_master, spark_remote)
    mapping = ColumnMapping(
        journey_id=journey_id,
        activity=activity,
        timestamp=timestamp,
        timestamp_format=timestamp_format,
        timezone=time_zone,
        attributes=(),
    )
    options = ReadOptions(
        delimiter=sep,
        encoding=encoding,
        quote=quote,
        null_values=tuple(dict.fromkeys(("", *null_values))),
        skip_incomplete=on_error == "skip",
        classifier=classifier or "concept:name",
        object_type=object_type,
    )
    if engine == "duckdb":  # DuckDB sorts once, NumPy does the rest (no Ibis start-up)
        from cojourney.analytics.discovery_arrays import summarize_file

        return summarize_file(
            path,
            mapping=mapping,
            options=options,
            top_variants=top_variants,
            on_progress=on_progress,
            on_stage=on_stage,
        )
    if on_stage is not None:
        on_stage(f"starting {engine}")
    from cojourney.analytics.discovery import summarize
    from cojourney.analytics.engines import get_engine

    engine_options = spark_options(spark_master, spark_remote) if engine == "spark" else {}
    with get_engine(engine, **engine_options) as running:
        return summarize(
            path,
            engine=running,
            mapping=mapping,
            options=options,
            top_variants=top_variants,
            on_progress=on_progress,
            on_stage=on_stage,
        )
