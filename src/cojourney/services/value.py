"""Value realization, agreement targets and improvement effects of a workspace.

What ``cojourney value`` and ``cojourney improvements`` run: load the workspace, open
its events and feedback (the workspace's event store, or a Parquet dataset), compute,
close. The analyses are in :mod:`cojourney.analytics.value_realization`,
:mod:`cojourney.analytics.agreement_targets` and :mod:`cojourney.analytics.improvements`.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from cojourney.services.analysis import open_events
from cojourney.services.engine_choice import check_engine, kept_on

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.agreement_targets import TargetSeries
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.analytics.group_results import IndicatorGroupRow
    from cojourney.analytics.improvements import ImprovementResult
    from cojourney.analytics.value_realization import ValueRealization
    from cojourney.domain import Workspace
    from cojourney.events.store import EventSource

__all__ = ["improvement_report", "target_report", "value_by_group", "value_report"]

from cojourney.services.handle import WorkspaceRef, as_handle

log = logging.getLogger(__name__)


def value_report(
    workspace: WorkspaceRef,
    *,
    start: date | None = None,
    end: date | None = None,
    source: str | Path | EventSource | None = None,
    journey_id: str | None = None,
    filters: JourneyFilter | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> ValueRealization:
    """Every indicator of the workspace per stakeholder, with status and trend.

    Parameters
    ----------
    workspace
        The workspace: its folder, or a :class:`~cojourney.services.handle.WorkspaceHandle`.
    start, end
        The window (local dates in the workspace's time zone, both included).
    source
        A Parquet file or folder, or an open event source; by default the workspace's
        event store.
    journey_id
        Only the indicators of this journey (their ``journey``); default: all.
    filters
        Only the journeys these filters keep (time window of their start, segments,
        case attributes; see :mod:`cojourney.analytics.journey_scope` for what that
        means for indicators fed by measurements).
    engine
        ``"duckdb"`` or ``"spark"``: where the analysis runs
        (:func:`cojourney.services.engine_choice.events_on`); by default the ``engine``
        setting (of the handle's settings).
    spark_master, spark_remote
        With ``engine="spark"``: a Spark master or Spark Connect URL (default: the
        settings, else local mode).

    Raises
    ------
    cojourney.errors.ValidationError
        The workspace does not load.
    cojourney.errors.NotFound
        No events imported yet (and no ``source``), or no such journey.
    """
    from cojourney.analytics.value_realization import realize_value

    model = _of_journey(as_handle(workspace).model(), journey_id, "indicators")
    settings = as_handle(workspace).settings
    engine = check_engine(engine, settings)
    events, owned = open_events(workspace, source)
    try:
        with kept_on(
            events,
            filters,
            model,
            engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
            settings=settings,
        ) as on:
            return realize_value(on, model, start=start, end=end)
    finally:
        if owned:
            events.close()


def value_by_group(
    workspace: WorkspaceRef,
    by: str,
    *,
    start: date | None = None,
    end: date | None = None,
    source: str | Path | EventSource | None = None,
    journey_id: str | None = None,
    filters: JourneyFilter | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> list[IndicatorGroupRow]:
    """Every indicator computed from journeys (events, survey answers, SLA clocks) per
    group of ``by`` (``segment`` or a case attribute): one row per group and indicator
    (see :func:`value_report` for the other parameters). Every group runs on the chosen
    engine (with Spark, in one session: the groups are views of the logs staged once)."""
    from cojourney.analytics.group_results import indicator_group_rows
    from cojourney.analytics.journey_scope import journey_groups
    from cojourney.analytics.value_realization import realize_value

    model = _of_journey(as_handle(workspace).model(), journey_id, "indicators")
    settings = as_handle(workspace).settings
    engine = check_engine(engine, settings)
    events, owned = open_events(workspace, source)
    rows: list[IndicatorGroupRow] = []
    try:
        with (
            kept_on(
                events,
                filters,
                model,
                engine,
                spark_master=spark_master,
                spark_remote=spark_remote,
                settings=settings,
            ) as on,
            journey_groups(on, by, model) as parts,
        ):
            for group, part in parts:
                realized = realize_value(part, model, start=start, end=end)
                rows += indicator_group_rows(by, group, realized)
    finally:
        if owned:
            events.close()
    return rows


def target_report(
    workspace: WorkspaceRef,
    agreement_id: str | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    source: str | Path | EventSource | None = None,
    filters: JourneyFilter | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> list[TargetSeries]:
    """The targets of one agreement (or all) per period: met or missed, baseline vs current.

    Raises
    ------
    cojourney.errors.NotFound
        No such agreement, or no events imported yet.
    """
    from cojourney.analytics.agreement_targets import evaluate_targets

    model = as_handle(workspace).model()
    settings = as_handle(workspace).settings
    engine = check_engine(engine, settings)
    events, owned = open_events(workspace, source)
    try:
        with kept_on(
            events,
            filters,
            model,
            engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
            settings=settings,
        ) as on:
            return evaluate_targets(on, model, agreement_id, start=start, end=end)
    finally:
        if owned:
            events.close()


def improvement_report(
    workspace: WorkspaceRef,
    *,
    improvement_id: str | None = None,
    source: str | Path | EventSource | None = None,
    journey_id: str | None = None,
    filters: JourneyFilter | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> list[ImprovementResult]:
    """The improvements of the register with their effects tested on the data; with
    ``journey_id``, only the improvements of that journey; with ``filters``, tested on
    the journeys they keep only (e.g. did the change help this segment).

    Raises
    ------
    cojourney.errors.NotFound
        No such improvement or journey, or no events imported yet.
    """
    from cojourney.analytics.improvements import evaluate_improvements

    model = _of_journey(as_handle(workspace).model(), journey_id, "improvements")
    settings = as_handle(workspace).settings
    engine = check_engine(engine, settings)
    events, owned = open_events(workspace, source)
    try:
        with kept_on(
            events,
            filters,
            model,
            engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
            settings=settings,
        ) as on:
            return evaluate_improvements(on, model, improvement_id=improvement_id)
    finally:
        if owned:
            events.close()


def _of_journey(workspace: Workspace, journey_id: str | None, collection: str) -> Workspace:
    """``workspace`` with only the ``collection`` items whose ``journey`` is ``journey_id``."""
    if journey_id is None:
        return workspace
    workspace.require("journeys", journey_id, hint="choose one as query.journey")
    kept = [item for item in getattr(workspace, collection) if item.journey == journey_id]
    return workspace.model_copy(update={collection: kept})
