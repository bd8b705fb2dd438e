"""The array fast path of ``analyze FILE`` (:mod:`cojourney.analytics.discovery_arrays`).

It must give what the engines give: the real CSV logs against PM4Py's results,
and logs built to stress the edges (ties in time kept in file order, one-event
journeys, variants tied in frequency, activity names whose code-point order is not
their insertion order) against :func:`~cojourney.analytics.discovery.summarize` on
DuckDB, field by field.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from reference import LOGS_DIR, SHARED_DATA_MISSING, assert_matches_reference, load_reference
from test_reference_logs import CSV_LOGS, CsvLog

from cojourney.analytics.discovery import summarize
from cojourney.analytics.discovery_arrays import (
    _median,
    _packed_order,
    _pair_journeys,
    summarize_file,
)
from cojourney.errors import ImportRejected
from cojourney.events.schema import ColumnMapping
from cojourney.services.discovery import discover_log

_START = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.mark.shared_data
@pytest.mark.skipif(not LOGS_DIR.is_dir(), reason=SHARED_DATA_MISSING)
@pytest.mark.parametrize("log", CSV_LOGS, ids=lambda log: log.reference)
def test_csv_log_matches_pm4py_on_the_array_path(log: CsvLog) -> None:
    summary = summarize_file(LOGS_DIR / log.file, mapping=log.mapping, options=log.options)
    assert_matches_reference(summary.to_reference_dict(), load_reference(log.reference))


def _edge_log(path: Path, seed: int) -> Path:
    rng = random.Random(seed)
    names = ["Zeta", "alpha", "Ärger", "beta", "a", "Z", "écoute", "b b"]
    cases, activities, times = [], [], []
    for case in range(300):
        length = rng.choice([1, 1, 2, 3, 3, 4, 7])
        start = _START + dt.timedelta(minutes=rng.randrange(10_000))
        for step in range(length):
            cases.append(f"case-{rng.randrange(120)}" if case % 3 else f"c{case}")
            activities.append(rng.choice(names[: rng.choice([2, 3, 8])]))
            # same minute often: the file order breaks the ties
            times.append(start + dt.timedelta(minutes=rng.choice([0, 0, step, 5 * step])))
    table = pa.table(
        {
            "case:concept:name": cases,
            "concept:name": activities,
            "time:timestamp": pa.array(times, pa.timestamp("us", tz="UTC")),
        }
    )
    pq.write_table(table, path, row_group_size=97)
    return path


def _rounded(value: Any) -> Any:
    """``value`` with every float rounded to 6 decimals (sums may add in another order)."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if hasattr(value, "__slots__"):
        return (type(value).__name__, *(_rounded(getattr(value, s)) for s in value.__slots__))
    return value


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_array_path_equals_the_engine(tmp_path: Path, seed: int) -> None:
    path = _edge_log(tmp_path / "edge.parquet", seed)
    fast = summarize_file(path, top_variants=None)
    slow = summarize(path, engine="duckdb", top_variants=None)
    assert _rounded(fast.to_reference_dict()) == _rounded(slow.to_reference_dict())
    assert _rounded(fast.directly_follows) == _rounded(slow.directly_follows)
    assert _rounded(fast.top_variants) == _rounded(slow.top_variants)
    assert len(fast.top_variants) == fast.variant_count > 1


