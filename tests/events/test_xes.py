"""The XES reader: hand-checked values on a tiny log, errors, and the real logs' counts."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from cojourney.errors import ImportRejected, NotFound
from cojourney.events.readers.xes import read_xes, to_utc_timestamps

DATA = Path(__file__).resolve().parents[1] / "data" / "xes"
TINY = DATA / "tiny.xes"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def read(path: Path, **kw: object) -> pa.Table:
    return pa.Table.from_batches(list(read_xes(path, **kw)))  # type: ignore[arg-type]


def event_lines(path: Path) -> list[int]:
    text = path.read_text(encoding="utf-8").splitlines()
    return [i for i, line in enumerate(text, start=1) if line.strip() == "<event>"]


# --------------------------------------------------------------------------- tiny log


def test_tiny_columns_and_types() -> None:
    table = read(TINY)
    assert table.schema.names == [
        "case:concept:name",
        "concept:name",
        "time:timestamp",
        "lifecycle:transition",
        "event_seq",
        "source_line",
        "org:resource",
        "items",
        "amount",
        "member",
        "session",
        "note",
        "case:segment",
        "case:age",
        "case:signup",
    ]
    types = dict(zip(table.schema.names, table.schema.types, strict=False))
    assert types["time:timestamp"] == pa.timestamp("us", tz="UTC")
    assert types["case:signup"] == pa.timestamp("us", tz="UTC")
    assert types["amount"] == pa.float64()
    assert types["member"] == pa.bool_()
    assert types["case:age"] == pa.int64()
    assert types["session"] == pa.string()  # <id>
    assert types["items"] == pa.string()  # int in J1, string in J2: kept as written


def test_tiny_values_hand_checked() -> None:
    rows = read(TINY).to_pylist()
    assert [r["case:concept:name"] for r in rows] == ["J1", "J1", "J1", "J2"]
    assert [r["concept:name"] for r in rows] == ["Visit web", "Call", "Call", "Visit web"]
    assert [r["lifecycle:transition"] for r in rows] == [
        "complete",
        "start",
        "complete",
        "complete",
    ]
    # 10:00:00.250+01:00, Z, +00:00 and a date without offset (taken as UTC)
    assert [r["time:timestamp"] for r in rows] == [
        utc(2024, 3, 1, 9, 0, 0, 250_000),
        utc(2024, 3, 1, 9, 30),
        utc(2024, 3, 1, 9, 30),
        utc(2024, 3, 2, 8, 0),
    ]
    assert [r["event_seq"] for r in rows] == [0, 1, 2, 3]
    assert [r["source_line"] for r in rows] == event_lines(TINY)
    assert [r["org:resource"] for r in rows] == ["web", "Ann & Bob", None, None]
    assert [r["items"] for r in rows] == ["3", "1", None, "many"]
    assert [r["amount"] for r in rows] == [12.5, -0.75, None, None]
    assert [r["member"] for r in rows] == [True, False, None, None]
    assert [r["session"] for r in rows] == ["s-1", None, None, None]
    # the nested attribute under "note" is not an event attribute; the list is skipped
    assert [r["note"] for r in rows] == [None, "first call", None, None]
    assert "meta" not in rows[0] and "tags" not in rows[0]
    assert [r["case:segment"] for r in rows] == ["gold", "gold", "gold", "silver"]
    assert [r["case:age"] for r in rows] == [42, 42, 42, None]
    # 2024-01-31T23:30:00-02:00 is the next day in UTC
    assert rows[0]["case:signup"] == utc(2024, 2, 1, 1, 30)
    assert rows[3]["case:signup"] is None


def test_classifier_joins_like_pm4py() -> None:
    expected = ["Visit web+complete", "Call+start", "Call+complete", "Visit web+complete"]
    by_keys = read(TINY, classifier="concept:name+lifecycle:transition")
    assert by_keys.column("concept:name").to_pylist() == expected
    by_name = read(TINY, classifier="Activity and transition")  # declared in the log
    assert by_name.column("concept:name").to_pylist() == expected
    assert by_keys.column("lifecycle:transition").to_pylist()[1] == "start"


def test_classifier_with_a_missing_key_is_refused() -> None:
    with pytest.raises(ImportRejected) as err:
        read(TINY, classifier="concept:name+org:resource")
    problem = err.value.problems[0]
    assert "2 events have no org:resource" in problem.message
    assert problem.location.line == event_lines(TINY)[2]
    assert "classifier='concept:name'" in (problem.hint or "")


def test_naive_timezone_applies_to_dates_without_offset() -> None:
    rows = read(TINY, naive_timezone="Europe/Amsterdam").to_pylist()
    assert rows[3]["time:timestamp"] == utc(2024, 3, 2, 7, 0)  # 08:00 CET
    assert rows[0]["time:timestamp"] == utc(2024, 3, 1, 9, 0, 0, 250_000)  # offset wins


def test_gzip_is_recognised_by_content(tmp_path: Path) -> None:
    packed = tmp_path / "tiny.xes.gz"
    packed.write_bytes(gzip.compress(TINY.read_bytes()))
    renamed = tmp_path / "no-suffix.xes"
    shutil.copy(packed, renamed)
    assert read(packed).equals(read(TINY))
    assert read(renamed).equals(read(TINY))


def test_small_chunks_share_one_schema_and_spill(tmp_path: Path) -> None:
    # 40 traces, the typed "n" attribute turns to text only in the last trace
    traces = []
    for i in range(40):
        value = "many" if i == 39 else str(i)
        traces.append(
            f'<trace><string key="concept:name" value="c{i}"/>'
            f'<event><string key="concept:name" value="a"/><int key="n" value="{value}"/>'
            f'<date key="time:timestamp" value="2024-01-01T00:00:{i:02d}Z"/></event>'
            f'<event><string key="concept:name" value="b"/>'
            f'<date key="time:timestamp" value="2024-01-01T00:01:{i:02d}Z"/></event></trace>'
        )
    path = tmp_path / "many.xes"
    path.write_text("<log>" + "\n".join(traces) + "</log>", encoding="utf-8")
    seen: list[int] = []
    batches = list(read_xes(path, chunk_rows=6, progress=seen.append))
    assert len(batches) == 14  # 3 traces (6 events) per chunk
    assert len({b.schema for b in batches}) == 1
    table = pa.Table.from_batches(batches)
    assert table.column("n").type == pa.string()
    assert table.column("n").to_pylist()[:4] == ["0", None, "1", None]
    assert table.column("event_seq").to_pylist() == list(range(80))
    assert seen[-1] == 80 and seen == sorted(seen)
    assert table.equals(read(path))  # one chunk gives the same table


def test_type_clash_across_types_in_one_chunk_is_text(tmp_path: Path) -> None:
    path = tmp_path / "clash.xes"
    path.write_text(
        '<log><trace><string key="concept:name" value="c"/>'
        '<event><string key="concept:name" value="a"/><int key="x" value="1"/></event>'
        '<event><string key="concept:name" value="b"/><float key="x" value="2.5"/></event>'
        '<event><string key="concept:name" value="c"/><int key="bad" value="1.5"/></event>'
        "</trace></log>",
        encoding="utf-8",
    )
    table = read(path)
    assert table.column("x").type == pa.float64()  # int and float -> float
    assert table.column("x").to_pylist() == [1.0, 2.5, None]
    assert table.column("bad").to_pylist() == [None, None, "1.5"]  # not an int: text
    assert table.column("time:timestamp").null_count == 3  # no timestamps: nulls


def test_to_utc_timestamps_formats() -> None:
    values = pa.array(
        [
            "2011-10-01T00:38:44.546+02:00",
            "2011-10-01 00:38:44",
            "2011-10-01T00:38:44.1234567+0200",
            "2020-01-01",
            None,
            "2011-10-01T00:38:44z",
        ]
    )
    assert to_utc_timestamps(values).to_pylist() == [
        utc(2011, 9, 30, 22, 38, 44, 546_000),
        utc(2011, 10, 1, 0, 38, 44),
        utc(2011, 9, 30, 22, 38, 44, 123_456),
        utc(2020, 1, 1),
        None,
        utc(2011, 10, 1, 0, 38, 44),
    ]


# --------------------------------------------------------------------------- errors


def write(tmp_path: Path, text: str, name: str = "bad.xes") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_xml_gives_file_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '<log>\n<trace>\n<string key="concept:name" value="1"/>\n'
        '<event>\n<string key="concept:name" value="a">\n</event>\n'
        "</trace>\n</log>\n",
    )
    with pytest.raises(ImportRejected) as err:
        read(path)
    problem = err.value.problems[0]
    assert problem.location.file == str(path)
    assert problem.location.line == 6 and problem.location.column == 3
    assert "mismatched tag" in problem.message
    assert "xmllint" in (problem.hint or "")
    assert f"{path}:6:3" in str(err.value)


def test_truncated_file_is_malformed(tmp_path: Path) -> None:
    text = TINY.read_text(encoding="utf-8")
    path = write(tmp_path, text[: text.index("</trace>")])
    with pytest.raises(ImportRejected, match="malformed"):
        read(path)


def test_trace_without_name_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '<log>\n<trace>\n<string key="concept:name" value="1"/>\n'
        '<event><string key="concept:name" value="a"/></event>\n</trace>\n'
        '<trace>\n<event><string key="concept:name" value="a"/></event>\n'
        "</trace>\n</log>\n",
    )
    with pytest.raises(ImportRejected) as err:
        read(path)
    problem = err.value.problems[0]
    assert problem.location.line == 6
    assert "1 trace has no concept:name" in problem.message
    assert "unique concept:name" in (problem.hint or "")


def test_event_without_activity_is_refused_and_a_bad_date_located(tmp_path: Path) -> None:
    """The parser refuses an event without activity; an unreadable date is kept as text
    and the mapping step reports it at its event's line."""
    from cojourney.events.readers import read_events

    body = (
        '<log>\n<trace>\n<string key="concept:name" value="1"/>\n'
        "<event>\n{first}\n</event>\n"
        '<event>\n<string key="concept:name" value="b"/>\n'
        '<date key="time:timestamp" value="yesterday"/>\n</event>\n'
        "</trace>\n</log>\n"
    )
    path = write(tmp_path, body.format(first='<string key="org:resource" value="x"/>'))
    with pytest.raises(ImportRejected) as err:
        read(path)
    assert [p.location.line for p in err.value.problems] == [4]
    path.write_text(body.format(first='<string key="concept:name" value="a"/>'))
    assert read(path).column("time:timestamp").type == pa.string()
    with pytest.raises(ImportRejected) as err:
        list(read_events(path))
    by_line = {p.location.line: p for p in err.value.problems}
    assert "no timestamp" in by_line[4].message  # the first event has none
    assert "cannot be read" in by_line[7].message
    assert by_line[7].found == "'yesterday'"


