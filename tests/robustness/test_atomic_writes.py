"""Files we write (map, report, export, --json FILE) are written whole or not at all.

A full disk, a missing folder, a read-only location: one clear error naming the
path and the cause (exit code 4 on the command line), the previous file intact,
no truncated or temporary file left. The full and read-only disks are real: small
tmpfs mounts, skipped with a reason where mounting is not permitted.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cojourney.cli.main import main
from cojourney.events.mappings import MappingFlags
from cojourney.files import (
    OutputError,
    atomic_output,
    atomic_write_text,
    check_writable,
    output_error,
)
from cojourney.services.imports import export_events, import_events
from cojourney.services.maps import draw_map
from cojourney.services.workspaces import init_workspace

OLD = "the previous version\n"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(folder)
    return folder


@pytest.fixture
def ws_with_events(ws: Path, tmp_path: Path) -> Path:
    log = tmp_path / "log.csv"
    with log.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["order_id", "step", "at", "via"])
        for j in range(3):
            for k, step in enumerate(["search", "sign-up"]):
                writer.writerow([f"O{j}", step, f"2024-03-0{j + 1} 1{k}:00:00", "web"])
    flags = MappingFlags(journey_id="order_id", activity="step", timestamp="at", channel="via")
    import_events(ws, log, flags=flags)
    return ws


@contextlib.contextmanager
def small_disk(folder: Path, *, full: bool = False, read_only: bool = False) -> Iterator[Path]:
    """A 64 KiB tmpfs at ``folder`` holding ``old.txt`` (``OLD``), then filled or made read-only."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.strip()}")
    try:
        (folder / "old.txt").write_text(OLD, encoding="utf-8")
        if full:
            with contextlib.suppress(OSError), (folder / "filler").open("wb", buffering=0) as f:
                while True:
                    f.write(b"x" * 4096)
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def leftovers(folder: Path, *expected: str) -> set[str]:
    """Names in ``folder`` other than ``expected`` (temporary files would show here)."""
    return {p.name for p in folder.iterdir()} - {"old.txt", "filler", *expected}


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# --------------------------------------------------------------------------- cojourney.files


def test_a_write_replaces_the_file_whole_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text(OLD, encoding="utf-8")
    target.chmod(0o640)
    atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path, "out.txt") == set()


def test_a_new_file_gets_the_usual_permissions_not_the_temporary_files(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "new.html", "<p>")
    finally:
        os.umask(umask)
    assert (tmp_path / "new.html").stat().st_mode & 0o777 == 0o644  # mkstemp would give 0o600


def test_an_error_while_writing_keeps_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text(OLD, encoding="utf-8")
    with pytest.raises(KeyError), atomic_output(target) as temp:
        temp.write_text("half of it", encoding="utf-8")
        raise KeyError("the writer failed")
    assert target.read_text(encoding="utf-8") == OLD
    assert leftovers(tmp_path, "out.txt") == set()


def test_a_missing_folder_is_one_clear_error_unless_asked_to_create_it(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.txt"
    with pytest.raises(OutputError) as caught:
        atomic_write_text(target, "x")
    assert str(caught.value) == (
        f"cannot write {target}: the folder does not exist "
        "(create the folder first or choose an existing one)"
    )
    assert caught.value.exit_code == 4
    assert not (tmp_path / "no").exists()
    atomic_write_text(target, "x", create_folder=True)
    assert target.read_text(encoding="utf-8") == "x"


def test_a_file_in_the_way_of_the_folder_or_a_folder_in_place_of_the_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match="a part of the path is a file, not a folder"):
        atomic_write_text(tmp_path / "plain" / "out.txt", "x")
    with pytest.raises(OutputError, match="a folder of that name exists"):
        atomic_write_text(tmp_path, "x")


def test_a_library_error_that_hides_the_errno_in_its_text_is_understood(tmp_path: Path) -> None:
    # what pyarrow raises on a full disk: no errno attribute, the code inside the text
    exc = OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")
    assert exc.errno is None
    error = output_error(tmp_path / "x.parquet", exc)
    assert error.cause == "the disk is full"
    denied = output_error(tmp_path / "x", PermissionError(errno.EACCES, "Permission denied"))
    assert (denied.cause, denied.fix) == ("permission denied", "write to a folder you may write to")
    unknown = output_error(tmp_path / "x", OSError(errno.EIO, "Input/output error"))
    assert unknown.cause == "input/output error"


def test_check_writable_probes_without_leaving_anything(tmp_path: Path) -> None:
    check_writable(tmp_path / "out.txt")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError, match="the folder does not exist"):
        check_writable(tmp_path / "missing" / "out.txt")
    check_writable(tmp_path / "made" / "out.txt", create_folder=True)
    assert [p.name for p in tmp_path.iterdir()] == ["made"]
    assert list((tmp_path / "made").iterdir()) == []


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root writes into a chmod 555 folder anyway; the read-only mount tests cover refusal",
)
def test_an_unwritable_folder_is_one_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            atomic_write_text(locked / "out.txt", "x")
    finally:
        locked.chmod(0o755)


