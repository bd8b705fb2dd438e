"""The band of visibility enforced: what a consumer may see of a journey.

DSV draws two lines across a journey: the consumer's line of visibility (below it,
backstage, the provider's own work) and the provider's (beyond it, what the consumer
does alone). Maps, reports and share links for *consumers* show only what lies on the
consumer's side: the steps, the touchpoints inside the band (``visibility: band``) or
on the consumer's side of it (``consumer_only``), and what the customer does, thinks,
feels and asks, and of the offerings only what the steps and those touchpoints deliver
(the offering's name and the goods, access to resources and service actions named there).

:func:`consumer_view` is the one place that decides it. It is an **allow-list**:
:data:`CONSUMER_FIELDS` names, per model, the fields a consumer may see; every other
field, every other collection of the workspace (parties, offerings, personas, value,
agreements, improvements...) and every field added later is left out until it is
declared here. ``docs/sharing.md`` gives the decision field by field, and a test keeps
that page and this table in step.

    >>> from cojourney.domain import Journey, Step, Touchpoint, Workspace, WorkspaceInfo
    >>> journey = Journey(
    ...     id="j",
    ...     name="Join",
    ...     steps=[Step(id="s", name="Sign up", period="service", provider_goal="Upsell")],
    ...     touchpoints=[
    ...         Touchpoint(id="form", name="Fills the form", step="s", channel="web"),
    ...         Touchpoint(
    ...             id="check", name="Credit check", step="s", channel="system",
    ...             visibility="provider_only",
    ...         ),
    ...     ],
    ... )
    >>> view = consumer_view(Workspace(workspace=WorkspaceInfo(id="w", name="W"), journeys=[journey]))
    >>> [tp.id for tp in view.journey().touchpoints], view.journey().steps[0].provider_goal
    (['form'], None)
"""

from __future__ import annotations

from typing import Any, Literal

from cojourney.domain.common import Model
from cojourney.domain.journey import (
    DesignedPath,
    Journey,
    ServiceInteraction,
    Step,
    Touchpoint,
    Transition,
    Visibility,
)
from cojourney.domain.offerings import OFFERING_PARTS, Offering, OfferingDelivery
from cojourney.domain.workspace import Workspace, WorkspaceInfo
from cojourney.errors import InputError, Location, NotFound, Problem

__all__ = [
    "AUDIENCES",
    "CONSUMER_COLLECTIONS",
    "CONSUMER_FIELDS",
    "CONSUMER_VISIBILITIES",
    "Audience",
    "check_audience",
    "consumer_journey",
    "consumer_offerings",
    "consumer_view",
    "is_consumer_facing",
]

#: Who an output is for: the provider's people (everything) or its consumers (the band).
Audience = Literal["provider", "consumer"]
AUDIENCES: tuple[Audience, ...] = ("provider", "consumer")

#: Where a touchpoint or interaction must sit for a consumer to see it.
CONSUMER_VISIBILITIES: frozenset[Visibility] = frozenset(
    {Visibility.BAND, Visibility.CONSUMER_ONLY}
)

#: The fields a consumer may see, per model. A field not named here is never shown.
CONSUMER_FIELDS: dict[type[Model], frozenset[str]] = {
    WorkspaceInfo: frozenset({"id", "name", "default_journey", "time_zone"}),
    Journey: frozenset({"id", "name", "steps", "touchpoints", "interactions", "path"}),
    Step: frozenset(
        {
            "id",
            "name",
            "dsv_step",
            "period",
            "customer_does",
            "customer_thinks",
            "customer_feels",
            "customer_asks",
            "customer_goal",
            "expected_duration",
            "offerings",
        }
    ),
    Touchpoint: frozenset(
        {
            "id",
            "name",
            "step",
            "channel",
            "kind",
            "visibility",
            "expected_duration",
            "emotion",
            "moment_of_truth",
            "optional",
            "customer_action",
            "offerings",
        }
    ),
    OfferingDelivery: frozenset({"offering", *OFFERING_PARTS}),
    Offering: frozenset({"id", "name", *OFFERING_PARTS}),
    ServiceInteraction: frozenset(
        {"id", "name", "kind", "step", "touchpoints", "consumer_resources", "visibility"}
    ),
    DesignedPath: frozenset({"order", "loops", "skips", "entry_points", "exit_points"}),
    Transition: frozenset({"from_", "to"}),
}

#: The collections of a :class:`Workspace` a consumer view holds (all others stay empty).
CONSUMER_COLLECTIONS: frozenset[str] = frozenset({"workspace", "journeys", "offerings"})


def check_audience(audience: str) -> Audience:
    """``audience`` if it is one of :data:`AUDIENCES`, else an input error naming them.

    >>> check_audience("consumer")
    'consumer'
    """
    if audience in AUDIENCES:
        return audience
    raise InputError(
        Problem(
            "unknown audience",
            Location(field="audience"),
            found=repr(audience),
            expected=" or ".join(AUDIENCES),
            hint="'consumer' shows only what the customer sees; 'provider' shows everything",
        )
    )


