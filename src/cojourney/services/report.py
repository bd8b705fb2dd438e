"""Building the journey report: one self-contained HTML file for a steering group.

:func:`build_report` is what ``cojourney report WORKSPACE -o report.html`` runs. It
loads the workspace, opens its events (the event store, or a Parquet dataset), runs
the analyses, draws the journey and stakeholder maps and hands every result, as
plain data, to the report sections (:mod:`cojourney.report.sections`), which turn
it into HTML and charts; :func:`cojourney.report.page.render_report` puts them in
one page.

A section whose analysis has nothing to measure says so ("no events imported yet",
"no clocks declared"); one whose analysis is not part of this version, or failed,
shows a "not available" panel with the reason. No number is ever made up.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.domain.visibility import check_audience
from cojourney.errors import InputError, Location, Problem
from cojourney.files import atomic_write_text, check_writable
from cojourney.report.analyses import attempt, call, watermelons
from cojourney.services.analysis import choose_journey, open_events
from cojourney.services.engine_choice import check_engine, events_on
from cojourney.services.handle import WorkspaceRef, as_handle

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.domain import Journey, Workspace
    from cojourney.events.store import EventSource
    from cojourney.report.sections import Section

__all__ = ["ReportResult", "build_report", "report_stages"]

log = logging.getLogger(__name__)

#: How many variants the variant explorer lists.
REPORT_VARIANTS = 50

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` wrote.

    Attributes
    ----------
    output
        The HTML file.
    journey_id
        The journey reported on.
    sections
        Section id -> status (``ok``, ``no-data``, ``unavailable``), in page order.
    reasons
        Section id -> why it shows no data or is not available.
    size
        Bytes written.
    seconds
        Wall time of the whole build.
    timings
        Seconds per stage.
    """

    output: Path
    journey_id: str
    sections: dict[str, str]
    reasons: dict[str, str] = field(default_factory=dict)
    size: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


#: The analyses after the journey analysis: (progress stage, method of :class:`_Run`).
OPTIONAL = (
    ("experience", "experience_section"),
    ("agreements", "agreements_section"),
    ("relationships", "relationships_section"),
    ("value indicators", "value_section"),
    ("value leakage", "leakage_section"),
    ("improvements", "improvements_section"),
)


def report_stages() -> list[str]:
    """The stages :func:`build_report` reports progress for, in order."""
    return [
        "journey analysis",
        "time at touchpoints",
        *(o[0] for o in OPTIONAL),
        "journey map",
        "stakeholder map",
        "page",
    ]


