"""``cojourney export --parquet-dataset``: the store as Parquet partitioned by import and
month, written incrementally, and read back by every analysis through ``--events``."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analytics"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))

from float_noise import rounded
from journey_logs import MAIN_LOG, journey_table
from workspaces import answers_table, import_logs, measured_template

from cojourney.cli.analyze_cmd import analyze
from cojourney.cli.import_cmd import export
from cojourney.events import schema as S
from cojourney.events.store import EventSource, EventStore
from cojourney.events.writers.dataset import MANIFEST
from cojourney.services.imports import delete_import, export_event_dataset


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = measured_template(tmp_path / "ws")
    import_logs(folder, journey_table(MAIN_LOG), answers_table(MAIN_LOG))
    return folder


def second_import(folder: Path) -> None:
    """Two events of a new journey in March 2024, as a second import."""
    start = datetime(2024, 3, 5, 9, tzinfo=UTC)
    table = pa.table(
        {
            S.JOURNEY_ID: ["Z", "Z"],
            S.ACTIVITY: ["sign-up", "first-use"],
            S.TIMESTAMP: [start, start + timedelta(hours=2)],
            S.EVENT_SEQ: [0, 1],
        }
    )
    with EventStore.open(folder) as store:
        store.import_batches(table.to_batches(), source_name="more.parquet", source_sha256="3" * 64)


def partitions(root: Path) -> dict[str, list[str]]:
    """``import_id=N`` -> its ``month=...`` folders."""
    return {
        d.name: sorted(m.name for m in d.iterdir())
        for d in sorted(root.iterdir())
        if d.name.startswith("import_id=")
    }


def store_rows(folder: Path) -> list[dict]:
    with EventStore.open(folder, read_only=True) as store:
        return store.events_table(ordered=True, import_ids=False).to_pylist()


def test_the_dataset_holds_the_store_partitioned_by_import_and_month(
    workspace: Path, tmp_path: Path
) -> None:
    root = tmp_path / "lake"
    result = export_event_dataset(workspace, root)
    months = {ts.strftime("month=%Y-%m") for ts in (r[S.TIMESTAMP] for r in store_rows(workspace))}
    assert partitions(root) == {"import_id=1": sorted(months)}
    assert result.written == {1: len(store_rows(workspace))} and result.kept == []
    assert json.loads((root / MANIFEST).read_text())["imports"] == {"1": result.rows}
    with EventSource.from_parquet(root) as source:  # hive partitions read back
        back = source.events_table(ordered=True)
    assert back.to_pylist() == store_rows(workspace)


def test_a_second_export_writes_only_new_imports_and_removes_deleted_ones(
    workspace: Path, tmp_path: Path
) -> None:
    root = tmp_path / "lake"
    export_event_dataset(workspace, root.as_uri())  # a file:// URL
    first = {p: p.stat().st_mtime_ns for p in root.rglob("*.parquet")}
    again = export_event_dataset(workspace, root)
    assert again.written == {} and again.kept == [1]
    second_import(workspace)
    more = export_event_dataset(workspace, root)
    assert more.written == {3: 2} and more.kept == [1]  # import 2 is the answers
    assert partitions(root)["import_id=3"] == ["month=2024-03"]
    assert {p: p.stat().st_mtime_ns for p in (root / "import_id=1").rglob("*.parquet")} == first
    delete_import(workspace, 1)
    gone = export_event_dataset(workspace, root)
    assert gone.removed == [1] and list(partitions(root)) == ["import_id=3"]
    with EventSource.from_parquet(root) as source:
        assert source.count() == 2


def test_a_half_written_import_is_written_again(workspace: Path, tmp_path: Path) -> None:
    root = tmp_path / "lake"
    export_event_dataset(workspace, root)
    (root / MANIFEST).unlink()  # as if the export stopped before its last step
    assert export_event_dataset(workspace, root).written == {1: len(store_rows(workspace))}


def test_cli_export_and_analyze_events_from_the_dataset(workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    root = tmp_path / "lake"
    done = runner.invoke(export, [str(workspace), "--parquet-dataset", str(root)])
    assert done.exit_code == 0, done.output
    assert f"Exported {len(store_rows(workspace)):,} events of 1 imports" in done.output
    again = runner.invoke(export, [str(workspace), "--parquet-dataset", root.as_uri()])
    assert (
        "Exported 0 events of 0 imports" in again.output and "1 imports were there" in again.output
    )

    def analysis(*flags: str) -> dict:
        out = runner.invoke(analyze, [str(workspace), "--json", "-", *flags])
        assert out.exit_code == 0, out.output
        document = json.loads(out.output)
        document.pop("source", None)
        return rounded(document)

    from_store = analysis()
    assert analysis("--events", str(root)) == from_store
    assert analysis("--events", root.as_uri()) == from_store
    assert from_store["counts"]["journeys"] > 0


def test_cli_export_usage_errors(workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    neither = runner.invoke(export, [str(workspace)])
    assert (
        neither.exit_code == 2 and "either --output FILE or --parquet-dataset URL" in neither.output
    )
    both = runner.invoke(
        export, [str(workspace), "-o", str(tmp_path / "e.parquet"), "--parquet-dataset", "x"]
    )
    assert both.exit_code == 2
    missing = runner.invoke(analyze, [str(workspace), "--events", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such file or folder" in missing.output


def test_an_unknown_url_scheme_is_a_clear_error(workspace: Path) -> None:
    from cojourney.errors import InputError

    with pytest.raises(InputError, match="no filesystem for this URL"):
        export_event_dataset(workspace, "nosuchscheme://bucket/events")
