"""The measured view of the journey page: the designed map with what the events show.

``/journeys/{id}?view=measured`` draws the measured overlay
(:func:`cojourney.services.maps.measured_overlay`: journeys per touchpoint, reached and
left per step, median time, measured emotion, and against the design: waits beyond the
designed durations, satisfaction with its 95% interval and n, the SLA status, the
moments of truth and the worst leaks) on the journey map, and lists the same in tables:
the text equivalent of the map, in the words of :mod:`cojourney.render.measured_lane`. The overlay is computed like the analyses pages: once per data version in
the results cache (:mod:`cojourney.services.results_cache`), in a worker thread, with the
server's ingest writer paused; when it takes longer than a moment the page shows a
placeholder that refreshes itself.

The view takes the analyses pages' filters (:class:`~cojourney.web.analyses_views.Filters`:
from/to, segment, persona, where=KEY=VALUE) and draws the overlay of the journeys they
keep only; the results are cached per filter, and the page says which journeys it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request
from markupsafe import Markup

from cojourney.domain.journey import Journey
from cojourney.errors import CojourneyError
from cojourney.render import render
from cojourney.render.measured_lane import (
    leak_text,
    moment_text,
    score_text,
    sla_text,
    step_time_text,
    wait_text,
)
from cojourney.services.results_cache import data_version
from cojourney.web.analyses_views import Filters, journey_filter_of, persona_choices
from cojourney.web.state import WebState

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter

#: The views of the journey page, as the ``view`` GET parameter names them.
VIEWS = ("designed", "measured")
#: The results-cache name of the overlay.
OVERLAY = "measured_overlay"


@dataclass(frozen=True)
class OverlayRow:
    """One touchpoint (or a step without touchpoint) of the measured table."""

    step: str
    touchpoint: str
    journeys: float | None
    median_seconds: float | None
    emotion: float | None
    waits: str | None = None
    satisfaction: str | None = None
    sla: tuple[str, ...] = ()
    moment: str | None = None
    leaks: tuple[str, ...] = ()


@dataclass
class MeasuredView:
    """What the journey page shows in its measured view."""

    view: str = "designed"
    filters: Filters = field(default_factory=Filters)
    shown: str | None = None
    personas: list[tuple[str, str]] = field(default_factory=list)
    no_events: bool = False
    pending: bool = False
    error: str | None = None
    map_svg: Markup | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    touchpoints: list[OverlayRow] = field(default_factory=list)
    leaks: list[dict[str, Any]] = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        """The template variables (``map_svg`` only when the measured map is drawn)."""
        out: dict[str, Any] = {"measured": self, "view": self.view}
        if self.map_svg is not None:
            out["map_svg"] = self.map_svg
        return out


def parse_view(value: str | None) -> str:
    """``designed`` unless ``measured`` is asked for (any other value reads as designed)."""
    return "measured" if value == "measured" else "designed"


def measured_view(request: Request, state: WebState, journey: Journey, view: str) -> MeasuredView:
    """The measured view of ``journey`` (an empty designed view unless ``view`` is measured),
    of the journeys the request's filters keep."""
    if view != "measured":
        return MeasuredView()
    filters = Filters.parse(request.query_params)
    kept = journey_filter_of(filters)
    personas = persona_choices(state.reader.workspace())
    from cojourney.services.maps import measured_overlay
    from cojourney.web import routes_analyses
    from cojourney.web.routes_ingest import writer_of

    handle = state.reader.handle
    if not handle.has_events():
        return MeasuredView(view="measured", filters=filters, personas=personas, no_events=True)
    writer = writer_of(request.app)

    def compute() -> dict[str, Any]:
        with writer.paused():  # the server's ingest writer stays off the store meanwhile
            return measured_overlay(handle, journey.id, journey_filter=kept)

    job = routes_analyses.results_cache(request.app).start(
        OVERLAY, (journey.id, kept), data_version(handle), compute
    )
    job.finished.wait(routes_analyses.WAIT_SECONDS)
    if not job.done:
        return MeasuredView(view="measured", filters=filters, personas=personas, pending=True)
    if job.error is not None:
        if not isinstance(job.error, CojourneyError):
            raise job.error
        return MeasuredView(
            view="measured", filters=filters, personas=personas, error=str(job.error)
        )
    overlay: dict[str, Any] = job.result
    workspace = state.reader.workspace()
    svg = Markup(render(workspace, "journey", "svg", journey.id, overlay=overlay))
    return MeasuredView(
        view="measured",
        filters=filters,
        personas=personas,
        shown=shown_text(overlay, kept),
        map_svg=svg,
        steps=_step_rows(journey, overlay),
        touchpoints=_touchpoint_rows(journey, overlay),
        leaks=_leak_rows(journey, overlay),
    )


def shown_text(overlay: dict[str, Any], kept: JourneyFilter) -> str:
    """Which journeys the measured map shows, in a sentence."""
    from cojourney.analytics.journey_scope import describe

    count = overlay.get("journeys")
    many = "journeys" if count != 1 else "journey"
    number = f"{count} {many}" if count is not None else "the journeys"
    if not kept.active:
        return f"Shows all {number}."
    return f"Shows the {number} kept by: {describe(kept)}."


def _step_rows(journey: Journey, overlay: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for step in journey.steps:
        found = overlay["steps"].get(step.id, {})
        rows.append(
            {
                "id": step.id,
                "name": step.name,
                "reached": found.get("reached"),
                "left": found.get("left"),
                "emotion": found.get("emotion"),
                "time": step_time_text(found),
                "satisfaction": _score(overlay, "steps", step.id),
                "sla": [
                    sla_text(c) for c in overlay.get("sla", {}).get("steps", {}).get(step.id, [])
                ],
                "leaks": [
                    leak_text(leak)
                    for leak in overlay.get("leaks", [])
                    if leak.get("step") == step.id and not leak.get("touchpoint")
                ],
            }
        )
    return rows


def _score(overlay: dict[str, Any], where: str, key: str) -> str | None:
    found = overlay.get("satisfaction", {}).get(where, {}).get(key)
    return score_text(found) if found else None


def _leak_rows(journey: Journey, overlay: dict[str, Any]) -> list[dict[str, Any]]:
    names = {tp.id: tp.name for tp in journey.touchpoints} | {s.id: s.name for s in journey.steps}
    return [
        {
            **leak,
            "text": leak_text(leak),
            "at": names.get(leak.get("touchpoint") or leak.get("step") or "", "–"),
        }
        for leak in overlay.get("leaks", [])
    ]


def _touchpoint_rows(journey: Journey, overlay: dict[str, Any]) -> list[OverlayRow]:
    rows = []
    moments = overlay.get("moments", {})
    for step in journey.steps:
        for tp in journey.touchpoints:
            if tp.step != step.id:
                continue
            found = overlay["touchpoints"].get(tp.id, {})
            moment = moments.get(tp.id)
            rows.append(
                OverlayRow(
                    step=step.name,
                    touchpoint=tp.id,
                    journeys=found.get("journeys"),
                    median_seconds=found.get("median_seconds"),
                    emotion=found.get("emotion"),
                    waits=wait_text(found),
                    satisfaction=_score(overlay, "touchpoints", tp.id),
                    sla=tuple(
                        sla_text(c)
                        for c in overlay.get("sla", {}).get("touchpoints", {}).get(tp.id, [])
                    ),
                    moment=moment_text(moment) if moment else None,
                    leaks=tuple(
                        leak_text(leak)
                        for leak in overlay.get("leaks", [])
                        if leak.get("touchpoint") == tp.id
                    ),
                )
            )
    return rows
