"""Survey-answer imports read their file under the DuckDB settings (memory limit, threads,
spill folder), like event imports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from cojourney.errors import InputError
from cojourney.events.feedback_ingest import FeedbackImport, ingest_feedback
from cojourney.events.feedback_mapping import FeedbackColumns
from cojourney.events.readers.connections import configure
from cojourney.events.store import EventStore
from cojourney.settings import Settings, use_settings

COLUMNS = FeedbackColumns(journey_id="member", timestamp="at", question="q", score="s")


def settings_of(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    row = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('threads'), "
        "current_setting('temp_directory')"
    ).fetchone()
    assert row is not None
    return tuple(row)


def answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.csv"
    path.write_text("member,at,q,s\nM1,2024-03-01 10:00:00,csat,4\n")
    return path


def test_feedback_imports_read_under_the_duckdb_settings(tmp_path: Path) -> None:
    spill = tmp_path / "spill"
    limited = Settings(duckdb_memory_limit="40MB", duckdb_threads=1, temp_dir=spill)
    with EventStore(tmp_path / "store.duckdb") as store:
        before = settings_of(store.connection)
        assert before[2] != str(spill)  # the store opens with DuckDB's own folder
        with use_settings(limited):
            outcome = ingest_feedback(store, FeedbackImport(answers(tmp_path), COLUMNS))
        memory, threads, temp = settings_of(store.connection)
    assert outcome.record.rows_imported == 1
    assert memory.endswith("MiB") and float(memory.split()[0]) < 40
    assert int(threads) == 1
    assert Path(temp) == spill


def test_a_refused_duckdb_setting_refuses_the_feedback_import(tmp_path: Path) -> None:
    with EventStore(tmp_path / "store.duckdb") as store:
        with use_settings(Settings(duckdb_memory_limit="lots")), pytest.raises(InputError) as e:
            ingest_feedback(store, FeedbackImport(answers(tmp_path), COLUMNS))
        assert "duckdb_memory_limit" in str(e.value)
        assert store.imports() == []


def test_a_spill_folder_already_used_is_kept_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    con = duckdb.connect(str(tmp_path / "used.duckdb"))
    con.execute("SET memory_limit = '30MB'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("CREATE TABLE t AS SELECT range AS a, random() AS b FROM range(2000000)")
    con.execute("CREATE TEMP TABLE s AS SELECT a FROM t ORDER BY b")  # spills
    used = settings_of(con)[2]
    with use_settings(Settings(duckdb_threads=1, temp_dir=tmp_path / "elsewhere")):
        configure(con)
    assert settings_of(con)[2] == used
    assert int(settings_of(con)[1]) == 1  # the other settings still apply
    assert "temp_dir" in caplog.text and "keeps" in caplog.text
    con.close()
