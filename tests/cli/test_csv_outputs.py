"""``--csv`` on the table commands: the main table as CSV, numbers raw (issue 11, 6)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cojourney.cli.main import main


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cojourney.services.simulation import simulate
    from cojourney.services.workspaces import init_workspace

    folder = tmp_path_factory.mktemp("csv") / "ws"
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 200, seed=1)
    return folder


def _out(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _csv(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_out(capsys, *args, "--csv", "-"))))


def test_value_csv_has_every_indicator_with_raw_numbers(capsys, simulated: Path):
    rows = _csv(capsys, "value", str(simulated))
    document = json.loads(_out(capsys, "value", str(simulated), "--json", "-"))
    indicators = [i for g in document["stakeholders"] for i in g["indicators"]]
    assert len(rows) == len(indicators) > 0
    measured = [r for r in rows if r["current"]]
    assert measured
    for row in measured:
        float(row["current"])  # raw: no thousands separator, no unit
        assert "," not in row["current"] and row["unit"] not in row["current"]
    assert {r["status"] for r in rows} <= {
        "on_track", "at_risk", "off_track", "no_data", "no_target", "not_measured"
    }  # fmt: skip


def test_leakage_csv_lists_every_leak_not_only_the_top(capsys, simulated: Path):
    rows = _csv(capsys, "leakage", str(simulated), "--top", "1")
    document = json.loads(_out(capsys, "leakage", str(simulated), "--json", "-"))
    assert len(rows) == len(document["leaks"]) > 1
    assert [int(r["rank"]) for r in rows] == sorted(int(r["rank"]) for r in rows)
    for row in rows:
        assert 0 <= float(row["share"]) <= 1  # a fraction, not "79.0%"


def test_improvements_csv_one_row_per_effect(capsys, simulated: Path):
    rows = _csv(capsys, "improvements", str(simulated))
    document = json.loads(_out(capsys, "improvements", str(simulated), "--json", "-"))
    effects = [e for r in document["improvements"] for e in r["effects"]]
    assert len(rows) == len(effects) > 0
    assert all(r["improvement_id"] for r in rows)


def test_agreements_csv_one_row_per_clock_and_period(capsys, simulated: Path):
    rows = _csv(capsys, "agreements", str(simulated))
    document = json.loads(_out(capsys, "agreements", str(simulated), "--json", "-"))
    clocks = document["clocks"]
    assert clocks and rows
    assert {(r["agreement_id"], r["clock"]) for r in rows} == {
        (c["agreement_id"], c["clock_name"]) for c in clocks
    }
    for row in rows:
        assert int(row["met"]) + int(row["breached"]) <= int(row["journeys"])
        if row["met_percent"]:
            assert 0 <= float(row["met_percent"]) <= 100


def test_experience_csv_every_score_raw(capsys, simulated: Path):
    rows = _csv(capsys, "experience", str(simulated))
    document = json.loads(_out(capsys, "experience", str(simulated), "--json", "-"))
    assert sum(r["dimension"] == "overall" for r in rows) == len(document["overall"]) > 0
    assert len({r["dimension"] for r in rows}) > 1
    for row in rows:
        if row["metric"] == "csat" and row["value"]:
            assert 0 <= float(row["value"]) <= 1  # a share, not "87.5%"


def test_analyze_csv_variants_of_a_workspace_and_of_a_file(capsys, simulated: Path, tmp_path):
    rows = _csv(capsys, "analyze", str(simulated), "--top", "3")
    assert 0 < len(rows) <= 3
    assert all(0 <= float(r["fitness"]) <= 1 for r in rows)
    log = tmp_path / "log.csv"
    log.write_text(
        "case:concept:name,concept:name,time:timestamp\n"
        "a,x,2025-01-01T10:00:00\na,y,2025-01-01T11:00:00\n"
        "b,x,2025-01-01T10:00:00\nb,y,2025-01-01T12:00:00\n"
        "c,x,2025-01-01T10:00:00\n",
        encoding="utf-8",
    )
    rows = _csv(capsys, "analyze", str(log))
    assert [(r["activities"], r["journeys"]) for r in rows] == [("x → y", "2"), ("x", "1")]
    assert float(rows[0]["mean_duration_seconds"]) == pytest.approx(5400)


def test_imports_list_csv_to_a_file(capsys, simulated: Path, tmp_path: Path):
    target = tmp_path / "imports.csv"
    _out(capsys, "imports", "list", str(simulated), "--csv", str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert rows and {r["kind"] for r in rows} >= {"events"}
    assert all(int(r["rows_imported"]) >= 0 for r in rows)


def test_json_and_csv_together_are_refused(capsys, simulated: Path):
    code = main(["value", str(simulated), "--json", "-", "--csv", "-"])
    assert code != 0
    assert "choose one" in capsys.readouterr().err


def test_web_lists_csv(capsys, monkeypatch, tmp_path: Path):
    folder = tmp_path / "web"
    folder.mkdir()
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    _out(capsys, "users", "add", str(folder), "ada@example.org", "--role", "owner",
         "--password-stdin")  # fmt: skip
    users = _csv(capsys, "users", "list", str(folder))
    assert [(u["email"], u["role"], u["disabled"]) for u in users] == [
        ("ada@example.org", "owner", "False")
    ]
    for command, first in (("tokens", "id,name,prefix"), ("share", "id,journey_id"),
                           ("survey", "id,touchpoint")):  # fmt: skip
        out = _out(capsys, command, "list", str(folder), "--csv", "-")
        assert out.splitlines() == [out.splitlines()[0]] and out.startswith(first)
