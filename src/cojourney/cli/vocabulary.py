"""The CLI's vocabulary: one flag per concept, and the translation of concept names.

Layers below the CLI (services, events, analytics, spec...) speak of fields and
concepts, because the web app shows their messages too: ``mapping.timestamp.format``
(a path in a saved import mapping), ``import.on_error=skip``, ``query.journey``. The
CLI shows the same messages with its own flag names (``--timestamp-format``,
``--on-error skip``, ``--journey``): :func:`to_flags` does that, once, for every error
and every problem the CLI prints. :data:`CONCEPT_FLAGS` is the table;
docs/cli-vocabulary.md is generated from it and from :data:`DEPRECATED_FLAGS`, and
``tests/cli/test_vocabulary.py`` holds the parser to it: every visible option of every
command is in the table, under one spelling.

Old spellings keep working for a release, hidden from ``--help``, with a warning on
standard error: :func:`deprecated_alias` declares them.

Only click and the standard library are imported, so ``cojourney --help`` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: The commands that analyse a workspace's journeys: they take the journey filters and
#: run on an engine (DuckDB or Spark).
_ANALYSES: Final = (
    "analyze",
    "experience",
    "agreements",
    "value",
    "leakage",
    "improvements",
    "report",
)

#: Each concept (as lower layers name it) -> its one CLI flag and the commands taking
#: it. Concepts are dotted: ``mapping.*`` are the paths of a saved import mapping
#: (data/mappings/NAME.yaml), ``query.*`` the parameters of an analysis (the web app's
#: query parameters), the rest ``subject.parameter``. Two concepts may share a flag on
#: different commands (``--kind`` of ``import`` and of ``map``); one command never
#: spells one concept twice.
CONCEPTS: Final[Mapping[str, tuple[str, tuple[str, ...]]]] = {
    # the columns of an import mapping (events and feedback)
    "mapping.columns.journey_id": ("--case", ("import", "analyze")),
    "mapping.columns.activity": ("--activity", ("import", "analyze")),
    "mapping.columns.timestamp": ("--timestamp", ("import", "analyze")),
    "mapping.columns.channel": ("--channel", ("import",)),
    "mapping.columns.segment": ("--segment", ("import",)),
    "mapping.columns.actor": ("--actor", ("import",)),
    "mapping.columns.role": ("--role", ("import",)),
    "mapping.columns.lifecycle": ("--lifecycle", ("import",)),
    "mapping.columns.question": ("--question", ("import",)),
    "mapping.columns.score": ("--score", ("import",)),
    "mapping.columns.comment": ("--comment", ("import",)),
    "mapping.columns.touchpoint": ("--touchpoint", ("import",)),
    "mapping.columns.step": ("--step", ("import",)),
    "mapping.columns.respondent": ("--respondent", ("import",)),
    "mapping.columns.indicator": ("--indicator", ("import",)),
    "mapping.columns.value": ("--value", ("import",)),
    "mapping.score_columns": ("--score-column", ("import",)),
    "mapping.text_columns": ("--text-column", ("import",)),
    "mapping.journey_questions": ("--journey-question", ("import",)),
    "mapping.scales": ("--scale", ("import",)),
    "mapping.question_renames": ("--rename-question", ("import",)),
    "mapping.activity_renames": ("--rename", ("import",)),
    # how a file is read
    "mapping.timestamp.format": ("--timestamp-format", ("import", "analyze")),
    "mapping.timestamp.time_zone": ("--timezone", ("import", "analyze")),
    "mapping.csv.sep": ("--sep", ("import", "analyze")),
    "mapping.csv.quote": ("--quote", ("import", "analyze")),
    "mapping.csv.encoding": ("--encoding", ("import", "analyze")),
    "mapping.csv.null_values": ("--null-value", ("import", "analyze")),
    "mapping.xes.classifier": ("--classifier", ("import", "analyze")),
    "mapping.ocel.object_type": ("--object-type", ("import", "analyze")),
    # an import
    "import.kind": ("--kind", ("import",)),
    "import.mapping": ("--mapping", ("import",)),
    "import.on_error": ("--on-error", ("import", "analyze")),
    # what an analysis reads, and where it runs
    "query.journey": (
        "--journey",
        ("map", "analyze", "experience", "value", "leakage", "improvements", "report"),
    ),
    "query.events": (
        "--events",
        ("analyze", "agreements", "value", "leakage", "improvements", "report"),
    ),
    "query.from": ("--from", (*_ANALYSES, "map")),
    "query.to": ("--to", (*_ANALYSES, "map")),
    "query.as_of": ("--as-of", ("agreements", "leakage")),
    "query.segment": ("--segment", (*_ANALYSES, "map")),
    "query.where": ("--where", (*_ANALYSES, "map")),
    "query.persona": ("--persona", (*_ANALYSES, "map")),
    "query.variant": ("--variant", ("analyze",)),
    "query.by": ("--by", ("analyze", "experience", "agreements", "value", "leakage")),
    "query.top": ("--top", ("analyze", "leakage")),
    "query.agreement": ("--agreement", ("agreements",)),
    "query.improvement": ("--improvement", ("improvements",)),
    "query.engine": ("--engine", _ANALYSES),
    "query.spark_master": ("--spark-master", _ANALYSES),
    "query.spark_remote": ("--spark-remote", _ANALYSES),
    # what is written
    "output.json": (
        "--json",
        (
            "validate",
            "analyze",
            "experience",
            "agreements",
            "value",
            "leakage",
            "improvements",
            "imports list",
            "users list",
            "tokens list",
            "share list",
            "survey list",
        ),
    ),
    "output.csv": (
        "--csv",
        (
            "analyze",
            "experience",
            "agreements",
            "value",
            "leakage",
            "improvements",
            "imports list",
            "users list",
            "tokens list",
            "share list",
            "survey list",
        ),
    ),
    "output.file": ("--output", ("schema", "map", "export", "report")),
    "export.format": ("--format", ("export",)),
    "export.parquet_dataset": ("--parquet-dataset", ("export",)),
    "map.kind": ("--kind", ("map",)),
    "map.format": ("--format", ("map",)),
    "output.audience": ("--audience", ("map", "report")),
    "map.measured": ("--measured", ("map",)),
    # workspaces and demos
    "init.example": ("--example", ("init", "demo build")),
    "init.force": ("--force", ("init",)),
    "simulate.journeys": ("--journeys", ("demo build", "demo simulate")),
    "simulate.seed": ("--seed", ("demo build", "demo simulate")),
    "simulate.output": ("--output", ("demo simulate",)),
    "simulate.from": ("--from", ("demo simulate",)),
    "simulate.to": ("--to", ("demo simulate",)),
    "demo.serve": ("--serve", ("demo build",)),
    # importing with a shipped mapping, and undoing an import
    "import.preset": ("--preset", ("import",)),
    # the web workspace: its database, server, accounts, tokens and share links
    "web.database_url": (
        "--database-url",
        (
            "serve",
            "db upgrade",
            "users add",
            "users list",
            "tokens create",
            "tokens list",
            "tokens revoke",
            "share create",
            "share list",
            "share revoke",
            "survey link",
            "survey list",
            "survey disable",
            "alerts send",
        ),
    ),
    "serve.host": ("--host", ("serve",)),
    "serve.port": ("--port", ("serve",)),
    "web.base_url": ("--base-url", ("share create", "survey link")),
    "share.journey": ("--journey", ("share create",)),
    "share.expires": ("--expires", ("share create",)),
    "survey_link.touchpoint": ("--touchpoint", ("survey link",)),
    "survey_link.question": ("--question", ("survey link",)),
    "survey_link.journey": ("--journey", ("survey link",)),
    "survey_link.qr": ("--qr", ("survey link",)),
    "account.role": ("--role", ("users add", "tokens create")),
    "account.password_stdin": ("--password-stdin", ("users add",)),
    "token.name": ("--name", ("tokens create",)),
}
#: Concept -> flag.
CONCEPT_FLAGS: Final[Mapping[str, str]] = {c: flag for c, (flag, _) in CONCEPTS.items()}

#: Concepts the CLI shows as a whole command line.
CONCEPT_COMMAND_LINES: Final[Mapping[str, str]] = {
    "import.events": "`cojourney import WORKSPACE FILE`",
    "import.feedback": "`cojourney import WORKSPACE FILE --kind feedback`",
}

#: Old spelling -> the spelling that replaces it (hidden, warned, removed in a release).
DEPRECATED_FLAGS: Final[Mapping[str, str]] = {
    "--journey-id": "--case",
    "--time-zone": "--timezone",
    "--skip-incomplete": "--on-error skip",
    "--format json": "--json -",
    "--out": "--output",
    "--start": "--from",
    "--end": "--to",
}

_CONCEPT = re.compile(
    r"(?<![\w./\\-])("
    + "|".join(
        re.escape(c)
        for c in sorted([*CONCEPT_FLAGS, *CONCEPT_COMMAND_LINES], key=len, reverse=True)
    )
    + r")(?:=([^\s,;:)\]'\"]+))?(?![\w/\\-]|\.\w)"
)


def to_flags(text: str) -> str:
    """``text`` with every concept name replaced by its CLI flag.

    >>> to_flags("fix mapping.timestamp.format, or pass import.on_error=skip.")
    'fix --timestamp-format, or pass --on-error skip.'
    """

    def flag(match: re.Match[str]) -> str:
        concept, value = match.groups()
        if concept in CONCEPT_COMMAND_LINES:
            return CONCEPT_COMMAND_LINES[concept] + (f"={value}" if value else "")
        return CONCEPT_FLAGS[concept] + (f" {value}" if value else "")

    return _CONCEPT.sub(flag, text)


def deprecated_alias(
    old: str,
    name: str,
    use: str,
    *,
    flag_value: Any = None,
    convert: Callable[[str], Any] | None = None,
    metavar: str | None = None,
) -> Callable[[F], F]:
    """A hidden option ``old`` that sets the parameter ``name`` of its replacement ``use``.

    Given on the command line, it warns on standard error ("--time-zone is deprecated:
    use --timezone") and stores its value (or ``flag_value`` for a flag, or
    ``convert(value)``) under ``name``; the replacement wins when both are given.
    """

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is None or value is False:
            return
        click.echo(
            f"Warning: {old} is deprecated and will be removed in a future release; use {use}.",
            err=True,
        )
        given = ctx.get_parameter_source(name)
        if given is not None and given <= click.core.ParameterSource.ENVIRONMENT:
            return  # the new spelling was given too, and wins
        ctx.params[name] = (
            flag_value if flag_value is not None else (convert(value) if convert else value)
        )
        ctx.set_parameter_source(name, click.core.ParameterSource.COMMANDLINE)

    return click.option(
        old,
        f"_deprecated_{name}",
        is_flag=flag_value is not None,
        metavar=metavar,
        hidden=True,
        expose_value=False,
        callback=callback,
        help=f"Deprecated spelling of {use}.",
    )


def vocabulary_reference() -> str:
    """The vocabulary as Markdown tables: each concept, its flag and the commands that
    take it, then the deprecated spellings."""
    lines = [
        "## Vocabulary",
        "",
        "One flag per concept on every command (see docs/cli-vocabulary.md). Messages of",
        "the library and the web app name the concept; the CLI shows its flag.",
        "",
        "| concept | flag | commands |",
        "|---|---|---|",
    ]
    for concept, (flag, commands) in CONCEPTS.items():
        lines.append(f"| `{concept}` | `{flag}` | {', '.join(commands)} |")
    lines += ["", "| deprecated spelling | use instead |", "|---|---|"]
    lines += [f"| `{old}` | `{new}` |" for old, new in DEPRECATED_FLAGS.items()]
    return "\n".join(lines) + "\n"
