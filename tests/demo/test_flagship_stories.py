"""The flagship examples' stories, end to end: simulate, measure, report.

What issue 4 asks the examples to show: in eCampus the late-return alert trial lifts
the next member's experience (a significant before/after difference); in incident
resolution the SLA stays green while the happiness XLA is red in February and March
2025 (the "watermelon" months the simulator plants), and the SLA clocks run. The
report of each example has every section measured.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cojourney.demo.simulator.ecampus_measurements import MEASURED
from cojourney.services.agreements import agreements_report
from cojourney.services.report import build_report
from cojourney.services.simulation import simulate
from cojourney.services.value import improvement_report, value_report
from cojourney.services.workspaces import init_workspace

SECTIONS = (
    "summary",
    "journey-map",
    "journey-graph",
    "variants",
    "funnel",
    "experience",
    "agreements",
    "relationships",
    "value",
    "leakage",
    "improvements",
    "stakeholders",
)


def simulated(tmp_path_factory: pytest.TempPathFactory, example: str, journeys: int) -> Path:
    ws = tmp_path_factory.mktemp(example) / "ws"
    init_workspace(ws, example=example)
    simulate(ws, journeys, seed=11)
    return ws


@pytest.fixture(scope="module")
def ecampus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulated(tmp_path_factory, "ecampus-car-share", 1200)


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulated(tmp_path_factory, "incident-resolution", 2500)


def test_the_late_return_alert_lifts_the_next_members_experience(ecampus: Path) -> None:
    results = {r.improvement_id: r for r in improvement_report(ecampus)}
    alert = results["late-return-alert"]
    assert alert.comparison == "before_after" and alert.change_date == date(2025, 9, 1)
    effect = next(e for e in alert.effects if e.indicator_id == "next-customer-experience")
    assert effect.control is not None and effect.treatment is not None
    assert effect.treatment.value > effect.control.value  # after the trial started
    assert effect.significant and effect.improved
    assert effect.p_value is not None and effect.p_value < 0.001


def test_every_ecampus_indicator_has_a_value_a_status_and_a_source(ecampus: Path) -> None:
    result = value_report(ecampus)
    values = {i.indicator_id: i for g in result.stakeholders for i in g.indicators}
    assert len(values) == 23 and (result.measured, result.not_measured) == (23, 0)
    missing = {
        iid: (v.status.value, v.source)
        for iid, v in values.items()
        if v.current is None
        or v.current.value is None
        or v.source is None
        or v.status.value in ("not_measured", "no_data")
    }
    assert missing == {}
    by_measurements = {iid for iid, v in values.items() if v.source == "measurements"}
    assert by_measurements == MEASURED
    assert {v.source for v in values.values()} == {
        "events",
        "survey answers",
        "SLA clock",
        "measurements",
    }


def test_the_incident_sla_is_a_watermelon_in_february_and_march(incidents: Path) -> None:
    report = agreements_report(incidents)
    pairs = {(w.sla_id, w.xla_id) for w in report.watermelons}
    months = {w.month for w in report.watermelons}
    assert pairs == {("incident-sla", "happiness-xla")}
    # Only the planted months; with a few thousand incidents the SLA's monthly sample can
    # tip one of them to red (then it is no watermelon), never both.
    assert months and months <= {date(2025, 2, 1), date(2025, 3, 1)}
    happiness = next(t for t in report.targets if t.indicator_id == "happiness-score")
    red = {p.period_start for p in happiness.periods if p.met is False}
    assert {date(2025, 2, 1), date(2025, 3, 1)} <= red
    clocks = {c.clock_id: c for c in report.clocks}
    assert {"first-response", "resolution"} <= set(clocks)
    counts = clocks["resolution"].status_counts
    assert counts["met"] > counts["breached"] > 0


@pytest.mark.parametrize("example", ["ecampus", "incidents"])
def test_every_report_section_is_measured(
    example: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    ws = request.getfixturevalue(example)
    result = build_report(ws, tmp_path / "report.html")
    assert tuple(result.sections) == SECTIONS
    not_ok = {k: (v, result.reasons.get(k)) for k, v in result.sections.items() if v != "ok"}
    assert not_ok == {}
