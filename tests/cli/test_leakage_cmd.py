"""``cojourney leakage`` on the incident-resolution example with three hand-made incidents.

The incidents are those of ``test_agreements_cmd``: none is closed, so all three end
early: I1 and I3 at service-restored (step service-restored), I2 at
priority-and-eta-told (step contact-service-desk). All three had events in the last
hours of the data, well within the in-progress window (30 days by default): they are
in progress, not drop-offs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_agreements_cmd import incident_workspace

from cojourney.cli.leakage_cmd import leakage
from cojourney.errors import NotFound


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return incident_workspace(tmp_path_factory.mktemp("leakage") / "ws")


def test_ranked_leaks_as_json(workspace: Path, tmp_path: Path):
    out = tmp_path / "leaks.json"
    result = CliRunner().invoke(
        leakage, [str(workspace), "--json", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0 and "Wrote" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["journey_id"] == "resolve-incident" and data["journeys"] == 3
    leaks = {(k["kind"], k["where"]): k for k in data["leaks"]}
    assert not [k for k in leaks if k[0] == "drop_off"]
    # First response: I3 took 45 of 30 minutes; 1 of the 3 incidents timed, loss 15/30.
    first = leaks[("sla_breach", "incident-sla/first-response")]
    assert first["severity"] == pytest.approx(1 / 3 * 0.5) and first["hours_lost"] == 0.25
    # Resolution: I3 took 9 of 8 hours; loss 1/8.
    resolution = leaks[("sla_breach", "incident-sla/resolution")]
    assert resolution["severity"] == pytest.approx(1 / 3 / 8)
    assert resolution["evidence"] == "#sla-breaches-resolution"
    assert [k["rank"] for k in data["leaks"]] == list(range(1, len(data["leaks"]) + 1))
    assert data["notes"] == ["no feedback imported: experience leaks are not assessed"]


def test_table_and_bad_journey(workspace: Path):
    result = CliRunner().invoke(leakage, [str(workspace), "--top", "2"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "resolve-incident: 3 journeys" in result.output
    assert "more: use --top or --json" in result.output
    result = CliRunner().invoke(leakage, [str(workspace), "--journey", "nope"])
    assert isinstance(result.exception, NotFound) and "resolve-incident" in str(result.exception)
