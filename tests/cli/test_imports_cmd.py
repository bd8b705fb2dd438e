"""``cojourney imports list`` and ``cojourney imports delete``, and the import summary's
new / already-stored counts, through the CLI's own entry point."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from cojourney.cli.imports_cmd import delete, imports, list_
from cojourney.cli.main import main
from cojourney.events.store import EventStore
from cojourney.services.workspaces import init_workspace

HEADER = "order_id,step,at,note\n"
COLUMNS = ["--case", "order_id", "--activity", "step", "--timestamp", "at"]


def lines(first: int, last: int) -> str:
    """Events ``first``..``last`` (1-based) of an export: one per row, 3 per journey."""
    return "".join(
        f"O{i // 3:03d},step-{i % 3},2024-03-01 {i // 60:02d}:{i % 60:02d}:00,n{i}\n"
        for i in range(first, last + 1)
    )


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


def stored(ws: Path) -> int:
    with EventStore.open(ws, read_only=True) as store:
        return store.count()


@pytest.mark.parametrize("command", [imports, list_, delete])
def test_every_command_and_option_has_help(command: click.Command) -> None:
    assert command.help and len(command.help) > 30
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, param.name


def test_overlapping_exports_say_new_and_already_stored(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "rows-1-600.csv", tmp_path / "rows-401-1000.csv"
    first.write_text(HEADER + lines(1, 600), encoding="utf-8")
    second.write_text(HEADER + lines(401, 1000), encoding="utf-8")
    code, out, _ = run(capsys, "import", ws, first, *COLUMNS)
    assert code == 0 and "Imported 600 events" in out and "already stored" not in out
    code, out, _ = run(capsys, "import", ws, second)
    assert code == 0
    assert "Imported 400 events" in out and "400 new, 200 already stored" in out
    assert stored(ws) == 1000


def test_list_then_delete_one_import(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(HEADER + lines(1, 30), encoding="utf-8")
    b.write_text(HEADER + lines(21, 40), encoding="utf-8")
    run(capsys, "import", ws, a, *COLUMNS)
    run(capsys, "import", ws, b)
    code, out, _ = run(capsys, "imports", "list", ws)
    assert code == 0
    assert "#1" in out and "a.csv" in out and "#2" in out and "b.csv" in out
    code, out, _ = run(capsys, "imports", "list", ws, "--json", "-")
    listed = json.loads(out)
    assert [(r["id"], r["rows_imported"], r["rows_duplicate"]) for r in listed] == [
        (1, 30, 0),
        (2, 10, 10),
    ]
    code, out, _ = run(capsys, "imports", "delete", ws, "2")
    assert code == 0 and "Deleted import #2 (b.csv" in out and "10 events removed" in out
    assert stored(ws) == 30
    code, out, _ = run(capsys, "imports", "list", ws, "--json", "-")
    assert [r["id"] for r in json.loads(out)] == [1]


def test_deleting_an_unknown_import_lists_the_known_ones(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "imports", "delete", ws, "1")
    assert code == 3 and "nothing was imported yet" in err
    a = tmp_path / "a.csv"
    a.write_text(HEADER + lines(1, 6), encoding="utf-8")
    run(capsys, "import", ws, a, *COLUMNS)
    code, _, err = run(capsys, "imports", "delete", ws, "7")
    assert code == 3 and "no import #7" in err and "#1 (a.csv)" in err
    assert "Traceback" not in err and stored(ws) == 6


def test_same_content_with_another_mapping_says_to_delete_first(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = tmp_path / "a.csv"
    a.write_text(HEADER + lines(1, 6), encoding="utf-8")
    run(capsys, "import", ws, a, *COLUMNS)
    other = [*COLUMNS, "--rename", "step-0=search", "--mapping", "other"]
    code, _, err = run(capsys, "import", ws, a, *other)
    assert code == 2 and "delete import #1 first" in err and "Traceback" not in err
    code, _, _ = run(capsys, "imports", "delete", ws, "1")
    code, out, _ = run(capsys, "import", ws, a, *other)
    assert code == 0 and "Imported 6 events" in out and "as import #2" in out


def test_nothing_imported_yet(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "imports", "list", ws)
    assert code == 0 and "Nothing imported" in out
