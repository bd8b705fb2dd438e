"""Plain, typed results of the journey analyses (no Ibis, pandas or Arrow objects).

Every result has ``to_dict()`` giving JSON-ready data (tuples become lists). The
definitions are in the modules that compute them: :mod:`.journeys` (graph, variants,
entry and exit), :mod:`.rework`, :mod:`.funnel`, :mod:`.gates`, :mod:`.conformance`,
:mod:`.breakdown`; :class:`JourneyAnalysis` gathers them (:mod:`.report`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from cojourney.analytics.results import DirectlyFollows, DurationStats, LogCounts


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: dataclasses as dicts, tuples as lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


class _ToDict:
    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (see :func:`plain`)."""
        result: dict[str, Any] = plain(self)
        return result


# --------------------------------------------------------------------------- graph, variants


@dataclass(frozen=True, slots=True)
class ActivityNode(_ToDict):
    """An activity of the actual journeys; ``designed`` when it is a touchpoint."""

    activity: str
    events: int
    journeys: int
    designed: bool


@dataclass(frozen=True, slots=True)
class JourneyGraph(_ToDict):
    """The actual-journey graph: activities and directly-follows relations.

    Nodes are sorted by events descending, then name; edges as in
    :func:`cojourney.analytics.discovery.directly_follows`.
    """

    nodes: tuple[ActivityNode, ...]
    edges: tuple[DirectlyFollows, ...]


@dataclass(frozen=True, slots=True)
class JourneyVariant(_ToDict):
    """A distinct activity sequence with its journeys, against the design.

    ``starts_in_middle``/``ends_early``: its first/last touchpoint is not a designed
    entry/exit point (``None`` when it has no touchpoint). ``fitness`` is the
    conformance fitness of the sequence (:mod:`.conformance`).
    """

    activities: tuple[str, ...]
    journeys: int
    share: float
    mean_duration_seconds: float
    starts_in_middle: bool | None
    ends_early: bool | None
    fitness: float


@dataclass(frozen=True, slots=True)
class Variants(_ToDict):
    """How many variants there are, and the most frequent ones."""

    count: int
    top: tuple[JourneyVariant, ...]


@dataclass(frozen=True, slots=True)
class TouchpointEnds(_ToDict):
    """How many journeys start and end at a touchpoint (their first/last touchpoint)."""

    touchpoint: str
    starts: int
    ends: int
    entry_point: bool
    exit_point: bool


@dataclass(frozen=True, slots=True)
class EntryExit(_ToDict):
    """Where journeys enter and leave, against the designed entry and exit points.

    ``started_in_middle``: the first touchpoint is not an entry point;
    ``worked_back``: of those, the journeys that later reached an entry point;
    ``ended_early``: the last touchpoint is not an exit point. Journeys without any
    touchpoint event are counted in ``without_touchpoints`` only.
    """

    journeys: int
    without_touchpoints: int
    started_in_middle: int
    worked_back: int
    ended_early: int
    touchpoints: tuple[TouchpointEnds, ...]


# --------------------------------------------------------------------------- rework


@dataclass(frozen=True, slots=True)
class TouchpointRework(_ToDict):
    """Visits of one touchpoint: ``extra_visits`` is visits beyond the first per journey."""

    touchpoint: str
    visits: int
    journeys: int
    journeys_with_repeat: int
    extra_visits: int


@dataclass(frozen=True, slots=True)
class StepMove(_ToDict):
    """Moves from a step back to an earlier step (consecutive touchpoint events)."""

    from_step: str
    to_step: str
    moves: int
    journeys: int


@dataclass(frozen=True, slots=True)
class Rework(_ToDict):
    """Repeated touchpoints and moves back (back-and-forth), per touchpoint, step pair
    and journey. Distributions map a per-journey count (``"5+"`` for 5 or more) to
    the journeys with that count."""

    journeys: int
    journeys_with_repeat: int
    journeys_with_back_move: int
    journeys_with_rework: int
    mean_repeats: float | None
    mean_back_moves: float | None
    touchpoints: tuple[TouchpointRework, ...]
    back_moves: tuple[StepMove, ...]
    repeat_distribution: dict[str, int]
    back_move_distribution: dict[str, int]


# --------------------------------------------------------------------------- funnel, gates


