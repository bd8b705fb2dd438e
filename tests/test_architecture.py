"""Rules of the codebase that a test can hold: layers, documentation, no print."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import click

from cojourney.cli.docgen import _walk
from cojourney.cli.main import cli

REPO = Path(__file__).resolve().parents[1]


def test_layers_point_one_way():
    """The import-linter contracts in pyproject.toml (domain imports no infrastructure...)."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_reference_is_current():
    # In a fresh interpreter, as `make docs` runs it: click caches each command's help
    # option on first use, and other tests invoke commands outside the main group.
    current = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    fresh = subprocess.run(
        [sys.executable, "-m", "cojourney.cli.docgen"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert current == fresh, "docs/cli.md is stale: run 'make docs'"
    assert "-h, --help" in fresh


def test_every_command_has_help_text():
    for path, command in _walk(cli, ["cojourney"]):
        assert command.help and len(command.help.strip()) > 20, f"{' '.join(path)} has no help text"
        for param in command.params:
            if isinstance(param, click.Option) and param.name not in ("help", "version"):
                assert param.help, f"{' '.join(path)} {param.opts[0]} has no help text"


def test_library_code_logs_instead_of_printing():
    offenders = []
    for path in (REPO / "src" / "cojourney").rglob("*.py"):
        if "cli" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*print\(", line):
                offenders.append(f"{path.relative_to(REPO)}:{number}")
    assert not offenders, offenders


#: Layers whose messages the web app shows too: they name concepts, never CLI flags.
LOWER_LAYERS = ("services", "events", "analytics", "spec", "domain", "render", "report", "demo")
#: Flag-like text in lower layers that is not a cojourney flag.
NOT_OUR_FLAGS = ("xmllint --noout",)
_FLAG = re.compile(r"(?<![\w-])--[a-z]")


def _string_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string constant of ``tree`` with its line, docstrings left out."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_lower_layers_speak_of_concepts_not_flags():
    """Messages below the CLI say ``mapping.timestamp.format``; the CLI shows the flag."""
    offenders = []
    for layer in LOWER_LAYERS:
        for path in sorted((REPO / "src" / "cojourney" / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, text in _string_literals(tree):
                for allowed in NOT_OUR_FLAGS:
                    text = text.replace(allowed, "")
                if _FLAG.search(text):
                    offenders.append(f"{path.relative_to(REPO)}:{line}: {text!r}")
    assert not offenders, "CLI flags below the CLI:\n" + "\n".join(offenders)


def test_the_flag_finder_sees_f_strings_and_skips_docstrings():
    tree = ast.parse('"""Use --json."""\nx = f"pass {a} --sep here"\ny = "a-b --c"\n')
    found = [text for _, text in _string_literals(tree) if _FLAG.search(text)]
    assert sorted(found) == [" --sep here", "a-b --c"]
