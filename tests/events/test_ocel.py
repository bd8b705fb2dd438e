"""The OCEL reader: flattening checked by hand on tiny logs, and JSON against SQLite."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from cojourney.errors import ImportRejected, NotFound
from cojourney.events.readers.ocel import object_types, read_ocel

DATA = Path(__file__).resolve().parents[1] / "data" / "ocel"
TINY = DATA / "tiny.jsonocel"
TINY_V1 = DATA / "tiny-v1.jsonocel"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def read(path: Path, object_type: str | None, **kw: Any) -> pa.Table:
    return pa.Table.from_batches(list(read_ocel(path, object_type=object_type, **kw)))


def pick(table: pa.Table, *columns: str) -> list[tuple[Any, ...]]:
    return list(zip(*(table.column(c).to_pylist() for c in columns), strict=False))


# --------------------------------------------------------------------------- OCEL 2.0 JSON


def test_flatten_on_customer_hand_checked() -> None:
    table = read(TINY, "customer")
    assert table.schema.names[:6] == [
        "case:concept:name",
        "concept:name",
        "time:timestamp",
        "event_seq",
        "ocel:eid",
        "ocel:qualifier",
    ]
    # e2 relates to c1 and c2 so it is in both cases; e5 relates to no customer.
    # Times: e1 10:00+01:00 = 09:00Z; e2 and e4 tie at 09:30Z (e2 first in the file).
    assert pick(table, "case:concept:name", "concept:name", "ocel:eid", "event_seq") == [
        ("c1", "place order", "e1", 0),
        ("c1", "call", "e2", 1),
        ("c1", "pay", "e3", 3),
        ("c2", "call", "e2", 1),
        ("c2", "place order", "e4", 2),
    ]
    assert table.column("time:timestamp").to_pylist() == [
        utc(2024, 1, 1, 9),
        utc(2024, 1, 1, 9, 30),
        utc(2024, 1, 2),
        utc(2024, 1, 1, 9, 30),
        utc(2024, 1, 1, 9, 30),
    ]
    # two relations e3 -> c1 collapse into one row with both qualifiers, sorted
    assert table.column("ocel:qualifier").to_pylist() == [
        "buyer",
        "caller",
        "card holder; payer",
        "caller",
        "buyer",
    ]
    assert table.column("channel").to_pylist() == ["web", None, None, None, "phone"]
    assert table.column("minutes").type == pa.int64()
    assert table.column("minutes").to_pylist() == [None, 5, None, 5, None]
    assert table.column("amount").to_pylist() == [None, None, 12.5, None, None]
    # c1 was "gold" first and "silver" from 2024-01-02: the earliest value is kept
    assert table.column("case:tier").to_pylist() == ["gold"] * 3 + ["bronze"] * 2


def test_flatten_on_order_hand_checked() -> None:
    table = read(TINY, "order")
    assert pick(table, "case:concept:name", "concept:name", "ocel:eid") == [
        ("o1", "place order", "e1"),
        ("o1", "pay", "e3"),
        ("o2", "place order", "e4"),
        ("o2", "pay", "e5"),
    ]  # o3 has no event: no case
    assert table.column("amount").type == pa.float64()
    assert table.column("amount").to_pylist() == [None, 12.5, None, 7.0]
    assert table.column("case:total").to_pylist() == [12.5, 12.5, 7.0, 7.0]


def test_batches_are_bounded_by_chunk_rows() -> None:
    batches = list(read_ocel(TINY, object_type="customer", chunk_rows=2))
    assert [b.num_rows for b in batches] == [2, 2, 1]
    assert len({b.schema for b in batches}) == 1


def test_unknown_object_type_lists_the_available_ones() -> None:
    with pytest.raises(ImportRejected) as err:
        read(TINY, "invoice")
    problem = err.value.problems[0]
    assert problem.location.field == "object_type"
    assert problem.expected == "one of: 'customer', 'order'"
    assert "'invoice'" in problem.message


def test_missing_object_type_lists_the_available_ones() -> None:
    with pytest.raises(ImportRejected) as err:
        list(read_ocel(TINY))
    problem = err.value.problems[0]
    assert "needs an object type" in problem.message
    assert problem.expected == "one of: 'customer', 'order'"


def test_object_types() -> None:
    assert object_types(TINY) == {"customer": 2, "order": 3}


# --------------------------------------------------------------------------- OCEL 2.0 SQLite


def _naive(ts: str) -> str:
    """An ISO time with offset as the naive UTC text OCEL 2.0 SQLite files hold."""
    return (
        datetime.fromisoformat(ts.replace("Z", "+00:00"))
        .astimezone(UTC)
        .strftime("%Y-%m-%d %H:%M:%S")
    )


def write_sqlite(doc: dict[str, Any], path: Path) -> None:
    """The OCEL 2.0 relational layout of ``doc`` (times in UTC without offset)."""
    con = sqlite3.connect(path)
    ex = con.execute
    ex("CREATE TABLE event (ocel_id TEXT PRIMARY KEY, ocel_type TEXT)")
    ex("CREATE TABLE object (ocel_id TEXT PRIMARY KEY, ocel_type TEXT)")
    ex("CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT)")
    ex("CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, ocel_qualifier TEXT)")
    ex("CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT)")
    ex("CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT)")
    sql_type = {"string": "TEXT", "integer": "INTEGER", "float": "REAL", "time": "TIMESTAMP"}
    for kind, types in (("event", doc["eventTypes"]), ("object", doc["objectTypes"])):
        for t in types:
            suffix = t["name"].replace(" ", "")
            ex(f"INSERT INTO {kind}_map_type VALUES (?, ?)", (t["name"], suffix))
            cols = ", ".join(f'"{a["name"]}" {sql_type[a["type"]]}' for a in t["attributes"])
            extra = ", ocel_changed_field TEXT" if kind == "object" else ""
            ex(
                f'CREATE TABLE "{kind}_{suffix}" (ocel_id TEXT, ocel_time TIMESTAMP'
                f"{', ' + cols if cols else ''}{extra})"
            )
    for e in doc["events"]:
        ex("INSERT INTO event VALUES (?, ?)", (e["id"], e["type"]))
        attrs = {a["name"]: a["value"] for a in e["attributes"]}
        names = list(attrs)
        ex(
            f'INSERT INTO "event_{e["type"].replace(" ", "")}" (ocel_id, ocel_time'
            f"{''.join(', ' + repr(n) for n in names)}) VALUES (?, ?{', ?' * len(names)})",
            (e["id"], _naive(e["time"]), *attrs.values()),
        )
        for r in e["relationships"]:
            ex(
                "INSERT INTO event_object VALUES (?, ?, ?)",
                (e["id"], r["objectId"], r["qualifier"]),
            )
    for o in doc["objects"]:
        ex("INSERT INTO object VALUES (?, ?)", (o["id"], o["type"]))
        table = f"object_{o['type'].replace(' ', '')}"
        for a in o.get("attributes") or [{"name": None, "time": "1970-01-01T00:00:00Z"}]:
            if a["name"] is None:
                ex(
                    f'INSERT INTO "{table}" (ocel_id, ocel_time) VALUES (?, ?)',
                    (o["id"], _naive(a["time"])),
                )
            else:
                ex(
                    f'INSERT INTO "{table}" (ocel_id, ocel_time, "{a["name"]}", '
                    "ocel_changed_field) VALUES (?, ?, ?, ?)",
                    (o["id"], _naive(a["time"]), a["value"], a["name"]),
                )
    con.commit()
    con.close()


@pytest.mark.parametrize("object_type", ["customer", "order"])
def test_sqlite_gives_the_json_log(tmp_path: Path, object_type: str) -> None:
    path = tmp_path / "tiny.sqlite"
    write_sqlite(json.loads(TINY.read_text(encoding="utf-8")), path)
    assert read(path, object_type).to_pylist() == read(TINY, object_type).to_pylist()


def test_sqlite_naive_times_in_a_given_timezone(tmp_path: Path) -> None:
    path = tmp_path / "tiny.sqlite"
    write_sqlite(json.loads(TINY.read_text(encoding="utf-8")), path)
    shifted = read(path, "customer", naive_timezone="Europe/Amsterdam")
    assert shifted.column("time:timestamp")[0].as_py() == utc(2024, 1, 1, 8)  # 09:00 CET


# --------------------------------------------------------------------------- OCEL 1.0 and errors


def test_ocel1_hand_checked() -> None:
    table = read(TINY_V1, "customer")
    assert pick(table, "case:concept:name", "concept:name", "ocel:eid", "event_seq") == [
        ("c1", "place order", "e1", 0),
        ("c1", "call", "e2", 1),
        ("c2", "call", "e2", 1),
        ("c2", "place order", "e3", 2),
    ]
    assert table.column("minutes").to_pylist() == [None, 5, 5, None]
    assert table.column("case:tier").to_pylist() == ["gold", "gold", "bronze", "bronze"]
    assert table.column("ocel:qualifier").null_count == 4
    # a declared type without objects is accepted and gives no rows
    assert read(TINY_V1, "order").num_rows == 1


def test_malformed_json_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonocel"
    path.write_text('{\n  "events": [\n    {"id": "e1",, }\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(ImportRejected) as err:
        read(path, "customer")
    location = err.value.problems[0].location
    assert (location.line, location.column) == (3, 17)


def test_other_files_are_refused(tmp_path: Path) -> None:
    json_path = tmp_path / "other.json"
    json_path.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(ImportRejected, match="not an OCEL log"):
        read(json_path, "x")
    xml_path = tmp_path / "log.xmlocel"
    xml_path.write_text("<log/>", encoding="utf-8")
    with pytest.raises(ImportRejected, match=r"this XML is not an OCEL 2\.0 log"):
        read(xml_path, "x")
    db = tmp_path / "other.sqlite"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ImportRejected, match=r"not an OCEL 2\.0 log"):
        read(db, "x")
    with pytest.raises(NotFound):
        read(tmp_path / "absent.jsonocel", "x")


def test_event_with_bad_time_is_refused(tmp_path: Path) -> None:
    doc = json.loads(TINY.read_text(encoding="utf-8"))
    doc["events"][3]["time"] = "soon"
    path = tmp_path / "bad-time.jsonocel"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportRejected) as err:
        read(path, "customer")
    problem = err.value.problems[0]
    assert "'e4'" in problem.message and problem.found == "soon"


# --------------------------------------------------------------------------- the shared example


@pytest.mark.shared_data
def test_ocel20_example_json_and_sqlite_agree(shared_data: Path) -> None:
    json_path = shared_data / "logs" / "ocel20_example.jsonocel"
    sqlite_path = shared_data / "logs" / "ocel20_example.sqlite"
    if not json_path.is_file() or not sqlite_path.is_file():
        pytest.skip("ocel20_example.jsonocel/.sqlite are absent from the shared data")
    assert (
        object_types(json_path)
        == object_types(sqlite_path)
        == {"Invoice": 3, "Payment": 3, "Purchase Order": 2, "Purchase Requisition": 1}
    )
    for object_type in object_types(json_path):
        from_json = read(json_path, object_type)
        # this SQLite export holds Central European local times without offset
        from_sqlite = read(sqlite_path, object_type, naive_timezone="Europe/Amsterdam")
        assert from_json.to_pylist() == from_sqlite.to_pylist(), object_type
        assert from_json.num_rows > 0
    invoices = read(json_path, "Invoice")
    assert invoices.num_rows == 9
    assert pick(invoices, "case:concept:name", "concept:name")[:2] == [
        ("R1", "Insert Invoice"),
        ("R1", "Insert Payment"),
    ]
    assert set(invoices.column("case:is_blocked").to_pylist()) == {"No"}


@pytest.mark.shared_data
def test_recruiting_ocel1(shared_data: Path) -> None:
    path = shared_data / "logs" / "recruiting-red.jsonocel"
    if not path.is_file():
        pytest.skip("recruiting-red.jsonocel is absent from the shared data")
    counts = object_types(path)
    assert counts["applications"] == 916 and counts["offers"] == 135
    table = read(path, "applications")
    assert table.column("case:concept:name").unique().to_pylist()[0] == "Application[770001]"
    assert table.column("time:timestamp").null_count == 0
