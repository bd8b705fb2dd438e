"""Generate docs/cli.md from the commands' own --help (``make docs``); a test keeps it current."""

from __future__ import annotations

import sys

import click

from cojourney.cli.main import cli
from cojourney.cli.vocabulary import vocabulary_reference


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1])
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                found.extend(_walk(sub, [*path, name]))
    return found


def help_text(path: list[str], command: click.Command) -> str:
    """The ``--help`` text of the command at ``path`` (``["cojourney", "demo", "build"]``)."""
    # The same help option names as a real invocation: click caches each command's
    # help option, so the text must not depend on which context asked first.
    names = cli.context_settings.get("help_option_names", ["--help"])
    parent: click.Context | None = None
    current: click.Command = cli
    for depth in range(len(path) - 1):
        parent = click.Context(
            current, info_name=path[depth], parent=parent, help_option_names=names
        )
        if isinstance(current, click.Group):
            current = current.get_command(parent, path[depth + 1]) or command
    ctx = click.Context(
        command,
        info_name=path[-1],
        parent=parent,
        terminal_width=100,
        max_content_width=100,
        help_option_names=names,
    )
    return command.get_help(ctx)


def cli_reference() -> str:
    """The whole CLI reference as Markdown."""
    parts = [
        "# CLI reference",
        "",
        "Generated from the commands' `--help` by `make docs` (`python -m cojourney.cli.docgen`);",
        "a test fails when this page and the code disagree.",
        "",
    ]
    for path, command in _walk(cli, ["cojourney"]):
        parts += [
            f"## `{' '.join(path)}`",
            "",
            "```text",
            help_text(path, command).rstrip(),
            "```",
            "",
        ]
    return "\n".join(parts) + "\n" + vocabulary_reference()


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(cli_reference())
