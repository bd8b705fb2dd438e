"""Survey answers go through the same readers: compressed, UTF-16, header-only and ragged
files get the same answers and errors as event logs."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from cojourney.errors import ImportRejected
from cojourney.events.mappings import MappingFlags
from cojourney.services.imports import import_feedback, list_imports
from cojourney.services.workspaces import init_workspace

FLAGS = MappingFlags(journey_id="member", timestamp="at", question="q", score="s")
TEXT = "member,at,q,s\nM1,2024-03-01 10:00:00,csat,4\nM2,2024-03-02 09:00:00,nps,9\n"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


def test_compressed_and_utf16_answers_import_like_plain_ones(ws: Path, tmp_path: Path) -> None:
    packed = tmp_path / "answers.csv.gz"
    packed.write_bytes(gzip.compress(TEXT.encode()))
    result = import_feedback(ws, packed, flags=FLAGS)
    assert (result.rows_read, result.rows_imported) == (2, 2)
    utf16 = tmp_path / "answers16.csv"
    utf16.write_bytes(TEXT.replace("M1", "M3").replace("M2", "M4").encode("utf-16"))
    assert import_feedback(ws, utf16, flags=FLAGS).rows_imported == 2


def test_header_only_and_ragged_answer_files_are_refused(ws: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("member,at,q,s\n")
    with pytest.raises(ImportRejected, match="no answers to import"):
        import_feedback(ws, empty, flags=FLAGS)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(TEXT + "M5,2024-03-03 09:00:00,nps,9,extra\n")
    with pytest.raises(ImportRejected) as caught:
        import_feedback(ws, ragged, flags=FLAGS)
    (problem,) = caught.value.problems
    assert problem.message == "line 4 has 5 fields where the header has 4"
    assert list_imports(ws) == []  # nothing recorded
