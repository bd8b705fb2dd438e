"""Agreements and value leakage of a workspace: what ``cojourney agreements`` and
``cojourney leakage`` run.

:func:`agreements_report` evaluates the SLA clocks
(:func:`cojourney.analytics.sla.evaluate_clocks`), the agreement targets
(:func:`cojourney.analytics.agreement_targets.evaluate_targets`) and the watermelon
warnings (:mod:`cojourney.analytics.watermelon`) on the workspace's events;
:func:`leakage` ranks where value leaks (:mod:`cojourney.analytics.leakage`). Both open
the workspace and its events (the event store, or a Parquet dataset) and close them again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.services.analysis import choose_journey, open_events
from cojourney.services.engine_choice import check_engine, kept_on

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.agreement_targets import TargetSeries
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.analytics.group_results import ClockGroupRow
    from cojourney.analytics.journey_scope import JourneyGroup
    from cojourney.analytics.leakage import LeakageReport
    from cojourney.analytics.sla_results import ClockResult
    from cojourney.analytics.watermelon import WatermelonWarning
    from cojourney.domain import Workspace
    from cojourney.events.store import EventSource

__all__ = ["AgreementsReport", "agreements_report", "leakage", "leakage_by_group"]

from cojourney.services.handle import WorkspaceRef, as_handle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgreementsReport:
    """Clocks, targets and watermelon warnings of a workspace's agreements.

    Attributes
    ----------
    workspace_id, source
        The workspace, and where its events came from.
    agreement_id
        The one agreement reported on (``None``: all).
    as_of
        The instant the running clocks were read at (``None`` when there is no clock).
    relationships
        The service relationship of each agreement that has one.
    clocks, targets, watermelons
        The results (see :mod:`cojourney.analytics.sla`,
        :mod:`cojourney.analytics.agreement_targets`, :mod:`cojourney.analytics.watermelon`).
    filters
        The journey filters in force (``JourneyFilter.to_dict()``; empty: every journey).
    by, groups
        The breakdown dimension, and every clock's compliance per group of it
        (:class:`~cojourney.analytics.group_results.ClockGroupRow`; none without one).
    """

    workspace_id: str
    source: str
    agreement_id: str | None
    as_of: datetime | None
    clocks: tuple[ClockResult, ...]
    targets: tuple[TargetSeries, ...]
    watermelons: tuple[WatermelonWarning, ...]
    #: Per agreement id, its service relationship: ``{"id", "name", "type"}``
    #: (:func:`cojourney.domain.relationships.relationship_summary`).
    relationships: dict[str, dict[str, str]] = field(default_factory=dict)
    filters: dict[str, Any] = field(default_factory=dict)
    by: str | None = None
    groups: tuple[ClockGroupRow, ...] = ()

    def relationship_type(self, agreement_id: str) -> str | None:
        """The type of the agreement's relationship (``None``: it names none)."""
        rel = self.relationships.get(agreement_id)
        return rel["type"] if rel else None

    def to_dict(self, *, breaches: int | None = None) -> dict[str, Any]:
        """JSON-ready data (``breaches``: how many breaches per clock; all by default)."""
        return {
            "workspace": self.workspace_id,
            "source": self.source,
            "agreement": self.agreement_id,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "clocks": [c.to_dict(breaches=breaches) for c in self.clocks],
            "targets": [t.to_dict() for t in self.targets],
            "watermelons": [w.to_dict() for w in self.watermelons],
            "relationships": self.relationships,
            "filters": self.filters,
            "by": self.by,
            "groups": [g.to_dict() for g in self.groups],
        }


