"""One CLI vocabulary: one flag per concept, concept names translated in one place."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from cojourney.cli.docgen import _walk
from cojourney.cli.main import cli, main
from cojourney.cli.vocabulary import (
    CONCEPT_COMMAND_LINES,
    CONCEPT_FLAGS,
    CONCEPTS,
    DEPRECATED_FLAGS,
    to_flags,
)
from cojourney.services.workspaces import init_workspace

#: Options of the group itself, not concepts of any command.
GLOBAL_FLAGS = {"--help", "--version", "--verbose"}


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- the parser


def options() -> list[tuple[str, click.Option]]:
    """Every option of every command, with the command's name (``demo build``)."""
    return [
        (" ".join(path[1:]), param)
        for path, command in _walk(cli, ["cojourney"])
        if len(path) > 1
        for param in command.params
        if isinstance(param, click.Option)
    ]


def long_flags(option: click.Option) -> list[str]:
    """The long spellings of an option; a boolean's ``--no-X`` is the same concept as ``--X``."""
    secondary = [
        f
        for f in option.secondary_opts
        if not (option.is_flag and f.startswith("--no-") and f"--{f[5:]}" in option.opts)
    ]
    return [f for f in (*option.opts, *secondary) if f.startswith("--")]


def test_every_option_has_one_spelling() -> None:
    for command, option in options():
        if not option.hidden:
            assert len(long_flags(option)) == 1, f"{command}: {long_flags(option)}"


def test_every_visible_flag_is_the_spelling_of_a_concept_the_table_gives_it() -> None:
    """A flag a command takes must be in CONCEPTS for that command: a second spelling
    of a concept (--time-zone beside --timezone) fails here."""
    for command, option in options():
        if option.hidden:
            continue
        (flag,) = long_flags(option)
        if flag in GLOBAL_FLAGS:
            continue
        concepts = [c for c, (f, where) in CONCEPTS.items() if f == flag and command in where]
        assert len(concepts) == 1, f"{command} {flag}: concepts {concepts} (add it to CONCEPTS)"


def test_the_table_lists_only_flags_the_commands_take() -> None:
    taken = {(command, long_flags(o)[0]) for command, o in options() if not o.hidden}
    for concept, (flag, commands) in CONCEPTS.items():
        for command in commands:
            assert (command, flag) in taken, f"{concept}: {command} has no {flag}"


#: Look-alike flags that are different concepts on purpose.
DISTINCT = {"--journeys"}  # how many journeys to simulate (-n N), not which (--journey ID)


def test_no_two_flags_differ_only_in_hyphens_or_plural() -> None:
    seen: dict[str, str] = {}
    for command, option in options():
        if option.hidden or option.opts[-1] in DISTINCT:
            continue
        (flag,) = long_flags(option)
        key = flag.replace("-", "").removesuffix("s")
        assert seen.setdefault(key, flag) == flag, f"{flag} and {seen[key]} ({command})"


def test_old_spellings_are_hidden_and_listed_as_deprecated() -> None:
    old = {spelling.split()[0] for spelling in DEPRECATED_FLAGS}
    for command, option in options():
        flags = set(long_flags(option))
        if option.hidden:
            assert flags <= old, f"{command}: hidden {flags} is not a deprecated spelling"
            assert option.help and "Deprecated" in option.help
        else:
            assert not flags & (old - {"--format"}), f"{command}: {flags} is deprecated"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (["--journey-id", "id"], ["--case", "id"]),
        (["--time-zone", "Europe/Paris"], ["--timezone", "Europe/Paris"]),
    ],
)
def test_old_import_spellings_still_work_with_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, old: list[str], new: list[str]
) -> None:
    log = tmp_path / "log.csv"
    log.write_text("id,act,at\nJ1,search,2024-03-01 10:00\n", encoding="utf-8")
    columns = ["--activity", "act", "--timestamp", "at"]
    results = []
    for n, spelling in enumerate((old, new)):
        init_workspace(tmp_path / f"ws{n}")
        base = [] if {"--case", "--journey-id"} & set(spelling) else ["--case", "id"]
        code, out, err = run(capsys, "import", tmp_path / f"ws{n}", log, *base, *spelling, *columns)
        assert code == 0, err
        results.append((out.splitlines()[1], err))  # the time range line
    assert results[0][0] == results[1][0]
    assert f"{old[0]} is deprecated" in results[0][1] and "deprecated" not in results[1][1]