def is_consumer_facing(visibility: Visibility) -> bool:
    """Whether an activity with this visibility is on the consumer's side of the line.

    >>> is_consumer_facing(Visibility.BAND), is_consumer_facing(Visibility.PROVIDER_ONLY)
    (True, False)
    """
    return visibility in CONSUMER_VISIBILITIES


def _allowed(item: Model, **projected: Any) -> dict[str, Any]:
    """The allowed fields of ``item`` that are set, with ``projected`` values put in.

    Fields still holding their default are left out, so the copy's defaults apply.
    """
    fields = CONSUMER_FIELDS[type(item)]
    unknown = set(projected) - fields
    if unknown:  # a programming error: projecting a field that is not declared safe
        raise ValueError(f"{type(item).__name__}: {sorted(unknown)} are not consumer fields")
    values = {name: getattr(item, name) for name in fields if name in item.model_fields_set}
    values.update(projected)
    return values


def _copy(item: Model, **projected: Any) -> Any:
    return type(item)(**_allowed(item, **projected))


def consumer_journey(journey: Journey) -> Journey:
    """``journey`` as a consumer may see it (see the module documentation).

    Touchpoints and service interactions behind the consumer's line of visibility are
    dropped, with every reference to them (an interaction's touchpoints, the designed
    order, loops, skips, entry and exit points); the other objects keep only the fields
    of :data:`CONSUMER_FIELDS`.
    """
    touchpoints = [
        _copy(tp, offerings=[_copy(d) for d in tp.offerings])
        for tp in journey.touchpoints
        if is_consumer_facing(tp.visibility)
    ]
    visible = {tp.id for tp in touchpoints}
    interactions = [
        _copy(ix, touchpoints=[t for t in ix.touchpoints if t in visible])
        for ix in journey.interactions
        if is_consumer_facing(ix.visibility)
    ]
    path = journey.path

    def moves(transitions: list[Transition]) -> list[Transition]:
        return [_copy(t) for t in transitions if t.from_ in visible and t.to in visible]

    consumer_path = _copy(
        path,
        order=[t for t in path.order if t in visible],
        loops=moves(path.loops),
        skips=moves(path.skips),
        entry_points=[t for t in path.entry_points if t in visible],
        exit_points=[t for t in path.exit_points if t in visible],
    )
    projected: Journey = _copy(
        journey,
        steps=[_copy(step, offerings=[_copy(d) for d in step.offerings]) for step in journey.steps],
        touchpoints=touchpoints,
        interactions=interactions,
        path=consumer_path,
    )
    return projected


def consumer_view(workspace: Workspace, journey_id: str | None = None) -> Workspace:
    """A workspace holding only what a consumer may see of one journey.

    Parameters
    ----------
    workspace
        The provider's whole workspace.
    journey_id
        The journey to show; by default the workspace's default journey, else its first.

    Returns
    -------
    Workspace
        The workspace's id, name and time zone, and the one journey as
        :func:`consumer_journey` leaves it (its default journey). Every other
        collection is empty.

    Raises
    ------
    cojourney.errors.NotFound
        There is no journey ``journey_id`` (or no journey at all).
    """
    if journey_id is None:
        journey_id = workspace.workspace.default_journey or (
            workspace.journeys[0].id if workspace.journeys else None
        )
    if journey_id is None:
        raise NotFound(
            f"workspace {workspace.workspace.id!r} has no journey to show consumers; "
            "add a journey under journeys/"
        )
    journey: Journey = workspace.require("journeys", journey_id)
    info = _copy(workspace.workspace, default_journey=journey.id)
    shown = consumer_journey(journey)
    return Workspace(
        workspace=info, journeys=[shown], offerings=consumer_offerings(workspace, shown)
    )


def consumer_offerings(workspace: Workspace, journey: Journey) -> list[Offering]:
    """The offerings that ``journey`` (the consumer journey) delivers at its steps and its
    consumer-facing touchpoints, each with its name and only the parts named there.

    An offering delivered only behind the line of visibility is left out; so is a part
    (a good, an access to resources, a service action) named only there.
    """
    named: dict[str, dict[str, set[str]]] = {}
    for _step, _tp, delivery in journey.offering_deliveries():
        parts = named.setdefault(delivery.offering, {part: set() for part in OFFERING_PARTS})
        for part, entry in delivery.parts():
            parts[part].add(entry)
    return [
        _copy(
            offering,
            **{
                part: [e for e in getattr(offering, part) if e in named[offering.id][part]]
                for part in OFFERING_PARTS
            },
        )
        for offering in workspace.offerings
        if offering.id in named
    ]
