"""The event store: its tables, all-or-nothing imports (a real SIGKILL), global event_seq,
read-only sources over the store or a Parquet dataset, and a second kind of log."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cojourney.errors import CojourneyError, ImportRejected, InputError, NotFound, Problem
from cojourney.events import store as store_module
from cojourney.events import store_schema
from cojourney.events.schema import ColumnMapping, canonical_arrow_schema
from cojourney.events.store import STORE_SCHEMA_VERSION, Column, EventSource, EventStore, LogKind
from cojourney.events.store_ingest import FileImport

DATA = Path(__file__).resolve().parents[1] / "data"


def events(journeys: list[str], start_seq: int = 0) -> pa.Table:
    """Canonical events, one per journey id given, a minute apart."""
    n = len(journeys)
    rows = {
        "journey_id": journeys,
        "activity": [f"a{i % 3}" for i in range(n)],
        "timestamp": [datetime(2024, 1, 1, 0, i, tzinfo=UTC) for i in range(n)],
        "event_seq": list(range(start_seq, start_seq + n)),
        "channel": ["web"] * n,
        "actor": [None] * n,
        "role": [None] * n,
        "segment": [None] * n,
        "lifecycle": [None] * n,
        "attributes": ['{"k":1}'] * n,
    }
    return pa.Table.from_pydict(rows, schema=canonical_arrow_schema())


def add(store: EventStore, table: pa.Table, name: str = "x.csv") -> store_module.ImportRecord:
    return store.import_batches(
        table.to_batches(max_chunksize=2),
        source_name=name,
        source_sha256=name,
        mapping_fingerprint="f",
    )


def test_a_new_store_has_the_documented_tables(tmp_path: Path) -> None:
    with EventStore.open(tmp_path) as store:
        assert store.path == tmp_path / "data" / "events.duckdb"
        con = store.connection
        cols = [r[0] for r in con.execute("DESCRIBE events").fetchall()]
        assert cols == [*canonical_arrow_schema().names, "import_id", "event_id"]
        imports = [r[0] for r in con.execute("DESCRIBE imports").fetchall()]
        assert imports == [
            "id",
            "kind",
            "source_name",
            "source_sha256",
            "mapping_name",
            "mapping_fingerprint",
            "rows_imported",
            "rows_rejected",
            "quarantine_path",
            "started_at",
            "finished_at",
            "seq_first",
            "seq_last",
            "rows_duplicate",
        ]
        assert store.count() == 0 and store.imports() == []
    with EventStore.open(tmp_path / "data" / "events.duckdb", read_only=True) as again:
        assert again.count() == 0


def test_event_seq_is_global_across_imports(tmp_path: Path) -> None:
    with EventStore.open(tmp_path) as store:
        first = add(store, events(["j1", "j1", "j2"]), "one.csv")
        second = add(store, events(["j3", "j1"]), "two.csv")
        assert (first.id, first.seq_first, first.seq_last, first.rows_imported) == (1, 0, 2, 3)
        assert (second.id, second.seq_first, second.seq_last) == (2, 3, 4)
        table = store.events_table(ordered=True)
        assert table.column("event_seq").to_pylist() == [0, 1, 2, 3, 4]
        assert table.column("import_id").to_pylist() == [1, 1, 1, 2, 2]
        assert table.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
        assert store.events_table(import_ids=False).schema == canonical_arrow_schema()
        assert [r.source_name for r in store.imports()] == ["one.csv", "two.csv"]
        assert store.find_import("two.csv", "f") == second
        assert store.find_import("two.csv", "other") is None
        assert store.relation().count("*").fetchone() == (5,)
        assert sum(b.num_rows for b in store.batches(batch_rows=2)) == 5


def test_a_reader_error_keeps_nothing(tmp_path: Path) -> None:
    def failing() -> Iterator[pa.RecordBatch]:
        yield from events(["j1", "j2"]).to_batches()
        raise ImportRejected(Problem("row 3 is bad"))

    with EventStore.open(tmp_path) as store:
        add(store, events(["j0"]))
        with pytest.raises(ImportRejected, match=r"row 3 is bad"):
            store.import_batches(
                failing(), source_name="bad.csv", source_sha256="b", mapping_fingerprint="f"
            )
        assert store.count() == 1 and len(store.imports()) == 1
        assert add(store, events(["j9"])).id == 2  # the store is still usable


def test_read_only_stores(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"no events imported yet"):
        EventStore.open(tmp_path, read_only=True)
    EventStore.open(tmp_path).close()
    with (
        EventStore.open(tmp_path, read_only=True) as store,
        pytest.raises(CojourneyError, match=r"read-only"),
    ):
        add(store, events(["j"]))


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    EventStore(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(CojourneyError, match=r"newer cojourney"):
        EventStore(path)


def test_a_store_in_use_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    EventStore(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('open', flush=True); time.sleep(30)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(CojourneyError, match=r"in use by another cojourney process"):
            EventStore(path)
    finally:
        holder.kill()
        holder.wait()


def test_parquet_dataset_as_a_read_only_source(tmp_path: Path) -> None:
    with EventStore.open(tmp_path) as store:
        add(store, events(["j1", "j2", "j1"]))
        expected = store.events_table(ordered=True, import_ids=False)
    folder = tmp_path / "dataset"
    folder.mkdir()
    pq.write_table(expected.slice(0, 2), folder / "part-0.parquet")
    pq.write_table(expected.slice(2), folder / "part-1.parquet")
    with EventSource.from_parquet(folder) as source:
        assert source.count() == 3 and source.imports() == []
        assert source.events_table(ordered=True).equals(expected)
    # A minimal file: required columns only, naive timestamps; event_seq is the row position.
    minimal = tmp_path / "min.parquet"
    pq.write_table(
        pa.table(
            {
                "journey_id": ["a", "b"],
                "activity": ["x", "y"],
                "timestamp": pa.array([datetime(2024, 1, 1), datetime(2024, 1, 2)]),
            }
        ),
        minimal,
    )
    with EventSource.from_parquet(minimal) as source:
        table = source.events_table()
        assert table.schema == canonical_arrow_schema()
        assert table.column("event_seq").to_pylist() == [0, 1]
        assert table.column("timestamp")[0].as_py() == datetime(2024, 1, 1, tzinfo=UTC)
    pq.write_table(pa.table({"case": ["a"]}), tmp_path / "other.parquet")
    with pytest.raises(InputError, match=r"not a canonical event log"):
        EventSource.from_parquet(tmp_path / "other.parquet")
    with pytest.raises(NotFound):
        EventSource.from_parquet(tmp_path / "nothing-here")


def test_a_second_kind_of_log_uses_the_same_machinery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feedback = LogKind(
        "feedback",
        "feedback",
        (
            Column("journey_id", "VARCHAR", False),
            Column("question", "VARCHAR", False),
            Column("score", "INTEGER"),
            Column("answer_seq", "BIGINT", False),
        ),
        "answer_seq",
    )
    monkeypatch.setitem(store_schema._KINDS, "feedback", feedback)
    answers = pa.table(
        {
            "journey_id": ["j1", "j2"],
            "question": ["nps", "nps"],
            "score": [9, 3],
            "answer_seq": [0, 1],
        }
    )
    with EventStore.open(tmp_path) as store:
        add(store, events(["j1"]))
        for name in ("survey-1.csv", "survey-2.csv"):
            store.import_batches(
                answers.to_batches(),
                source_name=name,
                source_sha256=name,
                mapping_fingerprint="f",
                kind="feedback",
            )
        assert store.count("feedback") == 4 and store.count() == 1
        assert store.events_table("feedback", ordered=True).column("answer_seq").to_pylist() == [
            0,
            1,
            2,
            3,
        ]
        assert [r.kind for r in store.imports()] == ["events", "feedback", "feedback"]
        assert len(store.imports("feedback")) == 2
    with pytest.raises(InputError, match=r"unknown kind of log"):
        store_module.log_kind("clicks")


def test_import_file_reads_xes_with_lines_in_messages(tmp_path: Path) -> None:
    with EventStore.open(tmp_path) as store:
        outcome = store.import_file(
            FileImport(
                DATA / "xes" / "tiny.xes", ColumnMapping(), known_activities=frozenset({"Call"})
            )
        )
        assert outcome.record.rows_imported == 4 and outcome.journeys == 2
        assert outcome.unknown_activities == (("Visit web", 2),)
        assert store.count() == 4
    bad = tmp_path / "bad.xes"
    bad.write_text(
        (DATA / "xes" / "tiny.xes")
        .read_text(encoding="utf-8")
        .replace('value="Visit web"', 'value=""', 1),
        encoding="utf-8",
    )
    with EventStore.open(tmp_path) as store:
        with pytest.raises(ImportRejected) as exc:
            store.import_file(FileImport(bad, ColumnMapping()))
        (problem,) = exc.value.problems
        assert (problem.location.line, problem.location.field) == (20, "concept:name")
        assert "has no activity" in problem.message
        with pytest.raises(ImportRejected, match=r"'org:nope' .for actor. is not in the file"):
            store.import_file(
                FileImport(DATA / "xes" / "tiny.xes", ColumnMapping(actor="org:nope"))
            )
        assert store.count() == 4


def test_a_failed_statement_rolls_back_and_resets_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cojourney.events import store_ingest

    def broken(con: duckdb.DuckDBPyConnection, known: object) -> object:
        con.execute("SELECT CAST('x' AS INTEGER)")  # aborts the transaction
        raise AssertionError("unreachable")

    tiny = FileImport(DATA / "xes" / "tiny.xes", ColumnMapping(timezone="Asia/Tokyo"))
    with EventStore.open(tmp_path) as store:
        add(store, events(["j0"]))
        monkeypatch.setattr(store_ingest, "_unknown_activities", broken)
        with pytest.raises(duckdb.ConversionException):  # the cause, not a clean-up error
            store.import_file(tiny)
        assert store.count() == 1 and len(store.imports()) == 1
        setting = store.connection.execute("SELECT current_setting('TimeZone')").fetchone()
        assert setting == ("UTC",)
        monkeypatch.undo()
        assert store.import_file(tiny).record.rows_imported == 4


# --------------------------------------------------------------------------- SIGKILL

_CHILD = textwrap.dedent("""
    import sys
    from cojourney.events.mappings import MappingFlags
    from cojourney.services.imports import import_events

    def progress(event):
        print(event.stage, event.fraction, flush=True)

    flags = MappingFlags(journey_id="case", activity="act", timestamp="ts")
    import_events(sys.argv[1], sys.argv[2], flags=flags, progress=progress)
    print("done", flush=True)
