"""``cojourney experience`` through its click command: tables, JSON, filters, errors.

The answers are those of ``tests/analytics/test_experience.py`` (hand-computed there),
written as a long-layout CSV and imported with ``cojourney import --kind feedback``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cojourney.cli.experience_cmd import experience, value_text
from cojourney.cli.main import main
from cojourney.services.workspaces import init_workspace

#: journey, segment, date, answers "question score touchpoint" (touchpoint "-": journey level)
ANSWERS = [
    ("J1", "students", "2024-03-01", "csat 5 search, emotion 3 first-use, nps 10 -"),
    (
        "J2",
        "students",
        "2024-03-02",
        "csat 4 search, emotion 2 first-use, csat 4 support-call, nps 3 -",
    ),
    ("J3", "students", "2024-03-03", "csat 2 search, emotion -2 first-use, nps 9 -"),
    (
        "J4",
        "staff",
        "2024-03-04",
        "csat 5 search, emotion -3 support-call, csat 1 first-use, nps 2 -",
    ),
    ("J5", "staff", "2024-03-05", "csat 3 search, emotion 0 first-use, nps 8 -"),
    ("J6", "staff", "2024-04-02", "emotion 1 first-use, nps 6 -"),
]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "ws"
    init_workspace(folder)
    lines = ["journey,segment,at,question,score,touchpoint,channel"]
    for journey, segment, day, answers in ANSWERS:
        for minute, answer in enumerate(answers.split(", ")):
            question, score, touchpoint = answer.split()
            tp, channel = ("", "email") if touchpoint == "-" else (touchpoint, "app")
            lines.append(
                f"{journey},{segment},{day} 10:{minute:02d},{question},{score},{tp},{channel}"
            )
    answers_csv = folder.parent / "answers.csv"
    answers_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (
        main(
            [
                "import",
                str(folder),
                str(answers_csv),
                "--kind",
                "feedback",
                "--case",
                "journey",
                "--timestamp",
                "at",
            ]
        )
        == 0
    )
    return folder


def invoke(*args: str | Path) -> click.testing.Result:
    return CliRunner(env={"COLUMNS": "160"}).invoke(
        experience, [str(a) for a in args], catch_exceptions=False
    )


def test_every_option_has_help() -> None:
    assert experience.help and len(experience.help) > 40
    for param in experience.params:
        if isinstance(param, click.Option):
            assert param.help and len(param.help) > 10, param.opts


def test_tables(ws: Path) -> None:
    result = invoke(ws)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "journey main-journey: 19 answers of 6 journeys" in out
    assert "Scores (95% interval)" in out and "Emotion curve per step" in out
    assert "57.1% [" in out  # CSAT 4 of 7
    assert "-17 [-88, +55]" in out  # NPS (2 - 3) / 6 with its interval
    assert "Scores by touchpoint" in out and "Scores by month" in out
    assert "touchpoints all good, journey poor: 2 (33.3%)" in out
    assert "Peak-end (5 journeys)" in out
    assert "Moments of truth" in out and "first-use *" in out


def test_json_and_filters(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    result = invoke(
        ws, "--segment", "staff", "--from", "2024-03-01", "--to", "2024-03-31", "--json", out
    )
    assert result.exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["answers"], data["journeys"]) == (7, 2)  # J4, J5 (J6 answered in April)
    assert data["filters"] == {
        "start": "2024-03-01T00:00:00+00:00",
        "end": "2024-04-01T00:00:00+00:00",
        "segments": ["staff"],
    }
    result = invoke(ws, "--json", "-")
    assert json.loads(result.output)["questions"] == {"csat": 7, "emotion": 6, "nps": 6}


def test_errors_through_the_main_entry_point(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = CliRunner().invoke(experience, [str(ws), "--from", "March"])
    assert result.exit_code == 2 and "is not a date" in result.output
    empty = tmp_path / "empty"
    init_workspace(empty)
    cli_experience = main.__globals__["COMMANDS"].get("experience")
    if cli_experience is None:  # not registered yet: run the command object directly
        result = CliRunner().invoke(experience, [str(empty)])
        assert result.exit_code != 0 and "--kind feedback" in str(result.exception)
        return
    code = main(["experience", str(empty)])
    assert code == 3 and "--kind feedback" in capsys.readouterr().err


def test_value_text() -> None:
    from cojourney.analytics.experience_results import ScoreRow

    assert value_text(ScoreRow("csat", "csat", None, 10, 0.8, 0.49, 0.943, 4.1)) == (
        "80.0% [49.0%, 94.3%]"
    )
    assert value_text(ScoreRow("nps", "nps", None, 10, 30.0, 14.69, 45.31, 8.0)) == (
        "+30 [+15, +45]"
    )
    assert value_text(ScoreRow("ces", "mean", None, 1, 5.0, None, None, 5.0)) == "5.00"


def test_comment_themes_are_printed() -> None:
    from types import SimpleNamespace

    from rich.console import Console

    from cojourney.analytics.comment_themes import CommentInput, comment_themes
    from cojourney.cli.experience_cmd import _print_themes

    late = [f"car late again, waited {n} minutes" for n in range(10)]
    easy = [f"easy booking in the app, {n} taps" for n in range(10)]
    rows = [
        CommentInput(t, 1.0, "pick", f"2025-01-{k + 1:02d}", "csat") for k, t in enumerate(late)
    ]
    rows += [
        CommentInput(t, 5.0, "book", f"2025-02-{k + 1:02d}", "csat") for k, t in enumerate(easy)
    ]
    console = Console(width=250, record=True)
    _print_themes(SimpleNamespace(themes=comment_themes(rows, scales={"csat": (1, 5)})), console)
    text = console.export_text()
    assert "Comment themes (20 of 20 comments grouped, the most recent" in text
    assert "10 (50%)" in text and "csat 1.00 on 1-5" in text and "csat 5.00 on 1-5" in text
    assert "pick 10" in text and "book 10" in text
    console = Console(width=250, record=True)
    _print_themes(SimpleNamespace(themes=comment_themes(rows[:3])), console)
    assert "too few comments to group: 3; at least 10 needed" in console.export_text()
