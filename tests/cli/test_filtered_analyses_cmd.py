"""``--segment``, ``--where`` and ``--by`` on agreements, value, leakage and improvements.

The incident workspace of ``test_agreements_cmd`` (three incidents, by hand there):

    I1  P1  first response 10 min: met;  resolution 3 h: met
    I2  P3  first response 2.5 support hours: met;  resolution: running at the data's end
    I3  P2  first response 45 min > 30: breached;  resolution 9 h > 8 h: breached

Each incident here also gets a ``channel``: I1 by phone, I2 and I3 in the app; and I1
is Pieter's (segment ``pieter``, the persona of that id), I2 and I3 Anna's.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from test_agreements_cmd import incident_events
from test_value_cmd import car_share_workspace

from cojourney.cli.agreements_cmd import agreements
from cojourney.cli.improvements_cmd import improvements
from cojourney.cli.leakage_cmd import leakage
from cojourney.cli.value_cmd import value
from cojourney.events.store import EventStore
from cojourney.services.workspaces import init_workspace

CHANNELS = {"I1": "phone", "I2": "app", "I3": "app"}


def channel_workspace(folder: Path) -> Path:
    """The incident example with the three incidents, their channels and segments."""
    init_workspace(folder, example="incident-resolution")
    events = incident_events()
    channels = pa.array([CHANNELS[j] for j in events.column("journey_id").to_pylist()])
    events = events.set_column(events.schema.get_field_index("channel"), "channel", channels)
    segments = pa.array(
        ["pieter" if j == "I1" else "anna" for j in events.column("journey_id").to_pylist()]
    )
    events = events.set_column(events.schema.get_field_index("segment"), "segment", segments)
    with EventStore.open(folder) as store:
        store.import_batches(events.to_batches(), source_name="incidents", source_sha256="c")
    return folder


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return channel_workspace(tmp_path_factory.mktemp("filtered") / "ws")


def run_json(command, *args: str) -> dict:
    result = CliRunner().invoke(command, [*args, "--json", "-"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def totals(data: dict) -> dict[str, tuple[int, int, int]]:
    return {
        c["clock_id"]: (c["total"]["met"], c["total"]["breached"], c["total"]["running"])
        for c in data["clocks"]
    }


def test_agreements_where_keeps_whole_journeys(ws: Path):
    app = run_json(agreements, str(ws), "--where", "channel=app")
    # I2 and I3 only: first response 1 met, 1 breached; resolution 1 breached, 1 running.
    assert totals(app) == {"first-response": (1, 1, 0), "resolution": (0, 1, 1)}
    assert app["filters"] == {"attributes": {"channel": "app"}}
    assert app["clocks"][0]["total"]["share_met"] == pytest.approx(50.0)
    phone = run_json(agreements, str(ws), "--where", "channel=phone")
    assert totals(phone) == {"first-response": (1, 0, 0), "resolution": (1, 0, 0)}
    # Running clocks are read at the whole log's end, not at I1's last event.
    assert phone["as_of"] == "2025-03-10T07:30:00+00:00"
    anna = run_json(agreements, str(ws), "--segment", "anna")
    assert totals(anna) == totals(app)
    both = run_json(agreements, str(ws), "--segment", "anna", "--segment", "pieter")
    assert totals(both) == {"first-response": (2, 1, 0), "resolution": (1, 1, 1)}
    nobody = run_json(agreements, str(ws), "--segment", "bob")
    assert totals(nobody) == {"first-response": (0, 0, 0), "resolution": (0, 0, 0)}


def test_agreements_by_persona_and_cohort(ws: Path):
    pieter = run_json(agreements, str(ws), "--persona", "pieter")
    assert totals(pieter) == {"first-response": (1, 0, 0), "resolution": (1, 0, 0)}
    assert totals(run_json(agreements, str(ws), "--where", "persona=anna")) == {
        "first-response": (1, 1, 0),
        "resolution": (0, 1, 1),
    }
    assert totals(run_json(agreements, str(ws), "--where", "cohort=2025-02")) == {
        "first-response": (0, 0, 0),
        "resolution": (0, 0, 0),
    }
    data = run_json(agreements, str(ws), "--by", "persona")
    rows = {(g["clock_id"], g["group"]): (g["met"], g["breached"]) for g in data["groups"]}
    assert rows == {
        ("first-response", "anna"): (1, 1),
        ("resolution", "anna"): (0, 1),
        ("first-response", "pieter"): (1, 0),
        ("resolution", "pieter"): (1, 0),
    }
    cohorts = run_json(agreements, str(ws), "--by", "cohort")
    assert {(g["group"], g["journeys"]) for g in cohorts["groups"]} == {("2025-03", 3)}


def test_unknown_persona_is_named(ws: Path):
    result = CliRunner().invoke(agreements, [str(ws), "--persona", "zoe"])
    assert result.exit_code != 0
    assert "unknown persona" in str(result.exception or result.output)
    assert "pieter" in str(result.exception or result.output)


def test_agreements_by_channel_with_n_and_interval(ws: Path):
    data = run_json(agreements, str(ws), "--by", "channel")
    assert data["by"] == "channel"
    rows = {(g["clock_id"], g["group"]): g for g in data["groups"]}
    assert sorted(rows) == [
        ("first-response", "app"),
        ("first-response", "phone"),
        ("resolution", "app"),
        ("resolution", "phone"),
    ]
    app = rows[("first-response", "app")]
    assert (app["journeys"], app["met"], app["breached"], app["decided"]) == (2, 1, 1, 2)
    assert app["share_met"] == pytest.approx(50.0)
    low, high = wilson(1, 2)
    assert (app["share_met_low"], app["share_met_high"]) == (
        pytest.approx(low),
        pytest.approx(high),
    )
    phone = rows[("resolution", "phone")]
    assert (phone["decided"], phone["share_met"], phone["meets"]) == (1, 100.0, True)
    assert phone["share_met_low"] == pytest.approx(wilson(1, 1)[0])
    running = rows[("resolution", "app")]  # I2 running, I3 breached
    assert (running["decided"], running["running"], running["share_met"]) == (1, 1, 0.0)
    # The groups add up to the whole.
    assert sum(g["journeys"] for g in data["groups"] if g["clock_id"] == "first-response") == 3


def test_agreements_by_in_the_terminal_and_csv(ws: Path):
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        agreements, [str(ws), "--where", "channel=app", "--by", "priority"]
    )
    assert result.exit_code == 0, result.output
    assert "Only the journeys kept by: channel = app" in result.output
    assert "Compliance by priority" in result.output
    csv = CliRunner().invoke(agreements, [str(ws), "--by", "priority", "--csv", "-"])
    lines = csv.stdout.splitlines()
    assert lines[0].startswith("agreement_id,clock,dimension,group,journeys")
    assert "incident-sla,First response,priority,P2,1,0,1,0,0,0,1,0.0," in csv.stdout


def test_where_must_be_key_equals_value(ws: Path):
    result = CliRunner().invoke(agreements, [str(ws), "--where", "channel"])
    assert result.exit_code != 0
    assert "KEY=VALUE" in str(result.exception)


def test_value_where_and_by(ws: Path):
    def current(data: dict, indicator: str) -> dict | None:
        for stakeholder in data["stakeholders"]:
            for item in stakeholder["indicators"]:
                if item["indicator"] == indicator:
                    return item["current"]
        raise AssertionError(indicator)

    app = run_json(value, str(ws), "--where", "priority=P2")
    # I3 alone: first response 45 min, resolution 9 h.
    assert current(app, "first-response-time") == {
        "period_start": "2025-03-01",
        "value": 45.0,
        "n": 1,
    }
    assert current(app, "resolution-time")["value"] == pytest.approx(9.0)
    data = run_json(value, str(ws), "--by", "priority")
    rows = {(r["indicator_id"], r["group"]): r for r in data["groups"]}
    assert {g: rows[("first-response-time", g)]["current"] for g in ("P1", "P2", "P3")} == {
        "P1": 10.0,
        "P2": 45.0,
        "P3": 150.0,  # 2.5 support hours
    }
    assert rows[("resolution-time", "P3")]["n"] == 0  # still running
    assert rows[("resolution-time", "P1")]["overall"] == pytest.approx(3.0)
    # Indicators fed by measurements (none here) or with no measure have no group value.
    assert all(r["source"] in ("events", "survey answers", "SLA clock") for r in data["groups"])


def test_leakage_where_and_by(ws: Path):
    whole = run_json(leakage, str(ws))
    assert whole["journeys"] == 3
    p2 = run_json(leakage, str(ws), "--where", "priority=P2")
    assert p2["journeys"] == 1
    top = p2["leaks"][0]
    # I3 waited 7 h from the confirmation to the restore (5 min designed).
    assert top["kind"] == "waiting" and top["hours_lost"] == pytest.approx(7 - 5 / 60)
    late = run_json(leakage, str(ws), "--from", "2025-03-05")
    assert late["journeys"] == 1  # I2 only started after 5 March
    data = run_json(leakage, str(ws), "--by", "channel")
    assert [(g["group"], g["journeys"]) for g in data["groups"]] == [("app", 2), ("phone", 1)]


def test_improvements_where(tmp_path: Path):
    ws = car_share_workspace(tmp_path / "ecampus")
    data = run_json(improvements, str(ws), "--improvement", "late-return-alert")
    [whole] = [
        e
        for e in data["improvements"][0]["effects"]
        if e["indicator_id"] == "next-customer-experience"
    ]
    assert whole["control"]["n"] == 3
    # soc_pct=90 is m1's: late-car answers 2, 2 in August and 4, 4 in September.
    data = run_json(
        improvements, str(ws), "--improvement", "late-return-alert", "--where", "soc_pct=90"
    )
    [m1] = [
        e
        for e in data["improvements"][0]["effects"]
        if e["indicator_id"] == "next-customer-experience"
    ]
    assert (m1["control"]["value"], m1["control"]["n"]) == (2.0, 2)
    assert (m1["treatment"]["value"], m1["treatment"]["n"]) == (4.0, 2)
    assert m1["difference"] == pytest.approx(2.0)


def test_report_on_the_kept_journeys(ws: Path, tmp_path: Path):
    from cojourney.cli.report_cmd import report

    out = tmp_path / "phone.html"
    result = CliRunner().invoke(report, [str(ws), "-o", str(out), "--where", "channel=phone"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Only the journeys kept by: channel = phone." in html
    assert "<li><b>1</b>journeys</li>" in html  # I1 alone
    consumer = CliRunner().invoke(
        report,
        [str(ws), "-o", str(tmp_path / "c.html"), "--persona", "anna", "--audience", "consumer"],
    )
    assert consumer.exit_code != 0
    assert "consumer report shows every journey" in str(consumer.exception or consumer.output)