def test_not_an_xes_file(tmp_path: Path) -> None:
    path = write(tmp_path, "<html><body/></html>")
    with pytest.raises(ImportRejected, match="not an XES log"):
        read(path)


def test_missing_file() -> None:
    with pytest.raises(NotFound):
        read(DATA / "absent.xes")


# --------------------------------------------------------------------------- real logs

REFERENCED = [
    "running-example.xes",
    "helpdesk.xes.gz",
    "07_bpic2013_incidents.xes.gz",
    "06_bpic2013_closed.xes.gz",
    "bpic2012.xes.gz",
    "lending_log_high.xes.gz",
    "02_teleclaims.xes.gz",
    "03_repairExample.xes.gz",
]

_ORDERED = """
create view o as
select "case:concept:name" as c, "concept:name" as a,
       row_number() over (partition by "case:concept:name"
                          order by "time:timestamp", event_seq) as r,
       row_number() over (partition by "case:concept:name"
                          order by "time:timestamp" desc, event_seq desc) as back
from log
"""


def log_stats(table: pa.Table) -> dict[str, object]:
    """Counts as the reference defines them: ordered by timestamp, ties in file order."""
    con = duckdb.connect()
    con.register(
        "log", table.select(["case:concept:name", "concept:name", "time:timestamp", "event_seq"])
    )
    con.execute(_ORDERED)
    cases, events, activities = (
        con.execute("select count(distinct c), count(*), count(distinct a) from o").fetchone() or ()
    )
    (variants,) = (
        con.execute(
            "select count(distinct s) from "
            "(select string_agg(a, chr(31) order by r) as s from o group by c)"
        ).fetchone()
        or ()
    )

    def firsts(column: str) -> dict[str, int]:
        query = f"select a, count(*) from o where {column} = 1 group by a"
        return dict(con.execute(query).fetchall())

    return {
        "cases": cases,
        "events": events,
        "activities": activities,
        "variant_count": variants,
        "start_activities": firsts("r"),
        "end_activities": firsts("back"),
    }


