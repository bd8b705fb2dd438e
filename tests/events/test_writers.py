"""Parquet and XES writers: round trips through the XES reader, canonical input, atomicity."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lxml import etree

from cojourney.errors import ImportRejected, InputError
from cojourney.events.readers.xes import read_xes
from cojourney.events.writers import write_parquet, write_xes

TINY = Path(__file__).resolve().parents[1] / "data" / "xes" / "tiny.xes"
BOOKKEEPING = ["event_seq", "source_line"]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def read(path: Path) -> pa.Table:
    return pa.Table.from_batches(list(read_xes(path)))


def same_events(a: pa.Table, b: pa.Table) -> bool:
    """Equal up to the reader's bookkeeping columns and row order."""
    keys = [
        ("case:concept:name", "ascending"),
        ("time:timestamp", "ascending"),
        ("concept:name", "ascending"),
        ("lifecycle:transition", "ascending"),
    ]
    a, b = a.drop_columns(BOOKKEEPING), b.drop_columns(BOOKKEEPING)
    return a.schema == b.schema and a.sort_by(keys).equals(b.sort_by(keys))


# --------------------------------------------------------------------------- XES


def test_xes_round_trip_of_the_tiny_log(tmp_path: Path) -> None:
    original = read(TINY)
    out = tmp_path / "copy.xes"
    assert write_xes(original, out) == 4
    again = read(out)
    assert same_events(original, again)
    assert again.column("case:signup")[0].as_py() == utc(2024, 2, 1, 1, 30)
    assert again.column("org:resource")[1].as_py() == "Ann & Bob"


def test_xes_is_valid_xml_with_typed_attributes(tmp_path: Path) -> None:
    out = tmp_path / "copy.xes"
    write_xes(read(TINY), out)
    root = etree.parse(str(out)).getroot()
    ns = {"x": "http://www.xes-standard.org/"}
    assert root.get("xes.version") == "1849-2016"
    prefixes = {e.get("prefix") for e in root.findall("x:extension", ns)}
    assert prefixes == {"concept", "time", "lifecycle", "org"}
    trace = root.findall("x:trace", ns)[0]
    assert trace.find("x:int[@key='age']", ns).get("value") == "42"
    assert trace.find("x:date[@key='signup']", ns).get("value").startswith("2024-02-01T01:30:00")
    event = trace.findall("x:event", ns)[0]
    assert event.find("x:float[@key='amount']", ns).get("value") == "12.5"
    assert event.find("x:boolean[@key='member']", ns).get("value") == "true"
    assert (
        event.find("x:date[@key='time:timestamp']", ns).get("value")
        == "2024-03-01T09:00:00.250000+00:00"
    )
    assert event.find("x:*[@key='event_seq']", ns) is None


def test_xes_orders_by_timestamp_then_event_seq(tmp_path: Path) -> None:
    table = pa.table(
        {
            "case:concept:name": ["b", "a", "b", "a", "a"],
            "concept:name": ["b2", "a3", "b1", "a1", "a2"],
            "time:timestamp": pa.array(
                [
                    utc(2024, 1, 2),
                    utc(2024, 1, 3),
                    utc(2024, 1, 1),
                    utc(2024, 1, 1),
                    utc(2024, 1, 1),
                ],
                pa.timestamp("us", tz="UTC"),
            ),
            "event_seq": [0, 1, 2, 4, 3],
        }
    )
    out = tmp_path / "ordered.xes"
    write_xes(table, out)
    again = read(out)
    # traces in order of first appearance; a2 before a1 (same time, smaller event_seq)
    assert again.column("case:concept:name").to_pylist() == ["b", "b", "a", "a", "a"]
    assert again.column("concept:name").to_pylist() == ["b1", "b2", "a2", "a1", "a3"]