""")


def _big_csv(path: Path, rows: int) -> None:
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT 'J' || (i // 7) AS "case", 'step-' || (i % 11) AS act,
                     TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts, 'note ' || i AS note
                     FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def _snapshot(workspace: Path) -> tuple[object, ...]:
    with EventStore.open(workspace, read_only=True) as store:
        content = store.connection.execute(
            "SELECT count(*), sum(hash(journey_id, activity, timestamp, event_seq, attributes)) "
            "FROM events"
        ).fetchone()
        return content, tuple(store.imports())


def test_a_killed_import_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    from cojourney.events.mappings import MappingFlags
    from cojourney.services.imports import import_events
    from cojourney.services.workspaces import init_workspace

    workspace = tmp_path / "ws"
    init_workspace(workspace)
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    _big_csv(small, 50)
    _big_csv(big, 1_500_000)
    flags = MappingFlags(journey_id="case", activity="act", timestamp="ts")
    import_events(workspace, small, flags=flags)
    before = _snapshot(workspace)

    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(workspace), str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    seen = []
    for line in child.stdout:
        seen.append(line.strip())
        if line.startswith("inserting"):
            time.sleep(0.15)  # well inside the INSERT of 1.5M rows
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, (seen, child.stderr.read() if child.stderr else "")
    assert "done" not in seen

    assert _snapshot(workspace) == before
    result = import_events(workspace, big, flags=flags)
    # the small file was the big one's first 50 events: they are not stored twice
    assert (result.rows_imported, result.rows_duplicate) == (1_499_950, 50)
    assert result.import_id == 2
    content, imports = _snapshot(workspace)
    assert content[0] == 1_500_000 and len(imports) == 2
    assert imports[1].seq_first == 50 + 50  # offset 50, then the big file's row 50


# --------------------------------------------------------------------------- versions, undo


def test_a_version_1_store_is_upgraded_when_opened_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with EventStore(path) as store:
        add(store, events(["j0", "j1"]))
        con = store.connection
        con.execute("ALTER TABLE imports DROP COLUMN rows_duplicate")
        con.execute("UPDATE store_meta SET value = '1' WHERE key = 'schema_version'")
    with EventStore(path, read_only=True) as old:  # read as it is
        [record] = old.imports()
        assert record.rows_duplicate == 0 and old.count() == 2
    with EventStore(path) as store:
        version = store.connection.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone()
        assert version == (str(STORE_SCHEMA_VERSION),)
        assert [r.rows_duplicate for r in store.imports()] == [0]
        again = add(store, events(["j0", "j2"]))
        assert (again.rows_imported, again.id) == (2, 2)


def test_delete_import_is_one_transaction_and_ids_are_not_reused(tmp_path: Path) -> None:
    with EventStore.open(tmp_path) as store:
        add(store, events(["j0"]))
        second = add(store, events(["j1", "j2"]))
        record, rows = store.delete_import(second.id)
        assert (record, rows) == (second, 2)
        assert store.count() == 1 and [r.id for r in store.imports()] == [1]
        assert add(store, events(["j3"])).id == 3
        with pytest.raises(NotFound, match=r"no import #9; the imports are #1 \(.*\), #3"):
            store.delete_import(9)
        assert [r.id for r in store.imports()] == [1, 3]


def test_a_failed_delete_keeps_the_import_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Failing:
        """The store's connection, refusing to delete the ``imports`` row."""

        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self.con = con

        def execute(self, sql: str) -> duckdb.DuckDBPyConnection:
            if sql.startswith("DELETE FROM imports"):
                raise duckdb.IOException("disk gone")
            return self.con.execute(sql)

    with EventStore.open(tmp_path) as store:
        add(store, events(["j0", "j1"]))
        real = store.connection
        monkeypatch.setattr(EventStore, "connection", property(lambda self: Failing(real)))
        with pytest.raises(duckdb.IOException):
            store.delete_import(1)
        monkeypatch.undo()
        assert store.count() == 2 and [r.id for r in store.imports()] == [1]