def build_report(
    workspace: WorkspaceRef,
    output: str | Path,
    *,
    journey_id: str | None = None,
    start: datetime | date | None = None,
    end: datetime | date | None = None,
    engine: str | None = None,
    source: str | Path | EventSource | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
    on_progress: Progress | None = None,
    audience: str = "provider",
    filters: JourneyFilter | None = None,
) -> ReportResult:
    """Write the HTML journey report of a model.

    Parameters
    ----------
    workspace
        The workspace: its folder, or a :class:`~cojourney.services.handle.WorkspaceHandle`.
    output
        The HTML file to write, whole or not at all (its folder is created; an
        existing file is replaced only once the new one is complete).
    journey_id
        The journey; by default the workspace's default journey, else its first.
    start, end
        Only journeys that started in ``[start, end)``; a date is midnight UTC, a
        naive datetime is UTC.
    engine
        ``"duckdb"`` or ``"spark"`` (by default the ``engine`` setting): where every
        analysis of the report runs (the SQL-written ones through
        :func:`cojourney.services.engine_choice.events_on`).
    source
        A Parquet file or folder (or an open event source) to read instead of the
        workspace's event store.
    spark_master, spark_remote
        A Spark master URL or a Spark Connect URL with ``engine="spark"`` (by
        default the settings; see :mod:`cojourney.services.engine_choice`).
    on_progress
        Called with ``(stage, done, total)`` as the work moves on
        (:func:`report_stages`), and ``("done", total, total)`` at the end.
    audience
        ``"provider"`` (default): the whole report. ``"consumer"``: the consumer report
        (:mod:`cojourney.services.consumer_report`), only what the customer sees.
    filters
        Only the journeys these filters keep (segments, case attributes, personas,
        cohorts; :mod:`cojourney.analytics.journey_scope`), in every section of the
        provider report.

    Returns
    -------
    ReportResult
        Where the report went and what each section could show.

    Raises
    ------
    cojourney.errors.ValidationError
        The workspace does not load.
    cojourney.errors.NotFound
        No such journey, or no Parquet data at ``source``.
    cojourney.errors.InputError
        An empty time range or an unknown engine.
    cojourney.files.OutputError
        ``output`` cannot be written (checked before the analyses too).
    """
    from cojourney.report.page import (
        ReportPage,
        head_facts,
        head_notes,
        render_report,
    )
    from cojourney.report.sections import summary

    started = time.perf_counter()
    begin, finish = _instant(start, "start"), _instant(end, "end")
    if begin is not None and finish is not None and finish <= begin:
        raise InputError(
            Problem(
                "the time range is empty",
                Location(field="end"),
                found=f"{begin.isoformat()} .. {finish.isoformat()}",
                hint="the end must come after the start",
            )
        )
    from cojourney.services.engine_choice import check_spark_target, engine_name

    workspace = as_handle(workspace)  # one handle: the model is loaded and checked once
    engine = check_engine(engine_name(engine, workspace.settings))
    check_spark_target(engine, spark_master, spark_remote)
    if check_audience(audience) == "consumer":
        if filters is not None and filters.active:
            raise InputError(
                Problem(
                    "the consumer report shows every journey",
                    Location(field="audience"),
                    hint="filter the provider report, or leave the filters out",
                )
            )
        from cojourney.services.consumer_report import build_consumer_report

        return build_consumer_report(
            workspace,
            output,
            journey_id=journey_id,
            start=begin,
            end=finish,
            source=source,
            on_progress=on_progress,
            engine=engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
        )
    model = workspace.model()
    check_writable(output, create_folder=True)  # before minutes of analysis, not after
    run = _Run(
        workspace,
        model,
        choose_journey(model, journey_id),
        begin,
        finish,
        engine,
        (spark_master, spark_remote),
        filters,
    )
    stages = report_stages()
    timings: dict[str, float] = {}

    def stage(name: str, work: Callable[[], Any]) -> Any:
        if on_progress is not None:
            on_progress(name, stages.index(name), len(stages))
        log.info("report: %s", name)
        step = time.perf_counter()
        try:
            return work()
        finally:
            timings[name] = time.perf_counter() - step

    optional: list[Section] = []
    run.open(source)
    try:
        stage("journey analysis", run.analyse)
        stage("time at touchpoints", run.touchpoint_times)
        for name, method in OPTIONAL:
            optional.append(stage(name, getattr(run, method)))
    finally:
        run.close()
    journey_map = stage("journey map", run.journey_map)
    stakeholders = stage("stakeholder map", run.stakeholder_map)

    def page() -> Path:
        sections = [journey_map, *run.journey_sections(), *optional, stakeholders]
        ids = {m for section in sections for m in re.findall(r' id="([^"]+)"', section.html)}
        at = next(i for i, section in enumerate(sections) if section.id == "leakage")
        sections[at] = run.leakage_page_section(sections[at], ids)
        sections.insert(0, summary.build(sections, run.analysis))
        run.sections = sections
        html = render_report(
            ReportPage(
                title=run.journey.name,
                kicker=f"{model.workspace.name} · journey report",
                sections=sections,
                facts=head_facts(run.facts, run.analysis),
                notes=head_notes(
                    run.start,
                    run.end,
                    run.whole.label if run.whole else None,
                    run.engine,
                    run.kept_text(),
                ),
                generator=f"cojourney {_version()}",
                generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            )
        )
        atomic_write_text(output, html, create_folder=True)
        return Path(output)

    out = stage("page", page)
    if on_progress is not None:
        on_progress("done", len(stages), len(stages))
    seconds = time.perf_counter() - started
    log.info(
        "wrote the journey report of %s to %s in %.1fs (%s)",
        run.journey.id,
        out,
        seconds,
        ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()),
    )
    return ReportResult(
        output=out,
        journey_id=run.journey.id,
        sections={s.id: s.status.value for s in run.sections},
        reasons={s.id: s.reason for s in run.sections if s.reason},
        size=out.stat().st_size,
        seconds=seconds,
        timings=timings,
    )


