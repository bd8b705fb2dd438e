"""Discovery analyses on small, hand-computed logs and on random logs against a Python oracle.

Every test runs on each engine (the ``engine`` fixture: DuckDB and Spark).
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import assert_matches_reference

from cojourney.analytics.discovery import (
    case_durations,
    directly_follows,
    log_counts,
    start_end_activities,
    summarize,
    variants,
)
from cojourney.analytics.engines import Engine
from cojourney.analytics.engines.duckdb import DuckDBEngine
from cojourney.analytics.ordering import UnorderedWindowError, sequence_window
from cojourney.analytics.results import DirectlyFollows, DurationStats, LogCounts
from cojourney.errors import ImportRejected
from cojourney.events.readers import ReadOptions, read_events
from cojourney.events.schema import ColumnMapping


def run(engine: Engine, table: Any, **kwargs: Any) -> dict[str, Any]:
    return summarize(table, engine=engine, **kwargs).to_reference_dict()


def test_equal_timestamps_keep_input_order(engine: Engine, events: Any) -> None:
    # b is listed first but has the larger event_seq: a and b happen at the same time,
    # and the input order (event_seq) puts a first.
    log = events([("j1", "b", 0, 1), ("j1", "a", 0, 0), ("j1", "c", 10, 2)])
    result = run(engine, log)
    assert result["directly_follows"] == [["a", "b", 1, 0.0], ["b", "c", 1, 10.0]]
    assert result["top_variants"] == [{"activities": ["a", "b", "c"], "cases": 1}]
    assert result["start_activities"] == {"a": 1}
    assert result["end_activities"] == {"c": 1}


def test_one_event_journeys(engine: Engine, events: Any) -> None:
    log = events([("j1", "a", 0), ("j2", "a", 5), ("j3", "b", 0)])
    result = run(engine, log)
    assert (result["cases"], result["events"], result["activities"]) == (3, 3, 2)
    assert result["directly_follows"] == []
    assert result["start_activities"] == result["end_activities"] == {"a": 2, "b": 1}
    assert result["top_variants"] == [
        {"activities": ["a"], "cases": 2},
        {"activities": ["b"], "cases": 1},
    ]
    assert result["case_duration_seconds"] == {"mean": 0.0, "median": 0.0, "min": 0.0, "max": 0.0}


def test_directly_follows_performance(engine: Engine, events: Any) -> None:
    rows = []
    for j, seconds in enumerate([10, 20, 30, 100]):
        rows += [(f"j{j}", "A", 0), (f"j{j}", "B", seconds)]
    rows += [("loop", "A", 0), ("loop", "B", 1), ("loop", "A", 2), ("loop", "B", 5)]
    table = engine.load_events(events(rows))
    pairs = {(d.source, d.target): d for d in directly_follows(table, engine)}
    # A->B: 10, 20, 30, 100 and 1, 3 from the loop: sorted 1, 3, 10, 20, 30, 100.
    assert pairs[("A", "B")] == DirectlyFollows(
        "A",
        "B",
        events=6,
        journeys=5,
        mean_seconds=164 / 6,
        median_seconds=15.0,
        p90_seconds=pytest.approx(30 + 0.5 * 70),
    )
    assert pairs[("B", "A")] == DirectlyFollows("B", "A", 1, 1, 1.0, 1.0, 1.0)
    assert list(pairs) == [("A", "B"), ("B", "A")]


def test_variants_are_ranked_by_journeys_then_activities(engine: Engine, events: Any) -> None:
    log = events(
        [
            ("j1", "a", 0),
            ("j1", "b", 10),
            ("j2", "a", 0),
            ("j2", "b", 30),
            ("j3", "a", 0),
            ("j3", "c", 5),
            ("j4", "a", 0),
        ]
    )
    table = engine.load_events(log)
    count, top = variants(table, engine, top=2)
    assert count == 3
    assert [(v.activities, v.journeys, v.share, v.mean_duration_seconds) for v in top] == [
        (("a", "b"), 2, 0.5, 20.0),
        (("a",), 1, 0.25, 0.0),
    ]
    _, everything = variants(table, engine, top=None)
    assert [v.activities for v in everything] == [("a", "b"), ("a",), ("a", "c")]


def test_case_duration_statistics(engine: Engine, events: Any) -> None:
    rows = [("j0", "x", 0)]
    for j, seconds in enumerate([10, 20, 100], start=1):
        rows += [(f"j{j}", "x", 0), (f"j{j}", "y", seconds / 2), (f"j{j}", "z", seconds)]
    table = engine.load_events(events(rows))
    assert case_durations(table, engine) == DurationStats(
        mean=32.5, median=15.0, min=0.0, max=100.0
    )
    assert log_counts(table, engine) == LogCounts(journeys=4, events=10, activities=3)
    assert start_end_activities(table, engine) == ({"x": 4}, {"z": 3, "x": 1})


def test_durations_are_exact_to_the_microsecond(engine: Engine, events: Any) -> None:
    log = events([("j1", "a", 0), ("j1", "b", 0.000001), ("j1", "c", 86_400.000003)])
    result = run(engine, log)
    assert result["directly_follows"] == [["a", "b", 1, 1e-06], ["b", "c", 1, 86_400.000002]]
    assert result["case_duration_seconds"]["max"] == 86_400.000003


def test_empty_log(engine: Engine, events: Any) -> None:
    result = run(engine, events([]))
    assert (result["cases"], result["events"], result["variant_count"]) == (0, 0, 0)
    assert result["directly_follows"] == [] and result["top_variants"] == []
    assert result["case_duration_seconds"] == {
        "mean": None,
        "median": None,
        "min": None,
        "max": None,
    }


def test_naive_and_offset_timestamps(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "case,activity,time\n"
        "j1,a,2024-01-01 10:00:00\n"  # naive: UTC by default
        "j1,b,2024-01-01 10:00:00+01:00\n"  # 09:00 UTC: before a
        "j1,c,2024-01-01T12:00:00Z\n",
        encoding="utf-8",
    )
    mapping = ColumnMapping(journey_id="case", activity="activity", timestamp="time")
    utc = run(engine, path, mapping=mapping)
    assert utc["directly_follows"] == [["a", "c", 1, 7200.0], ["b", "a", 1, 3600.0]]
    # Read in Amsterdam (UTC+1 in winter), a happens at 09:00 UTC too: the tie keeps file order.
    local = run(
        engine,
        path,
        mapping=ColumnMapping(
            journey_id="case", activity="activity", timestamp="time", timezone="Europe/Amsterdam"
        ),
    )
    assert local["directly_follows"] == [["a", "b", 1, 0.0], ["b", "c", 1, 10800.0]]


def test_summarize_by_engine_name_creates_and_closes_the_engine(events: Any) -> None:
    summary = summarize(events([("j", "a", 0), ("j", "b", 1)]), engine="duckdb")
    assert summary.engine == "duckdb" and summary.counts.events == 2


def test_windows_must_be_totally_ordered() -> None:
    import ibis

    t = ibis.table(
        {
            "journey_id": "string",
            "activity": "string",
            "timestamp": "timestamp('UTC')",
            "event_seq": "int64",
        },
        name="events",
    )
    sequence_window(t)
    for order in ([], ["timestamp"], ["event_seq", "timestamp"]):
        with pytest.raises(UnorderedWindowError, match="event_seq"):
            sequence_window(t, order=order)


# ----------------------------------------------------------------------------- properties


def oracle(rows: list[tuple[str, str, float, int]]) -> dict[str, Any]:
    """The reference dict computed in plain Python, straight from the definitions."""
    journeys: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
    for jid, act, seconds, seq in rows:
        journeys[jid].append((seconds, seq, act))
    pairs: dict[tuple[str, str], list[float]] = defaultdict(list)
    traces, durations = [], []
    for steps in journeys.values():
        steps.sort()
        traces.append(tuple(s[2] for s in steps))
        durations.append(steps[-1][0] - steps[0][0])
        for (t1, _, a), (t2, _, b) in itertools.pairwise(steps):
            pairs[(a, b)].append(t2 - t1)
    variant_counts = Counter(traces)
    return {
        "cases": len(journeys),
        "events": len(rows),
        "activities": len({r[1] for r in rows}),
        "directly_follows": [[a, b, len(d), statistics.fmean(d)] for (a, b), d in pairs.items()],
        "start_activities": dict(Counter(t[0] for t in traces)),
        "end_activities": dict(Counter(t[-1] for t in traces)),
        "variant_count": len(variant_counts),
        "top_variants": [
            {"activities": list(v), "cases": n}
            for v, n in sorted(variant_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "case_duration_seconds": {
            "mean": statistics.fmean(durations),
            "median": statistics.median(durations),
            "min": min(durations),
            "max": max(durations),
        },
    }


# Few distinct times (in half seconds) and activities, so ties and repeats are common.
random_logs = st.lists(
    st.tuples(
        st.sampled_from(["j1", "j2", "j3", "j4"]),
        st.sampled_from(["a", "b", "c"]),
        st.integers(0, 6).map(lambda half_seconds: half_seconds / 2),
    ),
    min_size=1,
    max_size=25,
)


def _property_settings(engine: Engine) -> Any:
    return settings(
        max_examples=5 if engine.name == "spark" else 40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
        database=None,
    )


def test_random_logs_match_the_python_oracle(engine: Engine, events: Any) -> None:
    @_property_settings(engine)
    @given(random_logs)
    def check(raw: list[tuple[str, str, float]]) -> None:
        rows = [(j, a, s, i) for i, (j, a, s) in enumerate(raw)]
        summary = summarize(events(rows), engine=engine, top_variants=None)
        result = summary.to_reference_dict()
        assert_matches_reference(result, oracle(rows), rel=1e-9)
        # Invariants, stated directly.
        assert sum(d.events for d in summary.directly_follows) == len(rows) - result["cases"]
        assert sum(v.journeys for v in summary.top_variants) == result["cases"]
        assert sum(result["start_activities"].values()) == result["cases"]
        assert sum(result["end_activities"].values()) == result["cases"]
        assert sum(v.share for v in summary.top_variants) == pytest.approx(1.0)

    check()


# ----------------------------------------------------------------------------- DuckDB's own reader


def _duckdb_engine() -> DuckDBEngine:
    return DuckDBEngine()


def test_native_loading_keeps_file_order_in_parallel(tmp_path: Path) -> None:
    """DuckDB reads the file with several threads; event_seq must still be the file order."""
    import duckdb

    path = tmp_path / "big.csv"
    duckdb.sql(f"""COPY (SELECT 'c' || (i // 10) AS "case:concept:name", 'a' || (i % 7) AS
               "concept:name", '2024-01-01 00:00:00+00:00' AS "time:timestamp"  -- all tied
               FROM range(300000) t(i)) TO '{path}' (HEADER)""")
    stages: list[str] = []
    with _duckdb_engine() as engine:
        table = engine.load_file(path, on_stage=stages.append)
        assert table is not None
        expected_journey = "c" + (table.event_seq // 10).cast("string")
        out_of_order = table.filter(table.journey_id != expected_journey)
        assert engine.rows(out_of_order.aggregate(n=out_of_order.count())) == [{"n": 0}]
        native = summarize(table, engine=engine).to_reference_dict()
        via_arrow = summarize(
            pa.Table.from_batches(list(read_events(path))), engine=engine
        ).to_reference_dict()
        assert native == via_arrow
        tz = engine.connection.execute("SELECT current_setting('TimeZone')").fetchone()
        assert tz == ("UTC",)


def test_native_loading_reports_problems_like_the_readers(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "case,step,at\nc,a,2024-01-01\n,b,2024-01-02\nc,c,31/12/2024\nc,d,\n", encoding="utf-8"
    )
    mapping = ColumnMapping(
        journey_id="case", activity="step", timestamp="at", timezone="Europe/Amsterdam"
    )
    with pytest.raises(ImportRejected) as by_reader:
        list(read_events(path, mapping))
    with _duckdb_engine() as engine, pytest.raises(ImportRejected) as native:
        engine.load_file(path, mapping)
    assert str(native.value) == str(by_reader.value)
    assert [p.location.line for p in native.value.problems] == [3, 4, 5]
    with _duckdb_engine() as engine:
        table = engine.load_file(path, mapping, ReadOptions(skip_incomplete=True))
        assert table is not None
        assert engine.rows(table.select("activity", "event_seq")) == [
            {"activity": "a", "event_seq": 0}
        ]
        assert engine.load_file(tmp_path / "log.xes") is None
        tz = engine.connection.execute("SELECT current_setting('TimeZone')").fetchone()
        assert tz == ("UTC",)
