"""The watermelon warning: a green SLA or OLA beside a red XLA of the same service."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from test_sla import INCIDENTS, RESOLUTION, store_with, workspace

from cojourney.analytics.agreement_targets import (
    TargetPeriod,
    TargetSeries,
    TargetStatus,
    judge_by_clocks,
)
from cojourney.analytics.sla import evaluate_clocks
from cojourney.analytics.watermelon import (
    Evidence,
    clock_evidence,
    find_watermelons,
    target_evidence,
)
from cojourney.domain import Agreement, Workspace, WorkspaceInfo

JAN, FEB, MAR, APR = (date(2025, m, 1) for m in (1, 2, 3, 4))


def agreement(id_: str, kind: str, services: list[str]) -> Agreement:
    return Agreement(
        id=id_, name=id_, kind=kind, basis="agreement", provider="it", services=services
    )


WORKSPACE = Workspace(
    workspace=WorkspaceInfo(id="w", name="W"),
    agreements=[
        agreement("incident-sla", "sla", ["it-support", "erp"]),
        agreement("second-line-ola", "ola", ["it-support"]),
        agreement("vendor-sla", "sla", ["vendor-support"]),
        agreement("happiness-xla", "xla", ["it-support"]),
        agreement("partnership", "outcome_based", ["it-support"]),
    ],
)


def fact(agreement_id: str, start: date, unit: str, met: bool, what: str = "x") -> Evidence:
    return Evidence(agreement_id, start, unit, met, what)


def test_green_service_levels_beside_a_red_experience():
    evidence = [
        # January: the SLA's clock and its FCR target are met -> green.
        fact("incident-sla", JAN, "month", True, "clock resolution: 97.0% met, 95% required"),
        fact("incident-sla", JAN, "month", True, "first-contact-resolution 72 (target >= 70)"),
        # February: the clock is met but a target is missed -> not green.
        fact("incident-sla", FEB, "month", True),
        fact("incident-sla", FEB, "month", False),
        # The OLA is green in January and March; the vendor SLA too, but shares no service.
        fact("second-line-ola", JAN, "month", True, "clock pickup: 100.0% met"),
        fact("second-line-ola", MAR, "month", True, "clock pickup: 99.0% met"),
        fact("vendor-sla", JAN, "month", True),
        # The XLA: met in January on CSAT, but its quarterly happiness target for Q1 is missed:
        # red in January, February and March. April: met.
        fact("happiness-xla", JAN, "month", True, "closure-csat 4.6 (target >= 4.5)"),
        fact("happiness-xla", JAN, "quarter", False, "happiness-score 7.9 (target >= 8.5)"),
        fact("happiness-xla", APR, "month", True),
        # An outcome-based agreement is neither side.
        fact("partnership", JAN, "month", False),
    ]
    warnings = find_watermelons(WORKSPACE, evidence)
    assert [(w.month, w.sla_id, w.xla_id, w.services) for w in warnings] == [
        (JAN, "incident-sla", "happiness-xla", ("it-support",)),
        (JAN, "second-line-ola", "happiness-xla", ("it-support",)),
        (MAR, "second-line-ola", "happiness-xla", ("it-support",)),
    ]
    first = warnings[0]
    assert first.green == (
        "clock resolution: 97.0% met, 95% required",
        "first-contact-resolution 72 (target >= 70)",
    )
    assert first.red == ("happiness-score 7.9 (target >= 8.5)",)
    assert first.sla_kind == "sla" and warnings[1].sla_kind == "ola"
    assert first.message.startswith("2025-01: incident-sla is green (clock resolution")
    assert first.to_dict()["month"] == "2025-01-01"


def test_months_a_period_covers():
    assert fact("a", date(2025, 2, 1), "quarter", True).months() == [JAN, FEB, MAR]
    assert fact("a", date(2025, 7, 1), "semester", True).months()[-1] == date(2025, 12, 1)
    assert fact("a", date(2025, 3, 31), "week", True).months() == [MAR]
    assert fact("a", date(2025, 2, 14), "day", True).months() == [FEB]


def series(
    agreement_id: str,
    indicator: str,
    period: str,
    periods: list[TargetPeriod],
    priority: str | None = None,
) -> TargetSeries:
    return TargetSeries(
        agreement_id=agreement_id,
        agreement_name=agreement_id,
        kind="xla",
        basis="agreement",
        services=("it-support",),
        indicator_id=indicator,
        indicator_name=indicator,
        unit="score",
        priority=priority,
        segment=None,
        segment_applied=False,
        period=period,
        targets=(),
        target=None,
        baseline=None,
        current=None,
        change=None,
        periods=tuple(periods),
        met=0,
        missed=0,
        attainment=None,
        status=TargetStatus.MET,
    )


def test_evidence_from_agreement_targets():
    items = target_evidence(
        [
            series(
                "happiness-xla",
                "happiness-score",
                "month",
                [
                    TargetPeriod(JAN, 7.9, 40, 8.5, ">=", False),
                    TargetPeriod(FEB, None, 0, 8.5, ">=", None),  # no data: no evidence
                    TargetPeriod(MAR, 8.7, 35, 8.5, ">=", True),
                ],
            ),
            series(
                "incident-sla",
                "resolution-time",
                "quarter",
                [TargetPeriod(JAN, 3.5, 12, 4.0, "<=", True)],
                priority="P1",
            ),
        ]
    )
    assert [(e.agreement_id, e.period_start, e.period_unit, e.met, e.what) for e in items] == [
        ("happiness-xla", JAN, "month", False, "happiness-score 7.9 (target >= 8.5)"),
        ("happiness-xla", MAR, "month", True, "happiness-score 8.7 (target >= 8.5)"),
        ("incident-sla", JAN, "quarter", True, "resolution-time P1 3.5 (target <= 4)"),
    ]


def test_evidence_from_sla_clocks(tmp_path: Path):
    # The clock of the SLA tests: January 50% met of P3 (95% required) -> not met;
    # February 100% -> met.
    with store_with(tmp_path, INCIDENTS) as store:
        clocks = evaluate_clocks(store, workspace(RESOLUTION))
    items = clock_evidence(clocks)
    assert [(e.agreement_id, e.period_start, e.period_unit, e.met) for e in items] == [
        ("sla", JAN, "month", False),
        ("sla", FEB, "month", True),
    ]
    assert items[0].what == "clock resolution: 66.7% met, 95% required"
    ws = workspace(RESOLUTION).model_copy(
        update={
            "agreements": [*workspace(RESOLUTION).agreements, agreement("xla", "xla", ["support"])]
        }
    )
    red = [fact("xla", m, "month", False, "happiness 6") for m in (JAN, FEB)]
    assert [(w.month, w.sla_id) for w in find_watermelons(ws, items + red)] == [(FEB, "sla")]


def test_targets_a_clock_measures_are_judged_by_the_clock():
    timed = workspace(RESOLUTION.model_copy(update={"indicator": "resolution-time"}))
    wall_clock = series(
        "sla", "resolution-time", "month", [TargetPeriod(JAN, 30.0, 4, 8.0, "<=", False)]
    )
    other = series("sla", "reopen-rate", "month", [TargetPeriod(JAN, 3.0, 4, 5.0, "<=", True)])
    kept = target_evidence([wall_clock, other], timed)
    assert [e.what for e in kept] == ["reopen-rate 3 (target <= 5)"]
    assert len(target_evidence([wall_clock, other])) == 2


def test_the_targets_table_takes_the_clocks_verdict(tmp_path: Path):
    # The wall-clock measure says January and February missed (30 h > 8 h); the clock
    # (business time, 95% required) says January missed (66.7%) and February met (100%).
    with store_with(tmp_path, INCIDENTS) as store:
        clocks = evaluate_clocks(store, workspace(RESOLUTION))
    wall_clock = series(
        "sla",
        "resolution-time",
        "month",
        [
            TargetPeriod(JAN, 30.0, 4, 8.0, "<=", False),
            TargetPeriod(FEB, 30.0, 2, 8.0, "<=", False),
        ],
    )
    timed = replace(wall_clock, clock="resolution")
    untimed = series("sla", "reopen-rate", "month", [TargetPeriod(JAN, 3.0, 4, 5.0, "<=", True)])
    judged, same = judge_by_clocks([timed, untimed], clocks)
    assert [(p.period_start, p.value, p.met) for p in judged.periods] == [
        (JAN, 30.0, False),
        (FEB, 30.0, True),
    ]
    assert (judged.met, judged.missed, judged.attainment) == (1, 1, 50.0)
    assert judged.status is TargetStatus.MET and "SLA clock 'resolution'" in (judged.note or "")
    assert same is untimed
    assert judge_by_clocks([wall_clock], clocks) == [wall_clock]  # no clock named: unchanged