def agreements_report(
    workspace: WorkspaceRef,
    *,
    agreement_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | date | None = None,
    source: str | Path | EventSource | None = None,
    filters: JourneyFilter | None = None,
    by: str | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> AgreementsReport:
    """Evaluate a workspace's agreements on its events.

    Parameters
    ----------
    workspace
        The workspace: its folder, or a :class:`~cojourney.services.handle.WorkspaceHandle`.
    agreement_id
        Report on this agreement only (watermelon warnings that involve it are kept;
        every agreement is read to find them).
    start, end
        Only journeys (clocks) and periods (targets) from ``start`` to ``end``, local
        dates of the workspace's time zone, both included.
    as_of
        Read running clocks at this instant (default: the data's end); a date means the
        end of that day, a naive datetime is in the workspace's time zone.
    source
        A Parquet file or folder to read instead of the workspace's event store, or an
        open event source.
    filters
        Only the journeys these filters keep (time window of their start, segments,
        case attributes): clocks, targets and watermelons are computed on them.
    by
        Break every clock's compliance down by ``segment`` or a case attribute
        (:func:`cojourney.analytics.journey_scope.journey_groups`); the groups are
        views on the same engine, so every group's clocks run there too.
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
        No such agreement, or no events imported yet.
    """
    from cojourney.analytics.agreement_targets import evaluate_targets, judge_by_clocks
    from cojourney.analytics.group_results import clock_group_rows
    from cojourney.analytics.journey_scope import journey_groups
    from cojourney.analytics.sla import evaluate_clocks
    from cojourney.analytics.watermelon import clock_evidence, find_watermelons, target_evidence
    from cojourney.domain.relationships import relationship_summary

    handle = as_handle(workspace)
    model = handle.model()
    if agreement_id is not None:
        model.require("agreements", agreement_id, hint="choose one as query.agreement")
    engine = check_engine(engine, handle.settings)
    events, owned = open_events(workspace, source)
    groups: list[ClockGroupRow] = []
    try:
        with kept_on(
            events,
            filters,
            model,
            engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
            settings=handle.settings,
        ) as on:
            clocks = evaluate_clocks(on, model, as_of=as_of, start=start, end=end)
            measured = evaluate_targets(on, model, start=start, end=end)
            evidence = clock_evidence(clocks) + target_evidence(measured, model)
            targets = judge_by_clocks(measured, clocks, model)
            warnings = find_watermelons(model, evidence)
            if by is not None:
                with journey_groups(on, by, model) as parts:
                    for group, part in parts:
                        per_group = evaluate_clocks(
                            part,
                            model,
                            agreement_id=agreement_id,
                            as_of=as_of,
                            start=start,
                            end=end,
                        )
                        groups += clock_group_rows(by, group, per_group)
        label = events.label
    finally:
        if owned:
            events.close()
    if agreement_id is not None:
        clocks = [c for c in clocks if c.agreement_id == agreement_id]
        targets = [t for t in targets if t.agreement_id == agreement_id]
        warnings = [w for w in warnings if agreement_id in (w.sla_id, w.xla_id)]
    log.info(
        "agreements of %s: %d clocks, %d target series, %d watermelon warnings",
        workspace,
        len(clocks),
        len(targets),
        len(warnings),
    )
    return AgreementsReport(
        model.workspace.id,
        label,
        agreement_id,
        clocks[0].as_of if clocks else None,
        tuple(clocks),
        tuple(targets),
        tuple(warnings),
        relationships=relationship_summary(model),
        filters=filters.to_dict() if filters is not None else {},
        by=by,
        groups=tuple(groups),
    )


def leakage(
    workspace: WorkspaceRef,
    *,
    journey_id: str | None = None,
    as_of: datetime | date | None = None,
    source: str | Path | EventSource | None = None,
    filters: JourneyFilter | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> LeakageReport:
    """Rank where value leaks along one of the workspace's journeys.

    Parameters
    ----------
    workspace
        The workspace: its folder, or a :class:`~cojourney.services.handle.WorkspaceHandle`.
    journey_id
        The journey (default: the workspace's default journey, else its first).
    as_of
        Read running SLA clocks at this instant (default: the data's end).
    source
        A Parquet file or folder to read instead of the event store, or an open source.
    filters
        Only the journeys these filters keep (time window of their start, segments,
        case attributes).
    engine
        ``"duckdb"`` or ``"spark"``: where the analysis runs
        (:func:`cojourney.services.engine_choice.events_on`); by default the ``engine``
        setting (of the handle's settings).
    spark_master, spark_remote
        With ``engine="spark"``: a Spark master or Spark Connect URL (default: the
        settings, else local mode).

    Raises
    ------
    cojourney.errors.NotFound
        No such journey, or no events imported yet.
    """

    handle = as_handle(workspace)
    model = handle.model()
    journey = choose_journey(model, journey_id)
    engine = check_engine(engine, handle.settings)
    events, owned = open_events(workspace, source)
    try:
        with kept_on(
            events,
            filters,
            model,
            engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
            settings=handle.settings,
        ) as on:
            return _leakage_of(on, model, journey.id, as_of)
    finally:
        if owned:
            events.close()


def leakage_by_group(
    workspace: WorkspaceRef,
    by: str,
    *,
    journey_id: str | None = None,
    as_of: datetime | date | None = None,
    source: str | Path | EventSource | None = None,
    filters: JourneyFilter | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> list[tuple[JourneyGroup, LeakageReport]]:
    """The leaks of every group of ``by`` (``segment`` or a case attribute), each ranked
    among its own journeys (see :func:`leakage` for the other parameters). Every group
    runs on the chosen engine (with Spark, in one session: the groups are views of the
    events staged once)."""
    from cojourney.analytics.journey_scope import journey_groups

    handle = as_handle(workspace)
    model = handle.model()
    journey = choose_journey(model, journey_id)
    engine = check_engine(engine, handle.settings)
    events, owned = open_events(workspace, source)
    try:
        with (
            kept_on(
                events,
                filters,
                model,
                engine,
                spark_master=spark_master,
                spark_remote=spark_remote,
                settings=handle.settings,
            ) as on,
            journey_groups(on, by, model) as parts,
        ):
            return [(group, _leakage_of(part, model, journey.id, as_of)) for group, part in parts]
    finally:
        if owned:
            events.close()


def _leakage_of(
    events: EventSource, model: Workspace, journey_id: str, as_of: datetime | date | None
) -> LeakageReport:
    from cojourney.analytics.leakage import leakage_report
    from cojourney.analytics.sla import evaluate_clocks

    clocks = evaluate_clocks(events, model, as_of=as_of)
    return leakage_report(events, model, journey_id, clocks=clocks)
