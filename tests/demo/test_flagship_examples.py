"""The two flagship examples: sound, and as rich as DOMAIN.md sections 5 and 6 ask."""

from __future__ import annotations

from pathlib import Path

import pytest

from cojourney.demo import EXAMPLES_DIR, example_names
from cojourney.domain import (
    CULTURE_SCALES,
    AgreementKind,
    DsvStep,
    GateKind,
    InteractionKind,
    Period,
    Persona,
    RelationshipType,
    Visibility,
    Workspace,
    check_references,
)

ECAMPUS = "ecampus-car-share"
INCIDENT = "incident-resolution"


def load_example(name: str) -> Workspace:
    """Merge the collections of every YAML file of an example folder into one Workspace.

    A stand-in for the spec loader: it reads the files the way the loader does (sorted,
    sub-folders included, ``data/`` skipped) without the line-numbered error reporting.
    """
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    folder = EXAMPLES_DIR / name
    merged: dict = {}
    for path in sorted(folder.rglob("*.yaml")):
        if "data" in path.relative_to(folder).parts:
            continue
        document = yaml.load(path.read_text(encoding="utf-8")) or {}
        for key, value in document.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                assert key == "workspace" and "workspace" not in merged, f"{path}: {key} twice"
                merged[key] = value
    return Workspace(**merged)


@pytest.fixture(scope="module")
def ecampus() -> Workspace:
    return load_example(ECAMPUS)


@pytest.fixture(scope="module")
def incident() -> Workspace:
    return load_example(INCIDENT)


def _targets(ws: Workspace, indicator: str) -> list[tuple[str, object]]:
    """(agreement id, target) for every target on ``indicator``."""
    return [(ag.id, t) for ag in ws.agreements for t in ag.targets if t.indicator == indicator]


# --- both examples -----------------------------------------------------------------------------


def test_both_examples_ship_with_the_package():
    assert {ECAMPUS, INCIDENT} <= set(example_names())


@pytest.mark.parametrize("name", [ECAMPUS, INCIDENT])
def test_example_has_no_reference_problem(name):
    ws = load_example(name)
    assert check_references(ws) == []
    assert ws.workspace.id == name
    assert ws.journey().id == ws.workspace.default_journey


@pytest.mark.parametrize("name", [ECAMPUS, INCIDENT])
def test_example_passes_the_workspace_loader(name):
    from cojourney.spec import validate_workspace

    report = validate_workspace(EXAMPLES_DIR / name)
    assert report.ok, [str(p) for p in report.problems]