class _Run:
    """The state of one report build: workspace, journey, events and the results so far."""

    def __init__(
        self,
        path: WorkspaceRef,
        workspace: Workspace,
        journey: Journey,
        start: datetime | None,
        end: datetime | None,
        engine: str,
        spark: tuple[str | None, str | None],
        filters: JourneyFilter | None = None,
    ) -> None:
        from cojourney.report.design import journey_facts, workspace_facts

        self.path, self.workspace, self.journey = path, workspace, journey
        self.facts = journey_facts(journey)
        self.declared = workspace_facts(workspace)
        self.start, self.end, self.engine = start, end, engine
        self.spark_master, self.spark_remote = spark
        self.events: EventSource | None = None
        #: What the SQL-written analyses read: ``events``, or its Spark twin.
        self.on_engine: EventSource | None = None
        self.owned = False
        self.filters = filters
        self.whole: EventSource | None = None  # every journey's events
        self.scope = ExitStack()  # the events of the kept journeys only
        self.analysis: dict[str, Any] | None = None
        self.times: dict[str, float] = {}
        self.emotion: dict[str, Any] | None = None
        self.sections: list[Section] = []
        self.counts: dict[str, int] = {}
        self.analysis_result: Any = None  # the JourneyAnalysis itself, for the leakage analysis
        self.clocks: list[Any] | None = None  # ClockResult objects
        self.leakage: dict[str, Any] | None = None
        self.experience: dict[str, Any] | None = None
        self.waits: list[Any] = []  # Wait objects, for the map's waits beyond design
        self.waits_measured = False
        #: The agreements section's targets and clocks (plain data) and why not, if not.
        self.agreement_results: tuple[Any, Any, str | None] = (None, None, None)

    # -- events
    def open(self, source: str | Path | EventSource | None) -> None:

        if source is None and not as_handle(self.path).events_path.is_file():
            return  # nothing imported yet: every section says so
        from cojourney.analytics.journey_scope import scoped

        self.events, self.owned = open_events(self.path, source)
        # DuckDB's own progress bar would write over the command's progress bar
        self.events.connection.execute("SET enable_progress_bar = false")
        self.whole = self.events
        if self.owned and self.engine == "duckdb":
            from cojourney.services.report_events import held_once

            self.events = held_once(self.events)  # read the Parquet files once
        self.events = self.scope.enter_context(scoped(self.events, self.filters, self.workspace))
        self.on_engine = self.scope.enter_context(
            events_on(
                self.events,
                self.engine,
                spark_master=self.spark_master,
                spark_remote=self.spark_remote,
            )
        )

    def close(self) -> None:
        self.scope.close()
        self.on_engine = None
        if self.whole is not None and self.owned:
            self.whole.close()

    def kept_text(self) -> str | None:
        """The journey filters in words (``None``: every journey)."""
        from cojourney.analytics.journey_scope import describe

        return describe(self.filters) if self.filters and self.filters.active else None

    def has_events(self) -> bool:
        return self.count("events") > 0

    # -- analyses
    def analyse(self) -> None:
        from cojourney.analytics.filters import JourneyFilter
        from cojourney.services.analysis import analyze_workspace

        if not self.has_events():
            return
        result = analyze_workspace(
            self.path,
            journey_id=self.journey.id,
            engine=self.engine,
            source=self.events,
            filters=JourneyFilter(start=self.start, end=self.end),
            breakdown_by=(),
            top_variants=REPORT_VARIANTS,
            spark_master=self.spark_master,
            spark_remote=self.spark_remote,
        )
        if result.counts.journeys:
            self.analysis_result, self.analysis = result, result.to_dict()

    def touchpoint_times(self) -> None:
        from cojourney.analytics.engines.for_source import source_engine
        from cojourney.analytics.leakage_sources import waiting_times
        from cojourney.report.overlay import touchpoint_times

        if self.analysis is None or self.on_engine is None:
            return
        with source_engine(self.on_engine) as (engine, events):
            self.times = touchpoint_times(events, engine, start=self.start, end=self.end)
        # as the leakage section counts them (it reads these)
        self.waits = waiting_times(self.on_engine, self.journey)
        self.waits_measured = True

    def has_data(self) -> bool:
        """Whether any event or survey answer was imported."""
        return self.events is not None and (self.count("events") > 0 or self.count("feedback") > 0)

    def count(self, kind: str) -> int:
        """Rows of ``kind`` (0 without a source; a Parquet dataset holds events only)."""
        from cojourney.errors import NotFound

        if self.events is None:
            return 0
        if kind not in self.counts:
            try:
                self.counts[kind] = self.events.count(kind)
            except NotFound:
                self.counts[kind] = 0
        return self.counts[kind]

    def empty(self) -> tuple[str, str]:
        """What the journey sections say when there is no journey to analyse."""
        if self.has_events():
            return (
                "No journey started in the chosen period",
                "Choose another period, or leave it out to report on every "
                "journey in the event log.",
            )
        return (
            "No events imported yet",
            "Import an event log (cojourney import WORKSPACE FILE) to see how customers "
            "actually travel the journey.",
        )

    def dates(self) -> tuple[date | None, date | None]:
        """The window as dates, both included (for the analyses that take local dates)."""
        last = (self.end - timedelta(microseconds=1)).date() if self.end else None
        return (self.start.date() if self.start else None), last

    def guarded(self, section_id: str, what: str, build: Callable[[], Section]) -> Section:
        """``build()``, or an honest "not available" section (see :func:`cojourney.report.analyses.attempt`)."""
        from cojourney.report.sections import unavailable

        section, why = attempt(what, build)
        return section if why is None else unavailable(section_id, why)

    def experience_section(self) -> Section:
        from cojourney.report.sections import experience

        def build() -> Section:
            if not self.count("feedback"):
                return experience.build(None, self.facts)
            result = call("cojourney.analytics.experience", "analyze_experience")(
                self.on_engine, self.workspace, self.journey.id, start=self.start, end=self.end
            ).to_dict()
            if result["answers"]:
                self.emotion = experience.emotion_overlay(result)
                self.experience = result
            return experience.build(result, self.facts)

        return self.guarded("experience", "The experience analysis", build)

    def agreements_section(self) -> Section:
        from cojourney.report.sections import agreements

        declared = self.declared["agreements"]
        clocks = targets = warnings = None
        clock_note = target_note = watermelon_note = None
        if self.has_data() and declared:
            self.clocks, clock_note = attempt(
                "SLA clock evaluation",
                lambda: call("cojourney.analytics.sla", "evaluate_clocks")(
                    self.on_engine, self.workspace, start=self.start, end=self.end
                ),
            )
            first, last = self.dates()
            series, target_note = attempt(
                "Target evaluation",
                lambda: call("cojourney.analytics.agreement_targets", "evaluate_targets")(
                    self.on_engine, self.workspace, start=first, end=last
                ),
            )
            clocks = [c.to_dict() for c in self.clocks] if self.clocks is not None else None
            judged = series
            if series is not None and self.clocks is not None:
                judged = call("cojourney.analytics.agreement_targets", "judge_by_clocks")(
                    series, self.clocks, self.workspace
                )
            targets = [t.to_dict() for t in judged] if judged is not None else None
            self.agreement_results = (targets, clocks, target_note or clock_note)
            if self.clocks is not None and series is not None:
                found, watermelon_note = attempt(
                    "The watermelon check",
                    lambda: watermelons(self.workspace, self.clocks or [], series),
                )
                warnings = [w.to_dict() for w in found] if found is not None else None
            else:
                watermelon_note = "The watermelon check needs the clocks and the targets."
        return agreements.build(
            clocks,
            targets,
            declared,
            has_events=self.has_data(),
            watermelons=warnings,
            watermelon_note=watermelon_note,
            clock_note=clock_note,
            target_note=target_note,
        )

    def relationships_section(self) -> Section:
        from cojourney.report.sections import relationships

        targets, clocks, note = self.agreement_results
        return self.guarded(
            "relationships",
            "The relationships summary",
            lambda: relationships.build(
                relationships.declared(self.workspace),
                targets,
                clocks,
                has_events=self.has_data(),
                note=note,
            ),
        )

    def value_section(self) -> Section:
        from cojourney.report.sections import value

        indicators = self.declared["indicators"]

        def build() -> Section:
            result = None
            if indicators and self.has_data():
                first, last = self.dates()
                result = call("cojourney.analytics.value_realization", "realize_value")(
                    self.on_engine, self.workspace, start=first, end=last, evaluated=self.clocks
                ).to_dict()
            return value.build(result, indicators, has_events=self.has_data())

        return self.guarded("value", "Value realisation", build)

    def leakage_section(self) -> Section:
        """Runs the leakage analysis; its section is built with the page, once the ids of
        the evidence it links to are known (:meth:`leakage_page_section`)."""
        from cojourney.report.sections import Section, Status

        if self.analysis is None:
            return Section("leakage", "", "", status=Status.NO_DATA)

        def build() -> Section:
            self.leakage = call("cojourney.analytics.leakage", "leakage_report")(
                self.on_engine,
                self.workspace,
                self.journey.id,
                clocks=self.clocks or [],
                analysis=self.analysis_result,
                waits=self.waits if self.waits_measured else None,
            ).to_dict()
            return Section("leakage", "", "")

        return self.guarded("leakage", "The value leakage analysis", build)

    def leakage_page_section(self, placeholder: Section, ids: set[str]) -> Section:
        from cojourney.report.sections import Status, leakage

        if placeholder.status is Status.UNAVAILABLE:
            return placeholder
        return leakage.build(self.leakage, ids, empty=self.empty())

    def improvements_section(self) -> Section:
        from cojourney.report.sections import improvements

        declared = self.declared["improvements"]

        def build() -> Section:
            results = None
            if declared and self.has_data():
                results = [
                    r.to_dict()
                    for r in call("cojourney.analytics.improvements", "evaluate_improvements")(
                        self.on_engine, self.workspace
                    )
                ]
            return improvements.build(results, declared, has_events=self.has_data())

        return self.guarded("improvements", "The improvement evaluation", build)

    # -- pictures and sections
    def journey_map(self) -> Section:
        from cojourney.render import render
        from cojourney.report.overlay import journey_overlay
        from cojourney.report.overlay_marks import add_marks
        from cojourney.report.sections import maps

        overlay = None
        reason = None
        if self.analysis is None:
            what, todo = self.empty()
            reason = f"{what}, so nothing measured is drawn. {todo}"
        else:
            overlay = add_marks(
                journey_overlay(self.analysis, self.facts, times=self.times, emotion=self.emotion),
                self.workspace,
                self.journey,
                analysis=self.analysis,
                experience=self.experience,
                clocks=[c.to_dict(breaches=0) for c in self.clocks or []],
                waits=self.waits,
                leakage=self.leakage,
            )
            if not (self.emotion and (self.emotion["touchpoints"] or self.emotion["steps"])):
                reason = (
                    "The measured emotion is not drawn: no emotion answers in the feedback "
                    "(see the experience section)."
                )
        svg = render(self.workspace, "journey", "svg", self.journey.id, overlay=overlay)
        return maps.journey_map(svg, overlay, reason=reason)

    def stakeholder_map(self) -> Section:
        from cojourney.render import render
        from cojourney.report.sections import maps

        count = len(self.workspace.stakeholders)
        svg = render(self.workspace, "stakeholders", "svg") if count else None
        return maps.stakeholder_map(svg, count)

    def journey_sections(self) -> list[Section]:
        from cojourney.report.sections import funnel, graph, variants

        empty = self.empty()
        return [
            graph.build(self.analysis, self.facts, empty=empty),
            variants.build(self.analysis, self.facts, empty=empty),
            funnel.build(self.analysis, self.facts, empty=empty),
        ]


def _instant(value: datetime | date | None, name: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise InputError(
        Problem(
            f"the {name} is not a date",
            Location(field=name),
            found=repr(value),
            expected="a date or a datetime",
        )
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cojourney")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"
