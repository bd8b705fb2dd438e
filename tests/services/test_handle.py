"""The workspace handle: the model is loaded once while unchanged, and re-read after an edit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cojourney.errors import ValidationError
from cojourney.events.mappings import MappingFlags
from cojourney.services.handle import WorkspaceHandle, as_handle
from cojourney.services.workspaces import init_workspace
from cojourney.settings import Settings


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws", example="ecampus-car-share")
    return tmp_path / "ws"


def test_model_is_cached_until_a_file_changes(ws: Path) -> None:
    handle = as_handle(ws)
    first = handle.model()
    assert handle.model() is first
    journey_file = next((ws / "journeys").glob("*.yaml"))
    text = journey_file.read_text(encoding="utf-8")
    journey_file.write_text(text + "\n# an edit made outside\n", encoding="utf-8")
    os.utime(journey_file, ns=(1, 1))  # a different stamp even on coarse clocks
    second = handle.model()
    assert second is not first and second.journeys[0].id == first.journeys[0].id


def test_a_broken_edit_raises_located_problems(ws: Path) -> None:
    handle = as_handle(ws)
    handle.model()
    journey_file = next((ws / "journeys").glob("*.yaml"))
    journey_file.write_text("journeys: [\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        handle.model()
    assert journey_file.name in str(caught.value)


def test_handle_keeps_its_settings_and_paths(ws: Path) -> None:
    settings = Settings(yaml_max_depth=40)
    handle = WorkspaceHandle(ws, settings)
    assert as_handle(handle) is handle and handle.settings.yaml_max_depth == 40
    assert handle.events_path.parent == ws / "data"
    assert handle.mappings_folder == ws / "data" / "mappings"
    assert not handle.has_events()


def test_served_at_only_while_the_server_lives(ws: Path) -> None:
    handle = as_handle(ws)
    assert handle.served_at() is None
    marker = handle.mark_served("http://127.0.0.1:8123")
    assert handle.served_at() == "http://127.0.0.1:8123"
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    marker.write_text(json.dumps({"pid": int(done.stdout), "url": "http://x"}))
    assert handle.served_at() is None  # that process has ended
    marker.write_text("not json")
    assert handle.served_at() is None


def test_an_import_while_a_server_holds_the_store_says_where_it_is_served(
    ws: Path, tmp_path: Path
) -> None:
    from cojourney.events.store import EventStore, StoreInUse
    from cojourney.services.imports import import_events

    EventStore.open(ws).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(60)",
            str(EventStore.path_for(ws)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        log = tmp_path / "log.csv"
        log.write_text("case,step,at\nc1,a,2024-01-01 10:00\n", encoding="utf-8")
        flags = MappingFlags(journey_id="case", activity="step", timestamp="at")
        with pytest.raises(StoreInUse) as plain:
            import_events(ws, log, flags=flags)
        assert "served at" not in str(plain.value)
        as_handle(ws).mark_served("http://127.0.0.1:8123/")
        with pytest.raises(StoreInUse) as served:
            import_events(ws, log, flags=flags)
        assert "served at http://127.0.0.1:8123/" in str(served.value)
    finally:
        holder.kill()
        holder.wait()
