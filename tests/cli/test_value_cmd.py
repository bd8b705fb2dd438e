"""``cojourney value`` through click's runner, on the eCampus example and a tiny log."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import pyarrow as pa
import pytest
from click.testing import CliRunner

from cojourney.cli.value_cmd import value
from cojourney.errors import NotFound
from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.schema import canonical_arrow_schema
from cojourney.events.store import EventStore

UTC3 = dt.timezone(dt.timedelta(hours=-3))  # America/Sao_Paulo, the example's time zone


def _t(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=UTC3)


def car_share_workspace(folder: Path) -> Path:
    """The eCampus example with a tiny log: pickups in May (2 of 3 charged) and June
    (1 of 1), late returns, and late-car answers around the 1 September trial start."""
    from cojourney.services.workspaces import init_workspace

    init_workspace(folder, example="ecampus-car-share")
    events = [
        ("m1", "charge-level-at-pickup", "2025-05-02", {"soc_pct": 90}),
        ("m1", "charge-level-at-pickup", "2025-05-09", {"soc_pct": 50}),
        ("m2", "charge-level-at-pickup", "2025-05-10", {"soc_pct": 81}),
        ("m2", "charge-level-at-pickup", "2025-06-03", {"soc_pct": 99}),
    ]
    events += [
        (
            f"m{k % 2 + 1}",
            "plug-in-end-trip",
            f"2025-08-{k + 1:02d}",
            {"minutes_late": 30 * (k < 3)},
        )
        for k in range(6)
    ]
    events += [
        (f"m{k % 2 + 1}", "plug-in-end-trip", f"2025-09-{k + 1:02d}", {"minutes_late": 0})
        for k in range(6)
    ]
    rows = [
        {
            "journey_id": j,
            "activity": a,
            "timestamp": _t(d),
            "event_seq": i,
            "segment": "katrina",
            "attributes": json.dumps(attrs),
        }
        for i, (j, a, d, attrs) in enumerate(events)
    ]
    answers = [
        {
            "journey_id": f"m{k % 2 + 1}",
            "timestamp": _t(f"2025-{month}-{k + 1:02d}"),
            "answer_seq": n,
            "question": "late-car",
            "score": score,
            "touchpoint": "late-return-alert",
        }
        for n, (month, k, score) in enumerate(
            [("08", k, s) for k, s in enumerate((2, 1, 2))]
            + [("09", k, s) for k, s in enumerate((4, 5, 4))]
        )
    ]
    with EventStore.open(folder) as st:
        st.import_batches(
            pa.Table.from_pylist(rows, schema=canonical_arrow_schema()).to_batches(),
            source_name="events",
            source_sha256="e",
        )
        st.import_batches(
            pa.Table.from_pylist(answers, schema=feedback_arrow_schema()).to_batches(),
            source_name="feedback",
            source_sha256="f",
            kind="feedback",
        )
    return folder


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return car_share_workspace(tmp_path_factory.mktemp("cli") / "ecampus")


def test_tables_per_stakeholder(ws: Path):
    result = CliRunner(env={"COLUMNS": "220"}).invoke(value, [str(ws)])
    assert result.exit_code == 0, result.output
    assert "value realization" in result.output and "Students" in result.output
    assert "Car charged at pickup" in result.output and "not measured" in result.output
    assert "Billing system" in result.output  # the data source of a gap


def test_json_with_a_window(ws: Path, tmp_path: Path):
    out = tmp_path / "value.json"
    result = CliRunner().invoke(
        value, [str(ws), "--from", "2025-05-01", "--to", "2025-05-31", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["start"] == "2025-05-01" and data["end"] == "2025-05-31"
    pickup = next(
        i
        for s in data["stakeholders"]
        for i in s["indicators"]
        if i["indicator"] == "pickup-charge-level"
    )
    # May: 90, 50 and 81 -> 2 of 3 pickups at 80% or more; below the warning level of 92.
    assert pickup["current"]["n"] == 3 and pickup["current"]["value"] == pytest.approx(200 / 3)
    assert pickup["status"] == "off_track"


def test_bad_dates_are_usage_errors(ws: Path):
    result = CliRunner().invoke(value, [str(ws), "--from", "May 1st"])
    assert result.exit_code == 2 and "is not a date" in result.output
    result = CliRunner().invoke(value, [str(ws), "--from", "2025-06-01", "--to", "2025-05-01"])
    assert result.exit_code == 2 and "--to is before --from" in result.output


def test_a_workspace_without_events_says_what_to_do(tmp_path: Path, capsys):
    from cojourney.cli.main import main
    from cojourney.services.workspaces import init_workspace

    init_workspace(tmp_path / "empty", example="incident-resolution")
    result = CliRunner().invoke(value, [str(tmp_path / "empty")])
    assert isinstance(result.exception, NotFound) and "import.events" in str(result.exception)
    assert main(["value", str(tmp_path / "empty")]) == 3  # the CLI names its own command
    assert "`cojourney import WORKSPACE FILE`" in capsys.readouterr().err


def test_every_option_has_help():
    assert value.help and len(value.help) > 20
    for param in value.params:
        if isinstance(param, click.Option):
            assert param.help, param.name


def test_journey_keeps_the_indicators_of_that_journey(tmp_path: Path):
    ws = car_share_workspace(tmp_path / "ecampus")
    value_yaml = ws / "value.yaml"
    text = value_yaml.read_text(encoding="utf-8")
    head, tail = text.split("  - id: emissions-avoided\n", 1)
    tail = tail.replace("    journey: ecampus-member-journey\n", "", 1)  # a workspace-wide one
    value_yaml.write_text(head + "  - id: emissions-avoided\n" + tail, encoding="utf-8")

    def ids(*args: str) -> set[str]:
        result = CliRunner().invoke(value, [str(ws), "--json", "-", *args])
        assert result.exit_code == 0, result.output
        groups = json.loads(result.output)["stakeholders"]
        return {i["indicator"] for g in groups for i in g["indicators"]}

    from cojourney.services.workspaces import open_workspace

    tied = {i.id for i in open_workspace(ws).indicators if i.journey == "ecampus-member-journey"}
    every, of_journey = ids(), ids("--journey", "ecampus-member-journey")
    assert "emissions-avoided" in every and "emissions-avoided" not in tied
    assert of_journey == every & tied and of_journey < every
    result = CliRunner().invoke(value, [str(ws), "--journey", "nope"])
    assert isinstance(result.exception, NotFound) and "ecampus-member-journey" in str(
        result.exception
    )
