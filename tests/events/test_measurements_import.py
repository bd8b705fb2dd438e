"""Importing measurements: bad rows, quarantine, retries, overlaps and conflicts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cojourney.cli.main import main
from cojourney.errors import ImportRejected
from cojourney.events.measurements_ingest import MeasurementColumns
from cojourney.events.store import EventStore
from cojourney.services.measurement_imports import import_measurements
from cojourney.services.workspaces import init_workspace

GOOD = [
    ("fleet-utilisation", "2025-03-01T12:00:00", "40.5", ""),
    ("fleet-utilisation", "2025-04-01T12:00:00", "42", ""),
    ("booking-app-availability", "2025-04-02T00:00:00-03:00", "99.9", "app"),
]


def write_csv(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def stored(ws: Path) -> list[tuple]:
    with EventStore.open(ws, read_only=True) as st:
        if not _has(st):  # a read-only store written before any import
            return []
        return st.connection.execute(
            "SELECT indicator, epoch(timestamp), value, segment FROM measurements "
            "ORDER BY measurement_seq"
        ).fetchall()


def _has(st: EventStore) -> bool:
    try:
        st.table_name("measurements")
    except LookupError:
        return False
    return True


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws", example="ecampus-car-share")
    return tmp_path / "ws"


def test_canonical_columns_import(ws: Path, tmp_path: Path):
    file = write_csv(tmp_path / "m.csv", ["indicator", "timestamp", "value", "segment"], GOOD)
    result = import_measurements(ws, file)
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (3, 3, 0)
    assert dict(result.indicators) == {"fleet-utilisation": 2, "booking-app-availability": 1}
    rows = stored(ws)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("fleet-utilisation", 40.5, None),
        ("fleet-utilisation", 42.0, None),
        ("booking-app-availability", 99.9, "app"),
    ]
    # No offset: the workspace's time zone (Sao Paulo, UTC-3); an offset is honoured.
    assert rows[0][1] == pytest.approx(1740841200)  # 2025-03-01 15:00 UTC
    assert rows[2][1] == pytest.approx(1743562800)  # 2025-04-02 03:00 UTC


def test_bad_rows_refuse_the_file_and_write_nothing(ws: Path, tmp_path: Path):
    rows = [*GOOD, ("no-such-kpi", "2025-03-01", "1", ""), ("fleet-utilisation", "soon", "1", "")]
    rows.append(("fleet-utilisation", "2025-05-01", "lots", ""))
    file = write_csv(tmp_path / "m.csv", ["indicator", "timestamp", "value", "segment"], rows)
    with pytest.raises(ImportRejected) as caught:
        import_measurements(ws, file)
    problems = caught.value.problems
    assert [(p.location.line, p.location.field) for p in problems] == [
        (5, "indicator"),
        (6, "timestamp"),
        (7, "value"),
    ]
    assert "import.on_error=skip" in caught.value.title
    assert stored(ws) == []


def test_skip_sets_bad_rows_aside_with_a_reason(ws: Path, tmp_path: Path):
    rows = [*GOOD, ("fleet-utilisation", "2025-05-01", "lots", "")]
    file = write_csv(tmp_path / "m.csv", ["indicator", "timestamp", "value", "segment"], rows)
    result = import_measurements(ws, file, on_error="skip")
    assert (result.rows_imported, result.rows_rejected) == (3, 1)
    assert result.quarantine_path is not None and result.quarantine_path.parent.name == "quarantine"
    with result.quarantine_path.open(encoding="utf-8") as f:
        quarantined = list(csv.DictReader(f))
    assert quarantined == [
        {
            "indicator": "fleet-utilisation",
            "timestamp": "2025-05-01",
            "value": "lots",
            "segment": "",
            "reason": "the value is not a number",
        }
    ]


def test_retry_is_idempotent_and_overlaps_add_only_what_is_new(ws: Path, tmp_path: Path):
    header = ["indicator", "timestamp", "value", "segment"]
    first = import_measurements(ws, write_csv(tmp_path / "a.csv", header, GOOD))
    again = import_measurements(ws, tmp_path / "a.csv")
    assert again.already_imported and again.import_id == first.import_id
    assert len(stored(ws)) == 3
    # An overlapping export: one row already stored, one new, one with another value.
    overlap = [
        GOOD[0],
        ("fleet-utilisation", "2025-05-01T12:00:00", "44", ""),
        ("fleet-utilisation", "2025-04-01T12:00:00", "43", ""),
    ]
    result = import_measurements(ws, write_csv(tmp_path / "b.csv", header, overlap))
    assert (result.rows_imported, result.rows_duplicate, result.conflict_count) == (1, 2, 1)
    conflict = result.conflicts[0]
    assert conflict.location.line == 4 and conflict.found == "43.0" and conflict.expected == "42.0"
    values = [(r[0], r[2]) for r in stored(ws)]
    assert (
        values.count(("fleet-utilisation", 42.0)) == 1 and ("fleet-utilisation", 43.0) not in values
    )
    assert len(values) == 4


def test_segments_tell_measurements_apart(ws: Path, tmp_path: Path):
    rows = [
        ("fleet-utilisation", "2025-03-01T12:00:00", "40", "north"),
        ("fleet-utilisation", "2025-03-01T12:00:00", "30", "south"),
    ]
    file = write_csv(tmp_path / "m.csv", ["indicator", "timestamp", "value", "segment"], rows)
    result = import_measurements(ws, file)
    assert (result.rows_imported, result.conflict_count) == (2, 0)


def test_mapped_columns_parquet_and_json_lines(ws: Path, tmp_path: Path):
    columns = MeasurementColumns(
        indicator="kpi", timestamp="day", value="pct", timestamp_format="%d/%m/%Y"
    )
    table = pa.table({"kpi": ["fleet-utilisation"], "day": ["01/03/2025"], "pct": [41.0]})
    pq.write_table(table, tmp_path / "m.parquet")
    result = import_measurements(ws, tmp_path / "m.parquet", columns=columns)
    assert result.rows_imported == 1
    lines = tmp_path / "m.jsonl"
    lines.write_text(
        json.dumps({"kpi": "fleet-utilisation", "day": "01/04/2025", "pct": 43}) + "\n",
        encoding="utf-8",
    )
    assert import_measurements(ws, lines, columns=columns).rows_imported == 1
    assert [r[2] for r in stored(ws)] == [41.0, 43.0]


def test_a_missing_column_names_the_mapping_field(ws: Path, tmp_path: Path):
    file = write_csv(tmp_path / "m.csv", ["indicator", "timestamp", "amount"], [("x", "y", "1")])
    with pytest.raises(ImportRejected) as caught:
        import_measurements(ws, file)
    assert [p.location.field for p in caught.value.problems] == ["mapping.columns.value"]


def test_cli_import_measurements(ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    rows = [(r[0], r[1], r[2]) for r in GOOD]
    file = write_csv(tmp_path / "m.csv", ["kpi", "day", "pct"], rows)
    flags = ["--indicator", "kpi", "--timestamp", "day", "--value", "pct"]
    code = main(["import", str(ws), str(file), "--kind", "measurements", *flags])
    out, _ = capsys.readouterr()
    assert code == 0 and "Imported 3 measurements" in out
    assert main(["import", str(ws), str(file), "--kind", "measurements", *flags]) == 0
    assert "already imported" in capsys.readouterr()[0]
    # Event-log flags are refused for measurements, measurement flags for events.
    assert main(["import", str(ws), str(file), "--kind", "measurements", "--activity", "a"]) == 2
    assert "--activity is not for --kind measurements" in capsys.readouterr()[1]
    assert main(["import", str(ws), str(file), "--value", "pct"]) == 2


def test_a_value_entered_by_hand_records_who_and_when(ws: Path):
    from datetime import UTC, datetime

    from cojourney.errors import InputError
    from cojourney.services.measurement_imports import record_measurement

    when = datetime(2025, 3, 1, 15, tzinfo=UTC)
    result = record_measurement(ws, "fleet-utilisation", when, 41.5, entered_by="ana@example.org")
    assert result.rows_imported == 1
    with EventStore.open(ws, read_only=True) as st:
        (record,) = st.imports("measurements")
    assert record.source_name == "entered by ana@example.org.csv"
    assert record.finished_at == result.imported_at  # when it was entered
    assert [(r[0], r[1], r[2]) for r in stored(ws)] == [("fleet-utilisation", 1740841200, 41.5)]
    other = record_measurement(ws, "fleet-utilisation", when, 40.0, entered_by="bo")
    assert other.rows_imported == 0 and other.conflict_count == 1
    with pytest.raises(ImportRejected):
        record_measurement(ws, "no-such-kpi", when, 1.0, entered_by="bo")
    with pytest.raises(InputError):
        record_measurement(ws, "fleet-utilisation", when, 1.0, entered_by=" ")


def test_a_store_of_version_3_gets_the_measurements_table_on_the_next_write(tmp_path: Path):
    with EventStore.open(tmp_path) as st:
        st.connection.execute("DROP TABLE measurements")
        st.connection.execute("UPDATE store_meta SET value = '3' WHERE key = 'schema_version'")
    with EventStore.open(tmp_path, read_only=True) as old:
        assert not _has(old)  # read as it is: no measurements log
    with EventStore.open(tmp_path) as st:
        assert _has(st) and st.count("measurements") == 0
        version = st.connection.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone()
        assert version == ("4",)


def test_a_file_without_rows_is_refused_and_not_recorded(ws: Path, tmp_path: Path):
    file = write_csv(tmp_path / "m.csv", ["indicator", "timestamp", "value"], [])
    with pytest.raises(ImportRejected, match="no measurement"):
        import_measurements(ws, file)
    with EventStore.open(ws, read_only=True) as st:
        assert st.imports() == []
