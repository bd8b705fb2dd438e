"""Which offering and which relationship each journey belongs to: labels for breakdowns.

Two groupings of the journeys, each giving every journey exactly one label, so the
groups of a breakdown add up to all journeys (``(none)`` for a journey with no label):

**By offering.** A journey *takes* an offering when it has an event at a touchpoint
that delivers it (a touchpoint's ``offerings:``). An offering that no touchpoint of the
journey delivers, only steps as a whole, is taken by the journeys with an event at any
touchpoint of those steps. The label names the offerings a journey took, in the order
of the workspace's offerings, joined by `` + ``: in eCampus, ``eCampus membership``
for members who never hitched a trailer and ``eCampus membership + Trailer add-on``
for those who did. Reading about an offering is not taking it: the design decides by
naming a delivery at the touchpoints where the offering is actually delivered.

**By relationship.** The type (``basic``, ``cooperative``, ``partnership``) of the
service relationship between the journey's consumer organisation and the provider. A
journey's consumer organisation is found from its ``segment``: a persona (through the
organisations whose consumer roles that persona holds), a stakeholder (its
organisation, or the organisations whose consumer roles it holds) or an organisation
id. A journey whose segment names none of them gets the relationship of the designed
journey's own consumers (the organisations holding consumer roles for its personas,
else the consumers of the relationships of the agreements on its offerings), when
that is one type. Where an organisation has relationships of several types with the
provider, the closest counts (partnership, then cooperative, then basic).

Both are computed from the per-journey facts (:mod:`.facts`) on any engine; the
workspace is read here only to name the groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from cojourney.domain import Journey, RelationshipType, Workspace
from cojourney.events.schema import SEGMENT

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.analytics.prepared import JourneyData

#: The breakdown dimensions this module labels.
DIMENSIONS: Final = ("offering", "relationship")
#: Joins the offerings one journey took.
JOIN: Final = " + "
#: Closest first: the type that counts when an organisation has several.
CLOSEST: Final = (
    RelationshipType.PARTNERSHIP,
    RelationshipType.COOPERATIVE,
    RelationshipType.BASIC,
)

#: A per-journey label: a string expression over ``data.facts`` (null: no label).
Grouping = Callable[["JourneyData"], "ir.StringValue"]


def offering_touchpoints(workspace: Workspace, journey: Journey) -> list[tuple[str, list[str]]]:
    """``(offering name, touchpoint ids)`` per offering the journey delivers, in the order
    of the workspace's offerings (see the module docstring for the rule)."""
    at_touchpoints: dict[str, list[str]] = {}
    at_steps: dict[str, list[str]] = {}
    for step, tp, delivery in journey.offering_deliveries():
        if tp is not None:
            at_touchpoints.setdefault(delivery.offering, []).append(tp.id)
        else:
            at_steps.setdefault(delivery.offering, []).extend(
                t.id for t in journey.touchpoints_in(step.id)
            )
    found = []
    for offering in workspace.offerings:
        tps = at_touchpoints.get(offering.id) or at_steps.get(offering.id)
        if tps:
            found.append((offering.name, list(dict.fromkeys(tps))))
    return found


def offering_grouping(workspace: Workspace, journey: Journey) -> Grouping:
    """The offering label of each journey (module docstring)."""
    offerings = offering_touchpoints(workspace, journey)

    def label(data: JourneyData) -> ir.StringValue:
        import ibis

        facts = data.facts
        position = {tp: i for i, tp in enumerate(data.design.touchpoints)}
        text: ir.StringValue = ibis.literal("")
        for name, tps in offerings:
            codes = [position[t] for t in tps if t in position]
            if not codes:
                continue
            took = _any(facts.C.contains(code) for code in codes)
            text = text + ibis.ifelse(took, name + JOIN, "")
        return text.re_replace(r" \+ $", "").nullif("")

    return label


def segment_relationships(
    workspace: Workspace, journey: Journey
) -> tuple[dict[str, str], str | None]:
    """The relationship type by segment value, and the type of the journey's own consumers
    (``None`` when they have none or several)."""
    provider = workspace.workspace.provider
    types: dict[str, set[RelationshipType]] = {}
    for rel in workspace.relationships:
        if provider is not None and rel.provider != provider:
            continue
        types.setdefault(rel.consumer, set()).add(rel.type)
    holders: dict[str, set[str]] = {}  # persona or stakeholder id -> organisations
    for org in workspace.organisations:
        for holder in org.consumer_roles:
            for key in (holder.persona, holder.stakeholder):
                if key:
                    holders.setdefault(key, set()).add(org.id)
    for s in workspace.stakeholders:
        if s.organisation:
            holders.setdefault(s.id, set()).add(s.organisation)
    by_segment: dict[str, str] = {}
    for key, orgs in [*holders.items(), *((o.id, {o.id}) for o in workspace.organisations)]:
        closest = _closest(t for org in orgs for t in types.get(org, ()))
        if closest is not None:
            by_segment.setdefault(key, closest)
    own = {org for p in journey.personas for org in holders.get(p, ())}
    if not own:
        agreements = {
            a.relationship
            for a in workspace.agreements
            if a.relationship and set(a.offerings) & set(journey.offerings)
        }
        own = {r.consumer for r in workspace.relationships if r.id in agreements}
    own_types = {t for org in own for t in types.get(org, ())}
    default = _closest(own_types) if len(own_types) == 1 else None
    return by_segment, default


def relationship_grouping(workspace: Workspace, journey: Journey) -> Grouping:
    """The relationship-type label of each journey (module docstring)."""
    by_segment, default = segment_relationships(workspace, journey)

    def label(data: JourneyData) -> ir.StringValue:
        import ibis

        segment = data.facts[SEGMENT]
        fallback = ibis.literal(default, type="string")
        if not by_segment:
            return fallback
        return segment.substitute(by_segment, else_=fallback)

    return label


def groupings(
    workspace: Workspace, journey: Journey, dimensions: Sequence[str]
) -> Mapping[str, Grouping]:
    """The groupings of :data:`DIMENSIONS` among ``dimensions``, by dimension."""
    makers = {"offering": offering_grouping, "relationship": relationship_grouping}
    return {d: makers[d](workspace, journey) for d in dimensions if d in makers}


def _closest(types: Iterable[RelationshipType]) -> str | None:
    found = set(types)
    return next((t.value for t in CLOSEST if t in found), None)


def _any(conditions: Iterable[ir.BooleanValue]) -> ir.BooleanValue:
    import ibis

    result: ir.BooleanValue = ibis.literal(False)
    for condition in conditions:
        result = result | condition
    return result