# --------------------------------------------------------------------------- a full disk


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_one(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", full=True) as disk:
        with pytest.raises(OutputError) as caught:
            atomic_write_text(disk / "old.txt", "a new version, longer than the old one\n" * 50)
        assert caught.value.cause == "the disk is full"
        assert caught.value.path == disk / "old.txt"
        assert (disk / "old.txt").read_text(encoding="utf-8") == OLD
        assert leftovers(disk) == set()


def test_map_on_a_full_disk_exits_4_naming_the_file_and_the_cause(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with small_disk(tmp_path / "disk", full=True) as disk:
        code, text = cli(["map", str(ws), "-o", str(disk / "old.txt"), "--format", "html"], capsys)
        assert code == 4
        assert f"cannot write {disk / 'old.txt'}: the disk is full" in text
        assert "--sep" not in text and "Traceback" not in text
        assert (disk / "old.txt").read_text(encoding="utf-8") == OLD
        assert leftovers(disk) == set()


def test_export_on_a_full_disk_is_one_clear_error(
    ws_with_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with small_disk(tmp_path / "disk", full=True) as disk:
        for name in ("events.parquet", "events.xes.gz"):
            with pytest.raises(OutputError) as caught:
                export_events(ws_with_events, disk / name)
            assert caught.value.cause == "the disk is full", name
            assert leftovers(disk) == set()
        code, text = cli(["export", str(ws_with_events), "-o", str(disk / "e.xes")], capsys)
        assert code == 4
        assert f"cannot write {disk / 'e.xes'}: the disk is full" in text
        assert "--sep" not in text
        assert leftovers(disk) == set()


def test_json_output_on_a_full_disk_exits_4(
    ws_with_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with small_disk(tmp_path / "disk", full=True) as disk:
        code, text = cli(
            ["agreements", str(ws_with_events), "--json", str(disk / "old.txt")], capsys
        )
        assert code == 4
        assert f"cannot write {disk / 'old.txt'}: the disk is full" in text
        assert (disk / "old.txt").read_text(encoding="utf-8") == OLD
        assert leftovers(disk) == set()


# --------------------------------------------------------------------------- read-only


def test_a_read_only_location_is_one_clear_error_for_every_writer(
    ws_with_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with small_disk(tmp_path / "disk", read_only=True) as disk:
        with pytest.raises(OutputError, match="the file system is read-only"):
            draw_map(ws_with_events, disk / "map.svg")
        with pytest.raises(OutputError, match="the file system is read-only"):
            export_events(ws_with_events, disk / "events.parquet")
        for argv in (
            ["map", str(ws_with_events), "-o", str(disk / "map.html")],
            ["export", str(ws_with_events), "-o", str(disk / "events.parquet")],
            ["agreements", str(ws_with_events), "--json", str(disk / "a.json")],
            # refused before the analyses, not after them
            ["report", str(ws_with_events), "-o", str(disk / "report.html")],
        ):
            code, text = cli(argv, capsys)
            assert code == 4, argv
            assert f"cannot write {disk}/" in text and "read-only" in text, argv
        assert leftovers(disk) == set()


def test_workspaces_written_to_a_read_only_or_full_disk_are_one_clear_error(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cojourney.spec import load_workspace, write_workspace

    workspace = load_workspace(ws)
    with small_disk(tmp_path / "ro", read_only=True) as disk:
        code, text = cli(["init", str(disk / "new")], capsys)
        assert code == 4
        assert f"cannot write {disk / 'new'}: the file system is read-only" in text
        with pytest.raises(OutputError, match="read-only"):
            write_workspace(workspace, disk / "again")
    with small_disk(tmp_path / "full", full=True) as disk:
        with pytest.raises(OutputError, match="the disk is full"):
            init_workspace(disk / "new")
        with pytest.raises(OutputError, match="the disk is full"):
            write_workspace(workspace, disk / "again")
        assert leftovers(disk, "new", "again") == set()
        for folder in ("new", "again"):
            assert not (disk / folder).exists() or not list((disk / folder).rglob("*.yaml"))


# --------------------------------------------------------------------------- missing folders


def test_export_and_json_refuse_a_missing_folder_map_creates_it(
    ws_with_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(OutputError, match="the folder does not exist"):
        export_events(ws_with_events, missing / "events.parquet")
    code, text = cli(["agreements", str(ws_with_events), "--json", str(missing / "a.json")], capsys)
    assert code == 4
    assert f"cannot write {missing / 'a.json'}: the folder does not exist" in text
    assert not missing.exists()
    # maps (and reports) create their folder, as documented
    out = draw_map(ws_with_events, missing / "maps" / "journey.svg")
    assert out.read_text(encoding="utf-8").lstrip().startswith("<svg")


def test_the_docstring_examples_run() -> None:
    import doctest

    import cojourney.files

    failures, tried = doctest.testmod(cojourney.files)
    assert tried > 0 and failures == 0
