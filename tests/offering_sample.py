"""A small workspace for the breakdowns by offering and relationship, and its events.

Shared by ``tests/analytics/test_offering_breakdown.py`` (the hand-computed groups) and
``tests/cli/test_analyze_by_offering.py`` (the same through the command line).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from cojourney.domain import (
    ConsumerRoleHolder,
    Journey,
    Offering,
    OfferingDelivery,
    Organisation,
    Persona,
    Relationship,
    Step,
    Touchpoint,
    Workspace,
    WorkspaceInfo,
)
from cojourney.events.schema import canonical_arrow_schema

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def sample_workspace(personas: list[str]) -> Workspace:
    """Three offerings: membership at touchpoint ``use``, trailer at ``hitch``, newsletter
    over step ``s3`` as a whole; persona p1 is a consumer of org A (basic), p2 of org B
    (cooperative, and a basic one too: the closer type counts)."""
    journey = Journey(
        id="j",
        name="J",
        personas=personas,
        steps=[
            Step(id="s1", name="Join", period="pre_service"),
            Step(id="s2", name="Use", period="service"),
            Step(
                id="s3",
                name="After",
                period="post_service",
                offerings=[OfferingDelivery(offering="newsletter")],
            ),
        ],
        touchpoints=[
            Touchpoint(id="sign", name="Sign", step="s1", channel="app"),
            Touchpoint(
                id="use",
                name="Use",
                step="s2",
                channel="app",
                offerings=[OfferingDelivery(offering="membership", goods=["Card"])],
            ),
            Touchpoint(
                id="hitch",
                name="Hitch",
                step="s2",
                channel="in_person",
                optional=True,
                offerings=["trailer"],  # type: ignore[list-item]
            ),
            Touchpoint(id="survey", name="Survey", step="s3", channel="email", optional=True),
        ],
    )
    org = lambda id_, persona: Organisation(  # noqa: E731
        id=id_,
        name=id_,
        roles=["consumer"],
        consumer_roles=[ConsumerRoleHolder(role="user", held_by="them", persona=persona)],
    )
    return Workspace(
        workspace=WorkspaceInfo(id="w", name="W", provider="us"),
        organisations=[
            Organisation(id="us", name="Us", roles=["provider"]),
            org("A", "p1"),
            org("B", "p2"),
        ],
        personas=[
            Persona(id="p1", name="P1", segment="Students"),
            Persona(id="p2", name="P2", segment="Staff"),
        ],
        relationships=[
            Relationship(id="ra", name="Us-A", type="basic", provider="us", consumer="A"),
            Relationship(id="rb", name="Us-B", type="cooperative", provider="us", consumer="B"),
            Relationship(id="rb2", name="Us-B too", type="basic", provider="us", consumer="B"),
            # a relationship of another provider does not count
            Relationship(id="rx", name="A-B", type="partnership", provider="A", consumer="B"),
        ],
        offerings=[
            Offering(id="membership", name="Membership", goods=["Card"]),
            Offering(id="trailer", name="Trailer"),
            Offering(id="newsletter", name="Newsletter"),
        ],
        journeys=[journey],
    )


#: (journey, segment, touchpoints in order)
JOURNEYS = [
    ("j1", "p1", ["sign", "use"]),
    ("j2", "p1", ["sign", "use", "hitch"]),
    ("j3", "p2", ["sign", "use", "hitch", "survey"]),
    ("j4", "B", ["sign"]),
    ("j5", "zz", ["sign", "use"]),
    ("j6", None, ["use", "survey"]),
]


def sample_events() -> pa.Table:
    rows, seq = [], 0
    for journey, segment, tps in JOURNEYS:
        for k, tp in enumerate(tps):
            rows.append(
                {
                    "journey_id": journey,
                    "activity": tp,
                    "timestamp": T0 + dt.timedelta(minutes=k),
                    "event_seq": seq,
                    "segment": segment,
                }
            )
            seq += 1
    return pa.Table.from_pylist(rows, schema=canonical_arrow_schema())