@pytest.mark.shared_data
@pytest.mark.parametrize("name", REFERENCED)
def test_real_log_matches_reference(shared_data: Path, name: str) -> None:
    path = shared_data / "logs" / name
    reference_file = shared_data / "reference" / (name.split(".")[0] + ".json")
    if not path.is_file() or not reference_file.is_file():
        pytest.skip(f"{path.name} or its reference is absent from {shared_data}")
    reference = json.loads(reference_file.read_text(encoding="utf-8"))
    table = read(path)
    assert table.column("time:timestamp").type == pa.timestamp("us", tz="UTC")
    assert table.column("time:timestamp").null_count == 0
    stats = log_stats(table)
    for key, value in stats.items():
        assert value == reference[key], key


def test_empty_log_gives_one_empty_batch_with_the_schema(tmp_path: Path) -> None:
    path = write(tmp_path, '<log><string key="concept:name" value="nothing"/></log>')
    batches = list(read_xes(path))
    assert len(batches) == 1 and batches[0].num_rows == 0
    assert batches[0].schema.names[:3] == ["case:concept:name", "concept:name", "time:timestamp"]


def test_damaged_gzip_is_refused(tmp_path: Path) -> None:
    packed = gzip.compress(TINY.read_bytes())
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ImportRejected, match=r"decompressed|malformed"):
        read(path)
