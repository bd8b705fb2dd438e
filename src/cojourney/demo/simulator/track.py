"""Walking many journeys (or trips) forward at once, one touchpoint at a time.

A :class:`Track` holds the current time of each row (a journey, a trip, an incident).
``step`` emits one touchpoint for the rows in a mask, a gap after their current time,
and moves their clock on; ``at`` emits at given times without moving it. Rows that
have not emitted anything yet take no gap, so a journey's first event is exactly at
its start time whatever touchpoint it begins with.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from cojourney.demo.simulator.buffers import AttrValues, EventBuffer, JourneyRef
from cojourney.demo.simulator.clock import SECOND, LocalClock


def subset(values: AttrValues, mask: np.ndarray) -> AttrValues:
    """The rows of an attribute's values where ``mask`` holds."""
    if isinstance(values, JourneyRef):
        return JourneyRef(values.journeys[mask])
    if isinstance(values, pa.Array):
        return values.filter(pa.array(mask))
    return np.asarray(values)[mask]


class Track:
    """The clock of each row, advanced as touchpoints are emitted.

    Parameters
    ----------
    events
        Where events go.
    journey
        The journey index of each row.
    start
        The start time of each row (UTC microseconds).
    awake
        When given, ``step`` moves night-time events to the morning (people sleep).
    """

    def __init__(
        self,
        events: EventBuffer,
        journey: np.ndarray,
        start: np.ndarray,
        awake: LocalClock | None = None,
    ) -> None:
        self.events = events
        self.awake = awake
        self.journey = np.asarray(journey, dtype=np.int64)
        self.time = np.asarray(start, dtype=np.int64).copy()
        self.started = np.zeros(self.journey.size, dtype=bool)

    @property
    def size(self) -> int:
        return int(self.journey.size)

    def _mask(self, mask: np.ndarray | None) -> np.ndarray:
        return np.ones(self.size, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)

    def step(
        self,
        touchpoint: str,
        gap_seconds: np.ndarray | float,
        mask: np.ndarray | None = None,
        *,
        attrs: Mapping[str, AttrValues] | None = None,
        feel: np.ndarray | float | None = None,
    ) -> np.ndarray:
        """Emit ``touchpoint`` ``gap_seconds`` after the current time of the rows in ``mask``.

        ``gap_seconds``, ``attrs`` and ``feel`` are scalars or arrays over all rows.
        Returns the mask used.
        """
        mask = self._mask(mask)
        gap = np.broadcast_to(np.asarray(gap_seconds, dtype=np.float64), mask.shape)
        gap = np.where(self.started, gap, 0.0)
        when = self.time + (gap * SECOND).astype(np.int64)
        if self.awake is not None:
            when = self.awake.awake(when)
        self.at(touchpoint, when, mask, attrs=attrs, feel=feel)
        self.time[mask] = when[mask]
        self.started |= mask
        return mask

    def at(
        self,
        touchpoint: str,
        when: np.ndarray,
        mask: np.ndarray | None = None,
        *,
        attrs: Mapping[str, AttrValues] | None = None,
        feel: np.ndarray | float | None = None,
        advance: bool = False,
    ) -> np.ndarray:
        """Emit ``touchpoint`` at ``when`` (an array over all rows) for the rows in ``mask``."""
        mask = self._mask(mask)
        when = np.broadcast_to(np.asarray(when, dtype=np.int64), mask.shape)
        sub_feel = None if feel is None or np.ndim(feel) == 0 else np.asarray(feel)[mask]
        self.events.emit(
            touchpoint,
            self.journey[mask],
            when[mask],
            attrs={k: subset(v, mask) for k, v in attrs.items()} if attrs else None,
            feel=feel if sub_feel is None else sub_feel,
        )
        if advance:
            self.time[mask] = when[mask]
            self.started |= mask
        return mask
