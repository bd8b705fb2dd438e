"""The list commands (``imports``, ``users``, ``tokens``, ``share``, ``survey``) show names,
emails, file names and journey ids from the database as text: a control character in them
is printed visibly (``\\e``, ``\\r``, ``\\u202e``), never raw, and never fakes a line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cojourney.cli.main import main
from cojourney.events.mappings import MappingFlags
from cojourney.services.imports import import_events
from cojourney.services.workspaces import init_workspace
from cojourney.storage import add_user, create_token, make_session_factory, open_database
from cojourney.storage.share_links import create_share_link
from cojourney.storage.survey_links import create_survey_link

#: An OSC-8 hyperlink, a carriage return that overwrites the line, a bidi override, a C1 CSI.
HOSTILE = "x\x1b]8;;evil\x1b\\y\rz\u202ew\x9bq"
VISIBLE = "x\\e]8;;evil\\e\\y\\rz\\u202ew\\x9bq"
FORBIDDEN = ("\x1b", "\r", "\u202e", "\x9b")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


def listed(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(list(argv)) == 0
    out, err = capsys.readouterr()
    for raw in FORBIDDEN:
        assert raw not in out + err, f"{raw!r} reached the terminal: {out + err!r}"
    return out.splitlines()


def test_imports_list_shows_a_hostile_file_name_visibly(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # no wrapping: one line per import
    log = tmp_path / f"{HOSTILE}\n#99 2024-01-01 fake.csv"
    with log.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["id", "step", "at"], ["c1", "a", "2024-01-01"]])
    import_events(ws, log, flags=MappingFlags(journey_id="id", activity="step", timestamp="at"))
    lines = listed(capsys, "imports", "list", str(ws))
    assert len(lines) == 2  # the title and the one import: the name's newline adds none
    assert VISIBLE + "\\n#99" in lines[1]


def test_users_tokens_share_and_survey_lists_show_hostile_values_visibly(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = open_database(ws)
    with make_session_factory(engine).begin() as session:
        # an email takes no white space (\r): the other controls pass its check
        email = "a" + HOSTILE.replace("\r", "") + "@example.org"
        add_user(session, email, "a long enough password", "owner")
        create_token(session, f"ci {HOSTILE}", "viewer")
        create_share_link(session, f"journey {HOSTILE}", "consumer")
        create_survey_link(session, f"tp {HOSTILE}", f"q {HOSTILE}")
    engine.dispose()
    for argv, count in (
        (("users", "list"), 1),
        (("tokens", "list"), 1),
        (("share", "list"), 1),
        (("survey", "list"), 1),
    ):
        lines = listed(capsys, *argv, str(ws))
        assert len(lines) == count, (argv, lines)
        expected = VISIBLE.replace("\\r", "") if argv[0] == "users" else VISIBLE
        assert expected in lines[0], (argv, lines)
    # the question shows as visibly as the touchpoint
    (survey,) = listed(capsys, "survey", "list", str(ws))
    assert survey.count(VISIBLE) == 2
