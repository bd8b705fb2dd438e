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

#: Concept name (as lower layers write it) -> the CLI flag. Concepts are dotted:
#: ``mapping.*`` are the paths of a saved import mapping (data/mappings/NAME.yaml),
#: ``query.*`` the parameters of an analysis, the rest ``command.parameter``.
CONCEPT_FLAGS: Final[Mapping[str, str]] = {
    # the columns of an import mapping (events and feedback)
    "mapping.columns.journey_id": "--case",
    "mapping.columns.activity": "--activity",
    "mapping.columns.timestamp": "--timestamp",
    "mapping.columns.channel": "--channel",
    "mapping.columns.segment": "--segment",
    "mapping.columns.actor": "--actor",
    "mapping.columns.role": "--role",
    "mapping.columns.lifecycle": "--lifecycle",
    "mapping.columns.question": "--question",
    "mapping.columns.score": "--score",
    "mapping.columns.comment": "--comment",
    "mapping.columns.touchpoint": "--touchpoint",
    "mapping.columns.step": "--step",
    "mapping.columns.respondent": "--respondent",
    "mapping.score_columns": "--score-column",
    "mapping.text_columns": "--text-column",
    "mapping.journey_questions": "--journey-question",
    "mapping.scales": "--scale",
    "mapping.question_renames": "--rename-question",
    "mapping.activity_renames": "--rename",
    # how a file is read
    "mapping.timestamp.format": "--timestamp-format",
    "mapping.timestamp.time_zone": "--timezone",
    "mapping.csv.sep": "--sep",
    "mapping.csv.quote": "--quote",
    "mapping.csv.encoding": "--encoding",
    "mapping.csv.null_values": "--null-value",
    "mapping.xes.classifier": "--classifier",
    "mapping.ocel.object_type": "--object-type",
    # an import, an export
    "import.kind": "--kind",
    "import.mapping": "--mapping",
    "import.on_error": "--on-error",
    "export.output": "--output",
    "export.format": "--format",
    # what an analysis reads and where it runs
    "query.journey": "--journey",
    "query.events": "--events",
    "query.from": "--from",
    "query.to": "--to",
    "query.as_of": "--as-of",
    "query.segment": "--segment",
    "query.variant": "--variant",
    "query.by": "--by",
    "query.top": "--top",
    "query.agreement": "--agreement",
    "query.improvement": "--improvement",
    "query.engine": "--engine",
    "query.spark_master": "--spark-master",
    # results
    "output.json": "--json",
    "output.file": "--output",
    # workspaces, maps, demos
    "init.example": "--example",
    "init.force": "--force",
    "map.kind": "--kind",
    "map.format": "--format",
    "simulate.journeys": "--journeys",
    "simulate.seed": "--seed",
    "simulate.out": "--out",
    "simulate.start": "--start",
    "simulate.end": "--end",
}

#: Concepts the CLI shows as a whole command line.
CONCEPT_COMMANDS: Final[Mapping[str, str]] = {
    "import.events": "`cojourney import WORKSPACE FILE`",
    "import.feedback": "`cojourney import WORKSPACE FILE --kind feedback`",
}

#: Old spelling -> the spelling that replaces it (hidden, warned, removed in a release).
DEPRECATED_FLAGS: Final[Mapping[str, str]] = {
    "--journey-id": "--case",
    "--time-zone": "--timezone",
    "--skip-incomplete": "--on-error skip",
    "--format json": "--json -",
}

_CONCEPT = re.compile(
    r"(?<![\w.-])("
    + "|".join(
        re.escape(c) for c in sorted([*CONCEPT_FLAGS, *CONCEPT_COMMANDS], key=len, reverse=True)
    )
    + r")(?:=([^\s,;:)\]'\"]+))?(?!\w|\.\w)"
)


def to_flags(text: str) -> str:
    """``text`` with every concept name replaced by its CLI flag.

    >>> to_flags("fix mapping.timestamp.format, or pass import.on_error=skip.")
    'fix --timestamp-format, or pass --on-error skip.'
    """

    def flag(match: re.Match[str]) -> str:
        concept, value = match.groups()
        if concept in CONCEPT_COMMANDS:
            return CONCEPT_COMMANDS[concept] + (f"={value}" if value else "")
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
