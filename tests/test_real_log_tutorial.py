"""The real-log tutorial (docs/real-log.md): the public Helpdesk log, imported into a copy
of the incident-resolution example with the hand-written mapping in docs/examples, then
analysed and reported. Counts are checked against PM4Py's reference results; the renames
merge no activities, so the variant count must stay the reference's too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cojourney.services.analysis import analyze_workspace
from cojourney.services.imports import import_events
from cojourney.services.report import build_report
from cojourney.services.workspaces import init_workspace

MAPPING = Path(__file__).resolve().parents[1] / "docs" / "examples" / "helpdesk.mapping.yaml"


@pytest.fixture(scope="module")
def helpdesk_workspace(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    log = shared_data / "logs" / "helpdesk.xes.gz"
    if not log.is_file():
        pytest.skip("helpdesk.xes.gz is absent from the shared data")
    ws = tmp_path_factory.mktemp("helpdesk") / "ws"
    init_workspace(ws, example="incident-resolution")
    (ws / "data" / "mappings").mkdir(parents=True)
    shutil.copy(MAPPING, ws / "data" / "mappings" / "helpdesk.yaml")
    import_events(ws, log, mapping="helpdesk")
    return ws


def test_the_mapping_renames_activities_onto_touchpoints(
    helpdesk_workspace: Path, shared_data: Path
) -> None:
    reference = json.loads((shared_data / "reference" / "helpdesk.json").read_text())
    analysis = analyze_workspace(helpdesk_workspace)
    assert analysis.counts.journeys == reference["cases"] == 4580
    assert analysis.counts.events == reference["events"]
    assert analysis.variants.count == reference["variant_count"]
    activities = {n.activity for n in analysis.graph.nodes}
    assert {"triage", "diagnosis", "service-restored", "ticket-closed"} <= activities
    assert "Take in charge ticket" not in activities and "Wait" in activities  # unmapped: kept
    unknown = {u.activity for u in analysis.conformance.unknown_activities}
    assert "Wait" in unknown and "diagnosis" not in unknown


def test_the_report_covers_the_real_log(helpdesk_workspace: Path, tmp_path: Path) -> None:
    result = build_report(helpdesk_workspace, tmp_path / "helpdesk.html")
    html = result.output.read_text(encoding="utf-8")
    assert result.sections["journey-graph"] == "ok" and result.sections["funnel"] == "ok"
    assert result.sections["leakage"] == "ok"
    assert result.sections["experience"] == "no-data"  # the log has no survey answers
    assert "4,580" in html
