"""The report's "Relationships" section on hand-made data: where agreements or experience
fall short, per relationship."""

from __future__ import annotations

from cojourney.domain import Agreement, Organisation, Relationship, Workspace, WorkspaceInfo
from cojourney.report.sections import Status, relationships


def _workspace() -> Workspace:
    orgs = [Organisation(id=o, name=o.title(), roles=["provider", "consumer"]) for o in "abc"]
    return Workspace(
        workspace=WorkspaceInfo(id="w", name="W", provider="a"),
        organisations=orgs,
        relationships=[
            # sla is listed here; xla names the relationship itself
            Relationship(
                id="members",
                name="Members",
                type="basic",
                provider="a",
                consumer="b",
                agreements=["sla"],
            ),
            Relationship(
                id="partner", name="Partner", type="partnership", provider="c", consumer="a"
            ),
        ],
        agreements=[
            Agreement(id="sla", name="Member SLA", kind="sla", basis="agreement", provider="a"),
            Agreement(
                id="xla",
                name="Member XLA",
                kind="xla",
                basis="promise",
                provider="a",
                relationship="members",
            ),
            Agreement(
                id="ola",
                name="Partner OLA",
                kind="ola",
                basis="agreement",
                provider="c",
                relationship="partner",
                covers=["experience"],
            ),
            Agreement(id="loose", name="Loose", kind="sla", basis="agreement", provider="a"),
        ],
    )


def _target(agreement, indicator, status, value, target):
    return {
        "agreement": agreement,
        "indicator_name": indicator,
        "status": status,
        "current": {"period_start": "2026-01-01", "value": value},
        "target": {"comparator": ">=", "value": target},
    }


def _clock(agreement, name, share, attainment, meets):
    return {
        "agreement_id": agreement,
        "clock_name": name,
        "total": {"share_met": share, "attainment": attainment, "meets": meets},
    }


TARGETS = [
    _target("sla", "Charged at pickup", "missed", 91.0, 95),
    _target("sla", "App availability", "met", 99.9, 99.5),
    _target("xla", "NPS", "missed", 31.0, 40),
    _target("ola", "Partner satisfaction", "met", 4.6, 4),
    _target("loose", "Belongs nowhere", "missed", 1.0, 2),
]
CLOCKS = [_clock("sla", "Licence check", 80.0, 95.0, False), _clock("ola", "Fix", 99.0, 95.0, True)]


def test_agreements_belong_to_their_relationship():
    declared = {r["id"]: r for r in relationships.declared(_workspace())}
    assert [a["id"] for a in declared["members"]["agreements"]] == ["sla", "xla"]
    assert [a["id"] for a in declared["partner"]["agreements"]] == ["ola"]
    flags = {a["id"]: a["experience"] for r in declared.values() for a in r["agreements"]}
    assert flags == {"sla": False, "xla": True, "ola": True}  # an XLA, or covers experience


def test_shortfalls_split_agreements_and_experience():
    members = relationships.declared(_workspace())[0]
    short = relationships.shortfalls(members, TARGETS, CLOCKS)
    assert short["agreements"] == [
        "Member SLA: Charged at pickup 91 against >= 95 (2026-01-01)",
        "Member SLA: clock Licence check met for 80% of journeys against 95%",
    ]
    assert short["experience"] == ["Member XLA: NPS 31 against >= 40 (2026-01-01)"]


def test_section_names_where_each_relationship_falls_short():
    section = relationships.build(
        relationships.declared(_workspace()), TARGETS, CLOCKS, has_events=True
    )
    assert section.status is Status.OK
    html = section.html
    assert "Where relationships fall short" in html
    assert "Members (basic), experience: Member XLA: NPS 31" in html
    assert len(section.headline["short"]) == 3  # the partner keeps everything
    partner = html[html.index('id="relationship-partner"') :]
    assert "on target" in partner and "falls short" not in partner
    assert "Belongs nowhere" not in html  # its agreement belongs to no relationship


def test_all_met_and_the_empty_cases():
    kept = [t for t in TARGETS if t["status"] == "met"]
    met = relationships.build(relationships.declared(_workspace()), kept, [], has_events=True)
    assert "No relationship falls short" in met.html and met.headline["short"] == []
    assert relationships.build([], None, None, has_events=True).status is Status.NO_DATA
    no_events = relationships.build(
        relationships.declared(_workspace()), None, None, has_events=False
    )
    assert no_events.status is Status.NO_DATA and "No events imported yet" in no_events.html
