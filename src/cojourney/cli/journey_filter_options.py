"""``--segment``, ``--where``, ``--persona`` and ``--by``: which journeys an analysis looks
at, and how it is broken down. Declared once for the commands whose services take a
:class:`~cojourney.analytics.filters.JourneyFilter` and run on the kept journeys
(``agreements``, ``value``, ``leakage``, ``improvements``, ``report``); ``--where`` and
``--persona`` are :mod:`cojourney.cli.group_options`' own.

Only click is imported here, so ``cojourney --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cojourney.cli.group_options import where_arguments, where_options

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter

F = TypeVar("F", bound=Callable[..., Any])


def journey_filter_options(*, by: str | None = None) -> Callable[[F], F]:
    """``--segment SEGMENT`` (as ``segments``), ``--where KEY=VALUE`` (``where``),
    ``--persona ID`` (``personas``) and, when ``by`` says what is broken down,
    ``--by DIMENSION``."""

    def decorate(f: F) -> F:
        if by is not None:
            f = click.option(
                "--by",
                "by",
                metavar="DIMENSION",
                help=f"Break {by} down by 'persona', 'cohort' (month of the first "
                "event), 'segment' or a case attribute (an event column or a key of the "
                "events' attributes): one group per value, each journey in the group of "
                "its first value, '(none)' without one.",
            )(f)
        f = where_options()(f)
        return click.option(
            "--segment",
            "segments",
            multiple=True,
            metavar="SEGMENT",
            help="Only journeys of this segment (repeatable).",
        )(f)

    return decorate


def journey_filter(
    segments: tuple[str, ...],
    where: tuple[str, ...],
    personas: tuple[str, ...],
    start: datetime | None = None,
    end: datetime | None = None,
) -> JourneyFilter | None:
    """The filter of the options (``None`` when none is given)."""
    from cojourney.analytics.filters import JourneyFilter

    found = JourneyFilter(
        start=start, end=end, segments=segments, **where_arguments(where, personas)
    )
    return found if found.active else None
