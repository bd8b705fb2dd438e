"""The facts of a designed journey that the report sections need, as plain data."""

from __future__ import annotations

from typing import Any

from cojourney.domain import Journey, Workspace


def journey_facts(journey: Journey) -> dict[str, Any]:
    """Steps and touchpoints of ``journey`` as JSON-ready data.

    Returns
    -------
    dict
        ``id``, ``name``; ``steps``: ``[{id, name, period, designed_emotion}]`` in
        order; ``touchpoints``: ``{id: {name, step, column, order, emotion,
        moment_of_truth, optional}}`` where ``column`` is the step's index and
        ``order`` the place on the designed path (0-based); ``entry_points`` and
        ``exit_points``.
    """
    column = {s.id: i for i, s in enumerate(journey.steps)}
    order = {tp: i for i, tp in enumerate(journey.expected_order())}
    by_step = journey.designed_emotion_by_step()
    return {
        "id": journey.id,
        "name": journey.name,
        "steps": [
            {
                "id": s.id,
                "name": s.name,
                "period": s.period.value,
                "designed_emotion": by_step.get(s.id),
            }
            for s in journey.steps
        ],
        "touchpoints": {
            tp.id: {
                "name": tp.name,
                "step": tp.step,
                "column": column.get(tp.step, len(column)),
                "order": order.get(tp.id, len(order) + i),
                "emotion": tp.emotion,
                "moment_of_truth": tp.moment_of_truth,
                "optional": tp.optional,
            }
            for i, tp in enumerate(journey.touchpoints)
        },
        "entry_points": journey.entry_points(),
        "exit_points": journey.exit_points(),
    }


def workspace_facts(workspace: Workspace) -> dict[str, Any]:
    """Names and counts of the workspace's declarations (for "nothing declared" messages)."""
    return {
        "id": workspace.workspace.id,
        "name": workspace.workspace.name,
        "stakeholders": {s.id: s.name for s in workspace.stakeholders},
        "indicators": {
            i.id: {
                "name": i.name,
                "unit": i.unit,
                "stakeholder": i.stakeholder,
                "aspect": i.aspect.value,
                "direction": i.direction.value,
                "target": i.target,
                "warning": i.warning,
                "measured": i.measure is not None,
            }
            for i in workspace.indicators
        },
        "agreements": {
            a.id: {
                "name": a.name,
                "kind": a.kind.value,
                "clocks": len(a.clocks),
                "targets": len(a.targets),
            }
            for a in workspace.agreements
        },
        "improvements": {
            m.id: {"name": m.name, "status": m.status.value, "comparison": m.comparison is not None}
            for m in workspace.improvements
        },
    }