@pytest.mark.parametrize("name", [ECAMPUS, INCIDENT])
def test_every_file_starts_with_a_comment_saying_what_it_holds(name):
    for path in sorted((EXAMPLES_DIR / name).rglob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        comments = [line for line in lines[:6] if line.startswith("#")]
        assert len(comments) >= 3, path


@pytest.mark.parametrize("name", [ECAMPUS, INCIDENT])
def test_designed_path_is_complete_and_gates_follow_it(name):
    ws = load_example(name)
    for journey in ws.journeys:
        order = journey.path.order
        assert sorted(order) == sorted(t.id for t in journey.touchpoints)
        position = {tp: i for i, tp in enumerate(order)}
        assert journey.path.loops and journey.path.skips
        assert journey.path.entry_points and journey.path.exit_points
        for gate in journey.gates:
            last_required = max(position[r] for r in gate.requires)
            assert last_required < min(position[b] for b in gate.before), gate.id


@pytest.mark.parametrize("name", [ECAMPUS, INCIDENT])
def test_touchpoints_are_fully_described(name):
    ws = load_example(name)
    for tp in ws.journey().touchpoints:
        assert tp.id == tp.id.lower() and " " not in tp.id
        assert tp.expected_duration is not None, tp.id
        if tp.visibility is not Visibility.PROVIDER_ONLY:
            assert tp.emotion is not None, tp.id
            assert tp.customer_action, tp.id
        if tp.visibility is not Visibility.CONSUMER_ONLY:
            assert tp.owner is not None and tp.owner.role, tp.id
            assert tp.data_source, tp.id


@pytest.mark.parametrize("name", [ECAMPUS, INCIDENT])
def test_stakeholders_have_a_history_on_the_map(name):
    ws = load_example(name)
    assert len(ws.stakeholders) >= 7
    for sh in ws.stakeholders:
        assert len(sh.snapshots) == 2, sh.id
    moved = [
        sh.id for sh in ws.stakeholders if sh.snapshots[0].quadrant != sh.snapshots[1].quadrant
    ]
    assert moved


# --- eCampus Car Share (DOMAIN.md section 5) ---------------------------------------------------

ECAMPUS_TOUCHPOINTS = {
    # explore / engage / offer
    "app-store-search",
    "social-media-ad",
    "campus-poster",
    "friend-recommendation",
    "app-download",
    "browse-cars-map",
    "membership-plans-page",
    "trailer-offering-page",
    "university-discount-code",
    # agree / onboard
    "membership-sign-up",
    "payment-setup",
    "terms-acceptance",
    "licence-upload",
    "licence-verification",
    "licence-approved",
    "ev-instruction-video",
    "swipe-card-issued",
    "swipe-card-received",
    "first-booking",
    # co-create
    "book-car",
    "booking-confirmation",
    "charge-state-monitoring",
    "fleet-redistribution",
    "locate-car-in-app",
    "walk-to-car",
    "swipe-card-unlock",
    "charge-level-at-pickup",
    "start-car",
    "trailer-pickup",
    "driving",
    "charge-on-the-way",
    "low-charge-warning",
    "return-to-charging-station",
    "plug-in-end-trip",
    "late-return-call",
    "late-alert-dispatch",
    "late-return-alert",
    "car-reassigned",
    "trip-receipt",
    # realize / offboarding
    "post-trip-csat",
    "monthly-invoice",
    "monthly-nps-survey",
    "emissions-report",
    "co-design-workshop",
    "membership-renewal",
    "membership-cancellation",
    "swipe-card-return",
}


def test_ecampus_journey_covers_the_seven_dsv_steps(ecampus):
    journey = ecampus.journey("ecampus-member-journey")
    assert [s.id for s in journey.steps] == [s.value for s in DsvStep]
    assert all(s.dsv_step is not None and s.dsv_step.value == s.id for s in journey.steps)
    assert {s.period for s in journey.steps} == set(Period)
    for step in journey.steps:
        assert step.customer_does and step.customer_thinks
        assert step.customer_feels and step.customer_asks
        assert step.customer_goal and step.provider_goal and step.expected_duration
        assert journey.touchpoints_in(step.id), step.id
    assert len(journey.touchpoints) >= 30


def test_ecampus_has_every_required_touchpoint(ecampus):
    ids = set(ecampus.all_touchpoints())
    assert ids >= ECAMPUS_TOUCHPOINTS, sorted(ECAMPUS_TOUCHPOINTS - ids)


def test_ecampus_kinds_visibility_and_moments_of_truth(ecampus):
    tps = ecampus.all_touchpoints()
    backstage = {t for t, tp in tps.items() if tp.visibility is Visibility.PROVIDER_ONLY}
    assert {
        "licence-verification",
        "charge-state-monitoring",
        "fleet-redistribution",
        "late-alert-dispatch",
    } <= backstage
    consumer_only = {t for t, tp in tps.items() if tp.visibility is Visibility.CONSUMER_ONLY}
    assert {"walk-to-car", "driving"} <= consumer_only
    assert {tp.kind.value for tp in tps.values()} == {"direct", "brand", "environment"}
    assert {"social-media-ad", "campus-poster", "app-store-search"} <= {
        t for t, tp in tps.items() if tp.kind.value == "brand"
    }
    moments = {t for t, tp in tps.items() if tp.moment_of_truth}
    assert {
        "swipe-card-unlock",
        "charge-level-at-pickup",
        "late-return-call",
        "late-return-alert",
    } <= moments
    assert sum(tp.optional for tp in tps.values()) >= 10
    assert len({tp.owner.team for tp in tps.values() if tp.owner}) >= 5


def test_ecampus_emotion_curve_is_believable(ecampus):
    tps = ecampus.all_touchpoints()
    emotion = {t: tp.emotion for t, tp in tps.items() if tp.emotion is not None}
    assert emotion["swipe-card-unlock"] == max(emotion.values()) == 3
    assert emotion["licence-upload"] < 0 and emotion["terms-acceptance"] < 0
    assert emotion["low-charge-warning"] < 0 and emotion["late-return-call"] < 0
    assert emotion["first-booking"] > 0 and emotion["emissions-report"] > 0


def test_ecampus_interactions_of_all_four_kinds(ecampus):
    journey = ecampus.journey()
    kinds = {i.kind for i in journey.interactions}
    assert kinds == set(InteractionKind)
    goods = {
        tp
        for i in journey.interactions
        if i.kind is InteractionKind.TRANSFER_OF_GOODS
        for tp in i.touchpoints
    }
    assert {"swipe-card-received", "trailer-pickup"} <= goods


def test_ecampus_path_loops_skips_and_entries(ecampus):
    path = ecampus.journey().path
    loops = {(t.from_, t.to) for t in path.loops}
    assert ("trip-receipt", "book-car") in loops
    assert ("ev-instruction-video", "ev-instruction-video") in loops
    assert {"friend-recommendation", "app-store-search"} <= set(path.entry_points)
    assert {"membership-renewal", "swipe-card-return"} <= set(path.exit_points)


def test_ecampus_onboarding_and_offboarding_gates(ecampus):
    gates = ecampus.journey().gates
    onboarding = [g for g in gates if g.kind is GateKind.ONBOARDING and "first-booking" in g.before]
    required = {r for g in onboarding for r in g.requires}
    assert {"licence-verification", "ev-instruction-video", "terms-acceptance"} <= required
    offboarding = [g for g in gates if g.kind is GateKind.OFFBOARDING]
    assert len(offboarding) == 1
    assert offboarding[0].before == ["membership-cancellation"]
    assert {"plug-in-end-trip", "monthly-invoice"} <= set(offboarding[0].requires)


def test_ecampus_personas_and_scenarios(ecampus):
    assert {p.id for p in ecampus.personas} == {"katrina", "marcos", "diego"}
    katrina = ecampus.get("personas", "katrina")
    for field in Persona.model_fields:
        assert getattr(katrina, field) not in (None, [], ""), field
    assert all(getattr(katrina.culture, scale) is not None for scale in CULTURE_SCALES)
    assert len(CULTURE_SCALES) == 8
    assert {s.id for s in ecampus.scenarios} == {"daily-commute", "moving-house", "returning-late"}
    for sc in ecampus.scenarios:
        assert sc.why and sc.goals and sc.how and sc.barriers and len(sc.touchpoints) >= 5
    assert "trailer-pickup" in ecampus.get("scenarios", "moving-house").touchpoints
    assert "late-return-call" in ecampus.get("scenarios", "returning-late").touchpoints


def test_ecampus_stakeholders_and_their_movement(ecampus):
    ids = {s.id for s in ecampus.stakeholders}
    assert {
        "students",
        "staff",
        "university",
        "axle-car-hire",
        "ecampus-team",
        "tomas",
        "society",
    } <= ids
    university = ecampus.get("stakeholders", "university")
    first, last = sorted(university.snapshots, key=lambda s: s.date)
    assert last.interest > first.interest
    assert first.quadrant.value == "keep satisfied" and last.quadrant.value == "manage closely"


def test_ecampus_relationships(ecampus):
    rel = {r.id: r for r in ecampus.relationships}
    assert rel["ecampus-university"].type is RelationshipType.COOPERATIVE
    assert rel["axle-ecampus"].type is RelationshipType.PARTNERSHIP
    for r in rel.values():
        assert r.agreements and r.gives and r.gets
    orgs = {o.id for o in ecampus.organisations}
    assert {"ecampus", "axle-car-hire", "university", "campus-members"} <= orgs
    roles = {h.role.value for o in ecampus.organisations for h in o.consumer_roles}
    assert roles == {"customer", "user", "sponsor"}


def test_ecampus_offerings(ecampus):
    for offering_id in ("membership-offering", "trailer-offering"):
        off = ecampus.get("offerings", offering_id)
        assert off.goods and off.access_to_resources and off.service_actions
        assert off.target_group and off.price and off.services
    assert "axle-car-hire" in ecampus.get("offerings", "trailer-offering").partners


def test_ecampus_agreements_carry_the_named_targets(ecampus):
    def target(indicator, comparator, value, kind):
        found = [
            (a, t)
            for a, t in _targets(ecampus, indicator)
            if t.comparator.value == comparator and t.value == value
        ]
        assert found, indicator
        assert any(ecampus.get("agreements", a).kind.value == kind for a, _ in found), indicator

    target("pickup-charge-level", ">=", 95, "sla")
    target("next-customer-alert-rate", ">=", 98, "sla")
    target("service-desk-answer-time", "<=", 60, "sla")
    target("csat", ">=", 4.3, "xla")
    target("nps", ">=", 40, "xla")
    assert {a.kind for a in ecampus.agreements} == set(AgreementKind)
    bases = {a.basis.value for a in ecampus.agreements}
    assert {"obligation", "agreement", "promise", "social_norm"} <= bases
    related = {a for r in ecampus.relationships for a in r.agreements}
    assert related == {a.id for a in ecampus.agreements}
    assert all(a.relationship for a in ecampus.agreements)


def test_ecampus_value_propositions_and_indicators(ecampus):
    vps = {vp.stakeholder for vp in ecampus.value_propositions}
    assert {"students", "staff", "university", "axle-car-hire", "ecampus-team", "society"} <= vps
    for vp in ecampus.value_propositions:
        assert vp.outcomes and vp.costs and vp.experience
        assert any(item.indicator for item in vp.outcomes + vp.costs + vp.risks)
    indicators = {i.id: i for i in ecampus.indicators}
    assert {
        "emissions-avoided",
        "pickup-charge-level",
        "late-return-rate",
        "next-customer-alert-rate",
        "service-desk-answer-time",
        "onboarding-completion-rate",
        "csat",
        "nps",
        "journey-ces",
        "membership-retention",
        "trips-per-member",
        "university-discount-uptake",
        "axle-revenue-share",
    } <= set(indicators)
    assert indicators["emissions-avoided"].unit.startswith("kg CO2e")
    for ind in indicators.values():
        assert ind.definition and ind.unit and ind.owner, ind.id
        assert ind.data_source and ind.stakeholder, ind.id
        assert ind.target is not None, ind.id
    assert len({i.aspect for i in indicators.values()}) == 5  # all aspects except utility


def test_ecampus_improvement_register(ecampus):
    alert = ecampus.get("improvements", "late-return-alert")
    assert alert.status.value == "trial"
    assert {"late-return-alert", "late-alert-dispatch"} <= set(alert.touchpoints)
    effects = {e.indicator: e for e in alert.effects}
    for indicator in ("next-customer-experience", "next-customer-alert-rate"):
        assert effects[indicator].baseline < effects[indicator].target
    assert ecampus.get("improvements", "late-return-fines").status.value == "rejected"
    assert ecampus.get("improvements", "trailer-add-on").status.value == "done"
    pain_points = {p.id for p in ecampus.pain_points}
    assert {"late-returns", "low-charge-returns", "licence-check-wait"} <= pain_points
    assert all(o.pain_points for o in ecampus.opportunities)


# --- incident resolution (DOMAIN.md section 6) ---------------------------------------------------

INCIDENT_TOUCHPOINTS = {
    "erp-error-noticed",
    "self-help-search",
    "portal-report",
    "phone-report",
    "email-report",
    "chat-report",
    "ticket-registered",
    "triage",
    "priority-and-eta-told",
    "incident-classified",
    "known-error-lookup",
    "escalation-to-second-line",
    "swarming",
    "status-update",
    "diagnosis",
    "fix-applied",
    "solution-proposed",
    "solution-confirmed",
    "solution-rejected",
    "service-restored",
    "closure-survey",
    "ticket-closed",
    "ticket-reopened",
}


def test_incident_journey_has_seven_custom_steps(incident):
    journey = incident.journey("resolve-incident")
    assert [s.id for s in journey.steps] == [
        "notice-malfunction",
        "contact-service-desk",
        "classify-and-match",
        "diagnose-and-fix",
        "confirm-solution",
        "service-restored",
        "closure",
    ]
    mapped = [s.dsv_step for s in journey.steps if s.dsv_step is not None]
    assert len(mapped) == len(set(mapped)) >= 3
    assert all(journey.touchpoints_in(s.id) for s in journey.steps)


def test_incident_touchpoints_owners_and_loops(incident):
    journey = incident.journey()
    tps = incident.all_touchpoints()
    assert set(tps) >= INCIDENT_TOUCHPOINTS, sorted(INCIDENT_TOUCHPOINTS - set(tps))
    assert tps["known-error-lookup"].visibility is Visibility.PROVIDER_ONLY
    assert tps["escalation-to-second-line"].visibility is Visibility.PROVIDER_ONLY
    teams = {tp.owner.team for tp in tps.values() if tp.owner}
    assert {"Service desk", "Application support (ERP)"} <= teams
    assert {"priority-and-eta-told", "solution-proposed", "service-restored"} <= {
        t for t, tp in tps.items() if tp.moment_of_truth
    }
    loops = {(t.from_, t.to) for t in journey.path.loops}
    assert ("solution-rejected", "diagnosis") in loops and ("ticket-reopened", "diagnosis") in loops
    assert {i.kind for i in journey.interactions} == set(InteractionKind)
    consumer = incident.get("organisations", "finance-bu")
    assert {h.role.value for h in consumer.consumer_roles} == {"user", "customer", "sponsor"}


def test_incident_sla_has_response_and_resolution_targets_by_priority(incident):
    sla = incident.get("agreements", "incident-sla")
    assert sla.kind is AgreementKind.SLA
    for indicator in ("first-response-time", "resolution-time"):
        by_priority = {t.priority: t.value for t in sla.targets if t.indicator == indicator}
        assert set(by_priority) == {"P1", "P2", "P3", "P4"}, indicator
        values = [by_priority[p] for p in ("P1", "P2", "P3", "P4")]
        assert values == sorted(values), indicator


def test_incident_xla_and_indicators(incident):
    xlas = [a for a in incident.agreements if a.kind is AgreementKind.XLA]
    assert any(t.indicator == "happiness-score" for a in xlas for t in a.targets)
    assert {
        "first-response-time",
        "resolution-time",
        "first-contact-resolution",
        "reopen-rate",
        "happiness-score",
        "closure-csat",
    } <= {i.id for i in incident.indicators}


def test_incident_personas_scenarios_and_improvements(incident):
    assert "anna" in {p.id for p in incident.personas}
    assert incident.scenarios and all(sc.touchpoints for sc in incident.scenarios)
    assert any(imp.effects for imp in incident.improvements)
    assert {
        "end-users",
        "service-desk-agents",
        "second-line-specialists",
        "it-management",
        "business",
    } <= {s.id for s in incident.stakeholders}


def test_example_folders_hold_only_yaml():
    for name in (ECAMPUS, INCIDENT):
        files = [p for p in Path(EXAMPLES_DIR / name).rglob("*") if p.is_file()]
        assert files and all(p.suffix == ".yaml" for p in files), files
