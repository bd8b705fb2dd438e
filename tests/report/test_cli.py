"""``cojourney report`` through click's runner, on the command object itself."""

from __future__ import annotations

import re

import click
from click.testing import CliRunner

from cojourney.cli.report_cmd import report


def test_writes_the_report(measured, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(report, [str(measured), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote the journey report of main-journey to {out}" in result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_to_names_the_last_day(measured, tmp_path):
    out = tmp_path / "january-first.html"
    result = CliRunner().invoke(
        report, [str(measured), "-o", str(out), "--from", "2024-01-01", "--to", "2024-01-01"]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    # A, B, C, E, F, G and H start on 1 January (at most 60,000 s after midnight); D in February
    assert re.search(r"<b>7</b>journeys", html)
    assert "until 2024-01-02T00:00+00:00" in html


def test_usage_errors(measured, tmp_path):
    runner = CliRunner()
    bad = runner.invoke(report, [str(measured), "-o", str(tmp_path / "r.html"), "--from", "soon"])
    assert bad.exit_code == 2 and "'soon' is not a date" in bad.output
    spark = runner.invoke(
        report, [str(measured), "-o", str(tmp_path / "r.html"), "--spark-master", "spark://x:7077"]
    )
    assert spark.exit_code == 2 and "--spark-master needs --engine spark" in spark.output
    missing = runner.invoke(report, [str(tmp_path / "nowhere"), "-o", str(tmp_path / "r.html")])
    assert missing.exit_code == 2
    assert not (tmp_path / "r.html").exists()


def test_every_option_has_help():
    assert report.help and "offline" in report.help
    for param in report.params:
        if isinstance(param, click.Option):
            assert param.help, param.opts
