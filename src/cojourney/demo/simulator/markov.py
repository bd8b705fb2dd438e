"""A vectorised Markov-chain journey simulator over a designed journey.

Every simulated journey walks the touchpoints of a designed :class:`Journey`; the
next touchpoint is drawn from a transition matrix built from the design (the
expected order, optional touchpoints, allowed loops) and a :class:`Behaviour`
(how one persona deviates: skipping, hopping back, entering mid-way, dropping out,
bypassing gates). All journeys advance in lock-step, one NumPy operation per step
for all of them, so millions of events take seconds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from cojourney.domain import Journey

log = logging.getLogger(__name__)

#: Median duration of a touchpoint that declares none.
DEFAULT_DURATION = timedelta(minutes=3)


@dataclass
class Behaviour:
    """How one segment travels a journey (probabilities are per touchpoint visit).

    Parameters
    ----------
    name
        The segment (persona) name written into each event.
    share
        Relative share of the journeys that follow this behaviour.
    entry
        Where journeys start: ``{touchpoint: weight}``; empty means the design's entry points.
    skip_optional
        Probability of leaving out an optional touchpoint that comes next.
    hop_back
        Probability of hopping back to an earlier touchpoint of the same or the previous step.
    drop_out
        ``{step id: probability}`` of leaving the journey after each touchpoint of that step.
    loop
        ``{(from, to): probability}`` of taking a designed loop; the default for designed
        loops is ``default_loop``.
    extra
        Additional moves ``{from: {to: probability}}`` (e.g. a gate bypass, a late return).
    skip_over
        ``{touchpoint: probability}`` of never visiting a (mandatory) touchpoint.
    end_at_exit
        Probability of ending the journey at a designed exit point before the last touchpoint.
    """

    name: str
    share: float = 1.0
    entry: dict[str, float] = field(default_factory=dict)
    skip_optional: float = 0.4
    hop_back: float = 0.02
    drop_out: dict[str, float] = field(default_factory=dict)
    loop: dict[tuple[str, str], float] = field(default_factory=dict)
    default_loop: float = 0.3
    extra: dict[str, dict[str, float]] = field(default_factory=dict)
    skip_over: dict[str, float] = field(default_factory=dict)
    end_at_exit: float = (
        0.5  #: probability of ending at an exit point that is not the last touchpoint
    )


def transition_matrix(journey: Journey, behaviour: Behaviour) -> tuple[np.ndarray, np.ndarray]:
    """(entry probabilities, transitions) over the journey's touchpoints plus END (last column).

    Row ``i`` of the transition matrix gives the probability of each next state after
    touchpoint ``i``; the END row is absorbing.
    """
    order = journey.expected_order()
    index = {tp: n for n, tp in enumerate(order)}
    size = len(order)
    end = size
    step_of = journey.step_of()
    optional = {t.id for t in journey.touchpoints if t.optional}
    exits = set(journey.exit_points())
    trans = np.zeros((size + 1, size + 1))
    trans[end, end] = 1.0

    def following(position: int) -> int:
        """The next touchpoint after ``position``, skipping optional/skipped ones at random later."""
        return position + 1 if position + 1 < size else end

    for tp, i in index.items():
        row = np.zeros(size + 1)
        budget = 1.0
        drop = behaviour.drop_out.get(step_of[tp], 0.0)
        row[end] += drop
        budget -= drop
        for target, p in behaviour.extra.get(tp, {}).items():
            row[index[target] if target != "END" else end] += p
            budget -= p
        for loop in journey.path.loops:
            if loop.from_ == tp:
                p = behaviour.loop.get((loop.from_, loop.to), behaviour.default_loop)
                row[index[loop.to]] += p * budget
                budget -= p * budget
        if tp in exits:
            share = 1.0 if i == size - 1 else behaviour.end_at_exit
            row[end] += share * budget
            budget -= share * budget
            if budget <= 1e-12:
                trans[i] = row / row.sum()
                continue
        if behaviour.hop_back and i > 0:
            candidates = [
                index[t]
                for t in order[:i]
                if step_of[t] in (step_of[tp], _previous_step(journey, step_of[tp]))
            ]
            if candidates:
                for c in candidates:
                    row[c] += behaviour.hop_back * budget / len(candidates)
                budget -= behaviour.hop_back * budget
        # forward: the next touchpoint, unless skipped (optional or skip_over), then the one after...
        nxt = following(i)
        carry = budget
        while nxt != end and carry > 1e-12:
            tp_next = order[nxt]
            p_skip = behaviour.skip_over.get(
                tp_next, behaviour.skip_optional if tp_next in optional else 0.0
            )
            row[nxt] += carry * (1 - p_skip)
            carry *= p_skip
            nxt = following(nxt)
        row[end] += carry
        if row.sum() <= 0:
            row[end] = 1.0
        trans[i] = row / row.sum()

    entry = np.zeros(size + 1)
    for tp, weight in (behaviour.entry or {t: 1.0 for t in journey.entry_points()}).items():
        entry[index[tp]] += weight
    entry /= entry.sum()
    return entry, trans


def _previous_step(journey: Journey, step_id: str) -> str | None:
    ids = [s.id for s in journey.steps]
    position = ids.index(step_id)
    return ids[position - 1] if position > 0 else None


@dataclass
class Walks:
    """The simulated paths: one row per event, journeys in order, events in order."""

    journey: np.ndarray  #: index of the journey (0..n-1), int64
    touchpoint: np.ndarray  #: index into the journey's expected order, int32
    behaviour: np.ndarray  #: index of the behaviour of each journey (length n), int16


def walk(
    entries: np.ndarray,
    transitions: np.ndarray,
    behaviour_of: np.ndarray,
    rng: np.random.Generator,
    max_events: int = 200,
) -> Walks:
    """Walk all journeys at once.

    ``entries`` has shape (B, S+1), ``transitions`` (B, S+1, S+1) for B behaviours;
    ``behaviour_of`` gives each journey's behaviour. Walks stop at END or at
    ``max_events`` events.
    """
    len(behaviour_of)
    end = transitions.shape[-1] - 1
    entry_cum = np.cumsum(entries, axis=1)
    trans_cum = np.cumsum(transitions, axis=2)
    state = _draw(entry_cum[behaviour_of], rng)
    journeys: list[np.ndarray] = []
    states: list[np.ndarray] = []
    alive = np.nonzero(state != end)[0]
    state = state[alive]
    for _ in range(max_events):
        if alive.size == 0:
            break
        journeys.append(alive)
        states.append(state.astype(np.int32))
        state = _draw(trans_cum[behaviour_of[alive], state], rng)
        keep = state != end
        alive, state = alive[keep], state[keep]
    if not journeys:
        return Walks(np.empty(0, np.int64), np.empty(0, np.int32), behaviour_of)
    journey = np.concatenate(journeys)
    touchpoint = np.concatenate(states)
    position = np.concatenate([np.full(len(j), k, dtype=np.int32) for k, j in enumerate(journeys)])
    order = np.lexsort((position, journey))
    return Walks(journey[order].astype(np.int64), touchpoint[order], behaviour_of)


def _draw(cumulative: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of a cumulative-probability matrix."""
    u = rng.random(cumulative.shape[0]) * cumulative[:, -1]
    return np.asarray((cumulative < u[:, None]).sum(axis=1))
