"""One CLI vocabulary: one flag per concept, concept names translated in one place."""

from __future__ import annotations

from pathlib import Path

import pytest

from cojourney.cli.main import main
from cojourney.cli.vocabulary import CONCEPT_COMMANDS, CONCEPT_FLAGS, to_flags
from cojourney.services.workspaces import init_workspace


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


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
        ("the journey and the mapping", "the journey and the mapping"),
    ],
)
def test_to_flags(text: str, shown: str) -> None:
    assert to_flags(text) == shown


def test_every_concept_is_dotted_and_every_flag_long() -> None:
    for concept, flag in CONCEPT_FLAGS.items():
        assert "." in concept and concept == concept.lower(), concept
        assert flag.startswith("--") and " " not in flag, flag
    assert set(CONCEPT_FLAGS).isdisjoint(CONCEPT_COMMANDS)


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
