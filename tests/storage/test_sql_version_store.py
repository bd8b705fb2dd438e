"""The model's versions in the web-state database (SQLite, and PostgreSQL when reachable)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cojourney.errors import NotFound
from cojourney.services.editing import apply_edits, current_version, diff_versions, restore
from cojourney.services.versions import Change, FileText, VersionRecord
from cojourney.services.workspaces import init_workspace, open_workspace
from cojourney.spec.yaml_edit import SetField, Target
from cojourney.storage import make_session_factory, upgrade
from cojourney.web.edit_store import SqlVersionStore


@pytest.fixture
def store(engine: Engine) -> SqlVersionStore:
    upgrade(engine)
    return SqlVersionStore(make_session_factory(engine))


def _record(author: str, item: str) -> VersionRecord:
    return VersionRecord(
        number=0,
        author=author,
        time=datetime(2026, 5, 1, 12, 30, tzinfo=UTC),
        message=f"about {item}",
        changes=(Change("personas", item, ("name",), "changed", "A", "B"),),
        diff=f"-name: A\n+name: B ({item})\n",
        files=(FileText("personas.yaml", "a\n", f"b {item}\n"),),
        base="b" * 64,
        version="v" * 64,
    )


def test_records_are_numbered_listed_filtered_and_read_back(store: SqlVersionStore) -> None:
    first = store.record(_record("ann@example.org", "p1"))
    second = store.record(_record("bob@example.org", "p2"))
    assert (first.number, second.number) == (1, 2)
    assert [r.number for r in store.list()] == [1, 2]
    assert [r.author for r in store.list("personas", "p2")] == ["bob@example.org"]
    assert store.list("journeys") == []
    again = store.get(2)
    assert again.files == second.files and again.changes == second.changes
    assert again.time == second.time and again.message == "about p2"
    with pytest.raises(NotFound):
        store.get(3)


def test_apply_edits_diff_and_restore_through_the_database(
    store: SqlVersionStore, tmp_path: Path
) -> None:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    persona = open_workspace(folder).personas[0]
    target = Target("personas", persona.id, ("occupation",))
    for value in ("Baker", "Pilot"):
        apply_edits(
            folder,
            [SetField(target, value)],
            base_version=current_version(folder),
            author="ann@example.org",
            versions=store,
        )
    diff = diff_versions(store, 1, 2)
    assert "+" in diff.diff and "Pilot" in diff.diff and "Baker" in diff.diff
    result = restore(folder, store, 1, "bob@example.org")
    assert result.record is not None and result.record.number == 3
    assert store.get(3).restores == 1 and store.get(3).author == "bob@example.org"
    assert open_workspace(folder).require("personas", persona.id).occupation == "Baker"
