"""Journey analyses on random logs: invariants, and agreement with a plain-Python oracle.

The oracle below restates the definitions (see each analysis module) over Python
lists, one journey at a time; the engines must agree with it and with each other.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from journey_logs import journey_table

from cojourney.analytics.design import JourneyDesign
from cojourney.analytics.engines import Engine
from cojourney.analytics.journey_results import JourneyAnalysis
from cojourney.analytics.report import analyze_journey

TOUCHPOINTS = [
    "search",
    "sign-up",
    "identity-check",
    "welcome-guide",
    "first-use",
    "support-call",
    "survey",
]


def oracle(journeys: dict[str, list[tuple[str, float]]], d: JourneyDesign) -> dict[str, Any]:
    """The main numbers, straight from the definitions. Events are already in order."""
    fitness, funnel = [], defaultdict(lambda: [0, 0, 0, 0, []])
    gates = [[0, 0] for _ in d.gates]
    skipped: dict[str, int] = defaultdict(int)
    starts_mid = ends_early = repeats = back = 0
    for events in journeys.values():
        known = [(d.position(a), t) for a, t in events if d.position(a) is not None]
        p = [k for k, _ in known]
        u = [t for _, t in known]
        s = [d.step_of[k] for k in p]
        unknown = len(events) - len(p)
        violations = sum(1 for a, b in itertools.pairwise(p) if b < a and (a, b) not in d.loops)
        in_span = [m for m in d.mandatory if p and min(p) <= m <= max(p)]
        moves = set(itertools.pairwise(p))
        miss = [
            m
            for m in in_span
            if m not in p and not any(skip in moves for skip in d.skips_covering(m))
        ]
        for m in miss:
            skipped[d.touchpoints[m]] += 1
        fitness.append(
            min(
                1.0, max(0.0, 1 - (len(miss) + violations + unknown) / (len(in_span) + len(events)))
            )
        )
        if p:
            starts_mid += p[0] not in d.entry
            ends_early += p[-1] not in d.exit
        repeats += len(p) > len(set(p))
        back += any(b < a for a, b in itertools.pairwise(s))
        for step in set(s):
            last = max(i for i, x in enumerate(s) if x == step)
            nxt = s[last + 1] if last + 1 < len(s) else None
            row = funnel[step]
            row[0] += 1
            row[1 if nxt is None else 2 if nxt > step else 3] += 1
            row[4].append(
                sum(u[i + 1] - u[i] for i, x in enumerate(s) if x == step and i + 1 < len(u))
            )
        for g, gate in enumerate(d.gates):
            firsts = [p.index(b) for b in gate.before if b in p]
            if firsts:
                gates[g][0] += 1
                gates[g][1] += any(r not in p[: min(firsts)] for r in gate.requires)
    return {
        "mean_fitness": statistics.fmean(fitness),
        "perfect": sum(f == 1 for f in fitness),
        "skipped": {d.touchpoints[m]: skipped[d.touchpoints[m]] for m in d.mandatory},
        "starts_mid": starts_mid,
        "ends_early": ends_early,
        "repeats": repeats,
        "back": back,
        "funnel": {
            step: (r[0], r[2], r[3], r[1], statistics.median(r[4])) for step, r in funnel.items()
        },
        "gates": [tuple(g) for g in gates],
    }


def observed(result: JourneyAnalysis, d: JourneyDesign) -> dict[str, Any]:
    c, f = result.conformance, result.funnel
    return {
        "mean_fitness": c.mean_fitness,
        "perfect": c.perfect,
        "skipped": c.skipped,
        "starts_mid": result.entry_exit.started_in_middle,
        "ends_early": result.entry_exit.ended_early,
        "repeats": result.rework.journeys_with_repeat,
        "back": result.rework.journeys_with_back_move,
        "funnel": {
            d.steps.index(s.step): (
                s.reached,
                s.moved_on,
                s.went_back,
                s.left,
                s.median_seconds_in_step,
            )
            for s in f.steps
            if s.reached
        },
        "gates": [(g.reached, g.bypassed) for g in result.gates],
    }


def check_invariants(result: JourneyAnalysis) -> None:
    steps = result.funnel.steps
    for step in steps:
        assert step.reached == step.moved_on + step.went_back + step.left
        assert step.reached >= step.moved_on
    assert steps[-1].moved_on == 0 and steps[0].went_back == 0
    if result.rework.journeys_with_back_move == 0:
        assert all(s.left + s.moved_on == s.reached for s in steps)
    c = result.conformance
    assert sum(c.fitness_distribution.values()) == c.journeys == result.counts.journeys
    assert c.fitness_distribution["1.0"] == c.perfect
    assert c.mean_fitness is None or 0.0 <= c.mean_fitness <= 1.0
    assert all(0.0 <= v.fitness <= 1.0 for v in result.variants.top)
    e = result.entry_exit
    assert sum(t.starts for t in e.touchpoints) == e.journeys - e.without_touchpoints
    assert sum(t.ends for t in e.touchpoints) == e.journeys - e.without_touchpoints
    assert all(g.respected + g.bypassed == g.reached for g in result.gates)
    on = result.funnel.onboarding
    assert on is not None and on.got_on_board + on.left == on.reached
    assert sum(v.journeys for v in result.variants.top) == result.counts.journeys


random_journeys = st.dictionaries(
    st.sampled_from(["j1", "j2", "j3", "j4", "j5"]),
    st.lists(
        st.tuples(st.sampled_from([*TOUCHPOINTS, "zz"]), st.integers(0, 6)), min_size=1, max_size=8
    ),
    min_size=1,
)


def test_random_logs_match_the_oracle(engine: Engine, template: Any) -> None:
    d = JourneyDesign.from_journey(template)

    @settings(
        max_examples=3 if engine.name == "spark" else 40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(random_journeys)
    def check(raw: dict[str, list[tuple[str, int]]]) -> None:
        # Times may tie; the input order breaks ties, so sort stably by time for the oracle.
        journeys = {
            j: sorted(((a, t / 2) for a, t in events), key=lambda e: e[1])
            for j, events in raw.items()
        }
        log = journey_table([(j, 0, None, None, events) for j, events in journeys.items()])
        result = analyze_journey(log, d, engine=engine, top_variants=None, breakdown_by=())
        check_invariants(result)
        got, want = observed(result, d), oracle(journeys, d)
        assert math.isclose(got.pop("mean_fitness"), want.pop("mean_fitness"), rel_tol=1e-9)
        assert got == want

    check()


def test_the_designed_path_conforms(engine: Engine, template: Any) -> None:
    # The full designed order, and the mandatory touchpoints alone: fitness 1, no skip,
    # no violation, respected gate, onboarded.
    full = [(tp, 10 * n) for n, tp in enumerate(TOUCHPOINTS)]
    mandatory = [(tp, 10 * n) for n, tp in enumerate(template.mandatory_touchpoints())]
    log = journey_table([("full", 0, None, None, full), ("lean", 0, None, None, mandatory)])
    result = analyze_journey(log, template, engine=engine, breakdown_by=())
    assert (result.conformance.perfect, result.conformance.mean_fitness) == (2, 1.0)
    assert result.gates[0].respected == 2 and result.funnel.onboarding.got_on_board == 2
    assert result.entry_exit.started_in_middle == result.entry_exit.ended_early == 0
    check_invariants(result)


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_engines_agree_on_a_simulated_log(spark_session: Any, template: Any) -> None:
    """The whole analysis of a simulated log (3 000 events) is the same on both engines."""
    from synthetic import template_log

    from cojourney.analytics.engines.duckdb import DuckDBEngine
    from cojourney.analytics.engines.spark import SparkEngine

    log = template_log(3_000, seed=11)
    dims = ("segment", "channel", "month", "week")
    with DuckDBEngine() as duck:
        on_duckdb = analyze_journey(log, template, engine=duck, breakdown_by=dims).to_dict()
    with SparkEngine(session=spark_session) as spark:
        on_spark = analyze_journey(log, template, engine=spark, breakdown_by=dims).to_dict()
    assert on_duckdb.pop("engine") == "duckdb" and on_spark.pop("engine") == "spark"
    assert _close(on_spark, on_duckdb)
    check_invariants(analyze_journey(log, template, engine="duckdb", top_variants=None))


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        return all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert len(a) == len(b)
        return all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (a, b)
        return True
    assert a == b
    return True


def test_an_empty_log(engine: Engine, template: Any) -> None:
    result = analyze_journey(journey_table([]), template, engine=engine, breakdown_by=("month",))
    assert (result.counts.journeys, result.counts.events, result.variants.count) == (0, 0, 0)
    assert result.conformance.mean_fitness is None and result.conformance.perfect == 0
    assert all(s.reached == 0 for s in result.funnel.steps)
    assert result.gates[0].reached == 0 and result.breakdowns[0].rows == ()
