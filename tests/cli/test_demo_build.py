"""`cojourney demo build`, the README's main job: workspace, maps, simulation, report."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cojourney.cli.main import cli
from cojourney.events.store import EventStore


def test_demo_build_writes_maps_simulates_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "build", str(out), "--journeys", "150", "--seed", "3"])
    assert result.exit_code == 0, result.output
    for name in (
        "journey-map.html",
        "stakeholder-map.html",
        "blueprint.html",
        "journey-report.html",
    ):
        page = (out / name).read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") or page.lower().startswith("<!doctype html>")
        assert "https://" not in page.split("<script", 1)[0]  # nothing fetched by the page head
    report = (out / "journey-report.html").read_text(encoding="utf-8")
    for section in (
        "summary",
        "journey-graph",
        "experience",
        "agreements",
        "value",
        "leakage",
        "improvements",
        "stakeholders",
    ):
        assert f'id="{section}"' in report
    assert f"Journey report:    {out / 'journey-report.html'}" in result.output
    with EventStore.open(out / "workspace", read_only=True) as store:
        events, answers = store.count(), store.count("feedback")
    assert events > 150 * 20 and answers > 0

    again = runner.invoke(cli, ["demo", "build", str(out), "--journeys", "150", "--seed", "3"])
    assert again.exit_code == 0, again.output
    with EventStore.open(out / "workspace", read_only=True) as store:
        assert (store.count(), store.count("feedback")) == (events, answers)  # nothing twice


def test_demo_build_without_journeys_draws_the_maps_only(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "build", str(tmp_path / "d"), "--journeys", "0"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "journey-map.html").is_file()
    assert not (tmp_path / "d" / "journey-report.html").exists()
    assert "Journey report" not in result.output
