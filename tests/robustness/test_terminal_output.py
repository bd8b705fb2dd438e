"""Names from data are data: never Rich markup, emoji codes or terminal control.

Hostile names go through ``import`` into a workspace and come out of ``analyze``
(FILE and WORKSPACE), ``experience`` and ``validate``; the raw bytes must never reach
the terminal and the CLI must not crash. The HTML outputs (``map``, ``report``) must
show the same names escaped.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cojourney.cli.main import main
from cojourney.cli.terminal import clean, safe
from cojourney.services.workspaces import init_workspace

#: Names that a careless terminal or markup parser would act on.
HOSTILE = [
    "[/]",
    "[link=http://x]y[/link]",
    "\x1b[31mred",
    "\x1b]8;;http://evil\x1b\\x\x1b]8;;\x1b\\",
    ":warning:",
    "a\nb",
    "\u202eevil",
    "c\x9bd",
]
#: What must never be printed: the control characters and what Rich would make of the rest.
FORBIDDEN = ["\x1b", "\x9b", "\u202e", "\u26a0", "a\nb", "\x07"]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide enough that Rich never wraps a name inside a table cell."""
    monkeypatch.setenv("COLUMNS", "400")


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out + err


def assert_harmless(output: str) -> None:
    for raw in FORBIDDEN:
        assert raw not in output, f"{raw!r} reached the terminal:\n{output}"
    assert "Traceback" not in output


@pytest.fixture(scope="module")
def event_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("logs") / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["case", "activity", "at", "segment"])
        for n, name in enumerate(HOSTILE):
            day = f"2024-03-{n + 1:02d}"
            # Ids and activities with a line break are refused at import (docs/importing.md):
            # such a name travels as a segment only.
            ident = name.replace("\n", " ")
            writer.writerow([f"J{n}", "search", f"{day} 10:00", name])
            writer.writerow([f"J{n}", ident, f"{day} 10:05", name])
            writer.writerow([ident, ident, f"{day} 11:00", name])
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, event_log: Path) -> Path:
    folder = tmp_path_factory.mktemp("ws") / "ws"
    init_workspace(folder)
    flags = ["--case", "case", "--activity", "activity", "--timestamp", "at"]
    assert main(["import", str(folder), str(event_log), *flags, "--segment", "segment"]) == 0
    answers = folder.parent / "answers.csv"
    with answers.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["journey", "at", "question", "score", "touchpoint", "segment"])
        for n, name in enumerate(HOSTILE):
            day = f"2024-03-{n + 1:02d}"
            writer.writerow([name, f"{day} 12:00", "csat", 1 + n % 5, "search", name])
            writer.writerow([name, f"{day} 12:01", "nps", n, "", name])
    code = main(
        [
            "import",
            str(folder),
            str(answers),
            "--kind",
            "feedback",
            "--case",
            "journey",
            "--timestamp",
            "at",
            "--segment",
            "segment",
        ]
    )
    assert code == 0
    return folder


def test_clean_and_safe_neutralise_every_hostile_name() -> None:
    for name in HOSTILE:
        for shown in (clean(name), safe(name)):
            assert not any(raw in shown for raw in FORBIDDEN if raw != "\u26a0")
    assert safe("[/]") == "\\[/]"
    assert clean("tab\there") == "tab\\there"
    assert clean("line\nbreak", keep_newlines=True) == "line\nbreak"


def test_import_summary_shows_hostile_activities_harmlessly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, event_log: Path
) -> None:
    init_workspace(tmp_path / "ws")
    flags = ["--case", "case", "--activity", "activity", "--timestamp", "at"]
    code, output = run(capsys, "import", tmp_path / "ws", event_log, *flags)
    assert code == 0, output
    assert "unknown:" in output  # the hostile activities are listed, made visible
    assert "\\e[31mred" in output
    assert_harmless(output)


def test_analyze_file_tables(capsys: pytest.CaptureFixture[str], event_log: Path) -> None:
    code, output = run(
        capsys,
        "analyze",
        event_log,
        "--case",
        "case",
        "--activity",
        "activity",
        "--timestamp",
        "at",
    )
    assert code == 0, output
    assert "[link=http://x]y[/link]" in output  # shown as written, not as a hyperlink
    assert "[/]" in output and ":warning:" in output
    assert_harmless(output)


def test_analyze_workspace_tables(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code, output = run(capsys, "analyze", workspace)
    assert code == 0, output
    assert "[link=http://x]y[/link]" in output
    assert ":warning:" in output
    assert_harmless(output)


def test_experience_tables(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code, output = run(capsys, "experience", workspace)
    assert code == 0, output
    assert "[link=http://x]y[/link]" in output  # a segment in "Scores by segment"
    assert_harmless(output)


def test_json_on_standard_output_stays_json_and_harmless(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    code = main(["analyze", str(workspace), "--json", "-"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert_harmless(out)
    document = json.loads(out)
    assert "c\x9bd" in json.dumps(document, ensure_ascii=False)  # the data is intact


def test_validate_echoes_hostile_yaml_keys_harmlessly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "ws"
    init_workspace(folder)
    with (folder / "workspace.yaml").open("a", encoding="utf-8") as f:
        f.write('"\\e[31m[/]:warning:\\u202e": 1\n"[link=http://x]y": 2\n')
    code, output = run(capsys, "validate", folder)
    assert code == 2
    assert "Error" in output and "[link=http://x]y" in output
    assert_harmless(output)


def test_errors_quoting_hostile_names_are_harmless(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    code, output = run(capsys, "analyze", workspace, "--journey", "\x1b[31m[/]")
    assert code == 3, output
    assert_harmless(output)


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "a&b\"'<i>"])
def test_html_map_and_report_escape_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "ws"
    init_workspace(folder)
    journey = folder / "journeys" / "main-journey.yaml"
    text = journey.read_text(encoding="utf-8")
    journey.write_text(
        text.replace("name: Finds us online", f"name: {json.dumps(name)}", 1), encoding="utf-8"
    )
    log = tmp_path / "log.csv"
    with log.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["case:concept:name", "concept:name", "time:timestamp"])
        writer.writerow(["J1", "search", "2024-03-01 10:00"])
        writer.writerow(["J1", name, "2024-03-01 10:05"])
    assert run(capsys, "import", folder, log)[0] == 0
    for args in (("map", folder, "-o", tmp_path / "map.html"), ("report", folder)):
        out = tmp_path / f"{args[0]}.html"
        code, output = run(capsys, *args, *(() if args[0] == "map" else ("-o", out)))
        assert code == 0, output
        html = out.read_text(encoding="utf-8")
        assert name not in html, f"{args[0]} shows {name!r} unescaped"
