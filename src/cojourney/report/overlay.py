"""The measured overlay of the journey map: volumes, drop-off, time and emotion.

:func:`journey_overlay` gathers, from results that exist already, what the journey
map renderer draws over the design (:class:`cojourney.render.Overlay`): journeys
per touchpoint (the actual-journey graph's nodes), reached and left per step (the
funnel), the median time at each touchpoint (:func:`touchpoint_times`) and the
measured emotion per touchpoint and step (the experience analysis, when there is
one).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cojourney.analytics.ordering import seconds_between, sequence_window
from cojourney.events.schema import ACTIVITY, JOURNEY_ID, TIMESTAMP

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.analytics.engines import Engine


def touchpoint_times(
    events: ir.Table, engine: Engine, *, start: datetime | None = None, end: datetime | None = None
) -> dict[str, float]:
    """Median seconds from each activity's events to the journey's next event.

    The time "at" a touchpoint is the time until the next event of the same journey
    (events in ``(timestamp, event_seq)`` order); a journey's last event has none and
    does not count. Only journeys whose first event is in ``[start, end)`` count, as
    in :class:`cojourney.analytics.filters.JourneyFilter`.

    Parameters
    ----------
    events
        Canonical events on ``engine``.
    engine
        The engine that runs the query (one window over the events).
    start, end
        The journeys to keep, by their first event (naive datetimes are UTC).

    Returns
    -------
    dict
        Activity -> median seconds (activities that are never followed are left out).
    """
    import ibis

    from cojourney.analytics.filters import JourneyFilter

    JourneyFilter(start=start, end=end)  # checks the range
    t = events.select(JOURNEY_ID, ACTIVITY, TIMESTAMP, "event_seq")
    t = t.mutate(us=engine.epoch_microseconds(t[TIMESTAMP]))
    t = t.mutate(next_us=t.us.lead().over(sequence_window(t)))
    if start is not None or end is not None:  # a second window only when a range asks for it
        t = t.mutate(first_us=t.us.min().over(ibis.window(group_by=t[JOURNEY_ID])))
    if start is not None:
        t = t.filter(t.first_us >= _micros(start))
    if end is not None:
        t = t.filter(t.first_us < _micros(end))
    t = t.filter(t.next_us.notnull())
    medians = t.group_by(ACTIVITY).aggregate(median=seconds_between(t.us, t.next_us).median())
    return {
        row[ACTIVITY]: float(row["median"])
        for row in engine.rows(medians)
        if row["median"] is not None
    }


def _micros(value: datetime) -> int:
    """Epoch microseconds of ``value`` (naive: UTC)."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def journey_overlay(
    analysis: Mapping[str, Any] | None,
    journey: Mapping[str, Any],
    *,
    times: Mapping[str, float] | None = None,
    emotion: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, Any]:
    """The overlay for :func:`cojourney.render.render` (kind ``journey``).

    Parameters
    ----------
    analysis
        ``JourneyAnalysis.to_dict()``; ``None`` when there are no events.
    journey
        :func:`cojourney.report.design.journey_facts`.
    times
        :func:`touchpoint_times`.
    emotion
        ``{"touchpoints": {id: mean}, "steps": {id: mean}}``: measured emotion on the
        -3..+3 scale.
    """
    touchpoints: dict[str, dict[str, float]] = {}
    steps: dict[str, dict[str, float]] = {}
    designed = journey["touchpoints"]
    if analysis is not None:
        for node in analysis["graph"]["nodes"]:
            if node["activity"] in designed:
                touchpoints.setdefault(node["activity"], {})["journeys"] = node["journeys"]
        for step in analysis["funnel"]["steps"]:
            if step["reached"]:
                steps[step["step"]] = {"reached": step["reached"], "left": step["left"]}
    for tp, seconds in (times or {}).items():
        if tp in designed:
            touchpoints.setdefault(tp, {})["median_seconds"] = seconds
    step_ids = {s["id"] for s in journey["steps"]}
    for tp, value in (emotion or {}).get("touchpoints", {}).items():
        if tp in designed and value is not None:
            touchpoints.setdefault(tp, {})["emotion"] = value
    for step, value in (emotion or {}).get("steps", {}).items():
        if step in step_ids and value is not None:
            steps.setdefault(step, {})["emotion"] = value
    return {"touchpoints": touchpoints, "steps": steps}
