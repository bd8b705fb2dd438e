"""CSV, TSV, Parquet and JSON Lines readers: mapping onto the canonical schema, and errors."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cojourney.errors import ImportRejected
from cojourney.events.readers import (
    PANDAS_NULL_VALUES,
    ReaderSpec,
    ReadOptions,
    map_raw_batches,
    read_events,
    reader_for,
    register_reader,
)
from cojourney.events.readers import base as readers_base
from cojourney.events.readers.tabular import read_csv
from cojourney.events.schema import ColumnMapping, canonical_arrow_schema

UTC = dt.UTC
XES_HEADER = "case:concept:name,concept:name,time:timestamp,org:resource,lifecycle:transition"
CUSTOM = ColumnMapping(journey_id="case", activity="step", timestamp="at")


def read(path: Path, mapping: ColumnMapping | None = None, **options: Any) -> pa.Table:
    batches = list(read_events(path, mapping, options=ReadOptions(**options)))
    return pa.Table.from_batches(batches, schema=canonical_arrow_schema())


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rejected(path: Path, mapping: ColumnMapping | None = None, **options: Any) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        read(path, mapping, **options)
    return info.value


# ----------------------------------------------------------------------------- CSV


def test_xes_named_csv_maps_onto_the_canonical_schema(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "log.csv",
        f"{XES_HEADER},case:channel\n"
        "c1,register,2024-05-01 10:00:00+02:00,Pete,complete,web\n"
        "c1,decide,2024-05-01T09:30:00Z,Sara,complete,web\n",
    )
    table = read(path)
    assert table.schema == canonical_arrow_schema()
    assert table.to_pylist() == [
        {
            "journey_id": "c1",
            "activity": "register",
            "timestamp": dt.datetime(2024, 5, 1, 8, tzinfo=UTC),
            "event_seq": 0,
            "channel": None,
            "actor": "Pete",
            "role": None,
            "segment": None,
            "lifecycle": "complete",
            "attributes": '{"case:channel":"web"}',
        },
        {
            "journey_id": "c1",
            "activity": "decide",
            "timestamp": dt.datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
            "event_seq": 1,
            "channel": None,
            "actor": "Sara",
            "role": None,
            "segment": None,
            "lifecycle": "complete",
            "attributes": '{"case:channel":"web"}',
        },
    ]


def test_naive_timestamps_are_utc_unless_a_time_zone_is_given(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "log.csv",
        "case,step,at\nc,a,2024-01-15 12:00:00\n"
        "c,b,2024-07-15 12:00:00\nc,c,2024-07-15 12:00:00-04:00\n",
    )
    utc = read(path, CUSTOM)["timestamp"].to_pylist()
    assert utc == [
        dt.datetime(2024, 1, 15, 12, tzinfo=UTC),
        dt.datetime(2024, 7, 15, 12, tzinfo=UTC),
        dt.datetime(2024, 7, 15, 16, tzinfo=UTC),
    ]
    amsterdam = ColumnMapping(
        journey_id="case", activity="step", timestamp="at", timezone="Europe/Amsterdam"
    )
    local = read(path, amsterdam)["timestamp"].to_pylist()
    assert local == [
        dt.datetime(2024, 1, 15, 11, tzinfo=UTC),  # CET, UTC+1
        dt.datetime(2024, 7, 15, 10, tzinfo=UTC),  # CEST, UTC+2
        dt.datetime(2024, 7, 15, 16, tzinfo=UTC),
    ]  # its own offset wins


def test_timestamp_format_with_fractions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sepsis.csv",
        "Case ID;Activity;Complete Timestamp\n"
        "A;ER Registration;2014/10/22 11:15:41.000\nA;CRP;2014/10/22 11:27:00.5\n"
        "A;LacticAcid;2014/10/22 11:27:00.123456\n",
    )
    mapping = ColumnMapping(
        journey_id="Case ID",
        activity="Activity",
        timestamp="Complete Timestamp",
        timestamp_format="%Y/%m/%d %H:%M:%S.%f",
    )
    table = read(path, mapping)  # the separator is detected
    assert table["timestamp"].to_pylist() == [
        dt.datetime(2014, 10, 22, 11, 15, 41, tzinfo=UTC),
        dt.datetime(2014, 10, 22, 11, 27, 0, 500000, tzinfo=UTC),
        dt.datetime(2014, 10, 22, 11, 27, 0, 123456, tzinfo=UTC),
    ]


def test_separator_quoting_and_tsv(tmp_path: Path) -> None:
    csv = write(tmp_path, "q.csv", 'case|step|at\n"c|1"|"say ""hi"""|2024-01-01\n')
    assert read(csv, CUSTOM, delimiter="|").select(["journey_id", "activity"]).to_pylist() == [
        {"journey_id": "c|1", "activity": 'say "hi"'}
    ]
    tsv = write(tmp_path, "t.tsv", "case\tstep\tat\nc\tx, y\t2024-01-01\n")
    assert read(tsv, CUSTOM)["activity"].to_pylist() == ["x, y"]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    activity = "Réclamation €" if encoding != "latin-1" else "Réclamation ü"
    path = write(tmp_path, "enc.csv", f"case;step;at\n1945807;{activity};2016-01-12\n", encoding)
    table = read(path, CUSTOM, encoding=encoding, delimiter=";")
    assert table["activity"].to_pylist() == [activity]


