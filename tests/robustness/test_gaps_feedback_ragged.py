"""A survey export with ragged lines (more or fewer fields than the header): refused at
those lines, or under ``on_error="skip"`` quarantined with their line numbers while the
other rows (their lines counted past the ragged ones) are imported."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cojourney.errors import ImportRejected
from cojourney.events.mappings import MappingFlags
from cojourney.services.imports import import_feedback, list_imports
from cojourney.services.workspaces import init_workspace

FLAGS = MappingFlags(journey_id="member", timestamp="at", question="q", score="s")
TEXT = (
    "member,at,q,s\n"
    "M1,2024-03-01 10:00:00,csat,4\n"  # line 2
    "M2,2024-03-02 09:00:00,nps,9,extra\n"  # line 3: 5 fields
    "M3\n"  # line 4: 1 field
    "M4,2024-03-04 09:00:00,csat,nine\n"  # line 5: not a number
    "M5,2024-03-05 09:00:00,nps,7\n"  # line 6
)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


def test_ragged_answer_lines_are_all_listed_at_their_lines(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(TEXT)
    with pytest.raises(ImportRejected) as caught:
        import_feedback(ws, path, flags=FLAGS)
    lines = {p.location.line: p.message for p in caught.value.problems}
    assert lines[3] == "line 3 has 5 fields where the header has 4"
    assert lines[4] == "line 4 has 1 field where the header has 4"
    # the bad score is located on its own line, past the two ragged ones
    assert "not a number" in lines[5]
    assert set(lines) == {3, 4, 5}
    assert "(3 of 5 rows)" in str(caught.value)
    assert list_imports(ws) == []


def test_ragged_answer_lines_are_quarantined_under_skip(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(TEXT)
    result = import_feedback(ws, path, flags=FLAGS, on_error="skip")
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (5, 2, 3)
    assert result.quarantine_path is not None
    with result.quarantine_path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    reasons = [r["reason"] for r in rows]
    assert (
        reasons[0] == "line 3: 5 fields where the header has 4: M2,2024-03-02 09:00:00,nps,9,extra"
    )
    assert reasons[1] == "line 4: 1 field where the header has 4: M3"
    assert reasons[2].startswith("line 5: score 'nine'")
    assert rows[2]["member"] == "M4"  # the source columns of a row with a known shape
    assert len(rows) == 3  # nothing lost, nothing twice


def test_only_ragged_lines_is_not_a_file_without_rows(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("member,at,q,s\nM1,2024-03-01 10:00:00\n")
    with pytest.raises(ImportRejected) as caught:
        import_feedback(ws, path, flags=FLAGS)
    (problem,) = caught.value.problems
    assert problem.message == "line 2 has 2 fields where the header has 4"
    assert "1 line with a wrong number of fields (1 of 1 rows)" in str(caught.value)
    result = import_feedback(ws, path, flags=FLAGS, on_error="skip")
    assert (result.rows_imported, result.rows_rejected) == (0, 1)


def test_a_ragged_line_python_cannot_split_still_counts_its_fields() -> None:
    from cojourney.events.readers.tabular import _field_count

    assert _field_count("a,b\rc,d", (",", '"')) is None  # DuckDB's own count is used then
    assert _field_count("a,b,c", (",", '"')) == 3
