"""Drawing a workspace: journey maps, stakeholder maps, blueprints."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.domain.visibility import AUDIENCES, check_audience
from cojourney.errors import InputError, NotFound, Problem
from cojourney.files import atomic_write_text
from cojourney.services.handle import WorkspaceRef, as_handle

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter

log = logging.getLogger(__name__)

KINDS = ("journey", "stakeholders", "blueprint")
FORMATS = ("html", "svg", "mermaid")
__all__ = ["AUDIENCES", "FORMATS", "KINDS", "draw_map", "measured_overlay"]


def draw_map(
    workspace: WorkspaceRef,
    output: str | Path,
    *,
    kind: str = "journey",
    fmt: str | None = None,
    journey_id: str | None = None,
    audience: str = "provider",
    measured: bool = False,
    journey_filter: JourneyFilter | None = None,
) -> Path:
    """Render one picture of the workspace ``workspace`` into ``output``.

    The format defaults to the output file's suffix (.html, .svg, .mmd/.mermaid).
    ``audience="consumer"`` draws only what the consumer sees of the journey (the band
    of visibility, see ``docs/sharing.md``); only the journey map is drawn for consumers.
    The file is written whole or not at all; its folder is created when missing.
    ``measured=True`` draws the measured overlay on the journey map
    (:func:`measured_overlay`), of the journeys ``journey_filter`` keeps (all by default).

    Raises
    ------
    cojourney.errors.ValidationError
        The workspace does not load.
    cojourney.errors.NotFound
        No such journey.
    cojourney.files.OutputError
        The file cannot be written (the message names it and says why).
    """
    check_audience(audience)
    out = Path(output)
    if fmt is None:
        fmt = {".svg": "svg", ".mmd": "mermaid", ".mermaid": "mermaid", ".md": "mermaid"}.get(
            out.suffix.lower(), "html"
        )
    model = as_handle(workspace).model()
    if journey_id is not None and journey_id not in {j.id for j in model.journeys}:
        raise NotFound(
            f"no journey {journey_id!r} in {workspace}; the journeys are: "
            f"{', '.join(j.id for j in model.journeys)}"
        )
    if kind != "stakeholders" and not model.journeys:
        raise InputError(
            Problem(
                f"the workspace has no journey to draw as a {kind} map",
                hint="add a journey under journeys/ (see 'cojourney init')",
            )
        )
    from cojourney.render import render  # drawing code is loaded only when drawing

    overlay = None
    if measured:
        if kind != "journey":
            raise InputError(
                Problem(
                    f"the measured overlay is drawn on the journey map, not on the {kind} map",
                    found=f"kind {kind} with measured",
                    expected="kind journey",
                )
            )
        overlay = measured_overlay(workspace, journey_id, journey_filter=journey_filter)
    elif journey_filter is not None and journey_filter.active:
        raise InputError(
            Problem(
                "only the measured map is filtered: the designed map shows no journeys",
                found=f"a filter ({_describe(journey_filter)}) without measured",
                expected="measured, or no filter",
            )
        )
    text = render(model, kind, fmt, journey_id, audience=audience, overlay=overlay)
    atomic_write_text(out, text, create_folder=True)
    log.info("wrote %s map (%s, for the %s) to %s", kind, fmt, audience, out)
    return out


def measured_overlay(
    workspace: WorkspaceRef,
    journey_id: str | None = None,
    *,
    journey_filter: JourneyFilter | None = None,
) -> dict[str, Any]:
    """The measured overlay of a journey map, from the workspace's events.

    What the report's journey map draws (:func:`cojourney.report.overlay.journey_overlay`):
    journeys per touchpoint, reached and left per step (drop-off), the median time at
    each touchpoint and in each step, and the measured emotion per touchpoint and step
    (when survey answers were imported); completed by
    :func:`cojourney.report.overlay_marks.add_marks` with what the design is measured
    against: waits beyond the designed durations, satisfaction with its 95% interval and
    n, the status of the SLA clocks covering each step and touchpoint, the designed and
    measured moments of truth and the worst leaks. The numbers are those of the
    experience, agreements and leakage services on the same events (``as_of``: the data's
    end).

    ``journey_filter`` (time window of the journeys' start, segments, case attributes,
    personas by the workspace's rules, cohorts) keeps whole journeys: every analysis
    composed here runs on the kept journeys only
    (:func:`cojourney.analytics.journey_scope.scoped`), so every mark describes them; the
    overlay's ``filters`` says which (``JourneyFilter.to_dict()``, empty for all) and its
    ``journeys`` how many journeys it describes.

    Raises
    ------
    cojourney.errors.NotFound
        No events imported yet, or no such journey.
    cojourney.errors.InputError
        The filter asks for a variant (the map is of all variants of the journey).
    """
    from cojourney.analytics.engines.for_source import source_engine
    from cojourney.analytics.leakage import leakage_report
    from cojourney.analytics.leakage_sources import waiting_times
    from cojourney.analytics.sla import evaluate_clocks
    from cojourney.report.design import journey_facts
    from cojourney.report.overlay import journey_overlay, touchpoint_times
    from cojourney.report.overlay_marks import add_marks
    from cojourney.report.sections.experience import emotion_overlay
    from cojourney.services.analysis import analyze_workspace, choose_journey
    from cojourney.services.engine_choice import check_engine, kept_on
    from cojourney.services.experience import experience_report

    handle = as_handle(workspace)
    if not handle.has_events():
        raise NotFound(
            f"{workspace}: no events imported yet, so there is nothing measured to draw. "
            "Import an event log first, or draw the designed map alone."
        )
    model = handle.model()
    journey = choose_journey(model, journey_id)
    engine = check_engine(None, handle.settings)
    with (
        handle.open_events() as whole,
        kept_on(whole, journey_filter, model, engine, settings=handle.settings) as events,
        source_engine(events) as (running, table),
    ):
        times = touchpoint_times(table, running)
        analysis = analyze_workspace(
            handle,
            journey_id=journey.id,
            engine=running,
            source=events,
            breakdown_by=(),
            top_variants=1,
        )
        emotion = None
        experience = None
        try:
            answers = events.count("feedback")
        except NotFound:  # no survey answers imported
            answers = 0
        if answers:
            experience = experience_report(
                handle, journey_id=journey.id, source=events, engine=engine
            ).to_dict()
            if experience["answers"]:
                emotion = emotion_overlay(experience)
        clocks = evaluate_clocks(events, model)
        waits = waiting_times(events, journey)
        leaks = leakage_report(events, model, journey.id, clocks=clocks, analysis=analysis)
    overlay = journey_overlay(
        analysis.to_dict(), journey_facts(journey), times=times, emotion=emotion
    )
    overlay["journeys"] = analysis.counts.journeys
    overlay["filters"] = (
        journey_filter.to_dict() if journey_filter is not None and journey_filter.active else {}
    )
    return add_marks(
        overlay,
        model,
        journey,
        analysis=analysis.to_dict(),
        experience=experience,
        clocks=[c.to_dict(breaches=0) for c in clocks],
        waits=waits,
        leakage=leaks.to_dict(),
    )


def _describe(journey_filter: JourneyFilter) -> str:
    from cojourney.analytics.journey_scope import describe

    return describe(journey_filter)
