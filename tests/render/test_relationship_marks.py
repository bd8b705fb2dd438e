"""Relationship types and consumer roles on the stakeholder map."""

from __future__ import annotations

import pytest

from cojourney.domain import ConsumerRoleHolder, Organisation, Relationship, WorkspaceInfo
from cojourney.render import render_stakeholder_map
from cojourney.render.relationship_marks import ties
from cojourney.render.stakeholder_map import table_rows

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def related(workspace):
    """Bike share run by "scheme"; the students' union is a consumer organisation in a basic
    relationship (and a cooperative one: the closer counts), the city a partner."""
    stakeholders = [
        s.model_copy(update={"organisation": org})
        for s, org in zip(workspace.stakeholders, ["union", "city", None, None], strict=True)
    ]
    orgs = [
        Organisation(id="scheme", name="Bike scheme", roles=["provider"]),
        Organisation(
            id="union",
            name="Students",
            roles=["consumer"],
            consumer_roles=[
                ConsumerRoleHolder(role="user", held_by="riders", stakeholder="students"),
                ConsumerRoleHolder(role="sponsor", held_by="union fund", stakeholder="students"),
            ],
        ),
        Organisation(id="city", name="City", roles=["provider", "consumer"]),
    ]
    rels = [
        Relationship(id="r1", name="Riders", type="basic", provider="scheme", consumer="union"),
        Relationship(
            id="r2", name="Pilot", type="cooperative", provider="scheme", consumer="union"
        ),
        Relationship(id="r3", name="Docks", type="partnership", provider="city", consumer="scheme"),
    ]
    info = WorkspaceInfo(id="bike-share", name="Riverside Bike Share", provider="scheme")
    return workspace.model_copy(
        update={
            "workspace": info,
            "stakeholders": stakeholders,
            "organisations": orgs,
            "relationships": rels,
        }
    )


def _dot(root, name):
    return next(
        g
        for g in root.iter(f"{SVG_NS}g")
        if g.get("class") == "cj-stakeholder" and g.find(f"{SVG_NS}title").text.startswith(name)
    )


def test_ties_closest_type_and_roles(related):
    found = ties(related)
    assert found["students"].closest.value == "cooperative"
    assert [r.value for r in found["students"].roles] == ["user", "sponsor"]
    assert found["city"].closest.value == "partnership" and not found["city"].roles
    assert found["bus-co"].closest is None


def test_rings_badges_and_legend(related, check):
    root = check.svg(render_stakeholder_map(related, fmt="svg"))
    students = _dot(root, "Students' union")
    classes = {g.get("class") for g in students.iter(f"{SVG_NS}g")}
    assert "cj-ring-cooperative" in classes and "cj-roles" in classes
    badges = [t.text for t in students.iter(f"{SVG_NS}text")]
    assert badges == ["U", "S"]
    tip = students.find(f"{SVG_NS}title").text
    assert "Relationship: basic (Riders); cooperative (Pilot)" in tip
    assert "Consumer roles: user, sponsor" in tip
    city = {g.get("class") for g in _dot(root, "City council").iter(f"{SVG_NS}g")}
    assert "cj-ring-partnership" in city and "cj-roles" not in city
    bus = {g.get("class") for g in _dot(root, "Bus company").iter(f"{SVG_NS}g")}
    assert not any(c and c.startswith("cj-ring") for c in bus)
    text = check.text(root)
    for words in ("RELATIONSHIPS", "CONSUMER ROLES", "ring: partnership relationship"):
        assert words in text
    assert "City → Bike scheme" in text and "user: Students' union" in text


def test_table_and_page_columns(related, check):
    rows = {r["id"]: r for r in table_rows(related)}
    assert rows["students"]["relationship_type"] == "cooperative"
    assert rows["students"]["roles"] == "user, sponsor"
    assert rows["neighbours"]["relationship"] == "" and rows["neighbours"]["roles"] == ""
    page = render_stakeholder_map(related)
    check.html(page)
    assert '<th scope="col">Relationship</th>' in page and "Consumer roles" in page
    assert 'class="relationship rel-partnership"' in page


def test_without_relationships_nothing_is_added(workspace, check):
    root = check.svg(render_stakeholder_map(workspace, fmt="svg"))
    assert "RELATIONSHIPS" not in check.text(root)
    assert not [g for g in root.iter(f"{SVG_NS}g") if (g.get("class") or "").startswith("cj-ring")]