def test_wrong_encoding_is_rejected_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "enc.csv", "case;step;at\n1;Réclamation;2016-01-12\n", "latin-1")
    error = rejected(path, CUSTOM, delimiter=";")
    (problem,) = error.problems
    assert "not valid UTF-8" in problem.message and problem.location.line == 2
    assert "encoding" in (problem.hint or "") and "latin-1" in (problem.hint or "")


def test_chunks_keep_numbering_and_report_progress(tmp_path: Path) -> None:
    rows = "".join(f"c{i % 3},a{i},2024-01-01 00:00:{i:02d}\n" for i in range(10))
    path = write(tmp_path, "log.csv", "case,step,at\n" + rows)
    seen: list[int] = []
    batches = list(
        read_csv(path, CUSTOM, options=ReadOptions(chunk_rows=3), on_progress=seen.append)
    )
    assert len(batches) >= 2
    assert pa.Table.from_batches(batches)["event_seq"].to_pylist() == list(range(10))
    assert seen == sorted(seen) and seen[-1] == 10


def test_attributes_renames_and_optional_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "log.csv",
        "case,step,at,channel,persona,cost,note\n"
        "c,web_visit,2024-01-01,web,student,12.5,\n"
        'c,call,2024-01-02,phone,,,"a ""quote"""\n',
    )
    mapping = ColumnMapping(
        journey_id="case",
        activity="step",
        timestamp="at",
        channel="channel",
        segment="persona",
        activity_renames={"web_visit": "tp-visit"},
    )
    table = read(path, mapping)
    assert table["activity"].to_pylist() == ["tp-visit", "call"]
    assert table["channel"].to_pylist() == ["web", "phone"]
    assert table["segment"].to_pylist() == ["student", None]
    assert [json.loads(a) for a in table["attributes"].to_pylist()] == [
        {"cost": "12.5"},
        {"note": 'a "quote"'},
    ]  # empty cells are left out
    only_cost = read(
        path,
        ColumnMapping(journey_id="case", activity="step", timestamp="at", attributes=("cost",)),
    )
    assert only_cost["attributes"].to_pylist() == ['{"cost":"12.5"}', None]
    assert (
        read(
            path, ColumnMapping(journey_id="case", activity="step", timestamp="at", attributes=())
        )["attributes"].null_count
        == 2
    )


def test_journey_ids_are_read_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", "case,step,at\n007,a,2024-01-01\nNA,a,2024-01-01\n")
    assert read(path, CUSTOM)["journey_id"].to_pylist() == ["007", "NA"]


# ----------------------------------------------------------------------------- CSV errors


def test_missing_column_lists_the_available_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path, "log.csv", "incident_id,incident_activity_type,data_stamp\nI1,Open,2024-01-01\n"
    )
    error = rejected(
        path,
        ColumnMapping(
            journey_id="incident", activity="incident_activity_type", timestamp="data_stamp"
        ),
    )
    text = str(error)
    assert "'incident'" in text and "incident_id, incident_activity_type, data_stamp" in text
    problem = error.problems[0]
    assert problem.location.file == str(path) and problem.location.field == "incident"


