"""Key numbers of the journeys by segment, persona, cohort, entry channel, month, week
or any case attribute.

Every journey falls in exactly one group of each dimension, so the groups add up
(except ``segments``, see below):

* ``segment``: the journey's segment (the smallest non-null ``segment`` of its
  events), ``(none)`` when it has none;
* ``persona``: its persona by the workspace's rules (:mod:`.segments`),
  ``(no persona)`` when it matches none;
* ``cohort``: the month of its first event (``2025-03``, UTC), by the same rule as
  the cohort filter;
* ``segments``: the workspace's named segments; they may overlap, so a journey
  counts in each segment it is in (``(no segment)`` when in none) and the groups
  need not add up;
* ``channel``: its entry channel, the channel of its first event;
* ``month``: the month of its first event (``2024-03``, UTC);
* ``week``: the ISO week of its first event (``2024-W09``, UTC);
* any other name: a case attribute, an event column or a key of the events' JSON
  ``attributes``: the journey's value (the smallest of its events' values, as
  text), ``(none)`` when it has none.

Per group: journeys, events, median duration, mean fitness (:mod:`.conformance`)
and drop-off, the share of journeys that ended early (their last touchpoint is not
a designed exit point), with its 95% Wilson interval.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from cojourney.analytics.journey_results import Breakdown, BreakdownRow
from cojourney.analytics.segments import NO_PERSONA
from cojourney.analytics.stats import wilson_intervals
from cojourney.errors import InputError, Location, Problem
from cojourney.events.schema import CHANNEL, JOURNEY_ID, SEGMENT

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.analytics.prepared import JourneyData

#: The dimensions with a name of their own; any other name is a case attribute.
DIMENSIONS: Final = ("segment", "persona", "cohort", "segments", "channel", "month", "week")
DEFAULT_DIMENSIONS: Final = ("segment", "channel", "month")
#: The dimensions read from the journeys' groups (``JourneyData.groups``).
GROUP_DIMENSIONS: Final = ("persona", "cohort", "segments")
NONE_LABEL: Final = "(none)"
NO_SEGMENT: Final = "(no segment)"
_COLUMN = {"segment": SEGMENT, "channel": CHANNEL, "month": "month", "week": "week_day"}
_EPOCH_DAY = date(1970, 1, 1)


def check_dimensions(dimensions: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The dimensions, checked: one of :data:`DIMENSIONS` or a case attribute's name.

    Raises
    ------
    cojourney.errors.InputError
        For a blank name (a name of :data:`DIMENSIONS` or of a case attribute is expected).
    """
    for index, dimension in enumerate(dimensions):
        if not dimension.strip():
            raise InputError(
                Problem(
                    "a breakdown dimension has no name",
                    Location(field=f"breakdown_by[{index}]"),
                    found=repr(dimension),
                    expected=", ".join(DIMENSIONS) + " or a case attribute",
                )
            )
    return tuple(dict.fromkeys(d.strip() for d in dimensions))


def group_attributes(dimensions: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    """The case attributes the journeys' groups need for ``dimensions`` (``None``: no
    group is needed), for :func:`cojourney.analytics.prepared.prepare`."""
    attributes = tuple(d for d in dimensions if d not in DIMENSIONS)
    needed = attributes or any(d in GROUP_DIMENSIONS for d in dimensions)
    return attributes if needed else None


def breakdown(data: JourneyData, dimension: str) -> Breakdown:
    """The key numbers per value of ``dimension``, sorted by value (``(none)`` last).

    A persona, cohort, named segment or case attribute dimension needs
    ``data.groups`` (:func:`cojourney.analytics.prepared.prepare` with ``groups``).
    """
    (dimension,) = check_dimensions([dimension])
    facts = data.facts
    if dimension in _COLUMN:
        keyed = facts.mutate(value=facts[_COLUMN[dimension]])
    else:
        keyed = facts.inner_join(_group_values(data, dimension), JOURNEY_ID)
    grouped = keyed.group_by("value").aggregate(
        journeys=keyed.count(),
        events=keyed.events.sum(),
        median_duration=keyed.duration_seconds.median(),
        mean_fitness=keyed.fitness.mean(),
        ended_early=keyed.ends_early.sum(),
    )
    found = data.engine.rows(grouped)
    n = np.array([int(r["journeys"]) for r in found], dtype=float)
    early = np.array([int(r["ended_early"] or 0) for r in found], dtype=float)
    low, high = wilson_intervals(early, n)
    rows = []
    for i, row in enumerate(found):
        journeys = int(row["journeys"])
        rows.append(
            (
                row["value"],
                BreakdownRow(
                    value=_label(dimension, row["value"], data.channels),
                    journeys=journeys,
                    events=int(row["events"]),
                    median_duration_seconds=_float(row["median_duration"]),
                    mean_fitness=_float(row["mean_fitness"]),
                    drop_off=early[i] / journeys if journeys else None,
                    drop_off_low=_finite(low[i]),
                    drop_off_high=_finite(high[i]),
                ),
            )
        )
    last = (NONE_LABEL, NO_SEGMENT, NO_PERSONA)
    rows.sort(
        key=lambda item: (
            item[1].value in last,
            item[0] is None,
            item[0] if item[0] is not None else 0,
        )
    )
    return Breakdown(dimension, tuple(r for _, r in rows))


def _group_values(data: JourneyData, dimension: str) -> ir.Table:
    """``journey_id`` and ``value`` of a group dimension (several rows per journey for
    ``segments``)."""
    import ibis

    groups = data.groups
    if groups is None or (dimension not in GROUP_DIMENSIONS and dimension not in groups.columns):
        raise InputError(
            Problem(
                f"the journeys' groups were not prepared for the breakdown by {dimension}",
                Location(field="breakdown_by"),
                hint="prepare the data with the groups of the dimensions to break down by",
            )
        )
    if dimension == "segments":
        segments = groups.segments
        listed = ibis.ifelse(
            segments.length() == 0, ibis.literal([NO_SEGMENT], type="array<string>"), segments
        )
        return groups.select(JOURNEY_ID, value=listed.unnest())
    return groups.select(JOURNEY_ID, value=groups[dimension])


def _label(dimension: str, value: Any, channels: tuple[str, ...]) -> str:
    if value is None or (dimension == "channel" and value < 0):
        return NONE_LABEL
    if dimension == "channel":
        return str(channels[value])
    if dimension == "month":
        return f"{int(value) // 100:04d}-{int(value) % 100:02d}"
    if dimension == "week":
        year, week, _ = (_EPOCH_DAY + timedelta(days=int(value))).isocalendar()
        return f"{year:04d}-W{week:02d}"
    return str(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
