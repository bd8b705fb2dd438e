"""The step funnel over the journey's steps, and the onboarding outcome.

Touchpoint events are mapped to steps by the design (``touchpoint.step``); steps are
in the order of ``journey.steps``. For each step:

* **reached**: journeys with at least one touchpoint event in the step;
* after the journey's *last* event in the step, the next touchpoint event is in a
  later step (**moved on**), in an earlier step (**went back**), or there is none:
  the journey **left** in this step (its last touchpoint event is in it). So
  ``reached = moved_on + went_back + left``, and ``left + moved_on = reached`` for
  journeys that never move back. (The brief "moved on = reached a later step
  afterwards" counts a journey that went on, came back and left in the step both
  as moved on and as left; looking at the last visit keeps the three apart.)
* **median time in step**: over the journeys that reached the step, the median of
  the seconds spent in it: for each of the journey's events in the step, the time
  until its next touchpoint event (0 for the journey's last one), summed.

  The journeys that **left** in a step are **ended** (their last touchpoint is an exit
  point or an offboarding touchpoint: they ended on purpose), **in progress** (their
  last event is less than the in-progress window before the data's end) or **dropped
  off** (gone silent): the rule of :mod:`cojourney.analytics.journey_state`, so the
  latest weeks of data do not look like mass churn.

**Onboarding** (the step whose ``dsv_step`` is ``onboard``): of the journeys that
reached it, those that **got on board** reached a later step after their first
onboarding event; the others **left**: **cancelled** (ended on purpose, e.g. at a
membership cancellation), **silent** (abandoned) or still **in progress**.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cojourney.analytics.journey_results import Funnel, FunnelStep, Onboarding
from cojourney.events.schema import JOURNEY_ID

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.analytics.prepared import JourneyData


def step_funnel(data: JourneyData) -> Funnel:
    """Reached, moved on, went back, left and median time per step; onboarding."""
    visits, engine, design = data.visits, data.engine, data.design
    # -1 (not null) marks "no next event": arg_max skips null values on DuckDB only.
    nxt = visits.next_s.fill_null(-1)
    stay = (visits.next_us - visits.us).fill_null(0)
    per_journey = visits.group_by([JOURNEY_ID, "s"]).aggregate(
        exit=nxt.argmax(visits.k), seconds=stay.sum() / 1_000_000
    )
    states = journey_states(data)
    per_journey = per_journey.join(states, JOURNEY_ID)
    left = per_journey.exit == -1
    per_step = per_journey.group_by("s").aggregate(
        reached=per_journey.count(),
        left=left.sum(),
        ended=(left & per_journey.ended).sum(),
        in_progress=(left & per_journey.in_progress).sum(),
        moved_on=(per_journey.exit > per_journey.s).sum(),
        went_back=((per_journey.exit >= 0) & (per_journey.exit < per_journey.s)).sum(),
        median=per_journey.seconds.median(),
    )
    found = {row["s"]: row for row in engine.rows(per_step)}
    steps = []
    for index, (step, name) in enumerate(zip(design.steps, design.step_names, strict=True)):
        row = found.get(index)
        if row is None:
            steps.append(FunnelStep(step, name, 0, 0, 0, 0, None))
        else:
            steps.append(
                FunnelStep(
                    step,
                    name,
                    int(row["reached"]),
                    int(row["moved_on"]),
                    int(row["went_back"]),
                    int(row["left"]),
                    float(row["median"]),
                    int(row["ended"]),
                    int(row["in_progress"]),
                    int(row["left"]) - int(row["ended"]) - int(row["in_progress"]),
                )
            )
    return Funnel(tuple(steps), onboarding(data))


def onboarding(data: JourneyData) -> Onboarding | None:
    """Got on board or left, for the onboarding step (``None`` when the design has none)."""
    if data.design.onboard_step is None:
        return None
    facts = journey_states(data, keep=("on_board",))
    off = facts.on_board.notnull() & ~facts.on_board
    row = data.engine.rows(
        facts.aggregate(
            reached=facts.on_board.count(),
            on_board=facts.on_board.sum(),
            cancelled=(off & facts.ended).sum(),
            in_progress=(off & facts.in_progress).sum(),
        )
    )[0]
    reached = int(row["reached"] or 0)
    boarded = int(row["on_board"] or 0)
    cancelled, waiting = int(row["cancelled"] or 0), int(row["in_progress"] or 0)
    return Onboarding(
        data.design.steps[data.design.onboard_step],
        reached,
        boarded,
        reached - boarded,
        boarded / reached if reached else None,
        cancelled,
        reached - boarded - cancelled - waiting,
        waiting,
    )


def journey_states(data: JourneyData, keep: tuple[str, ...] = ()) -> ir.Table:
    """Per journey: ``ended`` (last touchpoint is an ending one) and ``in_progress`` (not
    ended, last event within the in-progress window of the data's end), plus ``keep``."""
    import ibis

    facts, design = data.facts, data.design
    ended = facts.last_p.isin(sorted(design.ending)) if design.ending else ibis.literal(False)
    ended = ended.fill_null(False)
    end = data.data_end_us if data.data_end_us is not None else 0
    recent = (ibis.literal(end, "int64") - facts.end_us) < design.in_progress_us
    return facts.select(JOURNEY_ID, *keep, ended=ended, in_progress=~ended & recent)
