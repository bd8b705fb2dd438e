"""``--where KEY=VALUE`` and ``--persona ID``: the journeys an analysis looks at, by case
attribute, persona or cohort; the same on every command that takes them.

The parsing is :func:`cojourney.analytics.filters.parse_where` (the web app's ``where``
parameter reads the same way); only click is imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

WHERE_HELP = (
    "Only journeys where KEY is VALUE (repeatable, every one must hold): KEY is persona "
    "(by the workspace's persona rules; '(no persona)' for journeys matching none), "
    "cohort (the month of the first event, YYYY-MM) or a case attribute, an event "
    "column (channel, actor, ...) or a key of the events' attributes."
)


def where_options(what: str = "journeys") -> Callable[[F], F]:
    """``--where KEY=VALUE`` and ``--persona ID`` (repeatable), as ``where`` and
    ``personas``; ``what`` names what is kept (``journeys``, ``answers of journeys``)."""

    def decorate(command: F) -> F:
        command = click.option(
            "--persona",
            "personas",
            multiple=True,
            metavar="ID",
            help=f"Only {what} of this persona (repeatable; same as --where persona=ID).",
        )(command)
        return click.option(
            "--where",
            "where",
            multiple=True,
            metavar="KEY=VALUE",
            help=WHERE_HELP.replace("Only journeys", f"Only {what}"),
        )(command)

    return decorate


def where_arguments(where: tuple[str, ...], personas: tuple[str, ...]) -> dict[str, Any]:
    """``attributes``, ``personas`` and ``cohorts`` of a journey filter, from the options."""
    from cojourney.analytics.filters import parse_where

    parsed = parse_where(where)
    parsed["personas"] = tuple(dict.fromkeys((*personas, *parsed["personas"])))
    return parsed