def test_a_hand_computed_log(tmp_path: Path) -> None:
    hour = dt.timedelta(hours=1)
    table = pa.table(
        {
            "case:concept:name": ["j2", "j1", "j1", "j1", "j2", "j3"],
            "concept:name": ["b", "a", "b", "a", "a", "b"],
            "time:timestamp": pa.array(
                [_START + 2 * hour, _START, _START + hour, _START + 4 * hour, _START, _START],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )
    path = tmp_path / "hand.csv"
    pacsv.write_csv(table, path)
    summary = discover_log(path)
    assert summary.counts.journeys == 3 and summary.counts.events == 6
    # j1: a -> b (1 h) -> a (3 h); j2: a -> b (2 h); j3: b
    pairs = {(d.source, d.target): d for d in summary.directly_follows}
    assert pairs["a", "b"].events == 2 and pairs["a", "b"].journeys == 2
    assert pairs["a", "b"].mean_seconds == 5400.0
    assert pairs["a", "b"].median_seconds == 5400.0
    assert pairs["a", "b"].p90_seconds == pytest.approx(3600 + 0.9 * 3600)
    assert pairs["b", "a"].events == 1 and pairs["b", "a"].mean_seconds == 10800.0
    assert summary.start_activities == {"a": 2, "b": 1}
    assert summary.end_activities == {"b": 2, "a": 1}
    assert summary.variant_count == 3
    assert [v.activities for v in summary.top_variants] == [("a", "b"), ("a", "b", "a"), ("b",)]
    assert summary.case_durations.max == 4 * 3600.0
    assert summary.case_durations.median == 2 * 3600.0


def test_the_array_path_refuses_what_the_readers_refuse(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp\n"
        "c1,a,2024-01-01T00:00:00\n"
        ",b,2024-01-01T01:00:00\n"
    )
    with pytest.raises(ImportRejected, match=r"bad.csv:3 \[case:concept:name\]: event 2 has no"):
        summarize_file(path)


@pytest.mark.shared_data
@pytest.mark.skipif(not LOGS_DIR.is_dir(), reason=SHARED_DATA_MISSING)
@pytest.mark.parametrize(
    "log", ["running-example.xes", "helpdesk.xes.gz", "03_repairExample.xes.gz"]
)
def test_xes_log_matches_pm4py_on_the_array_path(log: str) -> None:
    summary = summarize_file(LOGS_DIR / log)
    reference = log.removesuffix(".gz").removesuffix(".xes")
    assert_matches_reference(summary.to_reference_dict(), load_reference(reference))


def test_a_malformed_xes_is_refused_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    path.write_text('<log>\n<trace><string key="concept:name" value="c1"/>\n<event>\n</log>')
    with pytest.raises(ImportRejected, match=r"log.xes:4"):
        summarize_file(path)


def test_an_empty_log_gives_what_the_engine_gives(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("case:concept:name,concept:name,time:timestamp\n")
    fast = summarize_file(path)
    assert fast.to_reference_dict() == summarize(path, engine="duckdb").to_reference_dict()
    assert fast.counts.events == 0 and fast.variant_count == 0


def test_centuries_between_events_and_many_activities(tmp_path: Path) -> None:
    """Gaps too wide to pack with the pair key into one integer: the two-key sort."""
    rng = random.Random(7)
    cases, activities, times = [], [], []
    for case in range(200):
        start = dt.datetime(1900, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(30))
        for step in range(rng.randrange(1, 4)):
            cases.append(f"c{case}")
            activities.append(f"activity {rng.randrange(120)}")
            times.append(start + dt.timedelta(days=step * rng.choice([1, 36_500])))
    path = tmp_path / "wide.parquet"
    pq.write_table(
        pa.table(
            {
                "case:concept:name": cases,
                "concept:name": activities,
                "time:timestamp": pa.array(times, pa.timestamp("us", tz="UTC")),
            }
        ),
        path,
    )
    fast = summarize_file(path, top_variants=None)
    slow = summarize(path, engine="duckdb", top_variants=None)
    assert _rounded(fast.directly_follows) == _rounded(slow.directly_follows)
    assert max(d.mean_seconds for d in fast.directly_follows) > 100 * 365 * 86_400


def test_pair_journeys_without_packing() -> None:
    """Pair keys too large to pack with the journey: the same counts by a two-key sort."""
    starts = np.array([0, 3, 5, 8])  # three journeys of 3, 2 and 3 events
    left = np.array([0, 1, 3, 5, 6])  # the pairs (first event of each)
    small = np.array([7, 7, 9, 7, 9])
    assert _pair_journeys(starts, left, small).tolist() == [2, 2]  # key 7: j0, j2; 9: j1, j2
    huge = small + 2**61
    assert _pair_journeys(starts, left, huge).tolist() == [2, 2]


@pytest.mark.parametrize("seed", [4, 5])
def test_colliding_journey_keys_fall_back_to_exact_codes(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Journeys are first sorted by a 64-bit hash of their id; with a key of 2 values
    # nearly every journey collides with another, and the exact codes must take over.
    import cojourney.analytics.discovery_arrays as arrays

    path = _edge_log(tmp_path / "edge.parquet", seed)
    expected = summarize_file(path, top_variants=None)
    monkeypatch.setattr(arrays, "_JOURNEY_KEY", "hash(e.{}) % 2")
    collided = summarize_file(path, top_variants=None)
    assert collided.counts.journeys == expected.counts.journeys > 2
    assert _rounded(collided) == _rounded(expected)
    assert _rounded(collided.directly_follows) == _rounded(expected.directly_follows)
    assert _rounded(collided.top_variants) == _rounded(expected.top_variants)


def test_an_empty_log_has_empty_arrays(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    table = pa.table(
        {
            "case:concept:name": pa.array([], pa.string()),
            "concept:name": pa.array([], pa.string()),
            "time:timestamp": pa.array([], pa.timestamp("us", tz="UTC")),
        }
    )
    pq.write_table(table, path)
    summary = summarize_file(path)
    assert (summary.counts.journeys, summary.counts.events, summary.counts.activities) == (0, 0, 0)
    assert summary.directly_follows == () and summary.top_variants == ()


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 10, 1001])
def test_the_median_is_numpys(n: int) -> None:
    rng = np.random.default_rng(n)
    for values in (rng.exponential(3600.0, n), rng.integers(0, 5, n).astype(float)):
        assert _median(values) == np.median(values)


def test_renamed_activities_on_a_file_read_in_place(tmp_path: Path) -> None:
    # The activities listed by the check of a file read in place are the renamed ones,
    # two names merged into one included.
    path = _edge_log(tmp_path / "edge.parquet", 6)
    mapping = ColumnMapping(activity_renames={"alpha": "Zeta", "b b": "renamed"})
    fast = summarize_file(path, mapping=mapping, top_variants=None)
    slow = summarize(path, engine="duckdb", mapping=mapping, top_variants=None)
    assert "renamed" in fast.start_activities or "renamed" in fast.end_activities
    assert "alpha" not in fast.start_activities
    assert _rounded(fast) == _rounded(slow)
    assert _rounded(fast.directly_follows) == _rounded(slow.directly_follows)


def _events(rng: np.random.Generator, n: int, journeys: int) -> dict[str, np.ndarray[Any, Any]]:
    keys = rng.integers(0, 2**63, journeys, dtype=np.uint64) * np.uint64(2)
    return {
        "journey": keys[rng.integers(0, journeys, n)],
        "micros": np.sort(rng.integers(0, 50, n)),  # in time order, many ties
        "seq": np.arange(n, dtype=np.int64),
    }


def test_the_packed_sort_gives_lexsorts_order_or_declines() -> None:
    rng = np.random.default_rng(7)
    events = _events(rng, 5000, 300)
    journey, micros, seq = events["journey"], events["micros"], events["seq"]
    expected = np.lexsort((seq, micros, journey))
    distinct = len(np.unique(journey))
    packed = _packed_order(journey, micros, seq, distinct)
    assert packed is not None  # each journey in time order: the packed sort applies
    order, groups, sorted_micros = packed
    assert np.array_equal(order, expected)
    assert np.array_equal(sorted_micros, micros[expected])
    assert len(np.unique(groups)) == distinct
    assert np.all(np.diff(groups) >= 0)
    # Declines: a journey's events out of time order, or fewer groups than journeys.
    assert _packed_order(journey, micros[::-1].copy(), seq, distinct) is None
    assert _packed_order(journey, micros, seq, distinct + 1) is None


def test_a_log_sorted_by_journey_takes_the_packed_sort(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The edge logs mostly decline the packed sort (their journeys' events are not in
    # time order in the file); sorted by journey and time, the same log takes it.
    import cojourney.analytics.discovery_arrays as arrays

    edge = _edge_log(tmp_path / "edge.parquet", 8)
    path = tmp_path / "sorted.parquet"
    table = pq.read_table(edge)
    pq.write_table(
        table.sort_by([("case:concept:name", "ascending"), ("time:timestamp", "ascending")]),
        path,
    )
    taken: list[bool] = []

    def spy(*args: Any) -> Any:
        result = _packed_order(*args)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(arrays, "_packed_order", spy)
    fast = summarize_file(path, top_variants=None)
    summarize_file(edge, top_variants=None)
    assert taken == [True, False]
    slow = summarize(path, engine="duckdb", top_variants=None)
    assert _rounded(fast.to_reference_dict()) == _rounded(slow.to_reference_dict())
    assert _rounded(fast.directly_follows) == _rounded(slow.directly_follows)
    assert _rounded(fast.top_variants) == _rounded(slow.top_variants)
