"""How a value indicator is computed from the data: a small declarative measure language.

An :class:`~cojourney.domain.value.Indicator` says *what* it shows; its optional
``measure`` says *how* cojourney computes it from the imported events and feedback, so
that value realization is measured, not typed in. Every measure is evaluated per
period (``month`` by default) to give a value, a trend and a status against target.

The kinds (``kind:``)
=====================

``journey_share``
    Percentage of journeys (of the population) that reach any of ``touchpoints``.
    The population is every journey, or those that reached any of ``among``.
    Example: onboarding completion = journeys with ``first-booking`` among those with
    ``membership-sign-up``.
``event_share``
    Percentage of the events of ``touchpoints`` that satisfy ``where`` (conditions
    on event attributes; all of them, or any with ``match: any``). With
    ``unit_attribute`` (e.g. ``booking_id``) the units are that attribute's values,
    not events: a booking passes when any of its events does. Example: pickups with ``soc_at_unlock >= 80``.
``count``
    The number of events of ``touchpoints`` (or of journeys, with ``per: journey``
    and no touchpoints) in the period, times ``factor``.
``per_journey``
    Mean number of events of ``touchpoints`` per journey of the population.
``duration``
    Time from the first ``start`` event to the first following ``end`` event of a
    journey (``pairing: each``: from every ``start`` event to the next ``end`` that comes
    before the following ``start``),
    summarised by ``statistic`` and expressed in ``time_unit``.
``attribute``
    A numeric event attribute on ``touchpoints``: ``sum(weight x attribute)`` over
    ``weights`` per event, summarised by ``statistic``. Example: emissions avoided =
    ``0.17 x km - 0.06 x kwh``, summed per month.
``feedback``
    Survey answers of ``question`` (``csat``, ``ces``, ``nps``, ``emotion`` or a custom
    question id) on ``touchpoints`` (any touchpoint when empty, or the journey-level
    answers with ``journey_level: true``), summarised by ``statistic``: ``nps`` (% 9-10
    minus % 0-6), ``csat`` (% of 4-5 answers), ``mean``...

Nothing here computes anything: the analytics layer evaluates measures.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from cojourney.domain.common import Duration, Id, Model


class MeasureKind(StrEnum):
    JOURNEY_SHARE = "journey_share"
    EVENT_SHARE = "event_share"
    COUNT = "count"
    PER_JOURNEY = "per_journey"
    DURATION = "duration"
    ATTRIBUTE = "attribute"
    FEEDBACK = "feedback"


class Statistic(StrEnum):
    MEAN = "mean"
    MEDIAN = "median"
    P90 = "p90"
    P95 = "p95"
    SUM = "sum"
    MIN = "min"
    MAX = "max"
    NPS = "nps"  #: % of 9-10 minus % of 0-6
    CSAT = "csat"  #: % of answers 4-5 (on a 1-5 scale)
    TOP_BOX = "top_box"  #: % of answers at the top of the scale


class TimeUnit(StrEnum):
    SECONDS = "seconds"
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"

    @property
    def seconds(self) -> float:
        return {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}[self.value]


class PeriodUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class ConditionOp(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    MORE_THAN = ">"
    LESS_THAN = "<"
    EQUAL = "=="
    NOT_EQUAL = "!="


class MatchMode(StrEnum):
    ALL = "all"
    ANY = "any"


class Pairing(StrEnum):
    FIRST = "first"  #: one duration per journey: its first start to the next end
    EACH = "each"  #: one duration per start event: to the next end after it


class Condition(Model):
    """A test on one event attribute, e.g. ``{attribute: soc_at_unlock, op: ">=", value: 80}``."""

    attribute: str = Field(min_length=1)
    op: ConditionOp
    value: float | str | bool


class Measure(Model):
    """How an indicator is computed from events and feedback (see the module docs)."""

    kind: MeasureKind
    touchpoints: list[Id] = Field(
        default_factory=list, description="The events (or answers) that count."
    )
    among: list[Id] = Field(
        default_factory=list,
        description="The population: journeys that reached any of these (default: all).",
    )
    where: list[Condition] = Field(
        default_factory=list, description="Conditions on event attributes."
    )
    unit_attribute: str | None = Field(
        None,
        description="event_share: count each value of this event "
        "attribute once (a booking, an order); it passes when any of its "
        "events does.",
    )
    match: MatchMode = Field(
        MatchMode.ALL, description="all: every 'where' condition must hold; any: one is enough."
    )
    start: Id | None = Field(None, description="duration: the touchpoint that starts the clock.")
    pairing: Pairing = Field(
        Pairing.FIRST,
        description="duration: first start of a journey to the next end, "
        "or each start to the next end (one duration per start).",
    )
    end: Id | None = Field(None, description="duration: the touchpoint that stops it.")
    within: Duration | None = Field(
        None,
        description="duration: an end later than this after the start "
        "does not answer it (e.g. '1d').",
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="attribute: numeric attribute -> weight, summed per event.",
    )
    question: str | None = Field(
        None, description="feedback: csat, ces, nps, emotion or a custom question id."
    )
    journey_level: bool = Field(
        False, description="feedback: use the answers about the whole journey."
    )
    statistic: Statistic = Statistic.MEAN
    time_unit: TimeUnit = TimeUnit.SECONDS
    factor: float = Field(
        1.0, description="Multiplies the result (unit conversion, emission factors...)."
    )
    period: PeriodUnit = PeriodUnit.MONTH
    segment: str | None = Field(None, description="Only journeys of this segment or persona.")

    @model_validator(mode="after")
    def _complete(self) -> Measure:
        kind = self.kind
        if kind is MeasureKind.DURATION and (self.start is None or self.end is None):
            raise ValueError("a duration measure needs 'start' and 'end' touchpoints")
        if kind is MeasureKind.ATTRIBUTE and not self.weights:
            raise ValueError("an attribute measure needs 'weights' (attribute: weight)")
        if kind is MeasureKind.FEEDBACK and not self.question:
            raise ValueError(
                "a feedback measure needs a 'question' (csat, ces, nps, emotion or an id)"
            )
        if (
            kind in (MeasureKind.JOURNEY_SHARE, MeasureKind.EVENT_SHARE, MeasureKind.PER_JOURNEY)
            and not self.touchpoints
        ):
            raise ValueError(f"a {kind.value} measure needs 'touchpoints'")
        if kind is MeasureKind.EVENT_SHARE and not self.where:
            raise ValueError("an event_share measure needs a 'where' condition")
        return self

    def referenced_touchpoints(self) -> list[str]:
        """Every touchpoint id the measure names (for reference checks)."""
        named = [*self.touchpoints, *self.among, *(t for t in (self.start, self.end) if t)]
        return list(dict.fromkeys(named))
