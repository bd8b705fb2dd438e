"""Plain, typed results of the discovery analyses (no Ibis, pandas or Arrow objects).

:meth:`DiscoverySummary.to_reference_dict` writes the layout of the PM4Py reference
files in ``../shared/data/reference`` (and of ``cojourney analyze --json``):
``cases``, ``events``, ``activities``, ``directly_follows`` as
``[from, to, count, mean_seconds]`` rows, ``start_activities``,
``end_activities``, ``variant_count``, ``top_variants`` as ``{activities, cases}``
and ``case_duration_seconds`` (``mean``, ``median``, ``min``, ``max``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: How the numbers are defined (written into the JSON output, as in the reference files).
CONVENTIONS = (
    "events of a case ordered by timestamp, ties kept in file order; every event "
    "counts (no lifecycle filter); activity = the activity column alone; "
    "timestamps in UTC"
)


@dataclass(frozen=True, slots=True)
class LogCounts:
    """Size of an event log: journeys (cases), events and distinct activities."""

    journeys: int
    events: int
    activities: int


@dataclass(frozen=True, slots=True)
class DirectlyFollows:
    """One directly-follows relation ``source -> target`` (``target`` is the next event).

    ``events`` counts the occurrences, ``journeys`` the journeys with at least one.
    The seconds are between the two events' timestamps: mean, median and 90th
    percentile (linear interpolation between closest ranks, as NumPy's default).
    """

    source: str
    target: str
    events: int
    journeys: int
    mean_seconds: float
    median_seconds: float
    p90_seconds: float


@dataclass(frozen=True, slots=True)
class Variant:
    """A distinct sequence of activities, with the journeys that follow it exactly.

    ``share`` is ``journeys`` divided by every journey of the log; the mean duration
    is from first to last event of those journeys.
    """

    activities: tuple[str, ...]
    journeys: int
    share: float
    mean_duration_seconds: float


@dataclass(frozen=True, slots=True)
class DurationStats:
    """Journey (case) durations in seconds, first to last event; ``None`` for an empty log.

    The median of an even number of durations is the mean of the two middle ones.
    """

    mean: float | None
    median: float | None
    min: float | None
    max: float | None

    def to_dict(self) -> dict[str, float | None]:
        return {"mean": self.mean, "median": self.median, "min": self.min, "max": self.max}


@dataclass(frozen=True, slots=True)
class DiscoverySummary:
    """Everything ``cojourney analyze`` reports about one event log.

    Collections are sorted: directly-follows by ``events`` descending, then
    ``(source, target)``; start and end activities by count descending, then name;
    variants by journeys descending, then by their activities (compared as tuples).
    """

    counts: LogCounts
    directly_follows: tuple[DirectlyFollows, ...]
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    variant_count: int
    top_variants: tuple[Variant, ...]
    case_durations: DurationStats
    engine: str = ""
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_reference_dict(self) -> dict[str, Any]:
        """The summary in the layout of the reference files (JSON-ready)."""
        return {
            "cases": self.counts.journeys,
            "events": self.counts.events,
            "activities": self.counts.activities,
            "directly_follows": [
                [d.source, d.target, d.events, d.mean_seconds] for d in self.directly_follows
            ],
            "start_activities": dict(self.start_activities),
            "end_activities": dict(self.end_activities),
            "variant_count": self.variant_count,
            "top_variants": [
                {"activities": list(v.activities), "cases": v.journeys} for v in self.top_variants
            ],
            "case_duration_seconds": self.case_durations.to_dict(),
        }


def sorted_counts(counts: dict[str, int]) -> dict[str, int]:
    """``counts`` ordered by count descending, then key."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
