"""The designed journey as plain numbers, ready for the journey analyses.

A :class:`JourneyDesign` is compiled once from a :class:`cojourney.domain.Journey`:
every touchpoint gets a *position* (its index in the designed order) and a *step
index* (the index of its step in ``journey.steps``), and loops, skips, entry and
exit points and gates are expressed in positions. The analyses compare the
positions of the events of each journey with these numbers.

Touchpoints that ``path.order`` leaves out come after it, in the order they are
listed; they are never mandatory (as in :meth:`Journey.mandatory_touchpoints`).

>>> from cojourney.domain import Journey, Step, Touchpoint, Period
>>> j = Journey(id="j", name="J", steps=[Step(id="s", name="S", period=Period.SERVICE)],
...             touchpoints=[Touchpoint(id="a", name="A", step="s", channel="app"),
...                          Touchpoint(id="b", name="B", step="s", channel="app", optional=True)])
>>> d = JourneyDesign.from_journey(j)
>>> d.touchpoints, d.mandatory, d.entry, d.exit
(('a', 'b'), (0,), frozenset({0}), frozenset({1}))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cojourney.analytics.journey_state import in_progress_seconds
from cojourney.domain import DsvStep

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.domain import Journey


@dataclass(frozen=True, slots=True)
class GateSpec:
    """A gate in positions: every ``requires`` must happen before the first ``before``."""

    id: str
    name: str
    requires: tuple[int, ...]
    before: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class JourneyDesign:
    """A designed journey in positions and step indexes (see the module docstring).

    Attributes
    ----------
    touchpoints
        Touchpoint ids by position.
    steps, step_names
        Step ids and names in ``journey.steps`` order (the funnel's order).
    step_of
        The step index of each position.
    mandatory
        Positions of the mandatory touchpoints.
    entry, exit
        Positions of the designed entry and exit points.
    loops
        Allowed moves back, as ``(from, to)`` positions.
    skips
        Allowed jumps forward, as ``(from, to)`` positions.
    gates
        The gates, in positions.
    onboard_step
        Index of the first step whose ``dsv_step`` is ``onboard`` (``None``: none).
    ending
        Positions at which a journey ends on purpose (exit points, offboarding gates:
        :meth:`cojourney.domain.Journey.ending_touchpoints`).
    in_progress_us
        The in-progress window in microseconds
        (:func:`cojourney.analytics.journey_state.in_progress_seconds`).
    """

    journey_id: str
    touchpoints: tuple[str, ...]
    steps: tuple[str, ...]
    step_names: tuple[str, ...]
    step_of: tuple[int, ...]
    mandatory: tuple[int, ...]
    entry: frozenset[int]
    exit: frozenset[int]
    loops: frozenset[tuple[int, int]]
    skips: tuple[tuple[int, int], ...]
    gates: tuple[GateSpec, ...]
    onboard_step: int | None
    ending: frozenset[int] = frozenset()
    in_progress_us: int = 30 * 86_400_000_000

    @classmethod
    def from_journey(cls, journey: Journey) -> JourneyDesign:
        """Compile ``journey`` (assumed valid: its references resolve)."""
        order = journey.expected_order()
        order += [t.id for t in journey.touchpoints if t.id not in set(order)]
        pos = {tp: n for n, tp in enumerate(order)}
        step_index = {s.id: n for n, s in enumerate(journey.steps)}
        step_of = journey.step_of()
        onboard = next(
            (n for n, s in enumerate(journey.steps) if s.dsv_step == DsvStep.ONBOARD), None
        )
        return cls(
            journey_id=journey.id,
            touchpoints=tuple(order),
            steps=tuple(s.id for s in journey.steps),
            step_names=tuple(s.name for s in journey.steps),
            step_of=tuple(step_index[step_of[tp]] for tp in order),
            mandatory=tuple(pos[tp] for tp in journey.mandatory_touchpoints()),
            entry=frozenset(pos[tp] for tp in journey.entry_points()),
            exit=frozenset(pos[tp] for tp in journey.exit_points()),
            loops=frozenset((pos[t.from_], pos[t.to]) for t in journey.path.loops),
            skips=tuple((pos[t.from_], pos[t.to]) for t in journey.path.skips),
            gates=tuple(
                GateSpec(
                    g.id, g.name, tuple(pos[r] for r in g.requires), tuple(pos[b] for b in g.before)
                )
                for g in journey.gates
            ),
            onboard_step=onboard,
            ending=frozenset(pos[tp] for tp in journey.ending_touchpoints() if tp in pos),
            in_progress_us=int(in_progress_seconds(journey) * 1_000_000),
        )

    @property
    def size(self) -> int:
        """The number of touchpoints."""
        return len(self.touchpoints)

    def position(self, touchpoint: str) -> int | None:
        """The position of a touchpoint id; ``None`` for an activity the design does not know."""
        try:
            return self.touchpoints.index(touchpoint)
        except ValueError:
            return None

    def skips_covering(self, position: int) -> tuple[tuple[int, int], ...]:
        """The allowed skips that jump over ``position``."""
        return tuple((a, b) for a, b in self.skips if a < position < b)
