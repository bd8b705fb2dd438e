"""Measures that tell the truth (issue 8, section 3): hand-computed small cases.

One designed journey, three steps: ``agree`` (sign), ``onboard`` (upload, approved,
cancel) and ``use`` (use, renew); ``renew`` is the exit point and an offboarding gate
makes ``cancel`` an ending touchpoint. Its in-progress window is 10 days. The log
(days after Wed 1 Jan 2025, UTC; the data end on day 100, A's renewal):

====  =================================================  ==================================
A     sign 0, upload 1, approved 2, use 3, renew 100     ended at the exit point; on board
B     sign 0, upload 1, cancel 5                         ended by cancelling in onboard
C     sign 10, upload 11                                 silent since day 11: abandoned
D     sign 99, upload 99.5                               last event 0.5 day ago: in progress
E     sign 20, upload 21, approved 22, use 23            silent in ``use`` since day 23
====  =================================================  ==================================

The licence clock runs from upload to approved within 2 days, 24x7: A and E 1 day, met;
B's journey ended (cancelled) and C's was abandoned before an approval: both
``abandoned``; D is in progress, 0.5 day in: ``running``. Compliance = 2 met of 2
decided = 100% (the old rule called B and C breached: 2 of 4).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from cojourney.analytics.agreement_targets import evaluate_targets, judge_by_clocks
from cojourney.analytics.design import JourneyDesign
from cojourney.analytics.engines.duckdb import DuckDBEngine
from cojourney.analytics.experience import analyze_experience
from cojourney.analytics.funnel import step_funnel
from cojourney.analytics.journey_state import JourneyState, states
from cojourney.analytics.leakage import unfinished_journeys
from cojourney.analytics.prepared import prepare
from cojourney.analytics.sla import evaluate_clocks
from cojourney.analytics.value_realization import realize_value
from cojourney.domain import (
    Agreement,
    BusinessCalendar,
    Journey,
    Period,
    SlaClock,
    Step,
    Touchpoint,
    WorkingHours,
    Workspace,
    WorkspaceInfo,
)
from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.schema import canonical_arrow_schema
from cojourney.events.store import EventStore

T0 = datetime(2025, 1, 1, tzinfo=UTC)
DAY = 86_400.0

JOURNEY = Journey(
    id="j",
    name="J",
    steps=[
        Step(id="agree", name="Agree", dsv_step="agree", period=Period.PRE_SERVICE),
        Step(id="onboard", name="Onboard", dsv_step="onboard", period=Period.SERVICE),
        Step(id="use", name="Use", dsv_step="co-create", period=Period.SERVICE),
    ],
    touchpoints=[
        Touchpoint(id="sign", name="Sign", step="agree", channel="app"),
        Touchpoint(id="upload", name="Upload", step="onboard", channel="app"),
        Touchpoint(id="approved", name="Approved", step="onboard", channel="app"),
        Touchpoint(id="cancel", name="Cancel", step="onboard", channel="app", optional=True),
        Touchpoint(id="use", name="Use", step="use", channel="app"),
        Touchpoint(id="renew", name="Renew", step="use", channel="app"),
    ],
    path={
        "order": ["sign", "upload", "approved", "use", "renew", "cancel"],
        "exit_points": ["renew"],
    },
    gates=[
        {
            "id": "leave",
            "name": "Leave",
            "kind": "offboarding",
            "requires": ["sign"],
            "before": ["cancel"],
        }
    ],
    in_progress_within="10d",
)
LOG = {
    "A": [("sign", 0), ("upload", 1), ("approved", 2), ("use", 3), ("renew", 100)],
    "B": [("sign", 0), ("upload", 1), ("cancel", 5)],
    "C": [("sign", 10), ("upload", 11)],
    "D": [("sign", 99), ("upload", 99.5)],
    "E": [("sign", 20), ("upload", 21), ("approved", 22), ("use", 23)],
}
CHECK = SlaClock(
    id="check",
    name="Check",
    journey="j",
    start=["upload"],
    stop=["approved"],
    targets=[{"within": "2d", "attainment": 50}],
)


def events_table(log: dict[str, list[tuple[str, float]]]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "journey_id": journey,
                "activity": activity,
                "timestamp": T0 + timedelta(days=day),
                "event_seq": seq,
            }
            for seq, (journey, activity, day) in enumerate(
                (j, a, d) for j, events in log.items() for a, d in events
            )
        ],
        schema=canonical_arrow_schema(),
    )


def workspace(*clocks: SlaClock, **extra) -> Workspace:
    return Workspace(
        workspace=WorkspaceInfo(id="w", name="W"),
        journeys=[JOURNEY],
        agreements=[
            Agreement(
                id="sla",
                name="SLA",
                kind="sla",
                basis="agreement",
                provider="p",
                services=["s"],
                clocks=list(clocks),
                targets=extra.pop("targets", []),
            )
        ],
        **extra,
    )


@pytest.fixture()
def store(tmp_path: Path):
    with EventStore(tmp_path / "events.duckdb") as s:
        s.import_batches(events_table(LOG).to_batches(), source_name="log", source_sha256="x")
        yield s


# --------------------------------------------------------------------------- the rule


def test_the_one_rule():
    last_tp = [("renew", 100), ("cancel", 5), ("upload", 11), ("upload", 99.5), ("use", 23)]
    got = states(
        np.array([t for t, _ in last_tp], dtype=object),
        np.array([d * DAY for _, d in last_tp]),
        100 * DAY,
        JOURNEY,
    )
    assert got.tolist() == ["ended", "ended", "abandoned", "in_progress", "abandoned"]
    assert JourneyState.IN_PROGRESS.value == "in_progress"


# --------------------------------------------------------------------------- SLA clocks


def test_clocks_end_with_their_journey(store):
    result = evaluate_clocks(store, workspace(CHECK))[0]
    rows = {r["journey_id"]: r for r in result.journeys.rows()}
    assert {j: r["status"] for j, r in rows.items()} == {
        "A": "met",
        "B": "abandoned",
        "C": "abandoned",
        "D": "running",
        "E": "met",
    }
    # B's clock stops with its journey at the cancellation (day 5): 4 days; C's at its
    # last event, the upload itself: 0; D runs to the data's end: half a day.
    assert rows["B"]["elapsed_seconds"] == 4 * DAY
    assert rows["C"]["elapsed_seconds"] == 0
    assert rows["D"]["elapsed_seconds"] == 0.5 * DAY
    assert result.status_counts["abandoned"] == 2 and result.status_counts["breached"] == 0
    assert (result.total.met, result.total.breached, result.total.abandoned) == (2, 0, 2)
    assert result.total.share_met == 100.0 and result.breaches == ()


def test_abandoned_as_breached_counts_them_as_breaches(store):
    clock = CHECK.model_copy(update={"abandoned_as": "breached"})
    result = evaluate_clocks(store, workspace(clock))[0]
    assert (result.total.met, result.total.breached, result.total.abandoned) == (2, 2, 0)
    assert result.total.share_met == 50.0
    breaches = {b.journey_id: b for b in result.breaches}
    assert sorted(breaches) == ["B", "C"] and all(b.abandoned for b in breaches.values())


def test_a_running_clock_is_breached_only_past_its_target(store):
    # Read the clocks on day 102 (as_of): D is still in progress (2.5 days since its last
    # event, within 10) and 2.5 days in, past its 2 days: breached, its outcome known.
    result = evaluate_clocks(store, workspace(CHECK), as_of=T0 + timedelta(days=102))[0]
    rows = {r["journey_id"]: r for r in result.journeys.rows()}
    assert rows["D"]["status"] == "breached" and rows["D"]["elapsed_seconds"] == 2.5 * DAY


# --------------------------------------------------------------------------- funnel


def test_funnel_tells_in_progress_and_cancelling_from_drop_off():
    engine = DuckDBEngine()
    try:
        data = prepare(
            engine.load_events(events_table(LOG)), JourneyDesign.from_journey(JOURNEY), engine
        )
        with data:
            funnel = step_funnel(data)
    finally:
        engine.close()
    steps = {s.step: s for s in funnel.steps}
    onboard, use = steps["onboard"], steps["use"]
    # onboard: A and E move on; B cancelled (ended), C went silent, D is in progress.
    assert (onboard.reached, onboard.moved_on, onboard.left) == (5, 2, 3)
    assert (onboard.ended, onboard.in_progress, onboard.dropped_off) == (1, 1, 1)
    # use: A renewed (the exit point), E went silent after day 23.
    assert (use.reached, use.left, use.ended, use.in_progress, use.dropped_off) == (2, 2, 1, 0, 1)
    o = funnel.onboarding
    assert o is not None
    assert (o.reached, o.got_on_board, o.left) == (5, 2, 3)
    assert (o.cancelled, o.silent, o.in_progress) == (1, 1, 1)


def test_drop_off_leaks_are_the_abandoned_journeys_only(store):
    # C (last at upload) and E (last at use); B cancelled, D is in progress, A renewed.
    assert unfinished_journeys(store, JOURNEY) == {"upload": 1, "use": 1}


# --------------------------------------------------------------------------- one answer


OFFICE = BusinessCalendar(
    id="office",
    name="Office",
    hours=[WorkingHours(days=["mon", "tue", "wed", "thu", "fri"], start="08:00", end="18:00")],
)


def test_value_and_agreements_give_one_answer(tmp_path: Path):
    # Two checks in January 2025 (UTC, office hours 08-18 on working days): uploaded Fri
    # 3 Jan 17:00, approved Mon 6 Jan 10:00 = 65 h elapsed but 1 + 2 = 3 office hours;
    # uploaded Tue 7 Jan 09:00, approved Wed 8 Jan 12:00 = 27 h elapsed, 9 + 4 = 13 office
    # hours. The median: 46 h elapsed (off track against <= 24) but 8 office hours
    # (on track), and both checks are within 24 office hours (compliance 100%).
    log = {
        "X": [("upload", 2 + 17 / 24), ("approved", 5 + 10 / 24)],
        "Y": [("upload", 6 + 9 / 24), ("approved", 7 + 12 / 24)],
    }
    indicator = {
        "id": "check-time",
        "name": "Check time",
        "definition": "Median hours from upload to approval.",
        "unit": "hours",
        "direction": "lower_is_better",
        "target": 24,
        "warning": 36,
        "measure": {
            "kind": "duration",
            "start": "upload",
            "end": "approved",
            "time_unit": "hours",
            "statistic": "median",
        },
    }
    clock = CHECK.model_copy(
        update={"indicator": "check-time", "calendar": "office", "targets": CHECK.targets}
    )
    clock = SlaClock.model_validate(
        {**clock.model_dump(), "targets": [{"within": "24h", "attainment": 50}]}
    )
    ws = workspace(
        clock,
        targets=[{"indicator": "check-time", "comparator": "<=", "value": 24, "period": "month"}],
        indicators=[indicator],
        calendars=[OFFICE],
    )
    with EventStore(tmp_path / "events.duckdb") as s:
        s.import_batches(events_table(log).to_batches(), source_name="log", source_sha256="x")
        value = realize_value(s, ws)
        clocks = evaluate_clocks(s, ws)
        targets = judge_by_clocks(evaluate_targets(s, ws), clocks, ws)
    series = next(
        i for g in value.stakeholders for i in g.indicators if i.indicator_id == "check-time"
    )
    target = next(t for t in targets if t.indicator_id == "check-time")
    assert series.current is not None and target.current is not None
    assert series.current.value == pytest.approx(8.0)  # office hours, not 46 elapsed
    assert target.current.value == pytest.approx(series.current.value)
    assert series.status.value == "on_track" and target.status.value == "met"


# --------------------------------------------------------------------------- experience


def feedback(answers: list[tuple[str, int, str, float, str | None, str | None]]) -> pa.Table:
    """``(journey, day, question, score, touchpoint, comment)`` rows."""
    return pa.Table.from_pylist(
        [
            {
                "journey_id": j,
                "timestamp": T0 + timedelta(days=day, minutes=k),
                "answer_seq": k,
                "question": q,
                "score": score,
                "touchpoint": tp,
                "comment": comment,
            }
            for k, (j, day, q, score, tp, comment) in enumerate(answers)
        ],
        schema=feedback_arrow_schema(),
    )


def test_moments_of_truth_rank_the_significant_first_and_comments_are_shown(tmp_path: Path):
    # y ("use"): J1-J5 answer poorly there (csat 1) and score the journey 2-3 of 10;
    # J6-J10 answer well (csat 5) and score it 9-10: a certain effect (about -0.52). x
    # ("upload"): one poor answer only (J11, journey 0 of 10): a larger difference
    # (about -0.60), but one journey gives no interval: not significant, ranked after.
    answers = []
    for k, nps in enumerate([3, 2, 3, 2, 3], 1):
        answers += [(f"J{k}", k, "csat", 1, "use", None), (f"J{k}", k, "nps", nps, None, None)]
    for k, nps in enumerate([9, 10, 9, 10, 9], 6):
        answers += [(f"J{k}", k, "csat", 5, "use", None), (f"J{k}", k, "nps", nps, None, None)]
    answers += [("J11", 11, "csat", 1, "upload", None), ("J11", 11, "nps", 0, None, None)]
    answers[0] = ("J1", 1, "csat", 1, "use", "Too slow")
    answers[2] = ("J2", 2, "csat", 1, "use", "  Slower still ")
    answers[3] = ("J2", 2, "nps", 2, None, "Would not recommend")
    answers.append(("J3", 3, "csat", None, "use", "   "))  # blank: not a comment
    with EventStore(tmp_path / "events.duckdb") as s:
        s.import_batches(
            feedback(answers).to_batches(), source_name="a", source_sha256="x", kind="feedback"
        )
        result = analyze_experience(s, workspace())
    moments = {m.touchpoint: m for m in result.moments_of_truth}
    y, x = moments["use"], moments["upload"]
    assert y.significant and y.high is not None and y.high < 0
    assert not x.significant and x.difference is not None and x.difference < y.difference
    assert y.rank == 1 and x.rank > y.rank
    comments = {c.touchpoint: c for c in result.comments}
    assert list(comments) == ["use", None]  # designed order, the journey's own last
    assert comments["use"].count == 2
    assert [c.text for c in comments["use"].latest] == ["Slower still", "Too slow"]
    assert comments[None].latest[0].text == "Would not recommend"
    assert json.dumps(result.to_dict())  # JSON-ready


def test_compliance_is_worded_per_priority(tmp_path: Path):
    from rich.console import Console
    from test_sla import INCIDENTS, RESOLUTION, store_with
    from test_sla import workspace as sla_workspace

    from cojourney.cli.agreements_cmd import compliance_table

    # January: P1 (J1, J2) met twice, 100% >= 90%; P3: J4 and J8 met, J3 breached and J5
    # still running past its 8 h: 50% < 95%. The month misses, because of P3 alone.
    with store_with(tmp_path, INCIDENTS) as s:
        result = evaluate_clocks(s, sla_workspace(RESOLUTION))[0]
    console = Console(width=200, record=True)
    console.print(compliance_table(result))
    text = console.export_text()
    january = next(line for line in text.splitlines() if "2025-01-01" in line and "all" in line)
    assert "P3 misses its target" in january and "P1" not in january
    assert "abandoned" in text and "priority" in text
