"""``cojourney analyze WORKSPACE --by offering --by relationship``, in process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from offering_sample import sample_events, sample_workspace

from cojourney.cli.main import main


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The hand-made workspace of the analytics test (JSON is YAML), its events imported."""
    from cojourney.events.store import EventStore

    folder = tmp_path / "ws"
    folder.mkdir()
    model = sample_workspace(["p1", "p2"]).model_dump(
        mode="json", by_alias=True, exclude_defaults=True
    )
    (folder / "workspace.yaml").write_text(json.dumps(model), encoding="utf-8")
    with EventStore.open(folder) as store:
        store.import_batches(
            sample_events().to_batches(), source_name="t.parquet", source_sha256="0" * 64
        )
    return folder


def test_breakdowns_by_offering_and_relationship(capsys: Any, workspace: Path) -> None:
    code = main(
        ["analyze", str(workspace), "--by", "offering", "--by", "relationship", "--json", "-"]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    by = {
        b["dimension"]: {r["value"]: r["journeys"] for r in b["rows"]}
        for b in json.loads(out)["breakdowns"]
    }
    assert by["offering"]["Membership + Trailer"] == 1 and by["offering"]["Membership"] == 2
    assert by["relationship"] == {"basic": 2, "cooperative": 2, "(none)": 2}


def test_tables_name_the_dimensions(capsys: Any, workspace: Path) -> None:
    code = main(["analyze", str(workspace), "--by", "offering"])
    out, _ = capsys.readouterr()
    assert code == 0 and "By offering" in out and "Membership + Trailer" in out
