"""``cojourney import`` and ``cojourney export`` through the CLI's own entry point."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from cojourney.cli.import_cmd import export, import_
from cojourney.cli.main import main
from cojourney.events.store import EventSource, EventStore
from cojourney.services.workspaces import init_workspace

CSV = (
    "order_id;step;at;via\n"
    "O1;search;01/03/2024 10:00;web\n"
    "O1;Visit web;01/03/2024 10:05;web\n"
    "O2;search;02/03/2024 09:00;app\n"
)
COLUMNS = [
    "--case",
    "order_id",
    "--activity",
    "step",
    "--timestamp",
    "at",
    "--timestamp-format",
    "%d/%m/%Y %H:%M",
    "--channel",
    "via",
    "--sep",
    "semicolon",
]


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [import_, export])
def test_every_option_has_help(command: click.Command) -> None:
    assert command.help and len(command.help) > 40
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help and len(param.help) > 10, param.opts


def test_import_prints_a_summary_then_reimport_adds_nothing(
    capsys: pytest.CaptureFixture[str], ws: Path, log: Path
) -> None:
    code, out, err = run(capsys, "import", ws, log, *COLUMNS, "--rename", "Visit web=first-use")
    assert code == 0, err
    assert "Imported 3 events of 2 journeys from orders.csv as import #1" in out
    assert "time range:  2024-03-01 10:00:00 .. 2024-03-02 09:00:00 UTC" in out
    assert "mapping:     orders" in out and "(saved)" in out
    assert "rejected:    none" in out and "unknown" not in out
    code, out, _ = run(capsys, "import", ws, log)
    assert code == 0
    assert re.search(
        r"orders.csv: already imported as #1 on \d{4}-\d\d-\d\d \d\d:\d\d UTC; "
        r"nothing added\.",
        out,
    )
    with EventStore.open(ws, read_only=True) as store:
        assert store.count() == 3


def test_bad_rows_fail_with_exit_2_or_are_quarantined(
    capsys: pytest.CaptureFixture[str], ws: Path, log: Path
) -> None:
    log.write_text(CSV + ";search;03/03/2024 10:00;web\nO3;search;tomorrow;web\n", encoding="utf-8")
    code, out, err = run(capsys, "import", ws, log, *COLUMNS)
    assert code == 2 and out == ""
    assert "2 of 5 events cannot be imported" in err and "Traceback" not in err
    assert "orders.csv:5 [order_id]" in err and "orders.csv:6 [at]" in err
    code, out, err = run(capsys, "import", ws, log, *COLUMNS, "--on-error", "skip")
    assert code == 0, err
    assert "rejected:    2 of 5 rows, set aside in" in out and "1-orders.csv" in out
    assert "unknown:     1 activity is not a touchpoint of the workspace (1 event):" in out
    assert "'Visit web' (1)" in out and "--rename 'Visit web=TOUCHPOINT'" in out
    assert (ws / "data" / "quarantine" / "1-orders.csv").is_file()


def test_usage_errors(capsys: pytest.CaptureFixture[str], ws: Path, log: Path) -> None:
    code, _, err = run(capsys, "import", ws, log, "--rename", "no-equals-sign")
    assert code == 2 and "ACTIVITY=TOUCHPOINT" in err
    code, _, err = run(capsys, "import", ws, log, "--sep", "ab")
    assert code == 2 and "is not one character" in err
    code, _, err = run(capsys, "import", ws, log, "--mapping", "nope")
    assert code == 3 and "no mapping named 'nope'" in err
    code, _, err = run(capsys, "import", ws, log)
    assert code == 2 and "--case COLUMN" in err and "Traceback" not in err


def test_export_parquet_and_xes(
    capsys: pytest.CaptureFixture[str], ws: Path, log: Path, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "export", ws, "-o", tmp_path / "e.parquet")
    assert code == 3 and "no events imported yet" in err
    run(capsys, "import", ws, log, *COLUMNS)
    code, out, _ = run(capsys, "export", ws, "-o", tmp_path / "e.parquet")
    assert code == 0 and out.startswith("Exported 3 events to") and "(parquet)" in out
    with EventSource.from_parquet(tmp_path / "e.parquet") as source:
        assert source.count() == 3
    code, out, _ = run(capsys, "export", ws, "--format", "xes", "-o", tmp_path / "e.log")
    assert code == 0 and "(xes)" in out
    assert (tmp_path / "e.log").read_text(encoding="utf-8").count("<event>") == 3


# --------------------------------------------------------------------------- feedback

SURVEY = (
    "member,at,tp,Q1,Q7,Q8\n"
    "M1,2024-03-01 10:00,search,5,10,great\n"
    "M2,2024-03-05 10:00,first-use,,3,\n"
)
WIDE = [
    "--kind",
    "feedback",
    "--case",
    "member",
    "--timestamp",
    "at",
    "--touchpoint",
    "tp",
    "--score-column",
    "csat=Q1",
    "--score-column",
    "nps=Q7",
    "--text-column",
    "why=Q8",
    "--journey-question",
    "nps",
]


def test_feedback_import_prints_answers_and_questions(
    capsys: pytest.CaptureFixture[str], ws: Path, tmp_path: Path
) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text(SURVEY, encoding="utf-8")
    code, out, err = run(capsys, "import", ws, survey, *WIDE)
    assert code == 0, err
    assert "Imported 4 answers of 2 journeys from survey.csv as import #1" in out
    assert "questions:   nps 2, csat 1, why 1" in out
    assert "steps:       2 answers got the step of their touchpoint" in out
    assert "mapping:     survey" in out and "(saved)" in out
    code, out, _ = run(capsys, "import", ws, survey, "--kind", "feedback")
    assert code == 0 and "already imported as #1" in out
    with EventStore.open(ws, read_only=True) as store:
        assert (store.count(), store.count("feedback")) == (0, 4)


def test_feedback_errors_and_usage(
    capsys: pytest.CaptureFixture[str], ws: Path, tmp_path: Path
) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text(SURVEY + "M3,2024-03-06 10:00,Search,6,,\n", encoding="utf-8")
    code, out, err = run(capsys, "import", ws, survey, *WIDE)
    assert code == 2 and out == "" and "Traceback" not in err
    assert "survey.csv:4 [Q1]: the csat score is outside its scale" in err
    assert "survey.csv:4 [tp]: touchpoint 'Search' is not a touchpoint" in err
    code, out, err = run(capsys, "import", ws, survey, *WIDE, "--on-error", "skip")
    assert code == 0 and "rejected:    1 of 3 rows, set aside in" in out
    code, _, err = run(capsys, "import", ws, survey, "--kind", "feedback", "--activity", "x")
    assert code == 2 and "--activity is for an event import, not for --kind feedback" in err
    code, _, err = run(capsys, "import", ws, survey, "--score", "x")
    assert code == 2 and "--score is for --kind feedback, not for --kind events" in err
    code, _, err = run(capsys, "import", ws, survey, "--kind", "feedback", "--score-column", "Q1")
    assert code == 2 and "QUESTION=COLUMN" in err
    code, _, err = run(capsys, "import", ws, survey, "--kind", "feedback", "--scale", "x=5..1")
    assert code == 2 and "LOW..HIGH" in err


def test_a_failed_import_points_at_no_mapping_file_it_did_not_write(
    capsys: pytest.CaptureFixture[str], ws: Path, log: Path
) -> None:
    columns = [*COLUMNS]
    columns[columns.index("at")] = "when"  # no such column
    code, _, err = run(capsys, "import", ws, log, *columns)
    assert code == 2 and "'when' (for timestamp) is not in the file" in err
    assert "pass --timestamp COLUMN" in err
    assert "mappings" not in err and not (ws / "data" / "mappings").exists()


def test_null_values_are_read_and_saved_in_the_mapping(
    capsys: pytest.CaptureFixture[str], ws: Path, tmp_path: Path
) -> None:
    log = tmp_path / "nulls.csv"
    log.write_text("id,act,at\nJ1,search,2024-03-01 10:00\nJ1,NA,2024-03-01 10:05\n")
    args = ["import", ws, log, "--case", "id", "--activity", "act", "--timestamp", "at"]
    code, _, err = run(capsys, *args, "--null-value", "NA")
    assert code == 2 and "has no activity" in err  # NA is no value, so no activity
    code, out, err = run(capsys, *args, "--null-value", "NA", "--on-error", "skip")
    assert code == 0, err
    assert "Imported 1 event" in out and "rejected:    1 of 2 rows" in out
    saved = (ws / "data" / "mappings" / "nulls.yaml").read_text(encoding="utf-8")
    assert 'null_values: ["", "NA"]' in saved
    code, _, err = run(capsys, *args, "--null-value", "'", "--quote", "'")
    assert code == 2 and '"\'" holds the quote character' in err
