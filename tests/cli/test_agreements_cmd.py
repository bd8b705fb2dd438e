"""``cojourney agreements`` on the incident-resolution example with three hand-made incidents.

The workspace's time zone is Europe/Amsterdam (UTC+1 in early March 2025); P3 and P4
count support hours (07:00-19:00 local on working days), P1 and P2 every hour.

    I1  P1  registered Mon 3 Mar 08:00 UTC, told 08:10 (10 min <= 15: met),
            restored 11:00 (3 h <= 4 h: met)
    I2  P3  registered Fri 7 Mar 17:00 UTC (18:00 local), told Mon 10 Mar 07:30 UTC
            (08:30 local): 1 h + 1.5 h = 2.5 support hours <= 4 h: met; never restored:
            2.5 h of 24 h at the data's end (Mon 07:30 UTC): running
    I3  P2  registered Tue 4 Mar 10:00 UTC, told 10:45 (45 min > 30: 15 min over),
            solution proposed 12:00, confirmed 13:00 (1 h waiting for the user),
            restored 20:00: 10 h - 1 h = 9 h > 8 h: 1 h over
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

from cojourney.cli.agreements_cmd import agreements
from cojourney.errors import NotFound
from cojourney.events.schema import canonical_arrow_schema
from cojourney.events.store import EventStore
from cojourney.services.workspaces import init_workspace

INCIDENTS = [
    ("I1", "ticket-registered", "2025-03-03 08:00", "P1"),
    ("I1", "priority-and-eta-told", "2025-03-03 08:10", "P1"),
    ("I1", "service-restored", "2025-03-03 11:00", "P1"),
    ("I2", "ticket-registered", "2025-03-07 17:00", "P3"),
    ("I2", "priority-and-eta-told", "2025-03-10 07:30", "P3"),
    ("I3", "ticket-registered", "2025-03-04 10:00", "P2"),
    ("I3", "priority-and-eta-told", "2025-03-04 10:45", "P2"),
    ("I3", "solution-proposed", "2025-03-04 12:00", "P2"),
    ("I3", "solution-confirmed", "2025-03-04 13:00", "P2"),
    ("I3", "service-restored", "2025-03-04 20:00", "P2"),
]


def incident_events() -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "journey_id": j,
                "activity": a,
                "event_seq": i,
                "segment": "anna",
                "timestamp": datetime.fromisoformat(t).replace(tzinfo=UTC),
                "attributes": json.dumps({"priority": p}),
            }
            for i, (j, a, t, p) in enumerate(INCIDENTS)
        ],
        schema=canonical_arrow_schema(),
    )


def incident_workspace(folder: Path) -> Path:
    """The incident-resolution example with the three incidents imported."""
    init_workspace(folder, example="incident-resolution")
    with EventStore.open(folder) as store:
        store.import_batches(
            incident_events().to_batches(), source_name="incidents", source_sha256="i"
        )
    return folder


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return incident_workspace(tmp_path_factory.mktemp("agreements") / "ws")


def run_json(*args: str) -> dict:
    result = CliRunner().invoke(agreements, [*args, "--json", "-"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_clock_statuses_breaches_and_compliance(workspace: Path):
    data = run_json(str(workspace))
    clocks = {c["clock_id"]: c for c in data["clocks"]}
    assert sorted(clocks) == ["first-response", "resolution"]
    first, resolution = clocks["first-response"], clocks["resolution"]
    assert first["status_counts"] == {
        "met": 2,
        "breached": 1,
        "at_risk": 0,
        "running": 0,
        "abandoned": 0,
        "no_target": 0,
    }
    assert resolution["status_counts"] == {
        "met": 1,
        "breached": 1,
        "at_risk": 0,
        "running": 1,
        "abandoned": 0,
        "no_target": 0,
    }
    assert [(b["journey_id"], b["overrun_seconds"]) for b in first["breaches"]] == [("I3", 900.0)]
    assert [
        (b["journey_id"], b["elapsed_seconds"], b["overrun_seconds"])
        for b in resolution["breaches"]
    ] == [("I3", 9 * 3600.0, 3600.0)]
    assert data["as_of"] == "2025-03-10T07:30:00+00:00"
    cells = {
        (c["period"], c["priority"]): (c["met"], c["breached"], c["meets"]) for c in first["cells"]
    }
    assert cells == {
        ("2025-03-01", "P1"): (1, 0, True),
        ("2025-03-01", "P2"): (0, 1, False),
        ("2025-03-01", "P3"): (1, 0, True),
    }
    assert first["total"]["share_met"] == pytest.approx(200 / 3)
    assert first["total"]["meets"] is False
    assert data["watermelons"] == []  # no survey answers: the XLA is never red


def test_as_of_and_window(workspace: Path):
    # On Fri 7 Mar 20:00 UTC (21:00 local) I2 has run 1 support hour (18:00-19:00): running.
    data = run_json(
        str(workspace), "--as-of", "2025-03-07T21:00+01:00", "--agreement", "incident-sla"
    )
    resolution = next(c for c in data["clocks"] if c["clock_id"] == "resolution")
    assert resolution["status_counts"]["running"] == 1
    assert data["as_of"] == "2025-03-07T20:00:00+00:00" and data["agreement"] == "incident-sla"
    # --to includes its day: I1 and I3 started on 3 and 4 March.
    data = run_json(str(workspace), "--to", "2025-03-04")
    assert all(c["journey_count"] == 2 for c in data["clocks"])


def test_tables_in_the_terminal(workspace: Path):
    result = CliRunner().invoke(
        agreements, [str(workspace)], catch_exceptions=False, terminal_width=200
    )
    assert result.exit_code == 0
    out = result.output
    assert "incident-sla / First response" in out and "Breaches (1 of 1" in out
    assert "I3" in out and "Compliance per month and priority" in out
    assert "No watermelon warning" in out


def test_bad_input(workspace: Path):
    runner = CliRunner()
    result = runner.invoke(agreements, [str(workspace), "--agreement", "nope"])
    assert isinstance(result.exception, NotFound) and "incident-sla" in str(result.exception)
    result = runner.invoke(agreements, [str(workspace), "--from", "March"])
    assert result.exit_code == 2 and "is not a date" in result.output
    result = runner.invoke(
        agreements, [str(workspace), "--from", "2025-03-05", "--to", "2025-03-01"]
    )
    assert result.exit_code == 2 and "--to is before --from" in result.output


def test_parquet_events_instead_of_the_store(tmp_path: Path):
    import pyarrow.parquet as pq

    folder = tmp_path / "ws"
    init_workspace(folder, example="incident-resolution")
    pq.write_table(incident_events(), tmp_path / "incidents.parquet")
    data = run_json(str(folder), "--events", str(tmp_path / "incidents.parquet"))
    assert data["source"].endswith("incidents.parquet")
    assert [c["status_counts"]["breached"] for c in data["clocks"]] == [1, 1]


def test_every_option_has_help():
    import click

    for option in agreements.params:
        if isinstance(option, click.Option) and option.name != "help":
            assert option.help, option.name