def test_no_xes_names_and_no_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", "id,what,when\n1,a,2024-01-01\n")
    error = rejected(path)
    assert [p.location.field for p in error.problems] == ["activity", "journey_id", "timestamp"]
    assert "as mapping.columns.journey_id" in str(error) and "columns: id, what, when" in str(error)


def test_bad_rows_name_line_column_value_and_fix(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "log.csv",
        "case,step,at\nc1,a,2024-01-01 10:00\n,b,2024-01-01 11:00\n"
        "c1,,2024-01-01 12:00\nc1,d,01/02/2024 13:00\nc1,e,\n",
    )
    error = rejected(path, CUSTOM)
    found = {(p.location.line, p.location.field): p for p in error.problems}
    assert set(found) == {(3, "case"), (4, "step"), (5, "at"), (6, "at")}
    assert found[(5, "at")].found == "'01/02/2024 13:00'"
    assert "mapping.timestamp.format" in (found[(5, "at")].hint or "")
    assert "4 of 5 events" in error.title


def test_many_bad_rows_are_summarised(tmp_path: Path) -> None:
    rows = "".join(f"c,a,not a time {i}\n" for i in range(50))
    error = rejected(write(tmp_path, "log.csv", "case,step,at\n" + rows), CUSTOM)
    assert len(error.problems) == 20 and "50 of 50 events" in error.title


def test_incomplete_rows_can_be_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path, "log.csv", "case,step,at\nc,a,2024-01-01\nNA,b,2024-01-02\nc,c,oops\n")
    with caplog.at_level(logging.WARNING):
        table = read(path, CUSTOM, null_values=PANDAS_NULL_VALUES, skip_incomplete=True)
    assert table["activity"].to_pylist() == ["a"]
    assert table["event_seq"].to_pylist() == [0]
    assert "skipped 2 of 3 events" in caplog.text


def test_ragged_csv_and_unknown_time_zone(tmp_path: Path) -> None:
    ragged = write(tmp_path, "log.csv", "case,step,at\nc,a,2024-01-01\nc,b,2024-01-02,extra,more\n")
    (problem,) = rejected(ragged, CUSTOM, delimiter=",").problems
    assert problem.message == "line 3 has 5 fields where the header has 3"
    assert "separator" in (problem.hint or "")
    ok = write(tmp_path, "ok.csv", "case,step,at\nc,a,2024-01-01\n")
    tz = ColumnMapping(journey_id="case", activity="step", timestamp="at", timezone="Mars/Olympus")
    assert "time zone" in str(rejected(ok, tz))


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    assert ".parquet" in str(rejected(write(tmp_path, "log.xlsx", "")))
    assert "file not found" in str(rejected(tmp_path / "nope.csv"))


# ----------------------------------------------------------------------------- Parquet, JSONL


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "case_no": pa.array([7, 7, 8], pa.int64()),
            "step": ["a", "b", "a"],
            "naive": pa.array([dt.datetime(2024, 1, 1, 12)] * 3, pa.timestamp("ms")),
            "aware": pa.array(
                [dt.datetime(2024, 1, 1, 12, tzinfo=UTC)] * 3, pa.timestamp("us", "UTC")
            ),
            "day": pa.array([dt.date(2024, 1, 2)] * 3, pa.date32()),
            "score": [1.5, None, 3.0],
        }
    )
    path = tmp_path / "log.parquet"
    pq.write_table(table, path)
    for column, expected in (
        ("naive", dt.datetime(2024, 1, 1, 11, tzinfo=UTC)),
        ("aware", dt.datetime(2024, 1, 1, 12, tzinfo=UTC)),
        ("day", dt.datetime(2024, 1, 1, 23, tzinfo=UTC)),
    ):
        mapping = ColumnMapping(
            journey_id="case_no",
            activity="step",
            timestamp=column,
            timezone="Europe/Amsterdam",
            attributes=("score",),
        )
        result = read(path, mapping)
        assert result["journey_id"].to_pylist() == ["7", "7", "8"]
        assert result["timestamp"].to_pylist() == [expected] * 3, column
        assert result["attributes"].to_pylist() == ['{"score":1.5}', None, '{"score":3.0}']


