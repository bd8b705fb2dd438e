"""Conformance of every journey to the designed path, and its fitness score.

Over a journey's touchpoint events in order (positions in the designed order):

* **skipped mandatory touchpoints**: mandatory touchpoints whose position lies
  between the lowest and the highest position the journey reached (its *span*)
  and that have no event in the journey, unless an allowed skip ``a -> b`` with
  ``a`` before and ``b`` after it was taken (``a`` directly followed by ``b``).
  A journey that starts in the middle is not blamed for what lies before its span:
  that is reported by the entry analysis (:mod:`.journeys`);
* **order violations**: consecutive touchpoint events where the second has an
  earlier position than the first and no designed loop allows that move
  (repeating the same touchpoint is not a violation; see :mod:`.rework`);
* **unknown**: events whose activity is not a touchpoint id of the journey.

The **fitness** of a journey is::

    fitness = 1 - (skipped + violations + unknown) / (mandatory_in_span + events)

clipped to ``[0, 1]``, where ``mandatory_in_span`` counts the mandatory
touchpoints in the span and ``events`` all the journey's events. Each deviation
costs one unit against everything the journey could have got right: the mandatory
touchpoints it should have passed and the events it made. The designed path itself
scores 1; so does any journey without deviations (skipping optional touchpoints,
taking loops and allowed skips included). A journey without a single touchpoint
event scores 0. Example: ``first-use, support-call, first-use, sign-up, X`` in the
template journey reaches positions 1..5, whose mandatory touchpoints are sign-up,
identity-check and first-use (3); it skips identity-check (1), moves back
first-use -> sign-up (1 violation; support-call -> first-use is a loop) and has one
unknown event: ``1 - 3 / (3 + 5) = 0.625``.

Overall: mean and median fitness, the perfectly conforming journeys (no deviation,
fitness 1) and their share, and the distribution over tenths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cojourney.analytics.facts import skipped_col
from cojourney.analytics.journey_results import (
    ActivityNode,
    Conformance,
    OrderViolation,
    UnknownActivity,
)
from cojourney.analytics.rework import pair_counts

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.prepared import JourneyData

#: Fitness buckets, best first: ``"1.0"``, then ``"0.9-1.0"`` down to ``"0.0-0.1"``.
FITNESS_BUCKETS = ("1.0", *(f"{b / 10:.1f}-{(b + 1) / 10:.1f}" for b in range(9, -1, -1)))


def conformance(data: JourneyData, nodes: tuple[ActivityNode, ...] | None = None) -> Conformance:
    """Fitness statistics, skipped touchpoints, order violations and unknown activities.

    Parameters
    ----------
    data
        The prepared tables.
    nodes
        The graph's nodes (:func:`.journeys.journey_graph`), which already count the
        events and journeys of every activity; computed when not given.
    """
    import ibis

    engine, facts, design = data.engine, data.facts, data.design
    perfect = (facts.skipped + facts.violations + facts.unknown) == 0
    aggregates: dict[str, Any] = {
        "journeys": facts.count(),
        "mean": facts.fitness.mean(),
        "median": facts.fitness.median(),
        "perfect": perfect.sum(),
        "skips": (facts.skipped > 0).sum(),
        "violations": (facts.violations > 0).sum(),
        "unknown": (facts.unknown > 0).sum(),
    }
    aggregates.update({f"skipped{p}": facts[skipped_col(p)].sum() for p in design.mandatory})
    row = engine.rows(facts.aggregate(**aggregates))[0]
    bucket = ibis.ifelse(perfect, 10, (facts.fitness * 10).floor().cast("int64"))
    buckets = facts.group_by(bucket=ibis.least(bucket, 10)).aggregate(n=facts.count())
    found = {r["bucket"]: int(r["n"]) for r in engine.rows(buckets)}
    distribution = {label: found.get(10 - i, 0) for i, label in enumerate(FITNESS_BUCKETS)}

    if nodes is None:
        from cojourney.analytics.journeys import journey_graph

        nodes = journey_graph(data).nodes
    journeys = int(row["journeys"])
    perfect_count = _int(row["perfect"])
    return Conformance(
        journeys=journeys,
        mean_fitness=_float(row["mean"]),
        median_fitness=_float(row["median"]),
        perfect=perfect_count,
        perfect_share=perfect_count / journeys if journeys else None,
        fitness_distribution=distribution,
        journeys_with_skips=_int(row["skips"]),
        journeys_with_violations=_int(row["violations"]),
        journeys_with_unknown=_int(row["unknown"]),
        skipped={design.touchpoints[p]: _int(row[f"skipped{p}"]) for p in design.mandatory},
        violations=tuple(
            OrderViolation(design.touchpoints[a], design.touchpoints[b], moves, n)
            for (a, b), (moves, n) in pair_counts(facts, "violation_pairs", engine)
        ),
        unknown_activities=tuple(
            UnknownActivity(n.activity, n.events, n.journeys) for n in nodes if not n.designed
        ),
    )


def _int(value: Any) -> int:
    return 0 if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
