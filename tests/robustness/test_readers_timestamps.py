"""Timestamps at the edges: outside the accepted range (1900-01-01 to before 2200-01-01 UTC)
an event is refused at import with its row; inside, at both ends, every command computes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

from cojourney.cli.main import cli
from cojourney.errors import ImportRejected
from cojourney.events.readers import read_events
from cojourney.events.schema import TIMESTAMP_RANGE, ColumnMapping
from cojourney.events.store import EventStore
from cojourney.events.store_ingest import FileImport
from cojourney.services.workspaces import init_workspace

MAPPING = ColumnMapping(journey_id="id", activity="act", timestamp="ts")


def test_the_range_is_1900_to_2200() -> None:
    low, high = (datetime.fromisoformat(t) for t in TIMESTAMP_RANGE)
    assert (low, high) == (datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_year_1_with_an_offset_and_year_9999_are_refused_with_their_rows(
    tmp_path: Path, suffix: str
) -> None:
    stamps = [
        "2024-01-01T10:00:00",
        "0001-01-01T00:00:00+02:00",
        "9999-12-31T23:59:59",
        "1899-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
        "1900-01-01T00:00:00Z",
        "2199-12-31T23:59:59.999999Z",
    ]
    path = tmp_path / f"edges{suffix}"
    if suffix == ".csv":
        path.write_text("id,act,ts\n" + "".join(f"c1,a{i},{s}\n" for i, s in enumerate(stamps)))
    else:
        path.write_text(
            "".join(
                json.dumps({"id": 1, "act": f"a{i}", "ts": s}) + "\n" for i, s in enumerate(stamps)
            )
        )
    first = 2 if suffix == ".csv" else 1
    with pytest.raises(ImportRejected) as caught:
        list(read_events(path, MAPPING))
    located = {p.location.line: p for p in caught.value.problems}
    assert sorted(located) == [first + 1, first + 2, first + 3, first + 4]
    assert located[first + 1].found == "'0001-01-01T00:00:00+02:00'"
    assert "1900-01-01" in (located[first + 1].expected or "")
    with EventStore(tmp_path / "store.duckdb") as store:
        outcome = store.import_file(
            FileImport(path, MAPPING, on_error="skip", quarantine_dir=tmp_path / "q")
        )
        assert outcome.record.rows_imported == 3
        assert outcome.first_timestamp == datetime(1900, 1, 1, tzinfo=UTC)
        assert outcome.last_timestamp == datetime(2199, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
        assert [r.rows_rejected for r in store.imports()] == [4]


def test_typed_timestamps_outside_the_range_are_refused_too(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "typed.parquet"
    pq.write_table(
        pa.table(
            {
                "id": ["c1", "c1"],
                "act": ["a", "b"],
                "ts": pa.array(
                    [datetime(2024, 1, 1, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)],
                    pa.timestamp("us", tz="UTC"),
                ),
            }
        ),
        path,
    )
    with pytest.raises(ImportRejected) as caught:
        list(read_events(path, MAPPING))
    (problem,) = caught.value.problems
    assert "event 2: the timestamp cannot be read" in problem.message
    assert "0001-01-01" in (problem.found or "")


INCIDENTS = [  # journey, activity, minutes after the start, priority
    ("I1", "ticket-registered", 0, "P1"),
    ("I1", "priority-and-eta-told", 10, "P1"),
    ("I1", "service-restored", 180, "P1"),
    ("I2", "ticket-registered", 60, "P3"),
    ("I2", "priority-and-eta-told", 600, "P3"),
]


@pytest.mark.parametrize(
    "start", [datetime(1900, 1, 1), datetime(2199, 12, 31, 13, 59)], ids=["first", "last"]
)
def test_value_agreements_and_analyze_compute_at_both_ends(tmp_path: Path, start: datetime) -> None:
    workspace = tmp_path / "ws"
    init_workspace(workspace, example="incident-resolution")
    log = tmp_path / "incidents.csv"
    log.write_text(
        "case,step,at,priority\n"
        + "".join(
            f"{j},{a},{(start + timedelta(minutes=m)).isoformat()}Z,{p}\n"
            for j, a, m, p in INCIDENTS
        )
    )
    runner = CliRunner()
    flags = ["--case", "case", "--activity", "step", "--timestamp", "at"]
    imported = runner.invoke(cli, ["import", str(workspace), str(log), *flags])
    assert imported.exit_code == 0, imported.output
    last = start + timedelta(minutes=600)
    for command in ("analyze", "agreements", "value"):
        result = runner.invoke(cli, [command, str(workspace)])
        assert result.exit_code == 0, (command, result.output, result.exception)
    analysed = runner.invoke(cli, ["analyze", str(workspace)])
    assert f"{start:%Y-%m}" in analysed.output
    agreements = runner.invoke(cli, ["agreements", str(workspace), "--json", "-"])
    assert json.loads(agreements.stdout)["as_of"] == last.replace(tzinfo=UTC).isoformat()
