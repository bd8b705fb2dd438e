"""Value leakage on a five-journey log: every leak and its severity worked out by hand.

The design: steps s1 (a), s2 (b, c), s3 (d); order a b c d; a designed loop c -> b;
exit point d; gate g: a before c. ``a`` takes 10 min by design, ``b`` 1 h.

    J1  a0 b1 c2 d3            perfect
    J2  a0 b1 c2 b3 c4 d5      the designed loop: no leak
    J3  a0 b5                  waits 5 h for b, ends early in s2 (at b)
    J4  b0 c1                  bypasses gate g, ends early in s2 (at c)
    J5  a0 a1 b2 c3 d4 b5      repeats a, moves back d -> b, ends early in s2 (at b)

(hours after 2025-01-06 00:00 UTC). Journey durations 3, 5, 5, 1, 5 h: the median is 5 h.
Three journeys end early (their last touchpoint is not the exit point d), but only J4
dropped off: J3 and J5 had events at the data's end (5 h), within the journey's 2 h
in-progress window, so they are still in progress, while J4 has been silent for 4 h.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from cojourney.analytics.leakage import (
    LeakKind,
    TouchpointScore,
    anchor,
    find_leaks,
    leakage_report,
    touchpoint_scores,
    unfinished_journeys,
    waiting_times,
)
from cojourney.analytics.report import analyze_journey
from cojourney.analytics.sla import evaluate_clocks
from cojourney.domain import (
    Agreement,
    Journey,
    Period,
    SlaClock,
    Step,
    Touchpoint,
    Workspace,
    WorkspaceInfo,
)
from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.schema import canonical_arrow_schema
from cojourney.events.store import EventStore

LOG = {
    "J1": [("a", 0), ("b", 1), ("c", 2), ("d", 3)],
    "J2": [("a", 0), ("b", 1), ("c", 2), ("b", 3), ("c", 4), ("d", 5)],
    "J3": [("a", 0), ("b", 5)],
    "J4": [("b", 0), ("c", 1)],
    "J5": [("a", 0), ("a", 1), ("b", 2), ("c", 3), ("d", 4), ("b", 5)],
}
JOURNEY = Journey(
    id="j",
    name="J",
    steps=[Step(id=s, name=s.upper(), period=Period.SERVICE) for s in ("s1", "s2", "s3")],
    touchpoints=[
        Touchpoint(id="a", name="A", step="s1", channel="app", expected_duration="10m"),
        Touchpoint(id="b", name="B", step="s2", channel="app", expected_duration="1h"),
        Touchpoint(id="c", name="C", step="s2", channel="app"),
        Touchpoint(id="d", name="D", step="s3", channel="app"),
    ],
    path={"order": ["a", "b", "c", "d"], "loops": [{"from": "c", "to": "b"}], "exit_points": ["d"]},
    gates=[{"id": "g", "name": "G", "requires": ["a"], "before": ["c"]}],
    in_progress_within="2h",
)
#: Clock a -> d within 3 h, 24x7: J1 3 h met; J2 5 h (2 h over); J3 still running at the
#: data's end (5 h, 2 h over); J5 4 h (1 h over); J4 never starts it.
CLOCK = SlaClock(id="a-to-d", name="A to D", start=["a"], stop=["d"], targets=[{"within": "3h"}])
WORKSPACE = Workspace(
    workspace=WorkspaceInfo(id="w", name="W"),
    journeys=[JOURNEY],
    agreements=[
        Agreement(id="sla", name="SLA", kind="sla", basis="agreement", provider="p", clocks=[CLOCK])
    ],
)
H = 3600.0


def events() -> pa.Table:
    rows = [
        {
            "journey_id": j,
            "activity": a,
            "event_seq": 0,
            "timestamp": dt.datetime(2025, 1, 6, h, tzinfo=dt.UTC),
        }
        for j, evs in LOG.items()
        for a, h in evs
    ]
    for i, row in enumerate(rows):
        row["event_seq"] = i
    return pa.Table.from_pylist(rows, schema=canonical_arrow_schema())


def feedback() -> pa.Table:
    at = dt.datetime(2025, 1, 7, tzinfo=dt.UTC)
    answers = [("b", "csat", s) for s in (2, 3, 2, 3, 3, 2)]  # mean 2.5 on 1-5: 0.375
    answers += [("c", "emotion", s) for s in (-3, 0)]  # mean -1.5 on -3..3: 0.25
    answers += [("c", "effort", 2), ("c", "effort", 4), ("d", "effort", 10), (None, "effort", 1)]
    answers += [(None, "csat", 1)]  # journey level: no touchpoint
    return pa.Table.from_pylist(
        [
            {
                "journey_id": f"J{i % 5 + 1}",
                "timestamp": at,
                "answer_seq": i,
                "question": q,
                "score": float(s),
                "touchpoint": tp,
            }
            for i, (tp, q, s) in enumerate(answers)
        ],
        schema=feedback_arrow_schema(),
    )


@pytest.fixture()
def store(tmp_path: Path):
    with EventStore(tmp_path / "events.duckdb") as s:
        s.import_batches(events().to_batches(), source_name="log", source_sha256="1")
        s.import_batches(
            feedback().to_batches(), source_name="answers", source_sha256="2", kind="feedback"
        )
        yield s


def test_touchpoint_scores_on_their_scales(store):
    scores = {(s.touchpoint, s.question): s for s in touchpoint_scores(store)}
    assert sorted(scores) == [("b", "csat"), ("c", "effort"), ("c", "emotion"), ("d", "effort")]
    b = scores[("b", "csat")]
    assert (b.answers, b.journeys, b.mean, b.scale, b.normalised) == (6, 5, 2.5, (1.0, 5.0), 0.375)
    assert scores[("c", "emotion")].normalised == 0.25
    # A custom question is normalised on the range of all its answers (1 .. 10).
    effort = scores[("c", "effort")]
    assert effort.scale == (1.0, 10.0) and effort.normalised == pytest.approx(2 / 9)


def expected_leaks() -> list[tuple[str, str, int, float, float]]:
    """(kind, where, journeys, share, severity), ranked; severity = share x loss per journey."""
    return [
        # 3 of the 4 timed journeys breached; overruns 2, 2 and 1 h of 3 h: loss 5/9.
        ("sla_breach", "sla/a-to-d", 3, 0.75, 0.75 * 5 / 9),
        # csat at b: normalised 0.4; everyone visited b: 0.5 x (1 - 0.4).
        ("experience", "b (csat)", 5, 1.0, 0.3),
        # a -> b: 4 transitions, mean 2 h, 10 min allowed: 4 x 110 min = 22/3 h over 4 journeys,
        # per journey 11/6 h of a 5 h median journey.
        ("waiting", "a -> b", 4, 0.8, 0.8 * (22 / 3) / 4 / 5),
        # 1 of 5 journeys dropped off in s2 (J4; J3 and J5 are in progress): loss 1.
        ("drop_off", "s2", 1, 0.2, 0.2),
        # c -> d and d -> b are not judged: c and d have no designed duration.
        ("gate_bypass", "g", 1, 0.2, 0.2 * 0.5),
        # One move back d -> b, and one extra visit of a: 0.25 each, for one journey.
        ("loop", "d -> b", 1, 0.2, 0.2 * 0.25),
        ("rework", "a", 1, 0.2, 0.2 * 0.25),
        ("waiting", "a -> a", 1, 0.2, 0.2 * (50 / 60) / 5),
    ]


def test_every_leak_ranked_by_severity(store):
    analysis = analyze_journey(events(), JOURNEY)
    clocks = evaluate_clocks(store, WORKSPACE)
    scores = [
        TouchpointScore("b", "csat", 6, 4, 2.6, (1.0, 5.0), 0.4),
        TouchpointScore("c", "csat", 4, 4, 1.0, (1.0, 5.0), 0.0),  # too few answers
        TouchpointScore("d", "csat", 9, 3, 4.2, (1.0, 5.0), 0.8),  # good enough
        TouchpointScore("zz", "csat", 9, 3, 1.0, (1.0, 5.0), 0.0),
    ]  # not in the journey
    leaks = find_leaks(analysis, clocks, scores, WORKSPACE)
    got = [(k.kind.value, k.where, k.journeys, k.share, k.severity) for k in leaks]
    want = expected_leaks()
    assert [g[:3] for g in got] == [w[:3] for w in want]
    assert [g[3:] for g in got] == [pytest.approx(w[3:]) for w in want]
    assert [k.rank for k in leaks] == list(range(1, 9))


def test_sizes_and_evidence_links(store):
    leaks = {
        (k.kind, k.where): k
        for k in find_leaks(
            analyze_journey(events(), JOURNEY),
            evaluate_clocks(store, WORKSPACE),
            [TouchpointScore("b", "csat", 6, 4, 2.6, (1.0, 5.0), 0.4)],
            WORKSPACE,
        )
    }
    drop = leaks[(LeakKind.DROP_OFF, "s2")]
    assert drop.evidence == "#funnel-step-s2" and "dropped off" in drop.label
    breach = leaks[(LeakKind.SLA_BREACH, "sla/a-to-d")]
    assert breach.hours_lost == 5.0 and breach.evidence == "#sla-breaches-a-to-d"
    assert leaks[(LeakKind.EXPERIENCE, "b (csat)")].score_lost == pytest.approx(0.6)
    assert leaks[(LeakKind.WAITING, "a -> b")].hours_lost == pytest.approx(22 / 3)
    assert leaks[(LeakKind.WAITING, "a -> b")].evidence == "#waiting-a-b"
    rework = leaks[(LeakKind.REWORK, "a")]
    assert rework.hours_lost == pytest.approx(10 / 60) and rework.evidence == "#rework-touchpoint-a"
    assert leaks[(LeakKind.GATE_BYPASS, "g")].evidence == "#gate-g"
    assert leaks[(LeakKind.LOOP, "d -> b")].evidence == "#conformance-d-b"
    assert anchor("experience-touchpoint", "Late Return") == "#experience-touchpoint-late-return"


def test_clocks_of_other_journeys_are_left_out(store):
    other = SlaClock(
        id="elsewhere",
        name="E",
        journey="another",
        start=["a"],
        stop=["d"],
        targets=[{"within": "1h"}],
    )
    workspace = WORKSPACE.model_copy(
        update={
            "agreements": [
                Agreement(
                    id="sla",
                    name="SLA",
                    kind="sla",
                    basis="agreement",
                    provider="p",
                    clocks=[other],
                )
            ]
        }
    )
    leaks = find_leaks(
        analyze_journey(events(), JOURNEY), evaluate_clocks(store, workspace), [], workspace
    )
    assert all(k.kind is not LeakKind.SLA_BREACH for k in leaks)


def test_waits_count_only_the_time_beyond_the_design_move_by_move(store):
    # a -> b: J1 1 h, J2 1 h, J3 5 h, J5 1 h, each 10 min allowed: 4 moves, 50 + 50 +
    # 290 + 50 min = 22/3 h. a -> a (J5): 1 h, 50 min beyond. b -> c: 1 h allowed, every
    # move takes 1 h: no wait. c -> b is a designed loop; c and d have no duration.
    waits = {(w.source, w.target): w for w in waiting_times(store, JOURNEY)}
    assert sorted(waits) == [("a", "a"), ("a", "b")]
    ab = waits[("a", "b")]
    assert (ab.moves, ab.journeys, ab.allowed_seconds) == (4, 4, 600.0)
    assert ab.hours_beyond == pytest.approx(22 / 3)
    assert waits[("a", "a")].hours_beyond == pytest.approx(50 / 60)
    data = JOURNEY.model_dump(by_alias=True)
    data["path"]["gaps"] = [{"from": "a", "to": "b"}]
    gap = type(JOURNEY).model_validate(data)
    assert [(w.source, w.target) for w in waiting_times(store, gap)] == [("a", "a")]


def test_unfinished_journeys_are_the_abandoned_ones(store):
    # J3 and J5 (last event at 5 h, the data's end) are in progress; J4 (last at c, 1 h)
    # has been silent for 4 h, beyond the 2 h window: it dropped off.
    assert unfinished_journeys(store, JOURNEY) == {"c": 1}


def test_leakage_report_in_one_call(store):
    report = leakage_report(store, WORKSPACE)
    kinds = [(k.kind.value, k.where, k.severity) for k in report.leaks]
    # Drop-off: J4 went silent at c (1 of 5). The real scores: csat at b
    # is 0.375 with half its answers poor: 3 of the 5 visitors (2.5 rounded up) lose
    # 0.5 x 0.625; the emotion and effort at c have too few answers.
    assert kinds[0] == ("sla_breach", "sla/a-to-d", pytest.approx(0.75 * 5 / 9))
    assert ("drop_off", "s2", pytest.approx(0.2)) in kinds
    assert ("experience", "b (csat)", pytest.approx(3 / 5 * 0.5 * 0.625)) in kinds
    assert report.journeys == 5 and report.journey_id == "j" and report.notes == ()
    assert report.as_of == dt.datetime(2025, 1, 6, 5, tzinfo=dt.UTC)
    drop = next(d for d in report.to_dict()["leaks"] if d["kind"] == "drop_off")
    assert {k: v for k, v in drop.items() if k != "rank"} == {
        "kind": "drop_off",
        "where": "s2",
        "label": "20.0% of journeys dropped off (went silent) in step S2 (most at c)",
        "journeys": 1,
        "share": 0.2,
        "hours_lost": None,
        "score_lost": None,
        "loss_per_journey": 1.0,
        "severity": 0.2,
        "evidence": "#funnel-step-s2",
        "quotes": [],
    }


def test_no_feedback_is_noted(tmp_path: Path):
    with EventStore(tmp_path / "events.duckdb") as s:
        s.import_batches(events().to_batches(), source_name="log", source_sha256="1")
        report = leakage_report(s, WORKSPACE)
    assert report.notes == ("no feedback imported: experience leaks are not assessed",)
    assert all(k.kind is not LeakKind.EXPERIENCE for k in report.leaks)


def test_docstring_examples():
    import doctest

    from cojourney.analytics import leakage

    failures, tried = doctest.testmod(leakage)
    assert tried > 0 and failures == 0


def test_experience_leaks_count_the_share_of_poor_answers():
    # 40% of b's csat answers are poor (1-2): 2 of the 5 visitors lose 0.5 x (1 - 0.4).
    # c's emotion answers are neutral on average and only 10% poor: no leak.
    analysis = analyze_journey(events(), JOURNEY)
    scores = [
        TouchpointScore("b", "csat", 10, 5, 2.6, (1.0, 5.0), 0.4, 0.4),
        TouchpointScore("c", "emotion", 10, 4, 0.0, (-3.0, 3.0), 0.5, 0.1),
    ]
    leaks = [
        k for k in find_leaks(analysis, [], scores, WORKSPACE) if k.kind is LeakKind.EXPERIENCE
    ]
    assert [(k.where, k.journeys) for k in leaks] == [("b (csat)", 2)]
    assert leaks[0].severity == pytest.approx(2 / 5 * 0.5 * 0.6)


def test_touchpoint_scores_give_the_share_of_poor_answers(store):
    scores = {(s.touchpoint, s.question): s for s in touchpoint_scores(store)}
    # b's csat answers 2, 3, 2, 3, 3, 2: three of six are poor (at most 2).
    assert scores[("b", "csat")].poor_share == 0.5
    # c's emotion answers -3 and 0: one is poor (-1 or lower); 0 is neutral.
    assert scores[("c", "emotion")].poor_share == 0.5
    # effort is custom, on the range of its answers (1..10): poor up to 1 + 0.25 x 9 = 3.25.
    assert scores[("c", "effort")].poor_share == 0.5 and scores[("d", "effort")].poor_share == 0.0
