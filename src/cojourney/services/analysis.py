"""Analysing a workspace: its imported events against one of its designed journeys.

:func:`analyze_workspace` is what ``cojourney analyze WORKSPACE`` runs: it loads the
workspace, picks the journey, opens the events (the workspace's event store, or a
Parquet dataset), runs every journey analysis on the chosen engine
(:func:`cojourney.analytics.report.analyze_journey`) and closes everything again.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cojourney.analytics.breakdown import DEFAULT_DIMENSIONS
from cojourney.analytics.filters import JourneyFilter
from cojourney.analytics.journeys import DEFAULT_TOP_VARIANTS
from cojourney.errors import InputError, NotFound, Problem
from cojourney.services.handle import WorkspaceRef, as_handle

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.analytics.engines import Engine
    from cojourney.analytics.journey_results import JourneyAnalysis
    from cojourney.domain import Journey, Workspace
    from cojourney.events.store import EventSource

__all__ = ["analyze_workspace", "choose_journey", "open_events"]

log = logging.getLogger(__name__)


def analyze_workspace(
    workspace: WorkspaceRef,
    *,
    journey_id: str | None = None,
    engine: str | Engine | None = None,
    source: str | Path | EventSource | None = None,
    filters: JourneyFilter | None = None,
    breakdown_by: Sequence[str] = DEFAULT_DIMENSIONS,
    top_variants: int | None = DEFAULT_TOP_VARIANTS,
    spark_master: str | None = None,
    spark_remote: str | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> JourneyAnalysis:
    """Compare a workspace's actual journeys with one of its designed journeys.

    Parameters
    ----------
    workspace
        The workspace: its folder, or a :class:`~cojourney.services.handle.WorkspaceHandle`.
    journey_id
        The designed journey; by default the workspace's ``default_journey``, else
        its first journey.
    engine
        ``"duckdb"`` or ``"spark"``, or an engine to use (left open); by default
        the ``engine`` setting (DuckDB unless set).
    source
        Where the events are: a Parquet file or a folder of Parquet files (a
        dataset), or an open :class:`~cojourney.events.store.EventSource`. By
        default, the workspace's event store (``data/events.duckdb``).
    filters
        Journeys to keep (:class:`~cojourney.analytics.filters.JourneyFilter`); its
        personas are the workspace's (its ``rules`` are replaced by the workspace's).
    breakdown_by
        Breakdown dimensions (``segment``, ``persona``, ``cohort``, ``segments``,
        ``channel``, ``month``, ``week``, ``offering``, ``relationship``
        (:mod:`cojourney.analytics.offerings`) or a case attribute).
    top_variants
        How many variants to list (``None``: all).
    spark_master, spark_remote
        A Spark master URL (``spark://HOST:7077``) or a Spark Connect URL
        (``sc://HOST:15002``) for a new Spark engine; by default the settings
        (:func:`cojourney.services.engine_choice.spark_options`), else local mode.
    on_stage
        Called with a short description as the work moves on.

    Returns
    -------
    JourneyAnalysis
        Every result; ``source`` names where the events came from.

    Raises
    ------
    cojourney.errors.ValidationError
        The workspace does not load.
    cojourney.errors.NotFound
        No such journey, no events imported yet, or no Parquet data at ``source``.
    """
    from cojourney.analytics.engines import Engine, get_engine
    from cojourney.analytics.offerings import groupings
    from cojourney.analytics.report import analyze_journey
    from cojourney.analytics.segments import GroupRules
    from cojourney.services.engine_choice import check_spark_target, engine_name, spark_options

    handle = as_handle(workspace)
    if not isinstance(engine, Engine):
        engine = engine_name(engine, handle.settings)
        check_spark_target(engine, spark_master, spark_remote)
    model = handle.model()
    journey = choose_journey(model, journey_id)
    filters = dataclasses.replace(filters or JourneyFilter(), rules=GroupRules.of(model))
    events_source, owned_source = open_events(workspace, source)
    eng: Engine | None = None
    try:
        if isinstance(engine, Engine):
            eng, owned_engine = engine, False
        else:
            if engine == "duckdb":
                from cojourney.analytics.engines.duckdb import DuckDBEngine

                eng = DuckDBEngine(connection=events_source.connection)
            else:
                if on_stage is not None:
                    on_stage(f"starting {engine}")
                options = spark_options(spark_master, spark_remote, handle.settings)
                eng = get_engine(engine, **options)
            owned_engine = True
        events, loaded = _events_on(eng, events_source, on_stage)
        try:
            result = analyze_journey(
                events,
                journey,
                engine=eng,
                filters=filters,
                breakdown_by=breakdown_by,
                top_variants=top_variants,
                on_stage=on_stage,
                groupings=groupings(model, journey, breakdown_by),
            )
        finally:
            if loaded:
                eng.release(events)
        log.info("analysed journey %s of %s (%s)", journey.id, workspace, events_source.label)
        return dataclasses.replace(result, source=events_source.label)
    finally:
        if eng is not None and owned_engine:
            eng.close()
        if owned_source:
            events_source.close()


def choose_journey(workspace: Workspace, journey_id: str | None) -> Journey:
    """The journey ``journey_id``, or the default one (else the first).

    Raises
    ------
    cojourney.errors.InputError
        The workspace has no journey.
    cojourney.errors.NotFound
        There is no journey ``journey_id``.
    """
    if not workspace.journeys:
        raise InputError(
            Problem(
                "the workspace has no journey to analyse",
                hint="add a journey under journeys/ (see 'cojourney init')",
            )
        )
    try:
        return workspace.journey(journey_id)
    except KeyError:
        known = ", ".join(j.id for j in workspace.journeys)
        wanted = journey_id or workspace.workspace.default_journey
        raise NotFound(
            f"no journey {wanted!r} in workspace {workspace.workspace.id!r}; "
            f"the journeys are: {known} (choose one as query.journey)"
        ) from None


def open_events(
    workspace: WorkspaceRef, source: str | Path | EventSource | None
) -> tuple[EventSource, bool]:
    """The events to analyse and whether the caller must close them.

    Raises
    ------
    cojourney.errors.NotFound
        No event store in the workspace (nothing imported yet), or no Parquet data.
    """
    from cojourney.events.store import EventSource

    if isinstance(source, EventSource):
        return source, False
    if source is not None:
        return EventSource.from_parquet(source), True
    store = as_handle(workspace).events_path
    if not store.is_file():
        raise NotFound(
            f"{workspace}: no events imported yet. Import an event log first "
            "(import.events), or read a Parquet dataset instead (query.events)."
        )
    return as_handle(workspace).open_events(), True


def _events_on(
    engine: Engine, source: EventSource, on_stage: Callable[[str], None] | None
) -> tuple[ir.Table, bool]:
    """The canonical events of ``source`` as a table on ``engine``, and whether they
    were loaded (and must be released).

    DuckDB reads them where they are (the store's table or the Parquet view, on the
    source's own connection); Spark reads a Parquet dataset where it lies (a cluster
    reads it from its folder or object store); otherwise engines get Arrow batches.
    """
    from cojourney.analytics.engines.duckdb import DuckDBEngine

    if isinstance(engine, DuckDBEngine) and engine.connection is source.connection:
        return engine.table(source.table_name("events")), False
    session = getattr(source.sql, "session", None)  # a source read through Spark already
    if session is not None and getattr(engine, "session", None) is session:
        return engine.backend.table(source.table_name("events")), False
    if on_stage is not None:
        on_stage(f"loading events into {engine.name}")
    read_in_place = getattr(engine, "read_parquet_dataset", None)
    if read_in_place is not None and source.parquet_location is not None:
        from cojourney.errors import InputError

        try:  # the cluster reads the dataset itself: nothing passes through this process
            table: ir.Table = read_in_place(source.parquet_location)
            return table, True
        except InputError as exc:  # e.g. no event_seq: numbered here instead
            log.info("reading %s through this process: %s", source.parquet_location, exc)
    return engine.load_events(source.batches(import_ids=False)), True
