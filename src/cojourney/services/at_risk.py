"""Journeys at risk: what needs a person now, each with the case and what to do next.

Three reasons, read at ``as_of`` (default: the data's end, i.e. the latest event):

* **clock**: an SLA clock still running is past its ``warning`` share of the allowed
  time (status ``at_risk``), or past the allowed time itself (``breached``, not
  stopped yet); see :mod:`cojourney.analytics.sla`.
* **stalled**: a journey in progress (:mod:`cojourney.analytics.journey_state`) has
  had no event for longer than the expected duration of the step of its last event
  (the step's ``expected_duration``, else the touchpoint's); when that touchpoint is
  a prerequisite of a gate, the journey is stalled at that gate.
* **poor_answer**: a survey answer about a moment-of-truth touchpoint in the poor
  band of its question, given in the last ``answer_window`` (24 hours).

Each item has a stable ``key`` (reason, journey and what), so an alert is sent once
(:mod:`cojourney.services.alerts`).

The queries run on the engine the ``engine`` setting names (or the caller), through the
source's SQL seam (:mod:`cojourney.events.sql`), like the other analyses: one row per
journey (its last event) and the recent poor answers come back, never the events.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from cojourney.errors import NotFound
from cojourney.services.analysis import open_events
from cojourney.services.handle import WorkspaceRef, as_handle

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.sla_results import ClockResult
    from cojourney.domain import Journey, Step, Touchpoint, Workspace
    from cojourney.events.store import EventSource

__all__ = ["AtRiskItem", "AtRiskReport", "Reason", "at_risk"]

log = logging.getLogger(__name__)

Reason = Literal["clock", "stalled", "poor_answer"]
ANSWER_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class AtRiskItem:
    """One journey at risk, for one reason."""

    key: str  #: stable: reason, journey and what (an alert is sent once per key)
    journey_id: str
    reason: Reason
    why: str
    since: datetime
    next_step: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"] = self.since.isoformat()
        return data


@dataclass(frozen=True)
class AtRiskReport:
    """The journeys at risk of a workspace at ``as_of``, most urgent reason first."""

    workspace_id: str
    as_of: datetime | None
    items: tuple[AtRiskItem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace_id,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "items": [i.to_dict() for i in self.items],
        }


def at_risk(
    workspace: WorkspaceRef,
    *,
    as_of: datetime | None = None,
    source: str | Path | EventSource | None = None,
    answer_window: timedelta = ANSWER_WINDOW,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> AtRiskReport:
    """The journeys at risk (see the module docstring).

    Parameters
    ----------
    workspace
        The workspace folder or handle.
    as_of
        The instant to read at (aware; default: the latest event).
    source
        A Parquet dataset or an open event source instead of the event store.
    answer_window
        How far back poor answers count.
    engine
        ``"duckdb"`` or ``"spark"``: where the queries run
        (:func:`cojourney.services.engine_choice.events_on`); by default the ``engine``
        setting (of the handle's settings), so the web page and the alerts follow it.
    spark_master, spark_remote
        With ``engine="spark"``: a Spark master or Spark Connect URL (default: the
        settings, else local mode).

    Raises
    ------
    cojourney.errors.NotFound
        No events imported yet.
    """
    from cojourney.analytics.sla import evaluate_clocks
    from cojourney.analytics.sla_events import data_end
    from cojourney.services.engine_choice import check_engine, events_on

    handle = as_handle(workspace)
    model = handle.model()
    engine = check_engine(engine, handle.settings)
    events, owned = open_events(workspace, source)
    try:
        with events_on(
            events,
            engine,
            spark_master=spark_master,
            spark_remote=spark_remote,
            settings=handle.settings,
        ) as on:
            end = as_of or data_end(on)
            if end is None:
                return AtRiskReport(model.workspace.id, None, ())
            clocks = evaluate_clocks(on, model, as_of=end) if model.agreements else []
            items = [i for c in clocks for i in _clock_items(c)]
            items += _stalled_items(on, model, end)
            items += _poor_answer_items(on, model, end, answer_window)
    finally:
        if owned:
            events.close()
    order = {"clock": 0, "stalled": 1, "poor_answer": 2}
    items.sort(key=lambda i: (order[i.reason], i.since, i.journey_id))
    log.info("%s: %d journeys at risk at %s", model.workspace.id, len(items), end)
    return AtRiskReport(model.workspace.id, end, tuple(items))


def _micros(moment: datetime) -> int:
    """An aware instant as UTC epoch microseconds (how the queries compare timestamps)."""
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _instant(epoch: float) -> datetime:
    """UTC epoch seconds as an aware datetime (timestamps leave DuckDB as numbers)."""
    return datetime.fromtimestamp(float(epoch), UTC)


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:.0f} h" if hours >= 10 or hours == int(hours) else f"{hours:.1f} h"


def _clock_items(clock: ClockResult) -> list[AtRiskItem]:
    from cojourney.analytics.sla_results import ClockStatus, instant

    j = clock.journeys
    running = ~np.isfinite(j.stop)
    wanted = np.isin(j.status, [ClockStatus.AT_RISK.value, ClockStatus.BREACHED.value]) & running
    out = []
    for i in np.flatnonzero(wanted).tolist():
        elapsed, allowed = float(j.elapsed_seconds[i]), float(j.allowed_seconds[i])
        share = elapsed / allowed if allowed > 0 else float("inf")
        priority = f"{j.priority[i]} " if j.priority[i] else ""
        what = f"{priority}{clock.clock_name} clock at {share:.0%} of {_hours(allowed)}"
        breached = j.status[i] == ClockStatus.BREACHED.value
        since = instant(j.start[i]) or clock.as_of
        if breached:
            deadline = instant(j.deadline[i])
            step = (
                f"act now: the {priority}{clock.clock_name} target of {_hours(allowed)} "
                f"({clock.agreement_id}) is missed; resolve the case and tell the customer"
            )
            since = deadline or since
        else:
            step = (
                f"escalate: {what} ({clock.agreement_id}); resolve before "
                f"{_hm(instant(j.deadline[i]))}"
            )
        out.append(
            AtRiskItem(
                key=f"clock:{clock.agreement_id}:{clock.clock_id}:{j.journey_id[i]}:"
                f"{'breached' if breached else 'at_risk'}",
                journey_id=str(j.journey_id[i]),
                reason="clock",
                why=("breached, still running: " if breached else "near breach: ") + what,
                since=since,
                next_step=step,
            )
        )
    return out


def _hm(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "the deadline"


def _places(
    model: Workspace,
) -> dict[str, tuple[Journey, Touchpoint, Step | None, timedelta | None]]:
    """Per touchpoint id (first journey that has it): its journey, step and expected duration."""
    out: dict[str, tuple[Journey, Touchpoint, Step | None, timedelta | None]] = {}
    for journey in model.journeys:
        steps = {s.id: s for s in journey.steps}
        for t in journey.touchpoints:
            step = steps.get(t.step)
            expected = (step.expected_duration if step else None) or t.expected_duration
            out.setdefault(t.id, (journey, t, step, expected))
    return out


def _stalled_items(events: EventSource, model: Workspace, end: datetime) -> list[AtRiskItem]:
    from cojourney.analytics.journey_state import JourneyState, states
    from cojourney.events import schema as S

    table = events.table_name("events")
    rows = events.sql.execute(
        f'SELECT "{S.JOURNEY_ID}", arg_max("{S.ACTIVITY}", "{S.TIMESTAMP}"), '
        f'epoch_us(max("{S.TIMESTAMP}")) FROM "{table}" '
        f'WHERE epoch_us("{S.TIMESTAMP}") <= ? GROUP BY "{S.JOURNEY_ID}"',
        [_micros(end)],
    ).fetchall()
    places = _places(model)
    out = []
    for journey_id, activity, micros in rows:
        epoch = micros / 1e6
        place = places.get(activity)
        if place is None:
            continue
        design, touchpoint, step, expected = place
        last = _instant(epoch)
        if expected is None or end - last <= expected:
            continue  # cheap test first: most journeys are not silent that long
        state = states(
            np.array([activity], dtype=object), np.array([float(epoch)]), end.timestamp(), design
        )[0]
        if state != JourneyState.IN_PROGRESS.value:
            continue
        gate = next((g for g in design.gates if activity in g.requires), None)
        where = f"gate {gate.name}" if gate else f"step {step.name if step else touchpoint.step}"
        owner = f"; ask {touchpoint.owner.team}" if touchpoint.owner else ""
        out.append(
            AtRiskItem(
                key=f"stalled:{journey_id}:{activity}:{last.isoformat()}",
                journey_id=str(journey_id),
                reason="stalled",
                why=f"stalled at {where}: no event for {_hours((end - last).total_seconds())} "
                f"after {touchpoint.name} (expected within {_hours(expected.total_seconds())})",
                since=last,
                next_step=(
                    f"contact the customer and unblock {where}"
                    + (f" ({', '.join(gate.before)} wait for it)" if gate else "")
                    + owner
                ),
            )
        )
    return out


def _poor_answer_items(
    events: EventSource, model: Workspace, end: datetime, window: timedelta
) -> list[AtRiskItem]:
    from cojourney.analytics.experience import bands, workspace_scales
    from cojourney.events import feedback_schema as F

    moments = {t.id: t for j in model.journeys for t in j.touchpoints if t.moment_of_truth}
    if not moments:
        return []
    try:
        table = events.table_name("feedback")
    except NotFound:
        return []
    declared_scales, declared_bands = workspace_scales(model)
    scales = {**F.QUESTION_SCALES, **declared_scales}
    poor = bands(scales, declared_bands)
    names = ", ".join(f"'{t}'" for t in moments if "'" not in t)
    rows = events.sql.execute(
        f'SELECT "{F.ANSWER_ID}", "{F.JOURNEY_ID}", "{F.TOUCHPOINT}", "{F.QUESTION}", '
        f'"{F.SCORE}", epoch_us("{F.TIMESTAMP}") / 1e6, "{F.COMMENT}" FROM "{table}" '
        f'WHERE "{F.TOUCHPOINT}" IN ({names}) AND "{F.SCORE}" IS NOT NULL '
        f'AND epoch_us("{F.TIMESTAMP}") > ? AND epoch_us("{F.TIMESTAMP}") <= ?',
        [_micros(end - window), _micros(end)],
    ).fetchall()
    out = []
    for answer_id, journey_id, touchpoint, question, score, moment, comment in rows:
        band = poor.get(question)
        if band is None or score > band[0]:
            continue
        tp = moments[touchpoint]
        said = f': "{comment[:80]}"' if comment else ""
        owner = tp.owner.team if tp.owner else "the touchpoint's owner"
        out.append(
            AtRiskItem(
                key=f"poor_answer:{journey_id}:{answer_id}",
                journey_id=str(journey_id),
                reason="poor_answer",
                why=f"moment of truth {tp.name} answered badly: {question} {score:g} "
                f"(poor at most {band[0]:g}){said}",
                since=_instant(moment),
                next_step=f"call the customer back within the day ({owner}) and recover {tp.name}",
            )
        )
    return out
