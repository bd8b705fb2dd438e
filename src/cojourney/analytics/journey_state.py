"""Has a journey instance ended, or is it still in progress at the end of the data? One rule.

Funnel and drop-off, value leakage and the SLA clocks all ask it, and all answer it
here. A journey instance (the events of one ``journey_id``) is, at the data's end
(its latest event, or ``as_of``):

* **ended** (:attr:`JourneyState.ENDED`) when its last touchpoint event is one at which
  the design lets a journey end on purpose (:meth:`cojourney.domain.Journey.ending_touchpoints`:
  the exit points and the touchpoints of offboarding gates, such as cancelling);
* **in progress** (:attr:`JourneyState.IN_PROGRESS`) otherwise, while its last event
  (of any activity) is less than the *in-progress window* before the data's end: the
  journey's ``in_progress_within``, else the setting ``journey_in_progress_days``
  (30 days);
* **abandoned** (:attr:`JourneyState.ABANDONED`) otherwise: it went silent.

So the latest weeks of data do not look like mass churn: a member between two trips is
in progress, not a drop-off.

>>> from cojourney.domain import Journey, Step, Touchpoint, Period
>>> j = Journey(id="j", name="J", in_progress_within="10d",
...             steps=[Step(id="s", name="S", period=Period.SERVICE)],
...             touchpoints=[Touchpoint(id="a", name="A", step="s", channel="app"),
...                          Touchpoint(id="b", name="B", step="s", channel="app")])
>>> import numpy as np
>>> day = 86_400.0
>>> states(np.array(["b", "a", "a"], dtype=object), np.array([0.0, 95 * day, 80 * day]), 100 * day, j)
array(['ended', 'in_progress', 'abandoned'], dtype=object)
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from cojourney.settings import current_settings

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import NDArray

    from cojourney.domain import Journey

__all__ = ["JourneyState", "in_progress_seconds", "states"]


class JourneyState(StrEnum):
    """Where a journey instance stands at the data's end (see the module docstring)."""

    ENDED = "ended"
    IN_PROGRESS = "in_progress"
    ABANDONED = "abandoned"


def in_progress_seconds(journey: Journey | None) -> float:
    """The in-progress window in seconds: the journey's ``in_progress_within``, else
    the setting ``journey_in_progress_days``."""
    if journey is not None and journey.in_progress_within is not None:
        return journey.in_progress_within.total_seconds()
    return current_settings().journey_in_progress_days * 86_400.0


def states(
    last_touchpoint: NDArray[np.object_],
    last_event: NDArray[np.float64],
    data_end: float,
    journey: Journey | None,
) -> NDArray[np.object_]:
    """The :class:`JourneyState` value of each journey instance.

    Parameters
    ----------
    last_touchpoint
        The activity of each journey's last touchpoint event (``None``: none).
    last_event
        Each journey's last event, in epoch seconds (any unit, as ``data_end``).
    data_end
        The data's end (or ``as_of``), in the same unit.
    journey
        The designed journey (``None``: no ending touchpoint; the window's default).
    """
    ends = set(journey.ending_touchpoints()) if journey is not None else set()
    ended = np.asarray([t is not None and t in ends for t in last_touchpoint.tolist()], dtype=bool)
    recent = (data_end - last_event) < in_progress_seconds(journey)
    return np.asarray(
        np.select(
            [ended, recent],
            [JourneyState.ENDED.value, JourneyState.IN_PROGRESS.value],
            default=JourneyState.ABANDONED.value,
        ),
        dtype=object,
    )
