"""Key numbers of the journeys by segment, entry channel, month or week.

Every journey falls in exactly one group of each dimension, so the groups add up:

* ``segment``: the journey's segment (the smallest non-null ``segment`` of its
  events), ``(none)`` when it has none;
* ``channel``: its entry channel, the channel of its first event;
* ``month``: the month of its first event (``2024-03``, UTC);
* ``week``: the ISO week of its first event (``2024-W09``, UTC);
* ``offering`` and ``relationship``: the offerings the journey took and the type of
  its consumer's relationship, labelled by :mod:`cojourney.analytics.offerings`
  (which needs the workspace: pass its grouping).

Per group: journeys, events, median duration, mean fitness (:mod:`.conformance`)
and drop-off, the share of journeys that ended early (their last touchpoint is not
a designed exit point).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

from cojourney.analytics.journey_results import Breakdown, BreakdownRow
from cojourney.analytics.offerings import DIMENSIONS as LABELLED
from cojourney.analytics.offerings import Grouping
from cojourney.errors import InputError, Location, Problem
from cojourney.events.schema import CHANNEL, SEGMENT

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.prepared import JourneyData

DIMENSIONS: Final = ("segment", "channel", "month", "week", *LABELLED)
DEFAULT_DIMENSIONS: Final = ("segment", "channel", "month")
NONE_LABEL: Final = "(none)"
_COLUMN = {"segment": SEGMENT, "channel": CHANNEL, "month": "month", "week": "week_day"}
_EPOCH_DAY = date(1970, 1, 1)


def check_dimensions(dimensions: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The dimensions, checked.

    Raises
    ------
    cojourney.errors.InputError
        For a dimension that is not one of :data:`DIMENSIONS`.
    """
    unknown = [d for d in dimensions if d not in DIMENSIONS]
    if unknown:
        raise InputError(
            Problem(
                "unknown breakdown dimension",
                Location(field="breakdown_by"),
                found=", ".join(unknown),
                expected=", ".join(DIMENSIONS),
            )
        )
    return tuple(dimensions)


def breakdown(data: JourneyData, dimension: str, grouping: Grouping | None = None) -> Breakdown:
    """The key numbers per value of ``dimension``, sorted by value (``(none)`` last).

    ``grouping`` labels the journeys for a dimension of :mod:`.offerings`; without
    it, every journey of such a dimension is ``(none)``.
    """
    check_dimensions([dimension])
    facts = data.facts
    if dimension in LABELLED:
        import ibis

        key = grouping(data) if grouping is not None else ibis.literal(None, type="string")
    else:
        key = facts[_COLUMN[dimension]]
    grouped = facts.group_by(value=key).aggregate(
        journeys=facts.count(),
        events=facts.events.sum(),
        median_duration=facts.duration_seconds.median(),
        mean_fitness=facts.fitness.mean(),
        ended_early=facts.ends_early.sum(),
    )
    rows = []
    for row in data.engine.rows(grouped):
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
                    drop_off=int(row["ended_early"] or 0) / journeys if journeys else None,
                ),
            )
        )
    rows.sort(key=lambda item: (item[1].value == NONE_LABEL, item[0] if item[0] is not None else 0))
    return Breakdown(dimension, tuple(r for _, r in rows))


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
