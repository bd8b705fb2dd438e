"""Building the consumer report: the journey as the customer sees it, in one HTML file.

:func:`build_consumer_report` is what ``cojourney report WORKSPACE --audience consumer``
runs (through :func:`cojourney.services.report.build_report`). It draws the journey map
for consumers, reads what customers answered at the consumer touchpoints (when feedback
was imported) and hands both to :func:`cojourney.report.consumer.render_consumer_report`.
What a consumer may see is decided in one place,
:func:`cojourney.domain.visibility.consumer_view` (see ``docs/sharing.md``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cojourney.services.analysis import choose_journey, open_events
from cojourney.services.workspaces import open_workspace

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.domain import Workspace
    from cojourney.events.store import EventSource
    from cojourney.report.consumer import ConsumerFeedback
    from cojourney.services.report import ReportResult

__all__ = ["CONSUMER_STAGES", "build_consumer_report"]

log = logging.getLogger(__name__)

#: The stages :func:`build_consumer_report` reports progress for, in order.
CONSUMER_STAGES = ("feedback", "journey map", "page")


def build_consumer_report(
    workspace_path: str | Path,
    output: str | Path,
    *,
    journey_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    source: str | Path | EventSource | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> ReportResult:
    """Write the consumer report of one journey (see :mod:`cojourney.report.consumer`).

    Parameters are those of :func:`cojourney.services.report.build_report`; ``start`` and
    ``end`` (UTC) bound the survey answers read, ``source`` replaces the event store (a
    Parquet dataset holds no feedback, so the report then shows the design only).
    """
    from cojourney.render import render_journey_map
    from cojourney.report.consumer import render_consumer_report
    from cojourney.report.page import write_page
    from cojourney.services.report import ReportResult, _version

    started = time.perf_counter()
    workspace = open_workspace(workspace_path)
    journey = choose_journey(workspace, journey_id)
    timings: dict[str, float] = {}

    def stage(name: str) -> None:
        if on_progress is not None:
            on_progress(name, CONSUMER_STAGES.index(name), len(CONSUMER_STAGES))
        log.info("consumer report: %s", name)
        timings[name] = time.perf_counter()

    stage("feedback")
    feedback, reason = _feedback(workspace_path, workspace, journey.id, start, end, source)
    stage("journey map")
    svg = render_journey_map(
        workspace,
        journey.id,
        fmt="svg",
        overlay=feedback.overlay if feedback else None,
        audience="consumer",
    )
    stage("page")
    html = render_consumer_report(
        workspace,
        journey.id,
        svg,
        feedback=feedback,
        generator=f"cojourney {_version()}",
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    out = write_page(Path(output), html)
    if on_progress is not None:
        on_progress("done", len(CONSUMER_STAGES), len(CONSUMER_STAGES))
    now = time.perf_counter()
    marks = [*timings.values(), now]
    seconds = now - started
    log.info("wrote the consumer report of %s to %s in %.1fs", journey.id, out, seconds)
    has_feedback = bool(feedback and feedback.touchpoints)
    return ReportResult(
        output=out,
        journey_id=journey.id,
        sections={
            "journey-map": "ok",
            "steps": "ok",
            "feedback": "ok" if has_feedback else "no-data",
        },
        reasons={} if has_feedback else {"feedback": reason},
        size=out.stat().st_size,
        seconds=seconds,
        timings={name: marks[i + 1] - marks[i] for i, name in enumerate(timings)},
    )


def _feedback(
    path: str | Path,
    workspace: Workspace,
    journey_id: str,
    start: datetime | None,
    end: datetime | None,
    source: str | Path | EventSource | None,
) -> tuple[ConsumerFeedback | None, str]:
    """What customers answered at the consumer touchpoints, or why there is nothing."""
    from cojourney.domain.visibility import consumer_view
    from cojourney.errors import NotFound
    from cojourney.events.store import EventStore
    from cojourney.report.consumer import MIN_ANSWERS, consumer_feedback

    if source is None and not EventStore.path_for(path).is_file():
        return None, "no feedback imported yet (not shown to consumers)"
    events, owned = open_events(path, source)
    try:
        try:
            answers = events.count("feedback")
        except NotFound:
            answers = 0
        if not answers:
            return None, "no survey answers imported (not shown to consumers)"
        from cojourney.analytics.experience import analyze_experience

        analysis = analyze_experience(events, workspace, journey_id, start=start, end=end).to_dict()
    finally:
        if owned:
            events.close()
    feedback = consumer_feedback(consumer_view(workspace, journey_id).journey(), analysis)
    if not feedback.touchpoints:
        return feedback, (
            f"no consumer touchpoint has {MIN_ANSWERS} answers or more (not shown to consumers)"
        )
    return feedback, ""