def test_parquet_numeric_timestamp_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    pq.write_table(pa.table({"case": ["c"], "step": ["a"], "at": [1700000000]}), path)
    assert "epoch" in str(rejected(path, CUSTOM))


def test_json_lines_keep_offsets_and_nested_attributes(tmp_path: Path) -> None:
    lines = [
        {"case": "c", "step": "a", "at": "2024-01-01 10:00:00+02:00", "meta": {"k": 1}},
        {"case": "c", "step": "b", "at": "2024-01-01 09:00:00+00:00", "meta": None},
    ]
    path = write(tmp_path, "log.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    table = read(path, CUSTOM)
    assert table["timestamp"].to_pylist() == [
        dt.datetime(2024, 1, 1, 8, tzinfo=UTC),
        dt.datetime(2024, 1, 1, 9, tzinfo=UTC),
    ]
    assert table["attributes"].to_pylist() == ['{"meta":{"k":1}}', None]
    bad = write(tmp_path, "bad.ndjson", '{"case": "c", "step": "a", "at": "soon"}\n')
    error = rejected(bad, CUSTOM)
    assert error.problems[0].location.line == 1 and error.problems[0].found == "'soon'"


# ----------------------------------------------------------------------------- registry, raw


def test_registry_picks_the_longest_suffix() -> None:
    assert reader_for("a/b/log.XES.gz").name == "XES"
    assert reader_for("log.ndjson").name == "JSON Lines"
    assert reader_for("log.sqlite").name == "OCEL"


def test_a_reader_that_is_not_installed_is_a_clean_rejection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers_base, "_REGISTRY", list(readers_base._REGISTRY))
    missing = "cojourney.events.readers.no_such:read"
    register_reader(ReaderSpec("Test", (".cjtest",), missing, "raw"))
    assert "cannot be read yet" in str(rejected(write(tmp_path, "log.cjtest", "x")))


def raw_batches() -> Iterator[pa.RecordBatch]:
    """What the XES reader yields: XES names, its own numbering and source lines."""
    yield pa.record_batch(
        {
            "case:concept:name": ["t1", "t1"],
            "concept:name": ["a", "b"],
            "time:timestamp": pa.array(
                [dt.datetime(2024, 1, 1, tzinfo=UTC), None], pa.timestamp("us", "UTC")
            ),
            "org:resource": ["Pete", None],
            "cost": [1, 2],
            "event_seq": pa.array([0, 1], pa.int64()),
            "source_line": pa.array([12, 20], pa.int64()),
        }
    )


def test_raw_batches_use_the_readers_numbering_and_lines() -> None:
    ok = next(iter(raw_batches())).slice(0, 1)
    table = pa.Table.from_batches(list(map_raw_batches([ok], ColumnMapping(), source="log.xes")))
    picked = table.select(["journey_id", "activity", "actor", "event_seq", "attributes"])
    assert picked.to_pylist() == [
        {
            "journey_id": "t1",
            "activity": "a",
            "actor": "Pete",
            "event_seq": 0,
            "attributes": '{"cost":1}',
        }
    ]
    with pytest.raises(ImportRejected) as info:
        list(map_raw_batches(raw_batches(), ColumnMapping(), source="log.xes"))
    problem = info.value.problems[0]
    assert (problem.location.file, problem.location.line) == ("log.xes", 20)
    assert "no timestamp" in problem.message


def test_a_short_last_line_is_reported_at_its_line_not_as_a_one_column_file(tmp_path: Path) -> None:
    """DuckDB's sniffer can fall back to another delimiter on a ragged sample; the header decides."""
    path = write(
        tmp_path,
        "ragged-end.csv",
        "case,step,at,who\nc1,a,2024-01-01 10:00,x\nc1,b,2024-01-01 11:00,y\nc1,c,notatime\n",
    )
    with pytest.raises(ImportRejected) as caught:
        read(path, CUSTOM)
    message = str(caught.value)
    assert "line 4 has 3 fields where the header has 4" in message
    assert "not in the file" not in message
