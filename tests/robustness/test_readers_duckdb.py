"""DuckDB's memory limit and threads come from the settings on every connection that reads
files and on the engine's; running out of memory is a message that says what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from cojourney.analytics.engines.duckdb import DuckDBEngine
from cojourney.cli import main as cli_main
from cojourney.errors import CojourneyError, InputError
from cojourney.events.readers.base import connect_for
from cojourney.events.readers.tabular import prepared_read
from cojourney.events.schema import ColumnMapping
from cojourney.settings import Settings, use_settings

LIMITED = Settings(duckdb_memory_limit="40MB", duckdb_threads=1)
#: Needs far more than 40 MB and cannot spill to disk: DuckDB runs out of memory at once.
HUNGRY = "SELECT list(range) FROM range(20000000)"


def limits(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    row = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('threads')"
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_connections_take_the_memory_limit_and_threads_from_settings() -> None:
    with use_settings(LIMITED):
        reader = connect_for(ColumnMapping(), "log.csv")
        owned = DuckDBEngine()
        borrowed = DuckDBEngine(connection=duckdb.connect())
        for con in (reader, owned.connection, borrowed.connection):
            memory, threads = limits(con)
            assert memory.endswith("MiB") and float(memory.split()[0]) < 40
            assert int(threads) == 1


def test_a_memory_limit_duckdb_refuses_names_the_setting() -> None:
    with use_settings(Settings(duckdb_memory_limit="lots")), pytest.raises(InputError) as caught:
        DuckDBEngine()
    assert "duckdb_memory_limit" in str(caught.value)


def test_out_of_memory_while_reading_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("case:concept:name,concept:name,time:timestamp\nc1,a,2024-01-01\n")
    with use_settings(LIMITED):
        con = connect_for(ColumnMapping(), path)
        with pytest.raises(CojourneyError) as caught, prepared_read(con, path):
            con.execute(HUNGRY).fetchall()
    message = str(caught.value)
    assert "ran out of memory" in message and "40MB" in message
    for advice in ("narrower time window", "spark engine", "duckdb_memory_limit"):
        assert advice in message


def test_out_of_memory_anywhere_reaches_the_user_as_a_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def hungry_command(*args: Any, **kwargs: Any) -> None:
        duckdb.connect(config={"memory_limit": "40MB", "threads": 1}).execute(HUNGRY).fetchall()

    monkeypatch.setattr(cli_main.cli, "main", hungry_command)
    assert cli_main.main(["analyze", "ws"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: DuckDB ran out of memory")
    assert "Traceback" not in err and "spark engine" in err


def test_imports_read_files_under_the_memory_limit(tmp_path: Path) -> None:
    from cojourney.events.store import EventStore
    from cojourney.events.store_ingest import FileImport

    path = tmp_path / "log.csv"
    path.write_text("case:concept:name,concept:name,time:timestamp\nc1,a,2024-01-01\n")
    with use_settings(LIMITED), EventStore(tmp_path / "store.duckdb") as store:
        store.import_file(FileImport(path, ColumnMapping()))
        memory, threads = limits(store.connection)
    assert float(memory.split()[0]) < 40 and int(threads) == 1
