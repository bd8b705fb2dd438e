"""Onboarding (and offboarding) gates: respected or bypassed.

A gate says that every ``requires`` touchpoint must happen before any ``before``
touchpoint. For each gate, a journey **reached** it when it has an event of a
``before`` touchpoint; it **respected** the gate when every ``requires``
touchpoint has an event earlier than its first ``before`` event, and **bypassed**
it otherwise. ``missing`` counts, per requirement, the journeys that reached the
gate without that requirement earlier; the requirement missing most is named
(ties: the first in the gate's list).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cojourney.analytics.facts import gate_missing_col, gate_reached_col
from cojourney.analytics.journey_results import GateResult

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.prepared import JourneyData


def gate_checks(data: JourneyData) -> list[GateResult]:
    """Every gate of the design, in the order they are declared."""
    design, facts = data.design, data.facts
    if not design.gates:
        return []
    aggregates: dict[str, Any] = {}
    for g, gate in enumerate(design.gates):
        missing = [facts[gate_missing_col(g, r)] for r in range(len(gate.requires))]
        bypassed = missing[0]
        for m in missing[1:]:
            bypassed = bypassed | m
        aggregates[f"reached{g}"] = facts[gate_reached_col(g)].sum()
        aggregates[f"bypassed{g}"] = bypassed.sum()
        aggregates.update({f"missing{g}_{r}": m.sum() for r, m in enumerate(missing)})
    row = data.engine.rows(facts.aggregate(**aggregates))[0]
    results = []
    for g, gate in enumerate(design.gates):
        requires = tuple(design.touchpoints[p] for p in gate.requires)
        missing_counts = {tp: _int(row[f"missing{g}_{r}"]) for r, tp in enumerate(requires)}
        reached, bypassed = _int(row[f"reached{g}"]), _int(row[f"bypassed{g}"])
        most = max(missing_counts, key=lambda tp: missing_counts[tp]) if bypassed else None
        results.append(
            GateResult(
                gate=gate.id,
                name=gate.name,
                requires=requires,
                before=tuple(design.touchpoints[p] for p in gate.before),
                reached=reached,
                respected=reached - bypassed,
                bypassed=bypassed,
                missing=missing_counts,
                most_missing=most,
            )
        )
    return results


def _int(value: Any) -> int:
    return 0 if value is None else int(value)
