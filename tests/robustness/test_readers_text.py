"""CSV and JSON Lines files that are odd: each gets the right answer or an error naming the
real cause and the place (issue 8, "Hardening"). Every file is crafted here."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from cojourney.errors import ImportRejected, Problem
from cojourney.events.readers import ReadOptions, read_events
from cojourney.events.schema import ColumnMapping
from cojourney.events.store import EventStore
from cojourney.events.store_ingest import FileImport
from cojourney.settings import Settings, use_settings

MAPPING = ColumnMapping(journey_id="id", activity="act", timestamp="ts")
ROWS = [("c1", "a", "2024-01-01 10:00"), ("c1", "b", "2024-01-01 11:00"), ("c2", "a", "2024-01-02")]


def csv_text(rows: list[tuple[str, ...]] = ROWS, header: str = "id,act,ts") -> str:
    return header + "\n" + "".join(",".join(r) + "\n" for r in rows)


def read(path: Path, mapping: ColumnMapping = MAPPING, **options: Any) -> pa.Table:
    batches = list(read_events(path, mapping, options=ReadOptions(**options)))
    return pa.Table.from_batches(batches)


def refused(path: Path, mapping: ColumnMapping = MAPPING, **options: Any) -> list[Problem]:
    with pytest.raises(ImportRejected) as caught:
        read(path, mapping, **options)
    return caught.value.problems


# --------------------------------------------------------------------------- JSON ids


def test_json_ids_are_text_and_1_equals_quoted_1(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [
        {"id": 1, "act": "a", "ts": "2024-01-01T10:00:00"},
        {"id": "1", "act": 2, "ts": "2024-01-01T11:00:00"},
        {"id": "A", "act": "a", "ts": "2024-01-01T12:00:00"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    table = read(path)
    assert table["journey_id"].to_pylist() == ["1", "1", "A"]  # no literal quotes
    assert table["activity"].to_pylist() == ["a", "2", "a"]


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16"])
def test_byte_order_marks_choose_the_encoding(tmp_path: Path, codec: str) -> None:
    """UTF-8 with a BOM and UTF-16 with a BOM are read without being told."""
    text = csv_text([("Zoë", "Réclamation", "2024-01-01")])
    for suffix, content in (
        (".csv", text),
        (".jsonl", json.dumps({"id": "Zoë", "act": "Réclamation", "ts": "2024-01-01"}) + "\n"),
    ):
        path = tmp_path / f"bom{suffix}"
        path.write_bytes(content.encode(codec))
        assert path.read_bytes().startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE))
        table = read(path)
        assert table["journey_id"].to_pylist() == ["Zoë"]
        assert table["activity"].to_pylist() == ["Réclamation"]


def test_binary_bytes_named_csv_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 64)
    (problem,) = refused(path)
    assert "not text" in problem.message and "NUL" in problem.message
    assert problem.found == "at byte offset 0 (line 1)"


def test_invalid_utf8_names_the_encoding_the_byte_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(csv_text([("c1", "Réclamation", "2024-01-01")]).encode("latin-1"))
    (problem,) = refused(path)
    assert problem.message == "the file is not valid UTF-8 (byte 0xe9)"
    assert problem.location.line == 2
    offset = path.read_bytes().index(b"\xe9")
    assert problem.found == f"at byte offset {offset} (line 2)"
    assert read(path, encoding="latin-1")["activity"].to_pylist() == ["Réclamation"]
    late = tmp_path / "late.csv"  # the bad byte beyond the part checked up front
    rows = [(f"c{i}", "a", "2024-01-01") for i in range(5000)]
    late.write_bytes(csv_text(rows).encode() + "c9,Réclamation,2024-01-01\n".encode("latin-1"))
    (problem,) = refused(late)
    assert problem.message == "the file is not valid UTF-8 text (at line 5002)"
    assert problem.location.line == 5002


def test_utf16_without_a_bom_is_named(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes(csv_text().encode("utf-16-le"))
    (problem,) = refused(path)
    assert "UTF-16" in problem.message
    assert read(path, encoding="utf-16-le").num_rows == len(ROWS)


# --------------------------------------------------------------------------- shapes


def test_a_header_only_file_has_no_rows_and_is_not_recorded(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("id,act,ts\n\n")
    (problem,) = refused(path)
    assert problem.message == "no events: the file has no rows (a header alone?)"
    json_path = tmp_path / "empty.jsonl"
    json_path.write_text("\n \n")
    assert refused(json_path)[0].message == "no events: the file has no JSON objects"
    with EventStore(tmp_path / "store.duckdb") as store:
        with pytest.raises(ImportRejected, match="no rows"):
            store.import_file(FileImport(path, MAPPING))
        assert store.imports() == []


def test_ragged_lines_are_located_with_their_field_counts(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("id,act,ts,who,where,why,how\n" + "c1,a,2024-01-01,x,y,z,w,extra,more\n")
    (problem,) = refused(path)
    assert problem.message == "line 2 has 9 fields where the header has 7"
    assert problem.location.line == 2


def test_ragged_lines_are_quarantined_with_their_lines_under_skip(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        "id,act,ts\n"
        "c1,a,2024-01-01\n"  # line 2
        "c1,b,2024-01-02,x,y\n"  # line 3: 5 fields
        "c2\n"  # line 4: 1 field
        "c2,,2024-01-03\n"  # line 5: no activity
        "c3,a,2024-01-04\n"  # line 6
        "c3,b,not a time\n"  # line 7
    )
    with EventStore(tmp_path / "store.duckdb") as store:
        with pytest.raises(ImportRejected) as caught:
            store.import_file(FileImport(path, MAPPING))
        lines = {p.location.line: p.message for p in caught.value.problems}
        assert lines[3] == "line 3 has 5 fields where the header has 3"
        assert lines[4] == "line 4 has 1 field where the header has 3"
        assert "no activity" in lines[5] and "timestamp" in lines[7]
        assert "5 of 6 events" not in str(caught.value)  # 4 bad of 6 records
        assert "4 of 6 events" in str(caught.value)
        outcome = store.import_file(
            FileImport(path, MAPPING, on_error="skip", quarantine_dir=tmp_path / "q")
        )
        assert (outcome.record.rows_imported, outcome.record.rows_rejected) == (2, 4)
        (quarantine,) = (tmp_path / "q").iterdir()
        reasons = [line.rsplit(",", 1)[-1] for line in quarantine.read_text().splitlines()[1:]]
        text = quarantine.read_text()
        assert reasons  # one per rejected line
        for line in (3, 4, 5, 7):
            assert f"line {line}" in text
        assert "line 3: 5 fields where the header has 3: c1,b,2024-01-02,x,y" in text


def test_duplicate_headers_are_refused_naming_both_columns(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,act,ts,act\nc1,a,2024-01-01,b\n")
    (problem,) = refused(path)
    assert problem.message == "two columns are named 'act' (columns 2 and 4)"
    assert problem.location.line == 1


def test_over_long_names_and_ids_are_refused_where_they_are(tmp_path: Path) -> None:
    long = "x" * 10_000
    header = tmp_path / "long-header.csv"
    header.write_text(f"id,act,ts,{long}\nc1,a,2024-01-01,v\n")
    (problem,) = refused(header)
    assert problem.message == "the name of column 4 is 10,000 characters long"
    ids = tmp_path / "long-id.csv"
    ids.write_text(csv_text([("c1", "a", "2024-01-01"), (long, "a", "2024-01-01")]))
    (problem,) = refused(ids)
    assert problem.message == "event 2: the journey id is 10,000 characters long"
    assert problem.location.line == 3
    with use_settings(Settings(max_value_chars=20_000)):
        assert read(ids)["journey_id"].to_pylist()[1] == long


def test_nul_and_line_breaks_inside_ids_are_refused_with_their_rows(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b'id,act,ts\nc\x001,a,2024-01-01\n"c\n2",a,2024-01-01\nc3,a,2024-01-01\n')
    problems = refused(path)
    assert [(p.location.line, p.message) for p in problems] == [
        (2, "event 1: the journey id contains a NUL character"),
        (3, "event 2: the journey id contains a line break"),
    ]
    jsonl = tmp_path / "nul.jsonl"
    jsonl.write_text(json.dumps({"id": "a\u0000b", "act": "a", "ts": "2024-01-01"}) + "\n")
    (problem,) = refused(jsonl)
    assert problem.message == "event 1: the journey id contains a NUL character"


def test_json_nested_20000_deep_is_refused_at_its_line_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    deep = "[" * 20_000 + "]" * 20_000
    path.write_text(
        '{"id": "c1", "act": "a", "ts": "2024-01-01"}\n'
        f'{{"id": "c1", "act": "b", "ts": "2024-01-02", "x": {deep}}}\n'
    )
    script = (
        "import sys\n"
        "from cojourney.errors import ImportRejected\n"
        "from cojourney.events.readers import read_events\n"
        "from cojourney.events.schema import ColumnMapping\n"
        "m = ColumnMapping(journey_id='id', activity='act', timestamp='ts')\n"
        "try:\n"
        f"    list(read_events({str(path)!r}, m))\n"
        "except ImportRejected as e:\n"
        "    p = e.problems[0]; print(p.location.line, p.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]  # a segfault is -11
    # 20,000 arrays inside the line's object
    assert done.stdout.strip() == "2 line 2 nests objects or arrays 20,001 levels deep"


def test_json_lines_errors_have_1_based_lines_and_show_null(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(
        '{"id": "c1", "act": "a", "ts": "2024-01-01"}\n'
        '{"id": "c1", "act": "b", "ts": "2024-01-02"}\n'
        '{"id": "c2", "act": , "ts": "2024-01-03"}\n'
    )
    (problem,) = refused(path)
    assert problem.location.line == 3
    assert problem.message.startswith("line 3 is not valid JSON")
    nulls = tmp_path / "nulls.jsonl"
    nulls.write_text(
        '{"id": "c1", "act": "a", "ts": "2024-01-01"}\n{"id": null, "act": "b", "ts": null}\n'
    )
    problems = refused(nulls)
    assert {(p.location.line, p.found) for p in problems} == {(2, "null")}
    assert len(problems) == 2  # the journey id and the timestamp


def test_an_xes_log_without_events_is_not_recorded(tmp_path: Path) -> None:
    path = tmp_path / "empty.xes"
    path.write_text('<log xes.version="1849-2016"><string key="creator" value="x"/></log>\n')
    with EventStore(tmp_path / "store.duckdb") as store:
        with pytest.raises(ImportRejected, match="no events"):
            store.import_file(FileImport(path, ColumnMapping()))
        assert store.imports() == []


def test_json_lines_columns_are_listed_from_gz_and_bom_files(tmp_path: Path) -> None:
    import gzip

    from cojourney.events.store_ingest import file_columns

    text = json.dumps({"id": 1, "act": "a", "ts": "2024-01-01", "x": {"y": 1}}) + "\n"
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(text.encode("utf-8-sig"))
    packed = tmp_path / "log.jsonl.gz"
    packed.write_bytes(gzip.compress(text.encode("utf-16")))
    for path in (bom, packed):
        assert file_columns(path) == ["id", "act", "ts", "x"]