def test_xes_from_a_canonical_table(tmp_path: Path) -> None:
    canonical = pa.table(
        {
            "journey_id": ["j1", "j1", "j2"],
            "activity": ["visit", "buy", "visit"],
            "timestamp": pa.array(
                [utc(2024, 5, 1, 12), utc(2024, 5, 1, 13), utc(2024, 5, 2)],
                pa.timestamp("us", tz="UTC"),
            ),
            "event_seq": pa.array([0, 1, 2], pa.int64()),
            "channel": ["web", "web", None],
            "actor": ["bot", None, "Ann"],
            "role": [None, None, "agent"],
            "segment": ["gold", "gold", None],
            "lifecycle": ["complete", "complete", None],
            "attributes": [
                json.dumps({"case:region": "north", "price": 9.5, "qty": 2, "ok": True}),
                json.dumps({"case:region": "north", "note": 'a "quoted" <b>'}),
                None,
            ],
        }
    )
    out = tmp_path / "canonical.xes.gz"
    assert write_xes(canonical, out) == 3
    assert out.read_bytes()[:2] == b"\x1f\x8b"  # gzip because of the suffix
    rows = read(out).to_pylist()
    assert [(r["case:concept:name"], r["concept:name"]) for r in rows] == [
        ("j1", "visit"),
        ("j1", "buy"),
        ("j2", "visit"),
    ]
    assert [r["org:resource"] for r in rows] == ["bot", None, "Ann"]
    assert [r["org:role"] for r in rows] == [None, None, "agent"]
    assert [r["lifecycle:transition"] for r in rows] == ["complete", "complete", None]
    assert [r["channel"] for r in rows] == ["web", "web", None]
    assert [r["case:region"] for r in rows] == ["north", "north", None]
    assert [r["price"] for r in rows] == [9.5, None, None]
    assert [r["qty"] for r in rows] == [2, None, None]
    assert [r["ok"] for r in rows] == [True, None, None]
    assert rows[1]["note"] == 'a "quoted" <b>'


def test_xes_escapes_awkward_text(tmp_path: Path) -> None:
    awkward = ['a & b < c > d "e"', "two\nlines\tand tab", "bell\x07"]
    table = pa.table({"case:concept:name": ["c&1", "c&1", "c&1"], "concept:name": awkward})
    out = tmp_path / "awkward.xes"
    write_xes(table, out, gzip=False)
    again = read(out)
    assert again.column("case:concept:name").to_pylist() == ["c&1"] * 3
    assert again.column("concept:name").to_pylist() == [*awkward[:2], "bell\ufffd"]


def test_xes_refuses_rows_without_case_or_activity(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="1 rows have no activity"):
        write_xes(
            pa.table({"case:concept:name": ["c"], "concept:name": pa.array([None], pa.string())}),
            tmp_path / "x.xes",
        )
    with pytest.raises(InputError, match="no case id column"):
        write_xes(pa.table({"concept:name": ["a"]}), tmp_path / "x.xes")
    assert not (tmp_path / "x.xes").exists()


def test_xes_gzip_flag_overrides_the_suffix(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xes.gz"
    write_xes(read(TINY), plain, gzip=False)
    assert plain.read_bytes().startswith(b"<?xml")
    packed = tmp_path / "packed.xes"
    write_xes(read(TINY), packed, gzip=True)
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    assert same_events(read(plain), read(packed))


@pytest.mark.shared_data
def test_xes_round_trip_of_a_real_log(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "logs" / "lending_log_high.xes.gz"
    if not path.is_file():
        pytest.skip(f"{path.name} is absent from the shared data")
    original = read(path)
    out = tmp_path / "lending.xes.gz"
    assert write_xes(original, out) == original.num_rows
    assert same_events(original, read(out))


# --------------------------------------------------------------------------- Parquet


def test_parquet_from_reader_batches(tmp_path: Path) -> None:
    out = tmp_path / "tiny.parquet"
    assert write_parquet(read_xes(TINY, chunk_rows=1), out) == 4
    written = pq.read_table(out)
    assert written.equals(read(TINY))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_parquet_from_a_table_or_batch(tmp_path: Path) -> None:
    table = read(TINY)
    assert write_parquet(table, tmp_path / "a.parquet") == 4
    assert write_parquet(table.to_batches()[0], tmp_path / "b.parquet") == 4
    assert pq.read_table(tmp_path / "a.parquet").equals(pq.read_table(tmp_path / "b.parquet"))


def test_parquet_empty_needs_a_schema(tmp_path: Path) -> None:
    schema = pa.schema([("case:concept:name", pa.string())])
    assert write_parquet([], tmp_path / "empty.parquet", schema=schema) == 0
    assert pq.read_table(tmp_path / "empty.parquet").schema == schema
    with pytest.raises(ValueError, match="no schema"):
        write_parquet([], tmp_path / "none.parquet")
    assert not (tmp_path / "none.parquet").exists()


def test_parquet_keeps_the_old_file_when_the_input_fails(tmp_path: Path) -> None:
    out = tmp_path / "log.parquet"
    write_parquet(read(TINY), out)
    before = out.read_bytes()
    bad = tmp_path / "bad.xes"
    bad.write_text(
        TINY.read_text(encoding="utf-8").replace("</trace>", "</trace", 1), encoding="utf-8"
    )

    def batches() -> Iterator[pa.RecordBatch]:
        yield from read_xes(bad)

    with pytest.raises(ImportRejected):
        write_parquet(batches(), out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xes", "log.parquet"]
