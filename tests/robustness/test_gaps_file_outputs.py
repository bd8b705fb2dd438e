"""Saved import mappings and ``cojourney schema --output`` are written whole or not at all: a
read-only or full disk is one clear error naming the path, the old file intact, no
temporary file left. The disks are real small tmpfs mounts (skipped where not permitted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_atomic_writes import OLD, cli, leftovers, small_disk

from cojourney.events.mappings import ImportMapping, MappingLibrary
from cojourney.events.schema import ColumnMapping
from cojourney.files import OutputError

MAPPING = ImportMapping(
    name="old", columns=ColumnMapping(journey_id="order", activity="step", timestamp="at")
)


def test_saving_a_mapping_on_a_read_only_disk_names_the_file(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", read_only=True) as disk:
        library = MappingLibrary(disk / "mappings")
        with pytest.raises(OutputError) as caught:
            library.save(MAPPING)
        assert caught.value.cause == "the file system is read-only"
        assert caught.value.path == disk / "mappings" / "old.yaml"
        assert str(caught.value).startswith(f"cannot write {disk / 'mappings' / 'old.yaml'}: ")


def test_saving_a_mapping_on_a_full_disk_keeps_the_old_one(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", full=True) as disk:
        library = MappingLibrary(disk)  # the mapping "old" is disk/old.yaml
        (disk / "old.yaml").unlink(missing_ok=True)
        (disk / "old.txt").rename(disk / "old.yaml")  # written before the disk filled up
        renames = {f"step {i}": f"touchpoint-{i}" for i in range(500)}  # some 15 KB of YAML
        bigger = ImportMapping(
            name="old",
            columns=ColumnMapping(
                journey_id="order", activity="step", timestamp="at", activity_renames=renames
            ),
        )
        with pytest.raises(OutputError, match="the disk is full"):
            library.save(bigger)
        assert (disk / "old.yaml").read_text(encoding="utf-8") == OLD
        assert leftovers(disk, "old.yaml") == set()


def test_a_mapping_is_saved_and_read_back(tmp_path: Path) -> None:
    library = MappingLibrary(tmp_path / "new" / "mappings")  # folders created
    path = library.save(MAPPING)
    assert library.load("old") == MAPPING
    assert [p.name for p in path.parent.iterdir()] == ["old.yaml"]


def test_schema_output_on_a_full_or_read_only_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with small_disk(tmp_path / "full", full=True) as disk:
        code, text = cli(["schema", "--output", str(disk / "old.txt")], capsys)
        assert code == 4
        assert f"cannot write {disk / 'old.txt'}: the disk is full" in text
        assert "Traceback" not in text
        assert (disk / "old.txt").read_text(encoding="utf-8") == OLD
        assert leftovers(disk) == set()
    with small_disk(tmp_path / "ro", read_only=True) as disk:
        code, text = cli(["schema", "--output", str(disk / "schema.json")], capsys)
        assert code == 4
        assert "read-only" in text and str(disk / "schema.json") in text


def test_schema_output_writes_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    target = tmp_path / "schema.json"
    code, text = cli(["schema", "--output", str(target)], capsys)
    assert code == 0 and "Wrote" in text
    assert "properties" in json.loads(target.read_text(encoding="utf-8"))
