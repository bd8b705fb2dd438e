"""``cojourney analyze FILE`` (DuckDB's own file loading) refuses the ids an import refuses:
longer than ``max_value_chars``, with a NUL or a line break, located like the import does."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cojourney.cli import main as cli_main
from cojourney.errors import ImportRejected
from cojourney.events.readers import read_events
from cojourney.events.schema import ColumnMapping
from cojourney.services.discovery import discover_log
from cojourney.settings import Settings, use_settings

J, A, T = "case", "step", "at"  # column names under the limit too
COLUMNS = {"journey_id": J, "activity": A, "timestamp": T}
SHORT = Settings(max_value_chars=10)


def csv_log(tmp_path: Path) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(
        f"{J},{A},{T}\n"
        "c1,a,2024-01-01\n"  # line 2
        "c-far-too-long-id,b,2024-01-02\n"  # line 3: 17 characters
        'c2,"two\nlines",2024-01-03\n'  # line 4: an activity with a line break
        "c2,b,2024-01-04\n"
    )
    return path


def jsonl_log(tmp_path: Path) -> Path:
    path = tmp_path / "log.jsonl"
    rows = [
        {J: "c1", A: "a", T: "2024-01-01"},
        {J: "c\u00002", A: "a", T: "2024-01-02"},  # line 2: NUL in the journey id
        {J: "c3", A: "a" * 11, T: "2024-01-03"},  # line 3: an activity of 11 characters
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def parquet_log(tmp_path: Path) -> Path:
    path = tmp_path / "log.parquet"
    times = pa.array([1_700_000_000, 1_700_000_001, 1_700_000_002], pa.timestamp("s"))
    pq.write_table(pa.table({J: ["c1", "c\r2", "c3"], A: ["a", "b", "c"], T: times}), path)
    return path


def problems_of(call: object) -> list[tuple[str, int | None, str | None]]:
    assert callable(call)
    with pytest.raises(ImportRejected) as caught:
        call()
    return [(p.message, p.location.line, p.location.field) for p in caught.value.problems]


@pytest.mark.parametrize(("make", "refused"), [(csv_log, 2), (jsonl_log, 2), (parquet_log, 1)])
def test_analyze_refuses_the_ids_an_import_refuses(
    make: object, refused: int, tmp_path: Path
) -> None:
    assert callable(make)
    path = make(tmp_path)
    with use_settings(SHORT):
        analyzed = problems_of(lambda: discover_log(path, **COLUMNS))
        imported = problems_of(lambda: list(read_events(path, ColumnMapping(**COLUMNS))))
    assert analyzed == imported
    assert len(analyzed) == refused
    messages = " / ".join(m for m, _, _ in analyzed)
    assert "has no journey id" not in messages and "has no activity" not in messages


def test_analyze_names_line_column_and_reason(tmp_path: Path) -> None:
    with use_settings(SHORT):
        problems = problems_of(lambda: discover_log(csv_log(tmp_path), **COLUMNS))
    assert problems == [
        ("event 2: the journey id is 17 characters long", 3, J),
        ("event 3: the activity contains a line break", 4, A),
    ]


def test_analyze_skips_refused_ids_under_skip(tmp_path: Path) -> None:
    with use_settings(SHORT):
        summary = discover_log(csv_log(tmp_path), on_error="skip", **COLUMNS)
    assert (summary.counts.journeys, summary.counts.events) == (2, 2)


def test_the_cli_says_it_at_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl_log(tmp_path)
    with use_settings(SHORT):
        code = cli_main.main(["analyze", str(path), "--case", J, "--activity", A, "--timestamp", T])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert f"{path}:2" in err and "contains a NUL character" in err
    assert f"{path}:3" in err and "11 characters long" in err
