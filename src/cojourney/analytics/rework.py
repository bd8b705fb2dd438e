"""Rework and back-and-forth: repeated touchpoints and moves back to earlier steps.

Definitions, over each journey's touchpoint events in order:

* a touchpoint is **repeated** in a journey when it has two or more events there;
  its **extra visits** are its events beyond the first; a journey's ``repeats``
  are its extra visits over all touchpoints;
* a **move back** is a pair of consecutive touchpoint events whose second is in an
  earlier step (by the order of ``journey.steps``), counted per step pair;
* a journey **has rework** when it has a repeat or a move back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cojourney.analytics.journey_results import (
    ActivityNode,
    Rework,
    StepMove,
    TouchpointRework,
)
from cojourney.events.schema import JOURNEY_ID

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.analytics.engines import Engine
    from cojourney.analytics.prepared import JourneyData

#: Per-journey counts from this value on share one bucket (``"5+"``).
DISTRIBUTION_CAP = 5


def rework(data: JourneyData, nodes: tuple[ActivityNode, ...] | None = None) -> Rework:
    """Repeats per touchpoint, moves back per step pair, and per-journey counts.

    Parameters
    ----------
    data
        The prepared tables.
    nodes
        The graph's nodes (:func:`.journeys.journey_graph`), which already count the
        events of every activity; computed when not given.
    """
    engine, facts, design = data.engine, data.facts, data.design
    totals = engine.rows(
        facts.aggregate(
            journeys=facts.count(),
            with_repeat=(facts.repeats > 0).sum(),
            with_back=(facts.back_moves > 0).sum(),
            with_rework=((facts.repeats > 0) | (facts.back_moves > 0)).sum(),
            mean_repeats=facts.repeats.mean(),
            mean_back=facts.back_moves.mean(),
        )
    )[0]
    return Rework(
        journeys=int(totals["journeys"]),
        journeys_with_repeat=_int(totals["with_repeat"]),
        journeys_with_back_move=_int(totals["with_back"]),
        journeys_with_rework=_int(totals["with_rework"]),
        mean_repeats=_float(totals["mean_repeats"]),
        mean_back_moves=_float(totals["mean_back"]),
        touchpoints=tuple(touchpoint_rework(data, nodes)),
        back_moves=tuple(
            StepMove(design.steps[a], design.steps[b], moves, journeys)
            for (a, b), (moves, journeys) in pair_counts(facts, "back_pairs", engine)
        ),
        repeat_distribution=distribution(facts, facts.repeats, engine),
        back_move_distribution=distribution(facts, facts.back_moves, engine),
    )


def touchpoint_rework(
    data: JourneyData, nodes: tuple[ActivityNode, ...] | None = None
) -> list[TouchpointRework]:
    """Visits, journeys, journeys with a repeat and extra visits of every touchpoint,
    in designed order (extra visits = visits - journeys)."""
    facts, size = data.facts, data.design.size
    if not size:
        return []
    if nodes is None:
        from cojourney.analytics.journeys import journey_graph

        nodes = journey_graph(data).nodes
    visits = {data.design.position(n.activity): (n.events, n.journeys) for n in nodes if n.designed}
    repeated = facts.select(p=facts.repeated.unique().unnest())
    with_repeat = {
        row["p"]: int(row["n"])
        for row in data.engine.rows(repeated.group_by("p").aggregate(n=repeated.count()))
    }
    result = []
    for p, tp in enumerate(data.design.touchpoints):
        events, journeys = visits.get(p, (0, 0))
        result.append(
            TouchpointRework(tp, events, journeys, with_repeat.get(p, 0), events - journeys)
        )
    return result


def pair_counts(
    facts: ir.Table, column: str, engine: Engine
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """``((from, to), (moves, journeys))`` for an array-of-pairs column of the facts,
    most moves first, then by ``(from, to)``."""
    rows = facts.select(JOURNEY_ID, pair=facts[column].unnest())
    pairs = rows.select(JOURNEY_ID, a=rows.pair.f1, b=rows.pair.f2)
    counted = pairs.group_by(["a", "b"]).aggregate(
        moves=pairs.count(), journeys=pairs[JOURNEY_ID].nunique()
    )
    result = [
        ((r["a"], r["b"]), (int(r["moves"]), int(r["journeys"]))) for r in engine.rows(counted)
    ]
    return sorted(result, key=lambda item: (-item[1][0], item[0]))


def distribution(facts: ir.Table, count: ir.IntegerValue, engine: Engine) -> dict[str, int]:
    """Journeys by a per-journey count, the counts from :data:`DISTRIBUTION_CAP` on together."""
    import ibis

    bucket = ibis.least(count, DISTRIBUTION_CAP)
    grouped = facts.group_by(bucket=bucket).aggregate(journeys=facts.count())
    found = {row["bucket"]: int(row["journeys"]) for row in engine.rows(grouped)}
    return {(f"{n}+" if n == DISTRIBUTION_CAP else str(n)): found[n] for n in sorted(found)}


def _int(value: Any) -> int:
    return 0 if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
