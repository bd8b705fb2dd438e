"""A vectorised Markov-chain event-log simulator for the benchmarks.

A :class:`Chain` has hidden *states*, each emitting one activity label (several
states may emit the same label: that is how "B and C in either order" is written
without memory). All cases advance in lock-step, one NumPy operation per step for
all of them, so there is no Python loop per event or per case.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

US = 1_000_000


@dataclass(frozen=True)
class Chain:
    """A process as a Markov chain over hidden states.

    Attributes
    ----------
    labels
        The activity emitted by each state.
    start
        Probability of starting in each state (sums to 1).
    moves
        ``moves[i, j]``: probability of going from state ``i`` to state ``j``;
        ``1 - moves[i].sum()`` is the probability of ending after ``i``.
    gap_seconds
        ``gap_seconds[i, j]``: median time from an event of ``i`` to the next one
        of ``j`` (log-normal around it).
    extra
        One more string column per state (the channel of a touchpoint), or ``None``.
    """

    labels: tuple[str, ...]
    start: np.ndarray
    moves: np.ndarray
    gap_seconds: np.ndarray
    extra: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        n = len(self.labels)
        if self.moves.shape != (n, n) or self.gap_seconds.shape != (n, n):
            raise ValueError("moves and gap_seconds must be square, one row per state")
        if (self.moves.sum(axis=1) > 1 + 1e-9).any() or abs(self.start.sum() - 1) > 1e-9:
            raise ValueError("probabilities must not exceed 1")


@dataclass(frozen=True)
class Simulated:
    """Events of a batch of cases, case by case, each case's events in time order."""

    case: np.ndarray  # int64, 0-based case number within the batch
    state: np.ndarray  # int16
    time_us: np.ndarray  # int64, microseconds since the epoch

    def __len__(self) -> int:
        return int(self.case.size)


class Builder:
    """Builds a :class:`Chain` from named states and moves."""

    def __init__(self) -> None:
        self._states: dict[str, int] = {}
        self._labels: list[str] = []
        self._extra: list[str] = []
        self._moves: list[tuple[str, str, float, float | None]] = []
        self._start: dict[str, float] = {}
        self._arrive: dict[str, float] = {}

    def state(
        self, name: str, arrive_seconds: float, label: str | None = None, extra: str = ""
    ) -> None:
        """Add a state; events of it come a median ``arrive_seconds`` after the previous one."""
        self._states[name] = len(self._labels)
        self._labels.append(label or name)
        self._extra.append(extra)
        self._arrive[name] = arrive_seconds

    def start(self, name: str, p: float) -> None:
        """Cases start in ``name`` with probability ``p``."""
        self._start[name] = self._start.get(name, 0.0) + p

    def move(self, a: str, b: str, p: float, gap_seconds: float | None = None) -> None:
        """From ``a`` go to ``b`` with probability ``p`` (gap: ``b``'s arrival time by default)."""
        self._moves.append((a, b, p, gap_seconds))

    def build(self, *, with_extra: bool = False) -> Chain:
        n = len(self._labels)
        idx = self._states
        start = np.zeros(n)
        for name, p in self._start.items():
            start[idx[name]] += p
        moves = np.zeros((n, n))
        gaps = np.tile(np.array([self._arrive[s] for s in idx], dtype=float), (n, 1))
        for a, b, p, gap in self._moves:
            moves[idx[a], idx[b]] += p
            if gap is not None:
                gaps[idx[a], idx[b]] = gap
        return Chain(
            tuple(self._labels), start, moves, gaps, tuple(self._extra) if with_extra else None
        )


def simulate(
    chain: Chain,
    n_cases: int,
    rng: np.random.Generator,
    *,
    start_us: int,
    span_seconds: float,
    max_len: int,
    sigma: float = 0.8,
) -> Simulated:
    """Simulate ``n_cases`` cases starting uniformly over ``span_seconds`` from ``start_us``.

    Cases longer than ``max_len`` events are cut there. A case starts at a random
    microsecond; the gaps between its events are rounded to the millisecond and are at
    least one second, so a case has no timestamp ties.
    """
    n_states = len(chain.labels)
    end = n_states
    cum = np.cumsum(np.hstack([chain.moves, 1 - chain.moves.sum(axis=1, keepdims=True)]), axis=1)
    cum = np.vstack([cum, np.ones((1, n_states + 1))])  # the end state is absorbing
    cum[:, -1] = 1.0
    states = np.full((n_cases, max_len), end, dtype=np.int16)
    current = np.searchsorted(np.cumsum(chain.start), rng.random(n_cases), side="right")
    current = np.minimum(current, n_states - 1).astype(np.int16)
    states[:, 0] = current
    alive = np.arange(n_cases)
    for k in range(1, max_len):
        rows = cum[current[alive]]
        nxt = (rng.random(alive.size)[:, None] >= rows).sum(axis=1).astype(np.int16)
        nxt = np.minimum(nxt, end)
        current[alive] = nxt
        states[alive, k] = nxt
        alive = alive[nxt != end]
        if alive.size == 0:
            break
    mask = states != end
    lengths = mask.sum(axis=1)
    flat = states[mask]
    del states, mask
    case = np.repeat(np.arange(n_cases, dtype=np.int64), lengths)
    first = np.zeros(flat.size, dtype=bool)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    first[offsets] = True
    previous = np.roll(flat, 1)
    median = chain.gap_seconds[previous, flat]
    gaps = np.maximum(median * rng.lognormal(0.0, sigma, flat.size), 1.0)
    gaps[first] = 0.0
    total = np.cumsum(gaps)
    since_start = total - np.repeat(total[offsets], lengths)
    starts = start_us + (rng.random(n_cases) * span_seconds * US).astype(np.int64)
    time_us = np.repeat(starts, lengths) + (since_start * 1000).round().astype(np.int64) * 1000
    return Simulated(case=case, state=flat, time_us=time_us)