@dataclass(frozen=True, slots=True)
class FunnelStep(_ToDict):
    """One step of the funnel; ``reached = moved_on + went_back + left``.

    The journeys that ``left`` in the step (their last touchpoint event is in it) are
    ``ended`` (at an exit point or an offboarding touchpoint: on purpose),
    ``in_progress`` (their last event is recent: :mod:`cojourney.analytics.journey_state`)
    or ``dropped_off`` (gone silent): ``left = ended + in_progress + dropped_off``.
    """

    step: str
    name: str
    reached: int
    moved_on: int
    went_back: int
    left: int
    median_seconds_in_step: float | None
    ended: int = 0
    in_progress: int = 0
    dropped_off: int = 0


@dataclass(frozen=True, slots=True)
class Onboarding(_ToDict):
    """The onboarding step: got on board (reached a later step afterwards) or not.

    Those not on board ``left`` = ``cancelled`` (their journey ended at an exit point or
    an offboarding touchpoint) + ``silent`` (abandoned: no event for the in-progress
    window) + ``in_progress`` (still within it). ``share_on_board`` is of the journeys
    that reached the step.
    """

    step: str
    reached: int
    got_on_board: int
    left: int
    share_on_board: float | None
    cancelled: int = 0
    silent: int = 0
    in_progress: int = 0


@dataclass(frozen=True, slots=True)
class Funnel(_ToDict):
    """The step funnel in the journey's step order, and the onboarding outcome."""

    steps: tuple[FunnelStep, ...]
    onboarding: Onboarding | None


@dataclass(frozen=True, slots=True)
class GateResult(_ToDict):
    """One gate: of the journeys that reached a ``before`` touchpoint, how many had every
    requirement earlier (respected) or not (bypassed); ``missing`` counts, per
    requirement, the journeys that lacked it."""

    gate: str
    name: str
    requires: tuple[str, ...]
    before: tuple[str, ...]
    reached: int
    respected: int
    bypassed: int
    missing: dict[str, int]
    most_missing: str | None


# --------------------------------------------------------------------------- conformance


@dataclass(frozen=True, slots=True)
class OrderViolation(_ToDict):
    """A move back from one touchpoint to an earlier one that no designed loop allows."""

    from_touchpoint: str
    to_touchpoint: str
    moves: int
    journeys: int


@dataclass(frozen=True, slots=True)
class UnknownActivity(_ToDict):
    """An activity the design does not know (not a touchpoint id of the journey)."""

    activity: str
    events: int
    journeys: int


@dataclass(frozen=True, slots=True)
class Conformance(_ToDict):
    """Conformance of the journeys to the designed path (definitions in :mod:`.conformance`).

    ``fitness_distribution`` maps ``"1.0"`` (perfect) and ``"0.9-1.0"`` ...
    ``"0.0-0.1"`` (lower bound included) to journey counts.
    """

    journeys: int
    mean_fitness: float | None
    median_fitness: float | None
    perfect: int
    perfect_share: float | None
    fitness_distribution: dict[str, int]
    journeys_with_skips: int
    journeys_with_violations: int
    journeys_with_unknown: int
    skipped: dict[str, int]
    violations: tuple[OrderViolation, ...]
    unknown_activities: tuple[UnknownActivity, ...]


# --------------------------------------------------------------------------- breakdown, all


@dataclass(frozen=True, slots=True)
class BreakdownRow(_ToDict):
    """Key numbers of the journeys with one value of a dimension.

    ``drop_off`` is the share of those journeys that ended early (their last
    touchpoint is not a designed exit point), ``drop_off_low`` and ``drop_off_high``
    its 95% Wilson interval.
    """

    value: str
    journeys: int
    events: int
    median_duration_seconds: float | None
    mean_fitness: float | None
    drop_off: float | None
    drop_off_low: float | None = field(default=None, compare=False)
    drop_off_high: float | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Breakdown(_ToDict):
    """The key numbers by one dimension (``segment``, ``persona``, ``cohort``, ``segments``,
    ``channel``, ``month``, ``week`` or a case attribute)."""

    dimension: str
    rows: tuple[BreakdownRow, ...]


@dataclass(frozen=True, slots=True)
class JourneyAnalysis(_ToDict):
    """Every journey analysis of one event log against one designed journey."""

    journey_id: str
    counts: LogCounts
    durations: DurationStats
    graph: JourneyGraph
    variants: Variants
    entry_exit: EntryExit
    rework: Rework
    funnel: Funnel
    gates: tuple[GateResult, ...]
    conformance: Conformance
    breakdowns: tuple[Breakdown, ...]
    filters: dict[str, Any] = field(default_factory=dict)
    engine: str = ""
    source: str | None = None
