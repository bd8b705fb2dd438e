"""Experience analytics on a small, hand-computed feedback log.

Six journeys of the DSV template workspace (``cojourney init``): touchpoint answers
(CSAT 1-5, emotion -3..3) and one journey-level NPS each. Every expected value below
was worked out by hand from this table (or, for intervals, with an independent
formula or scipy):

=====  ========  ===============================================  ====  =========
journ  segment   touchpoint answers, in time order                NPS   month
=====  ========  ===============================================  ====  =========
J1     students  csat 5 @search, emotion 3 @first-use             10    2024-03
J2     students  csat 4 @search, emotion 2 @first-use,            3     2024-03
                 csat 4 @support-call
J3     students  csat 2 @search, emotion -2 @first-use            9     2024-03
J4     staff     csat 5 @search, emotion -3 @support-call,        2     2024-03
                 csat 1 @first-use
J5     staff     csat 3 @search, emotion 0 @first-use             8     2024-03
J6     staff     emotion 1 @first-use                             6     2024-04
=====  ========  ===============================================  ====  =========
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats as sps

from cojourney.analytics.experience import analyze_experience
from cojourney.analytics.experience_results import ExperienceAnalysis, ScoreRow
from cojourney.domain import Workspace
from cojourney.errors import InputError, NotFound
from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.schema import canonical_arrow_schema
from cojourney.events.store import EventStore
from cojourney.services.experience import experience_report
from cojourney.services.workspaces import init_workspace, open_workspace

#: (journey, segment, [(question, score, touchpoint)], day of month, month)
JOURNEYS = [
    (
        "J1",
        "students",
        [("csat", 5, "search"), ("emotion", 3, "first-use"), ("nps", 10, None)],
        1,
        3,
    ),
    (
        "J2",
        "students",
        [
            ("csat", 4, "search"),
            ("emotion", 2, "first-use"),
            ("csat", 4, "support-call"),
            ("nps", 3, None),
        ],
        2,
        3,
    ),
    (
        "J3",
        "students",
        [("csat", 2, "search"), ("emotion", -2, "first-use"), ("nps", 9, None)],
        3,
        3,
    ),
    (
        "J4",
        "staff",
        [
            ("csat", 5, "search"),
            ("emotion", -3, "support-call"),
            ("csat", 1, "first-use"),
            ("nps", 2, None),
        ],
        4,
        3,
    ),
    ("J5", "staff", [("csat", 3, "search"), ("emotion", 0, "first-use"), ("nps", 8, None)], 5, 3),
    ("J6", "staff", [("emotion", 1, "first-use"), ("nps", 6, None)], 2, 4),
]


def feedback_table(journeys: list = JOURNEYS) -> pa.Table:
    rows: dict[str, list] = {name: [] for name in feedback_arrow_schema().names}
    for journey, segment, answers, day, month in journeys:
        for i, (question, score, touchpoint) in enumerate(answers):
            rows["journey_id"].append(journey)
            rows["timestamp"].append(
                datetime(2024, month, day, 10, tzinfo=UTC) + timedelta(minutes=i)
            )
            rows["answer_seq"].append(len(rows["answer_seq"]))
            rows["question"].append(question)
            rows["score"].append(float(score))
            rows["touchpoint"].append(touchpoint)
            rows["step"].append(None)  # derived from the design
            rows["comment"].append(None)
            rows["respondent"].append(journey)
            rows["channel"].append("app" if touchpoint else "email")
            rows["segment"].append(segment)
            rows["attributes"].append(None)
    return pa.Table.from_pydict(rows, schema=feedback_arrow_schema())


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("experience") / "ws"
    init_workspace(folder)
    with EventStore.open(folder) as store:
        store.import_batches(
            feedback_table().to_batches(), source_name="answers", source_sha256="x", kind="feedback"
        )
    return folder


@pytest.fixture(scope="module")
def workspace(ws: Path) -> Workspace:
    return open_workspace(ws)


@pytest.fixture(scope="module")
def result(ws: Path, workspace: Workspace) -> ExperienceAnalysis:
    with EventStore.open(ws, read_only=True) as store:
        return analyze_experience(store, workspace)


def row(rows: tuple[ScoreRow, ...], question: str, key: str | None = None) -> ScoreRow:
    return next(r for r in rows if r.question == question and r.key == key)


def t_interval(values: list[float]) -> tuple[float, float]:
    a = np.array(values, dtype=float)
    low, high = sps.t.interval(0.95, len(a) - 1, loc=a.mean(), scale=sps.sem(a))
    return float(low), float(high)


# --------------------------------------------------------------------------- scores


def test_overall_scores_with_their_intervals(result: ExperienceAnalysis) -> None:
    assert (result.answers, result.journeys) == (19, 6)
    assert result.questions == {"csat": 7, "emotion": 6, "nps": 6}
    csat = row(result.overall, "csat")
    assert (csat.metric, csat.n, csat.value) == ("csat", 7, pytest.approx(4 / 7))
    wilson = sps.binomtest(4, 7).proportion_ci(method="wilson")
    assert (csat.low, csat.high) == (pytest.approx(wilson.low), pytest.approx(wilson.high))
    assert csat.mean == pytest.approx(24 / 7)
    # NPS: promoters 10, 9; detractors 3, 2, 6 of 6: (2 - 3) / 6; variance
    # (2/6 + 3/6 - (1/6)^2) / 6 = 29/216, half width 1.959964 * sqrt(29/216) = 71.816 points.
    nps = row(result.overall, "nps")
    assert (nps.metric, nps.n, nps.value) == ("nps", 6, pytest.approx(-100 / 6))
    assert nps.low == pytest.approx(-16.6667 - 71.8158, abs=1e-3)
    assert nps.high == pytest.approx(-16.6667 + 71.8158, abs=1e-3)
    emotion = row(result.overall, "emotion")
    assert (emotion.metric, emotion.value) == ("mean", pytest.approx(1 / 6))
    # sd of 3, 2, -2, -3, 0, 1 is sqrt(26.8333 / 5) = 2.31661; t(0.975, 5) = 2.570582.
    assert emotion.low == pytest.approx(1 / 6 - 2.570582 * 2.31661 / math.sqrt(6), abs=1e-4)
    assert (emotion.low, emotion.high) == tuple(
        pytest.approx(v) for v in t_interval([3, 2, -2, -3, 0, 1])
    )


def test_scores_by_touchpoint_step_segment_channel_month(result: ExperienceAnalysis) -> None:
    by_tp = result.breakdown("touchpoint").rows
    assert [(r.key, r.question) for r in by_tp if r.question == "csat"] == [
        ("search", "csat"),
        ("first-use", "csat"),
        ("support-call", "csat"),
    ]  # design order
    search = row(by_tp, "csat", "search")
    assert (search.n, search.value) == (5, pytest.approx(3 / 5))
    assert (row(by_tp, "csat", "first-use").value, row(by_tp, "csat", "support-call").value) == (
        0.0,
        1.0,
    )
    assert row(by_tp, "nps", None).n == 6  # journey-level answers have no touchpoint
    by_step = result.breakdown("step").rows
    assert row(by_step, "emotion", "co-create").n == 6
    assert row(by_step, "csat", "explore").value == pytest.approx(3 / 5)
    by_segment = result.breakdown("segment").rows
    assert row(by_segment, "csat", "students").value == pytest.approx(3 / 4)
    assert row(by_segment, "csat", "staff").value == pytest.approx(1 / 3)
    assert row(by_segment, "nps", "students").value == pytest.approx(100 / 3)
    assert row(by_segment, "nps", "staff").value == pytest.approx(-200 / 3)
    by_channel = result.breakdown("channel").rows
    assert row(by_channel, "nps", "email").n == 6 and row(by_channel, "csat", "app").n == 7
    by_month = result.breakdown("month").rows
    assert (row(by_month, "nps", "2024-03").value, row(by_month, "nps", "2024-04").value) == (
        0.0,
        -100.0,
    )
    one = row(by_month, "nps", "2024-04")
    assert (one.n, one.low, one.high) == (1, -100.0, -100.0)  # a single detractor: no spread


def test_emotion_curve_beside_the_design(result: ExperienceAnalysis) -> None:
    curve = {p.step: p for p in result.emotion_curve}
    assert [p.step for p in result.emotion_curve] == [
        "explore",
        "engage",
        "offer",
        "agree",
        "onboard",
        "co-create",
        "realize",
    ]
    # co-create: designed first-use +2 and support-call -1; measured: all six emotion answers.
    assert (curve["co-create"].designed, curve["co-create"].measured) == (0.5, pytest.approx(1 / 6))
    assert curve["co-create"].n == 6
    assert (curve["explore"].designed, curve["explore"].measured, curve["explore"].n) == (
        1.0,
        None,
        0,
    )


# --------------------------------------------------------------------------- per journey

#: Normalised scores per journey: touchpoint mean (csat (s-1)/4, emotion (s+3)/6), NPS s/10.
TP = {
    "J1": 1.0,
    "J2": (0.75 + 5 / 6 + 0.75) / 3,
    "J3": (0.25 + 1 / 6) / 2,
    "J4": 1 / 3,
    "J5": 0.5,
    "J6": 4 / 6,
}
JOURNEY = {"J1": 1.0, "J2": 0.3, "J3": 0.9, "J4": 0.2, "J5": 0.8, "J6": 0.6}


def test_touchpoints_versus_journey(result: ExperienceAnalysis) -> None:
    gap = result.gap
    assert gap.journeys == 6
    assert gap.touchpoint_score.value == pytest.approx(sum(TP.values()) / 6)
    assert gap.journey_score.value == pytest.approx(3.8 / 6)
    diffs = [TP[j] - JOURNEY[j] for j in TP]
    assert gap.gap.value == pytest.approx(np.mean(diffs))
    assert (gap.gap.low, gap.gap.high) == tuple(pytest.approx(v) for v in t_interval(diffs))
    r = np.corrcoef(list(TP.values()), list(JOURNEY.values()))[0, 1]
    assert gap.correlation.r == pytest.approx(r) and gap.correlation.n == 6
    # All touchpoint answers good, journey poor: J2 (csat 4, emotion 2, csat 4; NPS 3) and
    # J6 (emotion 1; NPS 6). The reverse: J3 (csat 2, emotion -2; NPS 9).
    assert (gap.well_but_poor.count, gap.well_but_poor.share) == (2, pytest.approx(1 / 3))
    assert [j.journey_id for j in gap.well_but_poor_journeys] == ["J2", "J6"]
    assert gap.well_but_poor_journeys[0].gap == pytest.approx(TP["J2"] - 0.3)
    assert (
        gap.well_but_poor_journeys[0].touchpoint_answers,
        gap.well_but_poor_journeys[0].journey_answers,
    ) == (3, 1)
    assert [j.journey_id for j in gap.poor_but_well_journeys] == ["J3"]
    wilson = sps.binomtest(2, 6).proportion_ci(method="wilson")
    assert gap.well_but_poor.low == pytest.approx(wilson.low)


def test_peak_end(result: ExperienceAnalysis) -> None:
    pe = result.peak_end
    assert pe.journeys == 5  # J6 has one touchpoint answer
    # peak (farthest from 0.5, earliest on ties) and end, normalised, for J1..J5:
    peak_end = [(1 + 1) / 2, (5 / 6 + 0.75) / 2, (1 / 6 + 1 / 6) / 2, (1 + 0) / 2, 0.5]
    mean_all = [1.0, TP["J2"], TP["J3"], 1 / 3, 0.5]
    journey = [1.0, 0.3, 0.9, 0.2, 0.8]
    r_pe = np.corrcoef(peak_end, journey)[0, 1]
    r_mean = np.corrcoef(mean_all, journey)[0, 1]
    assert pe.peak_end.r == pytest.approx(r_pe)
    assert pe.peak_end.r_squared == pytest.approx(r_pe**2)
    assert pe.mean_of_all.r == pytest.approx(r_mean)
    assert pe.better == ("peak_end" if r_pe**2 > r_mean**2 else "mean_of_all")
    ci = sps.pearsonr(peak_end, journey).confidence_interval()
    assert (pe.peak_end.low, pe.peak_end.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    counts = {t.touchpoint: (t.peak, t.end) for t in pe.touchpoints}
    assert counts == {"search": (3, 0), "first-use": (2, 4), "support-call": (0, 1)}
    assert pe.touchpoints[0].touchpoint == "first-use"  # 6 mentions


def test_moments_of_truth_ranked_by_effect(result: ExperienceAnalysis) -> None:
    mot = {m.touchpoint: m for m in result.moments_of_truth}
    assert [m.touchpoint for m in result.moments_of_truth[:3]] == [
        "support-call",
        "first-use",
        "search",
    ]
    # first-use: poor answers in J3 (emotion -2) and J4 (csat 1): journeys 0.9, 0.2 against
    # J1, J2, J5, J6: 1.0, 0.3, 0.8, 0.6.
    first = mot["first-use"]
    assert (first.rank, first.designed, first.journeys_poor, first.journeys_other) == (
        2,
        True,
        2,
        4,
    )
    assert (first.mean_with_poor, first.mean_other) == (pytest.approx(0.55), pytest.approx(0.675))
    assert first.difference == pytest.approx(-0.125)
    welch = sps.ttest_ind([0.9, 0.2], [1.0, 0.3, 0.8, 0.6], equal_var=False)
    ci = welch.confidence_interval()
    assert (first.low, first.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert first.p_value == pytest.approx(welch.pvalue)
    call = mot["support-call"]
    assert (call.difference, call.low, call.journeys_poor) == (pytest.approx(0.2 - 0.72), None, 1)
    assert mot["search"].difference == pytest.approx(0.9 - 0.58)
    unanswered = result.moments_of_truth[3:]
    assert [m.touchpoint for m in unanswered] == [
        "identity-check",
        "sign-up",
        "survey",
        "welcome-guide",
    ]
    assert all(m.difference is None and m.journeys_poor == 0 for m in unanswered)
    assert mot["sign-up"].designed and not mot["search"].designed


# --------------------------------------------------------------------------- filters, service


def test_filters_keep_answers_in_the_time_range_and_segment(ws: Path, workspace: Workspace) -> None:
    with EventStore.open(ws, read_only=True) as store:
        staff = analyze_experience(store, workspace, segment="staff")
        march = analyze_experience(
            store, workspace, start=datetime(2024, 3, 1), end=datetime(2024, 4, 1)
        )
        late = analyze_experience(store, workspace, start=datetime(2024, 3, 4, tzinfo=UTC))
    assert (staff.answers, staff.journeys) == (9, 3)
    assert row(staff.overall, "csat").value == pytest.approx(1 / 3)
    assert staff.filters == {"segments": ["staff"]}
    assert (march.answers, march.journeys) == (17, 5)
    assert row(march.overall, "nps").value == 0.0
    assert march.filters["end"] == "2024-04-01T00:00:00+00:00"
    assert late.journeys == 3  # J4, J5, J6
    with EventStore.open(ws, read_only=True) as store, pytest.raises(InputError, match="empty"):
        analyze_experience(store, workspace, start=datetime(2024, 4, 1), end=datetime(2024, 3, 1))


def test_service_report_and_its_errors(ws: Path, tmp_path: Path) -> None:
    report = experience_report(ws, segment=["students"])
    assert (report.journey_id, report.answers) == ("main-journey", 10)
    assert report.source == str(ws / "data" / "events.duckdb")
    data = report.to_dict()
    assert data["gap"]["well_but_poor"]["count"] == 1  # J2
    assert data["overall"][0]["question"] in {"csat", "emotion", "nps"}
    with pytest.raises(NotFound, match="no journey 'nope'"):
        experience_report(ws, journey_id="nope")
    empty = tmp_path / "empty"
    init_workspace(empty)
    with pytest.raises(NotFound, match=r"import\.feedback"):
        experience_report(empty)


def test_with_several_journeys_only_the_chosen_ones_instances_count(tmp_path: Path) -> None:
    folder = tmp_path / "two"
    init_workspace(folder)
    (folder / "journeys" / "renewal.yaml").write_text(
        "journeys:\n  - id: renewal\n    name: Renewal\n    steps:\n"
        "      - {id: renew, name: Renew, period: service}\n    touchpoints:\n"
        "      - {id: renewal-call, name: Renewal call, step: renew, channel: phone,"
        " emotion: -1}\n",
        encoding="utf-8",
    )
    other = [
        ("R1", "staff", [("csat", 1, "renewal-call"), ("nps", 0, None)], 9, 3),
        ("R2", "staff", [("nps", 10, None)], 9, 3),
    ]
    with EventStore.open(folder) as store:
        store.import_batches(
            feedback_table(JOURNEYS + other).to_batches(),
            source_name="a",
            source_sha256="x",
            kind="feedback",
        )
    workspace = open_workspace(folder)
    with EventStore.open(folder, read_only=True) as store:
        main = analyze_experience(store, workspace, "main-journey")
        renewal = analyze_experience(store, workspace, "renewal")
    # R2 has only a journey-level answer and no event yet: it belongs to no journey.
    assert (main.journeys, main.answers) == (6, 19)
    assert (renewal.journeys, renewal.answers) == (1, 2)
    event = pa.Table.from_pylist(
        [
            {
                "journey_id": "R2",
                "activity": "renewal-call",
                "event_seq": 0,
                "timestamp": datetime(2024, 3, 9, tzinfo=UTC),
            }
        ],
        schema=canonical_arrow_schema(),
    )
    with EventStore.open(folder) as store:
        store.import_batches(event.to_batches(), source_name="e", source_sha256="e")
    with EventStore.open(folder, read_only=True) as store:
        renewal = analyze_experience(store, workspace, "renewal")
    assert (renewal.journeys, renewal.answers) == (2, 3)
    assert [(p.step, p.designed) for p in renewal.emotion_curve] == [("renew", -1.0)]
    assert renewal.moments_of_truth[0].touchpoint == "renewal-call"
