"""Turning simulated walks into timed events: durations, waiting times, start dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from cojourney.demo.simulator.markov import DEFAULT_DURATION, Walks
from cojourney.domain import Journey


@dataclass(frozen=True)
class Pace:
    """Typical waiting times between two touchpoints (medians; log-normal spread)."""

    same_step: timedelta = timedelta(minutes=2)
    next_step: timedelta = timedelta(hours=6)
    back_again: timedelta = timedelta(days=2)  #: a move back: another trip, another try
    spread: float = 0.8  #: sigma of the log-normal


def event_times(
    journey: Journey,
    walks: Walks,
    starts_us: np.ndarray,
    rng: np.random.Generator,
    pace: Pace = Pace(),
) -> np.ndarray:
    """Microsecond epoch timestamps of every event of ``walks``.

    ``starts_us`` is the start time of each journey (length: number of journeys).
    Each event starts after the previous one has taken its expected duration plus
    a waiting time that depends on the move (same step, next step, back).
    """
    order = journey.expected_order()
    step_index = {s.id: n for n, s in enumerate(journey.steps)}
    step_of = journey.step_of()
    tps = {t.id: t for t in journey.touchpoints}
    median_duration = np.array(
        [(tps[t].expected_duration or DEFAULT_DURATION).total_seconds() for t in order]
    )
    step_pos = np.array([step_index[step_of[t]] for t in order])
    tp = walks.touchpoint
    n = tp.size
    if n == 0:
        return np.empty(0, np.int64)
    first = np.ones(n, dtype=bool)
    first[1:] = walks.journey[1:] != walks.journey[:-1]
    previous = np.roll(tp, 1)
    back = (~first) & (tp <= previous)
    step_change = (~first) & ~back & (step_pos[tp] != step_pos[previous])
    gap_median = np.where(
        back,
        pace.back_again.total_seconds(),
        np.where(step_change, pace.next_step.total_seconds(), pace.same_step.total_seconds()),
    )
    gap = np.where(first, 0.0, gap_median * rng.lognormal(0.0, pace.spread, n))
    # the previous event's duration is spent before this one starts
    prev_duration = np.where(first, 0.0, median_duration[previous] * rng.lognormal(0.0, 0.4, n))
    offset = np.cumsum(gap + prev_duration)
    journey_start_offset = np.maximum.accumulate(np.where(first, offset, 0.0))
    seconds = offset - journey_start_offset
    return np.asarray(starts_us[walks.journey] + (seconds * 1e6).astype(np.int64))


def uniform_starts(
    n: int, start: datetime, span: timedelta, rng: np.random.Generator
) -> np.ndarray:
    """Journey start times spread evenly (with random jitter) over ``span`` from ``start``."""
    base = int(start.timestamp() * 1e6)
    return base + np.sort(rng.integers(0, int(span.total_seconds() * 1e6), n))
