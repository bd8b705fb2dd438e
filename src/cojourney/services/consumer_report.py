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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cojourney.services.analysis import choose_journey, open_events

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.domain import Workspace
    from cojourney.events.store import EventSource
    from cojourney.report.consumer import ConsumerFeedback
    from cojourney.services.report import ReportResult

__all__ = ["CONSUMER_STAGES", "ConsumerPage", "build_consumer_report", "consumer_page"]

from cojourney.services.handle import WorkspaceRef, as_handle

log = logging.getLogger(__name__)

#: The stages :func:`build_consumer_report` reports progress for, in order.
CONSUMER_STAGES = ("feedback", "journey map", "page")


@dataclass(frozen=True)
class ConsumerPage:
    """The consumer report as a string (for a web page) and what it could show.

    Attributes
    ----------
    html
        The whole HTML document.
    journey_id
        The journey shown.
    feedback_reason
        Why no customers' answers are shown ("" when they are).
    """

    html: str
    journey_id: str
    feedback_reason: str = ""


def consumer_page(
    workspace: WorkspaceRef,
    *,
    journey_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    source: str | Path | EventSource | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> ConsumerPage:
    """The consumer report of one journey as HTML, written nowhere (a share link can
    serve it as it is). Parameters as :func:`build_consumer_report`; the experience
    analysis runs on ``engine`` (default: the ``engine`` setting of the handle's
    settings; see :func:`cojourney.services.engine_choice.events_on`)."""
    from cojourney.render import render_journey_map
    from cojourney.report.consumer import render_consumer_report
    from cojourney.services.report import _version

    model = as_handle(workspace).model()
    journey = choose_journey(model, journey_id)

    def stage(name: str) -> None:
        if on_progress is not None:
            on_progress(name, CONSUMER_STAGES.index(name), len(CONSUMER_STAGES))
        log.info("consumer report: %s", name)

    stage("feedback")
    feedback, reason = _feedback(
        workspace,
        model,
        journey.id,
        start,
        end,
        source,
        {"engine": engine, "spark_master": spark_master, "spark_remote": spark_remote},
    )
    stage("journey map")
    svg = render_journey_map(
        model,
        journey.id,
        fmt="svg",
        overlay=feedback.overlay if feedback else None,
        audience="consumer",
    )
    stage("page")
    html = render_consumer_report(
        model,
        journey.id,
        svg,
        feedback=feedback,
        generator=f"cojourney {_version()}",
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    return ConsumerPage(html, journey.id, reason)


def build_consumer_report(
    workspace: WorkspaceRef,
    output: str | Path,
    *,
    journey_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    source: str | Path | EventSource | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> ReportResult:
    """Write the consumer report of one journey (see :mod:`cojourney.report.consumer`).

    Parameters are those of :func:`cojourney.services.report.build_report`; ``start`` and
    ``end`` (UTC) bound the survey answers read, ``source`` replaces the event store (a
    Parquet dataset holds no feedback, so the report then shows the design only).
    """
    from cojourney.report.page import write_page
    from cojourney.services.report import ReportResult

    started = time.perf_counter()
    page = consumer_page(
        workspace,
        journey_id=journey_id,
        start=start,
        end=end,
        source=source,
        on_progress=on_progress,
        engine=engine,
        spark_master=spark_master,
        spark_remote=spark_remote,
    )
    out = write_page(Path(output), page.html)
    if on_progress is not None:
        on_progress("done", len(CONSUMER_STAGES), len(CONSUMER_STAGES))
    seconds = time.perf_counter() - started
    log.info("wrote the consumer report of %s to %s in %.1fs", page.journey_id, out, seconds)
    shown = not page.feedback_reason
    return ReportResult(
        output=out,
        journey_id=page.journey_id,
        sections={"journey-map": "ok", "steps": "ok", "feedback": "ok" if shown else "no-data"},
        reasons={} if shown else {"feedback": page.feedback_reason},
        size=out.stat().st_size,
        seconds=seconds,
    )


def _feedback(
    path: WorkspaceRef,
    workspace: Workspace,
    journey_id: str,
    start: datetime | None,
    end: datetime | None,
    source: str | Path | EventSource | None,
    on: dict[str, str | None],
) -> tuple[ConsumerFeedback | None, str]:
    """What customers answered at the consumer touchpoints, or why there is nothing."""
    from cojourney.domain.visibility import consumer_view
    from cojourney.errors import NotFound
    from cojourney.report.consumer import MIN_ANSWERS, consumer_feedback

    if source is None and not as_handle(path).events_path.is_file():
        return None, "no feedback imported yet; the page leaves customers' answers out"
    events, owned = open_events(path, source)
    try:
        try:
            answers = events.count("feedback")
        except NotFound:
            answers = 0
        if not answers:
            return None, "no survey answers imported; the page leaves customers' answers out"
        from cojourney.analytics.experience import analyze_experience
        from cojourney.services.engine_choice import events_on

        with events_on(
            events,
            on["engine"],
            spark_master=on["spark_master"],
            spark_remote=on["spark_remote"],
            settings=as_handle(path).settings,
        ) as read:
            analysis = analyze_experience(read, workspace, journey_id, start=start, end=end)
        found = analysis.to_dict()
    finally:
        if owned:
            events.close()
    feedback = consumer_feedback(consumer_view(workspace, journey_id).journey(), found)
    if not feedback.touchpoints:
        return feedback, (
            f"no consumer touchpoint has {MIN_ANSWERS} answers or more; "
            "the page leaves customers' answers out"
        )
    return feedback, ""
