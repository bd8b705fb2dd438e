"""Offerings delivered at steps and touchpoints: the short form, the parts, the checks."""

from __future__ import annotations

from cojourney.domain import (
    Agreement,
    Journey,
    Offering,
    OfferingDelivery,
    Organisation,
    Relationship,
    Step,
    Touchpoint,
    Workspace,
    WorkspaceInfo,
)
from cojourney.domain.references import check_references
from cojourney.spec.schema import workspace_file_schema


def _workspace(*deliveries, step_deliveries=(), **extra) -> Workspace:
    journey = Journey(
        id="j",
        name="J",
        steps=[Step(id="s", name="S", period="service", offerings=list(step_deliveries))],
        touchpoints=[
            Touchpoint(id="t", name="T", step="s", channel="app", offerings=list(deliveries))
        ],
    )
    offering = Offering(
        id="plan", name="Plan", goods=["Card"], service_actions=["Licence check", "Help"]
    )
    return Workspace(
        workspace=WorkspaceInfo(id="w", name="W"), offerings=[offering], journeys=[journey], **extra
    )


def test_an_id_alone_is_the_whole_offering():
    delivery = OfferingDelivery.model_validate("plan")
    assert delivery.offering == "plan" and delivery.parts() == []
    full = OfferingDelivery(offering="plan", service_actions=["Help"], goods=["Card"])
    assert full.parts() == [("goods", "Card"), ("service_actions", "Help")]


def test_the_schema_accepts_both_forms():
    schema = workspace_file_schema()["$defs"]["OfferingDelivery"]
    assert schema["anyOf"][0]["type"] == "string"
    assert set(schema["anyOf"][1]["properties"]) == {
        "offering",
        "goods",
        "access_to_resources",
        "service_actions",
    }


def test_valid_deliveries_pass():
    ws = _workspace(OfferingDelivery(offering="plan", goods=["Card"]), step_deliveries=["plan"])
    assert check_references(ws) == []
    assert [(s.id, t.id if t else None) for s, t, _ in ws.journey().offering_deliveries()] == [
        ("s", None),
        ("s", "t"),
    ]


def test_unknown_offering_and_unknown_parts_are_located():
    ws = _workspace(
        OfferingDelivery(offering="plan", service_actions=["Help", "Licence chek"]),
        step_deliveries=["nope"],
    )
    problems = {p.path: p for p in check_references(ws)}
    part = problems[("journeys", 0, "touchpoints", 0, "offerings", 0, "service_actions", 1)]
    assert part.message == "service action 'Licence chek' is not part of offering 'plan'"
    assert "Licence check" in part.expected and part.reference
    unknown = problems[("journeys", 0, "steps", 0, "offerings", 0, "offering")]
    assert unknown.message == "unknown offering 'nope'" and "plan" in unknown.expected
    assert len(problems) == 2


def test_an_agreement_in_two_relationships_is_refused():
    orgs = [Organisation(id=o, name=o, roles=["provider", "consumer"]) for o in "ab"]
    rels = [
        Relationship(
            id="r1", name="R1", type="basic", provider="a", consumer="b", agreements=["x"]
        ),
        Relationship(id="r2", name="R2", type="partnership", provider="b", consumer="a"),
    ]
    agreement = Agreement(
        id="x", name="X", kind="sla", basis="agreement", provider="a", relationship="r2"
    )
    ws = _workspace(organisations=orgs, relationships=rels, agreements=[agreement])
    (problem,) = check_references(ws)
    assert problem.path == ("agreements", 0, "relationship")
    assert "lists it among its agreements" in problem.message
    same = agreement.model_copy(update={"relationship": "r1"})
    assert check_references(ws.model_copy(update={"agreements": [same]})) == []


def test_flagship_agreements_each_belong_to_their_relationship():
    from cojourney.demo import example_path
    from cojourney.domain.relationships import relationship_summary
    from cojourney.spec import load_workspace

    summary = relationship_summary(load_workspace(example_path("ecampus-car-share")))
    types = {agreement: rel["type"] for agreement, rel in summary.items()}
    assert types == {
        "member-sla": "basic",
        "member-xla": "basic",
        "driving-licence-law": "basic",
        "responsible-use": "basic",
        "axle-operations-ola": "partnership",
        "axle-partnership": "partnership",
        "university-cooperation": "cooperative",
    }


def test_flagship_trailer_journeys_are_those_at_the_trailer_depot():
    from cojourney.analytics.offerings import offering_touchpoints
    from cojourney.demo import example_path
    from cojourney.spec import load_workspace

    ws = load_workspace(example_path("ecampus-car-share"))
    taken = dict(offering_touchpoints(ws, ws.journey()))
    assert taken["Trailer add-on"] == ["trailer-pickup", "trailer-return"]  # not the info page
    assert "swipe-card-unlock" in taken["eCampus membership"]
