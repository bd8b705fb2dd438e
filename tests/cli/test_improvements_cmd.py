"""``cojourney improvements`` through click's runner, on the eCampus example and a tiny log."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from test_value_cmd import car_share_workspace

from cojourney.cli.improvements_cmd import improvements
from cojourney.errors import NotFound


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return car_share_workspace(tmp_path_factory.mktemp("cli-imp") / "ecampus")


def test_json_of_the_late_return_alert(ws: Path):
    from scipy import stats

    result = CliRunner().invoke(
        improvements, [str(ws), "--improvement", "late-return-alert", "--json", "-"]
    )
    assert result.exit_code == 0, result.output
    [alert] = json.loads(result.output)["improvements"]
    assert alert["comparison"] == "before_after" and alert["change_date"] == "2025-09-01"
    effects = {e["indicator_id"]: e for e in alert["effects"]}
    late_car = effects["next-customer-experience"]
    # late-car answers: 2, 1, 2 in August; 4, 5, 4 in September (Welch, by hand).
    before, after = [2, 1, 2], [4, 5, 4]
    se = math.sqrt(statistics.variance(before) / 3 + statistics.variance(after) / 3)
    diff = statistics.mean(after) - statistics.mean(before)
    assert late_car["difference"] == pytest.approx(8 / 3)
    assert late_car["p_value"] == pytest.approx(2 * stats.t.sf(diff / se, 4.0))
    assert late_car["significant"] is True and late_car["improved"] is True
    assert late_car["progress"] == pytest.approx(100 * (13 / 3 - 2.1) / (4 - 2.1))
    # The tiny log has no affected bookings (no alert, no reassigned car): nothing to test.
    alert_rate = effects["next-customer-alert-rate"]
    assert alert_rate["significant"] is None and "too few units" in alert_rate["note"]


def test_tables(ws: Path):
    result = CliRunner(env={"COLUMNS": "250"}).invoke(improvements, [str(ws)])
    assert result.exit_code == 0, result.output
    assert "Late-return alert to the next member" in result.output
    assert "before/after 2025-09-01" in result.output and "significant, better" in result.output
    assert "status rejected: not evaluated" in result.output  # late-return-fines


def test_unknown_improvement(ws: Path):
    result = CliRunner().invoke(improvements, [str(ws), "--improvement", "nope"])
    assert isinstance(result.exception, NotFound) and "late-return-alert" in str(result.exception)


def test_every_option_has_help():
    assert improvements.help and len(improvements.help) > 20
    for param in improvements.params:
        if isinstance(param, click.Option):
            assert param.help, param.name


def test_journey_keeps_the_improvements_of_that_journey(ws: Path):
    def ids(*args: str) -> list[str]:
        result = CliRunner().invoke(improvements, [str(ws), "--json", "-", *args])
        assert result.exit_code == 0, result.output
        return [i["improvement"] for i in json.loads(result.output)["improvements"]]

    assert ids("--journey", "ecampus-member-journey") == ids()  # all of the example's
    result = CliRunner().invoke(improvements, [str(ws), "--journey", "nope"])
    assert isinstance(result.exception, NotFound) and "ecampus-member-journey" in str(
        result.exception
    )
