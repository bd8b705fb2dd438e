"""Plain, typed results of the experience analyses (:mod:`cojourney.analytics.experience`).

Every result has ``to_dict()`` giving JSON-ready data. Scores are in the units of
their metric: ``csat`` a share of 4-5 answers (0..1), ``nps`` points (-100..100),
``mean`` the mean answer on the question's own scale. *Normalised* scores map a
question's scale onto 0..1 (lowest answer 0, highest 1): that is how answers to
different questions are put side by side (gap, peak-end, moments of truth).
Intervals are 95% (see :mod:`cojourney.analytics.stats`); ``None`` where undefined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cojourney.analytics.comment_themes import CommentThemes
from cojourney.analytics.journey_results import _ToDict
from cojourney.analytics.stats import Correlation, Estimate


@dataclass(frozen=True, slots=True)
class ScoreRow(_ToDict):
    """One question's score in one group (``key``: a touchpoint, step, segment, channel or
    month ``YYYY-MM``; ``None`` is the group of answers without one, e.g. journey-level
    answers by touchpoint).

    ``metric`` is ``csat`` (share of 4-5, Wilson interval), ``nps`` (points, trinomial
    interval) or ``mean`` (t interval); ``mean`` is the mean answer in every case.
    """

    question: str
    metric: str
    key: str | None
    n: int
    value: float | None
    low: float | None
    high: float | None
    mean: float | None


@dataclass(frozen=True, slots=True)
class ScoreBreakdown(_ToDict):
    """Scores of every question by one dimension: ``touchpoint``, ``step``, ``segment``,
    ``channel`` or ``month``."""

    dimension: str
    rows: tuple[ScoreRow, ...]


@dataclass(frozen=True, slots=True)
class EmotionPoint(_ToDict):
    """One step of the emotion curve: the designed emotion (mean of its touchpoints'
    designed emotion, -3..3) beside the measured one (mean ``emotion`` answer)."""

    step: str
    name: str
    designed: float | None
    measured: float | None
    n: int
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Share(_ToDict):
    """``count`` of ``n`` journeys, as a share with its Wilson interval."""

    count: int
    n: int
    share: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class GapJourney(_ToDict):
    """A journey instance: mean normalised touchpoint and journey-level answers."""

    journey_id: str
    touchpoint_score: float
    journey_score: float
    gap: float
    touchpoint_answers: int
    journey_answers: int


@dataclass(frozen=True, slots=True)
class TouchpointJourneyGap(_ToDict):
    """Touchpoint versus journey experience, over the journeys with both kinds of answer.

    ``gap`` is the mean of touchpoint score minus journey score (normalised, t
    interval). ``well_but_poor``: journeys whose touchpoint answers are *all* good
    while their journey-level answers are *all* poor; ``poor_but_well`` the reverse
    (good and poor as in :data:`cojourney.analytics.experience.ANSWER_BANDS`). The
    journeys listed are those with the largest gaps.
    """

    journeys: int
    touchpoint_score: Estimate
    journey_score: Estimate
    gap: Estimate
    correlation: Correlation
    well_but_poor: Share
    poor_but_well: Share
    well_but_poor_journeys: tuple[GapJourney, ...]
    poor_but_well_journeys: tuple[GapJourney, ...]


@dataclass(frozen=True, slots=True)
class PeakEndTouchpoint(_ToDict):
    """How often a touchpoint holds a journey's peak answer and its last answer."""

    touchpoint: str
    peak: int
    end: int
    peak_share: float
    end_share: float


@dataclass(frozen=True, slots=True)
class PeakEnd(_ToDict):
    """Does (peak + end) / 2 predict the journey score better than the mean of all
    touchpoint answers? Over journeys with 2 or more touchpoint ``emotion``/``csat``
    answers and a journey score (normalised). ``better`` names the predictor with the
    larger R² (``None`` when undefined or equal)."""

    journeys: int
    peak_end: Correlation
    mean_of_all: Correlation
    better: str | None
    touchpoints: tuple[PeakEndTouchpoint, ...]


@dataclass(frozen=True, slots=True)
class MomentOfTruth(_ToDict):
    """One touchpoint's effect on the journey score (normalised 0..1).

    ``difference`` = mean journey score of the journeys with a poor answer at the
    touchpoint minus that of the other scored journeys (negative: poor answers there
    go with worse journeys), with its Welch interval and p-value. ``designed``: the
    design marks it a moment of truth. ``significant``: the 95% interval does not
    cross 0. ``rank`` 1 is the most harmful significant one; touchpoints that are not
    significant rank after every significant one.
    """

    rank: int
    touchpoint: str
    name: str
    designed: bool
    journeys_poor: int
    journeys_other: int
    mean_with_poor: float | None
    mean_other: float | None
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    significant: bool = False


@dataclass(frozen=True, slots=True)
class Comment(_ToDict):
    """One free-text comment, with the answer it came with (``score`` may be ``None``)."""

    journey_id: str
    timestamp: str
    question: str
    score: float | None
    text: str


@dataclass(frozen=True, slots=True)
class TouchpointComments(_ToDict):
    """The comments about one touchpoint (``touchpoint`` ``None``: about the whole
    journey): how many, and the latest ones, newest first."""

    touchpoint: str | None
    name: str
    count: int
    latest: tuple[Comment, ...]


@dataclass(frozen=True, slots=True)
class ExperienceAnalysis(_ToDict):
    """Every experience analysis of the feedback log against one designed journey."""

    journey_id: str
    answers: int
    journeys: int
    questions: dict[str, int]
    overall: tuple[ScoreRow, ...]
    breakdowns: tuple[ScoreBreakdown, ...]
    emotion_curve: tuple[EmotionPoint, ...]
    gap: TouchpointJourneyGap
    peak_end: PeakEnd
    moments_of_truth: tuple[MomentOfTruth, ...]
    filters: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    comments: tuple[TouchpointComments, ...] = ()
    #: The comments grouped into themes (:mod:`cojourney.analytics.comment_themes`).
    themes: CommentThemes | None = None

    def breakdown(self, dimension: str) -> ScoreBreakdown:
        """The breakdown by ``dimension`` (KeyError when there is none)."""
        for b in self.breakdowns:
            if b.dimension == dimension:
                return b
        raise KeyError(dimension)
