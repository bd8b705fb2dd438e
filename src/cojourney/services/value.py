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
from cojourney.services.engine_choice import check_engine, events_on

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.agreement_targets import TargetSeries
    from cojourney.analytics.improvements import ImprovementResult
    from cojourney.analytics.value_realization import ValueRealization
    from cojourney.domain import Workspace
    from cojourney.events.store import EventSource

__all__ = ["improvement_report", "target_report", "value_report"]

from cojourney.services.handle import WorkspaceRef, as_handle

log = logging.getLogger(__name__)


def value_report(
    workspace: WorkspaceRef,
    *,
    start: date | None = None,
    end: date | None = None,
    source: str | Path | EventSource | None = None,
    journey_id: str | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
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
    engine
        ``"duckdb"`` (default) or ``"spark"``: where the analysis runs
        (:func:`cojourney.services.engine_choice.events_on`).
    spark_master
        Spark master URL with ``engine="spark"`` (``local[2]`` by default).

    Raises
    ------
    cojourney.errors.ValidationError
        The workspace does not load.
    cojourney.errors.NotFound
        No events imported yet (and no ``source``), or no such journey.
    """
    from cojourney.analytics.value_realization import realize_value

    model = _of_journey(as_handle(workspace).model(), journey_id, "indicators")
    check_engine(engine)
    events, owned = open_events(workspace, source)
    try:
        with events_on(events, engine, spark_master=spark_master) as on:
            return realize_value(on, model, start=start, end=end)
    finally:
        if owned:
            events.close()


def target_report(
    workspace: WorkspaceRef,
    agreement_id: str | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    source: str | Path | EventSource | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
) -> list[TargetSeries]:
    """The targets of one agreement (or all) per period: met or missed, baseline vs current.

    Raises
    ------
    cojourney.errors.NotFound
        No such agreement, or no events imported yet.
    """
    from cojourney.analytics.agreement_targets import evaluate_targets

    model = as_handle(workspace).model()
    check_engine(engine)
    events, owned = open_events(workspace, source)
    try:
        with events_on(events, engine, spark_master=spark_master) as on:
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
    engine: str = "duckdb",
    spark_master: str | None = None,
) -> list[ImprovementResult]:
    """The improvements of the register with their effects tested on the data; with
    ``journey_id``, only the improvements of that journey.

    Raises
    ------
    cojourney.errors.NotFound
        No such improvement or journey, or no events imported yet.
    """
    from cojourney.analytics.improvements import evaluate_improvements

    model = _of_journey(as_handle(workspace).model(), journey_id, "improvements")
    check_engine(engine)
    events, owned = open_events(workspace, source)
    try:
        with events_on(events, engine, spark_master=spark_master) as on:
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
