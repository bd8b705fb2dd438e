"""DuckDB reads a typed Parquet file in place (a view over the file), with the readers' checks.

:meth:`DuckDBEngine.load_file` copies nothing when the file's timestamp column has a
timestamp type and no event has a problem; otherwise it falls back to the copy that
finds and reports every problem. Both must give what the readers give.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cojourney.analytics.discovery import summarize
from cojourney.analytics.engines.duckdb import DuckDBEngine
from cojourney.errors import ImportRejected
from cojourney.events.readers import ReadOptions, read_events
from cojourney.events.schema import ColumnMapping

_START = dt.datetime(2024, 3, 1, 8, 0)


def _write(
    path: Path,
    cases: list[str | None],
    activities: list[str],
    times: list[dt.datetime | None],
    *,
    tz: str | None = "UTC",
) -> Path:
    table = pa.table(
        {
            "case:concept:name": pa.array(cases, pa.string()),
            "concept:name": pa.array(activities, pa.string()),
            "time:timestamp": pa.array(times, pa.timestamp("us", tz=tz)),
        }
    )
    pq.write_table(table, path, row_group_size=1000)  # several row groups, read in parallel
    return path


def _objects(engine: DuckDBEngine, kind: str) -> set[str]:
    sql = f"SELECT {kind}_name FROM duckdb_{kind}s() WHERE NOT internal"
    return {row[0] for row in engine.connection.execute(sql).fetchall()}


def _summary(engine: DuckDBEngine, source: object) -> dict[str, object]:
    return summarize(source, engine=engine).to_reference_dict()  # type: ignore[arg-type]


def test_a_typed_parquet_file_is_read_in_place_in_file_order(tmp_path: Path) -> None:
    n = 5000  # every event of a journey at the same time: only the file order sorts them
    path = _write(
        tmp_path / "log.parquet",
        [f"c{i // 10}" for i in range(n)],
        [f"a{i % 7}" for i in range(n)],
        [_START] * n,
    )
    with DuckDBEngine() as engine:
        tables_before = _objects(engine, "table")
        table = engine.load_file(path)
        assert table is not None
        assert table.get_name() in _objects(engine, "view")
        assert _objects(engine, "table") == tables_before  # nothing copied
        expected_journey = "c" + (table.event_seq // 10).cast("string")
        out_of_order = table.filter(table.journey_id != expected_journey)
        assert engine.rows(out_of_order.aggregate(n=out_of_order.count())) == [{"n": 0}]
        native = _summary(engine, table)
        assert native == _summary(engine, pa.Table.from_batches(list(read_events(path))))
        engine.release(table)
        assert table.get_name() not in _objects(engine, "view")


def test_problems_in_a_typed_parquet_file_are_reported_like_the_readers(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.parquet",
        ["c", "", "c", "c"],
        ["a", "b", "c", "d"],
        [_START, _START, None, _START + dt.timedelta(hours=1)],
    )
    with pytest.raises(ImportRejected) as by_reader:
        list(read_events(path))
    with DuckDBEngine() as engine, pytest.raises(ImportRejected) as native:
        engine.load_file(path)
    assert str(native.value) == str(by_reader.value)
    assert [p.message for p in native.value.problems] == [
        "event 2 has no journey id",
        "event 3 has no timestamp",
    ]
    with DuckDBEngine() as engine:
        table = engine.load_file(path, options=ReadOptions(skip_incomplete=True))
        assert table is not None
        assert engine.rows(table.select("activity", "event_seq").order_by("event_seq")) == [
            {"activity": "a", "event_seq": 0},
            {"activity": "d", "event_seq": 3},
        ]


def test_naive_parquet_timestamps_are_read_in_the_mapping_time_zone(tmp_path: Path) -> None:
    # 01:30 and 03:30 on the night Amsterdam moves to summer time: one hour apart there
    # (00:30 and 01:30 UTC), two hours apart when the times are UTC.
    night = dt.datetime(2024, 3, 31)
    path = _write(
        tmp_path / "naive.parquet",
        ["j", "j"],
        ["a", "b"],
        [night.replace(hour=1, minute=30), night.replace(hour=3, minute=30)],
        tz=None,
    )
    mapping = ColumnMapping(timezone="Europe/Amsterdam")
    with DuckDBEngine() as engine:
        table = engine.load_file(path, mapping)
        assert table is not None
        assert f"{table.get_name()}_rows" in _objects(engine, "table")  # copied in its zone
        local = _summary(engine, table)
        via_reader = _summary(engine, pa.Table.from_batches(list(read_events(path, mapping))))
        in_utc = engine.load_file(path)
        assert in_utc is not None
        assert f"{in_utc.get_name()}_rows" not in _objects(engine, "table")  # UTC: in place
        utc = _summary(engine, in_utc)
    assert local == via_reader
    assert local["directly_follows"] == [["a", "b", 1, 3600.0]]
    assert utc["directly_follows"] == [["a", "b", 1, 7200.0]]


_BAD_VALUES = {
    "no journey id": ([None, "c"], ["a", "b"], [_START, _START]),
    "an empty activity": (["c", "c"], ["a", ""], [_START, _START]),
    "a line break in a journey id": (["c", "c\nd"], ["a", "b"], [_START, _START]),
    "a NUL in an activity": (["c", "c"], ["a\x00", "b"], [_START, _START]),
    "an activity too long": (["c", "c"], ["a", "b" * 5000], [_START, _START]),
    "a time before 1900": (["c", "c"], ["a", "b"], [_START, dt.datetime(1850, 1, 1)]),
}


@pytest.mark.parametrize("problem", list(_BAD_VALUES))
def test_the_check_over_distinct_values_finds_each_problem(tmp_path: Path, problem: str) -> None:
    # Journey ids and activities are checked over their distinct values, timestamps
    # over every event: each kind of problem must still send the file to the copy
    # that reports it, with the readers' message.
    path = _write(tmp_path / "bad.parquet", *_BAD_VALUES[problem])
    with pytest.raises(ImportRejected) as by_reader:
        list(read_events(path))
    with DuckDBEngine() as engine, pytest.raises(ImportRejected) as native:
        engine.load_file(path)
    assert str(native.value) == str(by_reader.value)


def test_renamed_activities_are_checked_after_renaming(tmp_path: Path) -> None:
    path = _write(tmp_path / "renamed.parquet", ["c", "c"], ["a", "b"], [_START, _START])
    mapping = ColumnMapping(activity_renames={"b": ""})
    with pytest.raises(ImportRejected) as by_reader:
        list(read_events(path, mapping))
    with DuckDBEngine() as engine, pytest.raises(ImportRejected) as native:
        engine.load_file(path, mapping)
    assert str(native.value) == str(by_reader.value)
    renamed = ColumnMapping(activity_renames={"b": "a"})
    with DuckDBEngine() as engine:
        table = engine.load_file(path, renamed)
        assert table is not None
        assert f"{table.get_name()}_rows" not in _objects(engine, "table")  # in place
        assert engine.rows(table.order_by("event_seq").select("activity")) == [
            {"activity": "a"},
            {"activity": "a"},
        ]
