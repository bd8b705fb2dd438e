"""``--segment``, ``--persona``, ``--cohort``, ``--where`` and ``--by``: which journeys an
analysis looks at, and how it is broken down. Declared once for the commands whose services take a
:class:`~cojourney.analytics.filters.JourneyFilter` (``agreements``, ``value``,
``leakage``, ``improvements``).

Only click is imported here, so ``cojourney --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter

F = TypeVar("F", bound=Callable[..., Any])

WHERE_HELP = (
    "Only journeys with an event whose case attribute ATTRIBUTE is VALUE: an event "
    "column (channel, actor, role...) or a key of the events' attributes; persona=ID, "
    "cohort=YYYY-MM and segments=ID select journeys by the workspace's rules "
    "(repeatable; every condition must hold, values of one of these three are "
    "alternatives)."
)


def journey_filter_options(*, by: str | None = None) -> Callable[[F], F]:
    """``--segment SEGMENT`` (as ``segments``), ``--persona ID`` (``personas``),
    ``--cohort MONTH`` (``cohorts``), ``--where ATTRIBUTE=VALUE`` (``wheres``) and, when
    ``by`` says what is broken down, ``--by DIMENSION``."""

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
        f = click.option(
            "--cohort",
            "cohorts",
            multiple=True,
            metavar="MONTH",
            help="Only journeys whose first event is in this month, YYYY-MM (repeatable).",
        )(f)
        f = click.option(
            "--persona",
            "personas",
            multiple=True,
            metavar="ID",
            help="Only journeys of this persona, by the personas' rules (repeatable).",
        )(f)
        f = click.option(
            "--where",
            "wheres",
            multiple=True,
            metavar="ATTRIBUTE=VALUE",
            help=WHERE_HELP,
        )(f)
        return click.option(
            "--segment",
            "segments",
            multiple=True,
            metavar="SEGMENT",
            help="Only journeys of this segment (repeatable).",
        )(f)

    return decorate


def parse_wheres(texts: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``ATTRIBUTE=VALUE`` texts as pairs.

    Raises
    ------
    click.BadParameter
        For a text without ``=`` or without an attribute name.
    """
    pairs = []
    for text in texts:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(
                f"{text!r} is not ATTRIBUTE=VALUE (e.g. --where channel=app).",
                param_hint="--where",
            )
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def journey_filter(
    segments: tuple[str, ...],
    wheres: tuple[str, ...],
    personas: tuple[str, ...] = (),
    cohorts: tuple[str, ...] = (),
    start: datetime | None = None,
    end: datetime | None = None,
) -> JourneyFilter | None:
    """The filter of the options (``None`` when none is given); ``--persona X`` is
    ``--where persona=X``, ``--cohort M`` is ``--where cohort=M``."""
    from cojourney.analytics.filters import JourneyFilter

    pairs = parse_wheres(wheres)
    pairs += tuple(("persona", p) for p in personas) + tuple(("cohort", c) for c in cohorts)
    found = JourneyFilter(start=start, end=end, segments=segments, attributes=pairs)
    return found if found.active else None
