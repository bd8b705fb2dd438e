"""The real-log tutorial (docs/real-log.md): the public Helpdesk log, imported into a copy
of the incident-resolution example with the hand-written mapping in docs/examples, then
analysed and reported. Counts are checked against PM4Py's reference results; the renames
merge no activities, so the variant count must stay the reference's too. The real-log
part needs the team's copy of the log (it skips without it); the tutorial's path on
simulated tickets runs always, command by command as the page writes it."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cojourney.cli.main import cli
from cojourney.services.analysis import analyze_workspace
from cojourney.services.imports import import_events
from cojourney.services.report import build_report
from cojourney.services.workspaces import init_workspace

DOCS = Path(__file__).resolve().parents[1] / "docs"
MAPPING = DOCS / "examples" / "helpdesk.mapping.yaml"
TUTORIAL = DOCS / "real-log.md"


def _shell_block(after_heading: str) -> list[str]:
    """The ``cojourney`` commands of the first ``sh`` block under a heading of the page."""
    text = TUTORIAL.read_text(encoding="utf-8")
    section = text.split(f"## {after_heading}\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("cojourney ")]


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


def test_the_tutorial_says_where_to_get_the_log_and_needs_no_team_folder() -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    assert "../shared" not in text  # users do not have the team's data folder
    assert re.search(r"https://github\.com/pm4py/pm4py-core/raw/[0-9a-f]{40}/", text)
    assert "cojourney import helpdesk helpdesk.xes.gz" in text  # the file just downloaded


def test_the_tutorial_checksum_is_the_shared_copy_of_the_log(shared_data: Path) -> None:
    log = shared_data / "logs" / "helpdesk.xes.gz"
    if not log.is_file():
        pytest.skip("helpdesk.xes.gz is absent from the shared data")
    text = TUTORIAL.read_text(encoding="utf-8")
    checksums = re.findall(r"\b[0-9a-f]{64}\b", text)
    assert checksums == [hashlib.sha256(log.read_bytes()).hexdigest()]
    assert f"{log.stat().st_size:,} bytes" in text


def test_the_simulated_path_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = _shell_block("Without the download")
    assert [c.split()[1] for c in commands] == [
        "init",
        "demo",
        "analyze",
        "agreements",
        "leakage",
        "report",
    ]
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    outputs = {}
    for command in commands:
        args = shlex.split(command)[1:]
        if "--journeys" in args:  # a smaller simulation keeps the test fast
            args[args.index("--journeys") + 1] = "300"
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, f"{command}\n{result.output}"
        outputs[args[0]] = result.output
    assert all(p in outputs["agreements"] for p in ("P1", "P2", "P3", "P4"))
    assert "resolve-incident: 300 journeys" in outputs["leakage"]
    report = (tmp_path / "helpdesk-sim-report.html").read_text(encoding="utf-8")
    assert 'id="experience"' in report and 'id="agreements"' in report