def test_skip_incomplete_is_on_error_skip(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "case:concept:name,concept:name,time:timestamp\nJ1,a,2024-03-01\nJ1,,2024-03-02\n",
        encoding="utf-8",
    )
    assert run(capsys, "analyze", log)[0] == 2
    code, out, err = run(capsys, "analyze", log, "--skip-incomplete", "--json", "-")
    assert code == 0 and "--skip-incomplete is deprecated" in err
    code, new, _ = run(capsys, "analyze", log, "--on-error", "skip", "--json", "-")
    assert code == 0 and new.split('"computed_with"')[1:] == out.split('"computed_with"')[1:]


def test_validate_json_and_its_old_spelling(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    init_workspace(tmp_path / "ws")
    code, out, err = run(capsys, "validate", tmp_path / "ws", "--json", "-")
    assert code == 0 and '"valid": true' in out and not err
    code, old, err = run(capsys, "validate", tmp_path / "ws", "--format", "json")
    assert code == 0 and old == out and "--format is deprecated" in err
    code, _, err = run(capsys, "validate", tmp_path / "ws", "--json", tmp_path / "v.json")
    assert code == 0 and '"valid": true' in (tmp_path / "v.json").read_text(encoding="utf-8")


def test_from_and_to_are_read_in_the_workspace_time_zone(tmp_path: Path) -> None:
    from datetime import datetime

    from cojourney.cli.common import period

    init_workspace(tmp_path / "ws")
    yaml = tmp_path / "ws" / "workspace.yaml"
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace("time_zone: UTC", "time_zone: Europe/Paris", 1),
        encoding="utf-8",
    )
    start, end = period(tmp_path / "ws", "2024-07-01", "2024-07-01")
    assert (start, end) == (datetime(2024, 6, 30, 22), datetime(2024, 7, 1, 22))
    start, _ = period(tmp_path / "ws", "2024-07-01T08:00+00:00", None)
    assert start == datetime(2024, 7, 1, 8)


# --------------------------------------------------------------------------- translation


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("fix mapping.timestamp.format", "fix --timestamp-format"),
        ("fix mapping.csv.encoding.", "fix --encoding."),
        ("pass import.on_error=skip to import", "pass --on-error skip to import"),
        ("(choose one as query.journey)", "(choose one as --journey)"),
        ("[simulate.journeys]", "[--journeys]"),
        ("first (import.feedback).", "first (`cojourney import WORKSPACE FILE --kind feedback`)."),
        # not concepts: longer names, other prefixes, words
        ("mapping.timestamp.formats", "mapping.timestamp.formats"),
        ("my.mapping.csv.sep", "my.mapping.csv.sep"),
        ("/data/query.events/log.csv", "/data/query.events/log.csv"),
        ("the journey and the mapping", "the journey and the mapping"),
    ],
)
def test_to_flags(text: str, shown: str) -> None:
    assert to_flags(text) == shown


def test_every_concept_is_dotted_and_every_flag_long() -> None:
    for concept, flag in CONCEPT_FLAGS.items():
        assert "." in concept and concept == concept.lower(), concept
        assert flag.startswith("--") and " " not in flag, flag
    assert set(CONCEPT_FLAGS).isdisjoint(CONCEPT_COMMAND_LINES)


def test_errors_from_lower_layers_name_the_cli_flags(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    init_workspace(tmp_path / "ws")
    log = tmp_path / "log.csv"
    log.write_text("case:concept:name,concept:name,time:timestamp\nJ1,search,01/03/2024\n")
    code, _, err = run(capsys, "import", tmp_path / "ws", log)
    assert code == 2
    assert "--timestamp-format" in err and "--on-error skip" in err
    assert "mapping.timestamp.format" not in err and "import.on_error" not in err
    code, _, err = run(capsys, "import", tmp_path / "ws", log, "--encoding", "no-such-codec")
    assert code == 2 and "fix --encoding" in err
    code, _, err = run(capsys, "analyze", tmp_path / "ws", "--journey", "nope")
    assert code == 3 and "(choose one as --journey)" in err


def test_one_header_for_an_invalid_workspace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    init_workspace(tmp_path / "ws")
    with (tmp_path / "ws" / "workspace.yaml").open("a", encoding="utf-8") as f:
        f.write("bogus: 1\n")
    headers = set()
    for command in (["validate"], ["analyze"], ["map", "-o", str(tmp_path / "m.html")]):
        code, _, err = run(capsys, command[0], tmp_path / "ws", *command[1:])
        assert code == 2
        headers.add(err.splitlines()[0])
    assert headers == {f"Error: {tmp_path / 'ws'} is not a valid workspace (1 problem):"}
