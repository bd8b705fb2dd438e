"""The preview of an upload: first rows of each tabular format and the suggested mapping."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cojourney.errors import ImportRejected
from cojourney.services.upload_preview import preview_upload
from cojourney.services.workspaces import init_workspace


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("preview") / "ws"
    init_workspace(ws, example="ecampus-car-share")
    return ws


def test_parquet_rows_and_guessed_columns(folder: Path, tmp_path: Path) -> None:
    file = tmp_path / "log.parquet"
    table = {"order_id": ["o1", "o2"], "step": ["book-car", "driving"], "ts": ["t1", "t2"]}
    pq.write_table(pa.table(table), file)
    preview = preview_upload(folder, file, rows=1)
    assert preview.columns == ("order_id", "step", "ts")
    assert preview.rows == (("o1", "book-car", "t1"),)
    assert preview.suggested["journey_id"] == "order_id"
    assert preview.suggested["activity"] == "step"
    assert preview.suggested["timestamp"] == "ts"
    assert preview.suggested["channel"] is None
    assert preview.origin == "default"


def test_json_lines_and_semicolon_csv(folder: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "log.jsonl"
    jsonl.write_text('{"case": "c1", "activity": "a", "time": "x"}\n{"case": "c2"}\n')
    preview = preview_upload(folder, jsonl)
    assert preview.rows == (("c1", "a", "x"), ("c2", "", ""))
    csv_file = tmp_path / "log.csv"
    csv_file.write_text("ticket;event;created_at;channel\nt1;open;2026-01-01;phone\n")
    preview = preview_upload(folder, csv_file)
    assert preview.rows == (("t1", "open", "2026-01-01", "phone"),)
    assert [preview.suggested[f] for f in ("journey_id", "activity", "timestamp", "channel")] == [
        "ticket",
        "event",
        "created_at",
        "channel",
    ]


def test_unknown_suffix_is_refused(folder: Path, tmp_path: Path) -> None:
    file = tmp_path / "log.docx"
    file.write_text("x")
    with pytest.raises(ImportRejected, match="unknown event-log format"):
        preview_upload(folder, file)
