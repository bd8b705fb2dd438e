"""Importing logs into a workspace: formats, saved mappings, bad rows, idempotence, time
zones, unknown activities, export, and a real log checked against PM4Py's counts."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cojourney.errors import ImportRejected, InputError, NotFound
from cojourney.events.mappings import ImportMapping, MappingFlags, MappingLibrary
from cojourney.events.readers.xes import read_xes
from cojourney.events.schema import ColumnMapping
from cojourney.events.store import EventSource, EventStore
from cojourney.events.writers import write_xes
from cojourney.services.imports import export_events, import_events, list_imports
from cojourney.services.workspaces import init_workspace

#: Touchpoint ids of the DSV template (``cojourney init``).
TOUCHPOINTS = [
    "search",
    "sign-up",
    "identity-check",
    "welcome-guide",
    "first-use",
    "support-call",
    "survey",
]
HEADER = ["order_id", "step", "at", "via", "amount"]
FLAGS = MappingFlags(journey_id="order_id", activity="step", timestamp="at", channel="via")


def rows(n_journeys: int = 4, *, first: int = 0) -> list[list[str]]:
    """Journeys of 3 events each, the second one not a touchpoint ("Visit web")."""
    out = []
    for j in range(first, first + n_journeys):
        for k, step in enumerate(["search", "Visit web", "sign-up"]):
            out.append([f"O{j:03d}", step, f"2024-03-{1 + j % 27:02d} 1{k}:00:00", "web", str(j)])
    return out


def write_csv(
    path: Path, data: list[list[str]], header: list[str] = HEADER, sep: str = ","
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=sep)
        writer.writerow(header)
        writer.writerows(data)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(folder)
    return folder


def stored(ws: Path, import_id: int | None = None) -> list[tuple[str, str, str]]:
    """(journey, activity, ISO timestamp) of stored events in event_seq order."""
    with EventStore.open(ws, read_only=True) as store:
        table = store.events_table(ordered=True)
    return [
        (r["journey_id"], r["activity"], r["timestamp"].isoformat())
        for r in table.to_pylist()
        if import_id is None or r["import_id"] == import_id
    ]


# --------------------------------------------------------------------------- formats


def test_csv_parquet_jsonl_and_xes_give_the_same_events(ws: Path, tmp_path: Path) -> None:
    data = rows(5)
    write_csv(tmp_path / "log.csv", data)
    table = pa.table({name: [r[i] for r in data] for i, name in enumerate(HEADER)})
    pq.write_table(table, tmp_path / "log.parquet")
    with (tmp_path / "log.jsonl").open("w", encoding="utf-8") as f:
        for r in data:
            f.write(json.dumps(dict(zip(HEADER, r, strict=True))) + "\n")
    xes = table.rename_columns(
        ["case:concept:name", "concept:name", "time:timestamp", "via", "amount"]
    ).set_column(
        2,
        "time:timestamp",
        pa.array(
            [datetime.fromisoformat(r[2]).replace(tzinfo=UTC) for r in data],
            pa.timestamp("us", tz="UTC"),
        ),
    )
    write_xes(xes, tmp_path / "log.xes")

    results = [
        import_events(ws, tmp_path / name, flags=FLAGS)
        for name in ("log.csv", "log.parquet", "log.jsonl")
    ]
    results.append(import_events(ws, tmp_path / "log.xes", flags=MappingFlags(channel="via")))
    assert [r.import_id for r in results] == [1, 2, 3, 4]
    first, *others = results
    assert (first.rows_imported, first.journeys, first.rows_rejected) == (15, 5, 0)
    # Every column of every event is equal whatever the format: the store has them all.
    assert [(r.rows_imported, r.rows_duplicate, r.rows_rejected) for r in others] == [
        (0, 15, 0)
    ] * 3
    expected = stored(ws, 1)
    assert expected[0] == ("O000", "search", "2024-03-01T10:00:00+00:00")
    assert stored(ws) == expected
    with EventStore.open(ws, read_only=True) as store:
        channels = store.relation().aggregate("channel, count(*)").fetchall()
    assert channels == [("web", 15)]


def test_ocel_needs_an_object_type_which_the_mapping_keeps(ws: Path) -> None:
    log = Path(__file__).resolve().parents[1] / "data" / "ocel" / "tiny.jsonocel"
    with pytest.raises(ImportRejected, match=r"object type"):
        import_events(ws, log)
    from cojourney.events.readers.ocel import object_types

    otype = next(iter(object_types(log)))
    first = import_events(ws, log, flags=MappingFlags(object_type=otype))
    assert first.rows_imported > 0 and first.mapping_saved
    assert MappingLibrary(ws / "data" / "mappings").load("tiny").object_type == otype
    again = import_events(ws, log)  # the saved mapping is chosen: same content, same mapping
    assert again.already_imported and again.import_id == first.import_id


# --------------------------------------------------------------------------- mappings


def test_a_mapping_is_saved_then_reused_without_flags(ws: Path, tmp_path: Path) -> None:
    jan = write_csv(tmp_path / "orders-jan.csv", rows(3))
    feb = write_csv(tmp_path / "orders-feb.csv", rows(2, first=10))
    first = import_events(
        ws,
        jan,
        mapping="orders",
        flags=MappingFlags(
            journey_id="order_id",
            activity="step",
            timestamp="at",
            renames={"Visit web": "first-use"},
        ),
    )
    saved = ws / "data" / "mappings" / "orders.yaml"
    assert first.mapping_saved and first.mapping_path == saved and first.mapping_origin == "flags"
    text = saved.read_text(encoding="utf-8")
    assert "journey_id: order_id" in text and "# required" in text and "first-use" in text
    second = import_events(ws, feb)
    assert (second.mapping_origin, second.mapping_name, second.mapping_saved) == (
        "saved",
        "orders",
        False,
    )
    assert {a for _, a, _ in stored(ws, second.import_id)} == {"search", "first-use", "sign-up"}
    assert second.unknown_activity_count == 0
    assert [r.mapping_name for r in list_imports(ws)] == ["orders", "orders"]


def test_flags_without_the_columns_update_the_fitting_mapping(ws: Path, tmp_path: Path) -> None:
    import_events(ws, write_csv(tmp_path / "a.csv", rows(1)), flags=FLAGS)
    result = import_events(
        ws,
        write_csv(tmp_path / "b.csv", rows(1, first=5)),
        flags=MappingFlags(renames={"Visit web": "search"}),
    )
    assert result.mapping_name == "a" and result.mapping_saved
    mapping = MappingLibrary(ws / "data" / "mappings").load("a")
    assert dict(mapping.columns.activity_renames) == {"Visit web": "search"}
    assert mapping.columns.channel == "via"


def test_several_fitting_mappings_need_an_explicit_choice(ws: Path, tmp_path: Path) -> None:
    library = MappingLibrary(ws / "data" / "mappings")
    columns = ColumnMapping(journey_id="order_id", activity="step", timestamp="at")
    library.save(ImportMapping("plain", columns=columns, format="csv"))
    library.save(
        ImportMapping(
            "renamed",
            columns=ColumnMapping(
                journey_id="order_id",
                activity="step",
                timestamp="at",
                activity_renames={"Visit web": "search"},
            ),
            format="csv",
        )
    )
    log = write_csv(tmp_path / "log.csv", rows(2))
    with pytest.raises(InputError) as exc:
        import_events(ws, log)
    assert "several saved mappings fit" in str(exc.value)
    assert "plain, renamed" in str(exc.value) and "import.mapping" in str(exc.value)
    result = import_events(ws, log, mapping="renamed")
    assert result.mapping_origin == "named" and result.unknown_activity_count == 0
    with pytest.raises(NotFound, match=r"no mapping named 'nope'.*plain, renamed"):
        import_events(ws, log, mapping="nope")


def test_missing_columns_are_named_with_the_fix(ws: Path, tmp_path: Path) -> None:
    log = write_csv(tmp_path / "log.csv", rows(1))
    with pytest.raises(ImportRejected) as exc:
        import_events(ws, log)
    text = str(exc.value)
    assert "no saved mapping fits" in text and "'case:concept:name' (for journey_id)" in text
    assert (
        "mapping.columns.journey_id COLUMN" in text
        and "columns: order_id, step, at, via, amount" in text
    )
    import_events(ws, log, mapping="m", flags=FLAGS)
    renamed = write_csv(
        tmp_path / "renamed.csv",
        rows(1, first=3),
        header=["order_id", "step", "when", "via", "amount"],
    )
    with pytest.raises(ImportRejected) as exc:
        import_events(ws, renamed, mapping="m")
    assert "'at' (for timestamp) is not in the file" in str(exc.value)
    assert "mapping.columns.timestamp COLUMN, or fix columns.timestamp in" in str(exc.value)
    assert list_imports(ws)[-1].source_name == "log.csv"


# --------------------------------------------------------------------------- bad rows


def bad_log(tmp_path: Path) -> Path:
    data = rows(3)
    data[1][0] = ""  # line 3: no journey id
    data[4][2] = "03/01/2024 10:00"  # line 6: not ISO 8601
    data[6][1] = ""  # line 8: no activity
    return write_csv(tmp_path / "bad.csv", data)


def test_on_error_fail_imports_nothing_and_lists_every_problem(ws: Path, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as exc:
        import_events(ws, bad_log(tmp_path), flags=FLAGS)
    problems = exc.value.problems
    assert [(p.location.line, p.location.field) for p in problems] == [
        (3, "order_id"),
        (6, "at"),
        (8, "step"),
    ]
    assert problems[1].found == "'03/01/2024 10:00'" and "mapping.timestamp.format" in (
        problems[1].hint or ""
    )
    assert "3 of 9 events cannot be imported" in exc.value.title
    assert "import.on_error=skip" in exc.value.title
    assert list_imports(ws) == [] and not (ws / "data" / "mappings" / "bad.yaml").exists()


def test_problems_are_capped_but_counted(ws: Path, tmp_path: Path) -> None:
    data = [[f"O{i}", "search", "yesterday", "web", "1"] for i in range(30)]
    with pytest.raises(ImportRejected) as exc:
        import_events(ws, write_csv(tmp_path / "many.csv", data), flags=FLAGS)
    assert len(exc.value.problems) == 20
    assert "30 of 30 events cannot be imported; the first 20 are listed" in exc.value.title


def test_on_error_skip_quarantines_the_bad_rows(ws: Path, tmp_path: Path) -> None:
    result = import_events(ws, bad_log(tmp_path), flags=FLAGS, on_error="skip")
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (9, 6, 3)
    assert result.quarantine_path == ws / "data" / "quarantine" / "1-bad.csv"
    assert len(result.rejected) == 3
    with result.quarantine_path.open(encoding="utf-8") as f:
        quarantined = list(csv.DictReader(f))
    assert [r["reason"] for r in quarantined] == [
        "line 3: no journey id (column order_id)",
        "line 6: timestamp '03/01/2024 10:00' cannot be read, expected ISO 8601, "
        "from 1900-01-01 to before 2200-01-01",
        "line 8: no activity (column step)",
    ]
    assert quarantined[1]["order_id"] == "O001" and list(quarantined[0]) == [*HEADER, "reason"]
    (record,) = list_imports(ws)
    assert (record.rows_imported, record.rows_rejected) == (6, 3)
    assert record.quarantine_path == str(result.quarantine_path)
    assert len(stored(ws)) == 6


# --------------------------------------------------------------------------- idempotence, order


def test_reimporting_the_same_file_adds_nothing(ws: Path, tmp_path: Path) -> None:
    log = write_csv(tmp_path / "log.csv", rows(2))
    first = import_events(ws, log, flags=FLAGS)
    copy = tmp_path / "copy-of-log.csv"
    copy.write_bytes(log.read_bytes())
    for again in (import_events(ws, log), import_events(ws, copy, mapping="log")):
        assert again.already_imported and again.import_id == first.import_id
        assert again.imported_at == first.imported_at and again.rows_imported == 0
    assert len(stored(ws)) == 6 and len(list_imports(ws)) == 1
    with pytest.raises(InputError, match="delete import #1 first") as refused:
        import_events(
            ws,
            log,
            flags=MappingFlags(journey_id="order_id", activity="step", timestamp="at"),
            mapping="no-channel",
        )
    assert "imported before as import #1" in str(refused.value)
    assert len(stored(ws)) == 6 and len(list_imports(ws)) == 1


def test_event_seq_is_global_across_imports(ws: Path, tmp_path: Path) -> None:
    import_events(ws, write_csv(tmp_path / "a.csv", rows(2)), flags=FLAGS)
    import_events(ws, write_csv(tmp_path / "b.csv", rows(1, first=7)))
    with EventStore.open(ws, read_only=True) as store:
        table = store.events_table(ordered=True)
        assert table.column("event_seq").to_pylist() == list(range(9))
        assert table.column("import_id").to_pylist() == [1] * 6 + [2] * 3
        assert [(r.seq_first, r.seq_last) for r in store.imports()] == [(0, 5), (6, 8)]


def test_unknown_activities_are_imported_and_reported(ws: Path, tmp_path: Path) -> None:
    data = [*rows(4), ["O099", "Call", "2024-03-05 09:00:00", "phone", "1"]]
    result = import_events(ws, write_csv(tmp_path / "log.csv", data), flags=FLAGS)
    assert result.rows_imported == 13
    assert result.unknown_activities == (("Visit web", 4), ("Call", 1))
    assert (result.unknown_activity_count, result.unknown_event_count) == (2, 5)


# --------------------------------------------------------------------------- time zones


def test_naive_times_are_read_in_the_workspace_time_zone(ws: Path, tmp_path: Path) -> None:
    config = ws / "workspace.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("time_zone: UTC", "time_zone: Europe/Amsterdam"),
        encoding="utf-8",
    )
    data = [
        ["O1", "search", "2024-07-01 12:00:00", "web", "1"],
        ["O1", "sign-up", "2024-07-01 12:30:00+00:00", "web", "1"],
        ["O1", "survey", "2024-01-15 12:00:00", "web", "1"],
    ]
    result = import_events(ws, write_csv(tmp_path / "log.csv", data), flags=FLAGS)
    assert [t for _, _, t in stored(ws)] == [
        "2024-07-01T10:00:00+00:00",
        "2024-07-01T12:30:00+00:00",
        "2024-01-15T11:00:00+00:00",
    ]
    assert result.first_timestamp == datetime(2024, 1, 15, 11, tzinfo=UTC)
    # The mapping's own time zone wins over the workspace's.
    import_events(
        ws, write_csv(tmp_path / "tokyo.csv", data[:1]), flags=_with_tz(FLAGS, "Asia/Tokyo")
    )
    assert stored(ws)[-1][2] == "2024-07-01T03:00:00+00:00"


def _with_tz(flags: MappingFlags, zone: str) -> MappingFlags:
    return replace(flags, time_zone=zone)


def test_an_unknown_time_zone_is_refused(ws: Path, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected, match=r"unknown time zone"):
        import_events(
            ws, write_csv(tmp_path / "log.csv", rows(1)), flags=_with_tz(FLAGS, "Mars/Olympus")
        )


# --------------------------------------------------------------------------- export


def test_export_to_parquet_and_xes_reads_back_equal(ws: Path, tmp_path: Path) -> None:
    import_events(ws, write_csv(tmp_path / "log.csv", rows(4)), flags=FLAGS)
    with EventStore.open(ws, read_only=True) as store:
        expected = store.events_table(ordered=True, import_ids=False)

    parquet = export_events(ws, tmp_path / "out.parquet")
    assert (parquet.format, parquet.rows) == ("parquet", 12)
    with EventSource.from_parquet(parquet.path) as source:
        assert source.events_table(ordered=True).equals(expected)

    xes = export_events(ws, tmp_path / "out.xes.gz", format="xes")
    assert xes.rows == 12
    back = pa.Table.from_batches(list(read_xes(xes.path)))
    assert back.column("case:concept:name").to_pylist() == expected.column("journey_id").to_pylist()
    assert back.column("concept:name").to_pylist() == expected.column("activity").to_pylist()
    assert back.column("time:timestamp").to_pylist() == expected.column("timestamp").to_pylist()
    assert back.column("channel").to_pylist() == expected.column("channel").to_pylist()
    assert back.column("amount").to_pylist() == [r[4] for r in rows(4)]
    with pytest.raises(InputError, match=r"export.format=parquet or export.format=xes"):
        export_events(ws, tmp_path / "out.txt")


def test_export_of_an_empty_workspace_is_not_found(ws: Path, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"no events imported yet"):
        export_events(ws, tmp_path / "out.parquet")


def test_not_a_workspace_or_no_file(tmp_path: Path, ws: Path) -> None:
    log = write_csv(tmp_path / "log.csv", rows(1))
    with pytest.raises(NotFound, match=r"not a workspace"):
        import_events(tmp_path / "log-folder-that-is-not-a-workspace", log, flags=FLAGS)
    with pytest.raises(NotFound, match=r"no such file"):
        import_events(ws, tmp_path / "missing.csv")


# --------------------------------------------------------------------------- a real log


def test_bpic14_counts_match_pm4py(ws: Path, shared_data: Path) -> None:
    log = shared_data / "logs" / "BPIC14_incident_log.csv"
    if not log.is_file():
        pytest.skip(f"{log} is absent")
    reference = json.loads((shared_data / "reference" / "BPIC14_incident_log.json").read_text())
    result = import_events(
        ws,
        log,
        flags=MappingFlags(
            journey_id="incident_id",
            activity="incident_activity_type",
            timestamp="data_stamp",
            timestamp_format="%Y-%m-%d %H:%M:%S",
        ),
    )
    assert (result.journeys, result.rows_imported) == (reference["cases"], reference["events"])
    assert result.unknown_activity_count == reference["activities"]
    with EventStore.open(ws, read_only=True) as store:
        distinct = store.relation().aggregate("count(DISTINCT activity)").fetchone()
    assert distinct == (reference["activities"],)


def test_naive_xes_dates_are_read_in_the_workspace_time_zone(ws: Path, tmp_path: Path) -> None:
    tiny = Path(__file__).resolve().parents[1] / "data" / "xes" / "tiny.xes"
    import_events(ws, tiny)
    in_utc = stored(ws)
    other = tmp_path / "ams"
    init_workspace(other)
    config = other / "workspace.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("time_zone: UTC", "time_zone: Europe/Amsterdam"),
        encoding="utf-8",
    )
    import_events(other, tiny)
    in_amsterdam = stored(other)
    changed = [(a[2], b[2]) for a, b in zip(in_utc, in_amsterdam, strict=True) if a != b]
    assert changed == [("2024-03-02T08:00:00+00:00", "2024-03-02T07:00:00+00:00")]


# --------------------------------------------------------------------------- undo


def test_delete_import_refuses_what_is_not_there(ws: Path, tmp_path: Path) -> None:
    from cojourney.services.imports import delete_import

    with pytest.raises(NotFound, match="is not a workspace"):
        delete_import(tmp_path, 1)
    with pytest.raises(NotFound, match="nothing was imported yet"):
        delete_import(ws, 1)
    import_events(ws, write_csv(tmp_path / "a.csv", rows(2)), flags=FLAGS)
    with pytest.raises(NotFound, match=r"no import #2; the imports are #1 \(a.csv\)"):
        delete_import(ws, 2)
    done = delete_import(ws, 1)
    assert (done.record.source_name, done.rows_removed, done.quarantine_removed) == (
        "a.csv",
        6,
        None,
    )
    assert stored(ws) == [] and list_imports(ws) == []
