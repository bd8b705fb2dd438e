"""Value: what each stakeholder expects, the indicators that show it, and agreements on it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from cojourney.domain.common import Id, Model, Named
from cojourney.domain.measures import Measure
from cojourney.domain.service_levels import SlaClock


class ValueAspect(StrEnum):
    """The aspects of value DSV asks to define per major stakeholder."""

    OUTCOME = "outcome"
    COST = "cost"
    RISK = "risk"
    UTILITY = "utility"  #: fit for purpose
    WARRANTY = "warranty"  #: fit for use: availability, capacity, security, continuity, usability
    EXPERIENCE = "experience"


class Direction(StrEnum):
    """Which way an indicator should move."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class ValueItem(Model):
    """One expected outcome, cost or risk, optionally tracked by an indicator."""

    description: str = Field(min_length=1)
    indicator: Id | None = None


class ValueProposition(Model):
    """The value one stakeholder expects: outcomes balanced against costs and risks."""

    id: Id
    stakeholder: Id
    journey: Id | None = None
    outcomes: list[ValueItem] = Field(default_factory=list)
    costs: list[ValueItem] = Field(default_factory=list)
    risks: list[ValueItem] = Field(default_factory=list)
    utility: list[str] = Field(default_factory=list)
    warranty: list[str] = Field(default_factory=list)
    experience: list[str] = Field(
        default_factory=list, description="The desired emotional experience."
    )


class Metric(Named):
    """A measurement that backs an indicator."""

    unit: str | None = None
    data_source: str | None = None
    formula: str | None = Field(
        None, description="How it is computed, in words or as an expression."
    )


class Indicator(Named):
    """A value indicator: shows, directly or indirectly, the state of one aspect of value."""

    definition: str = Field(min_length=1)
    unit: str = Field(min_length=1, examples=["%", "seconds", "kg CO2e", "score 1-5"])
    direction: Direction
    target: float | None = None
    warning: float | None = Field(None, description="Value at which the indicator is 'at risk'.")
    aspect: ValueAspect = ValueAspect.OUTCOME
    stakeholder: Id | None = Field(None, description="Whose value it shows.")
    owner: str | None = Field(None, description="Who is accountable for it (team or role).")
    data_source: str | None = None
    journey: Id | None = None
    touchpoints: list[Id] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    measure: Measure | None = Field(
        None, description="How cojourney computes it from events and feedback."
    )
    baseline: float | None = Field(None, description="The value before improvement work began.")

    def meets(self, value: float) -> bool | None:
        """Whether ``value`` meets the target (None when no target is set)."""
        if self.target is None:
            return None
        if self.direction is Direction.HIGHER_IS_BETTER:
            return value >= self.target
        return value <= self.target


class AgreementBasis(StrEnum):
    """What an agreement rests on."""

    OBLIGATION = "obligation"  #: law or regulation
    AGREEMENT = "agreement"  #: a formal agreement such as an SLA
    PROMISE = "promise"
    SOCIAL_NORM = "social_norm"


class AgreementKind(StrEnum):
    SLA = "sla"
    OLA = "ola"
    XLA = "xla"
    OUTCOME_BASED = "outcome_based"


class Comparator(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    MORE_THAN = ">"
    LESS_THAN = "<"
    EQUAL = "=="

    def holds(self, value: float, target: float) -> bool:
        return {
            ">=": value >= target,
            "<=": value <= target,
            ">": value > target,
            "<": value < target,
            "==": value == target,
        }[self.value]


class Target(Model):
    """A measurable target of an agreement, on a value indicator."""

    indicator: Id
    comparator: Comparator
    value: float
    priority: str | None = Field(
        None, description="For targets that differ by priority (P1, P2...)."
    )
    segment: str | None = None
    period: str | None = Field(None, description="The period it is assessed over, e.g. 'month'.")
    note: str | None = None
    baseline: float | None = Field(None, description="XLA: where the indicator stood when agreed.")
    effective_from: date | None = Field(
        None, description="Moving targets: from when this target applies."
    )


class AgreementCover(StrEnum):
    OUTCOME = "outcome"
    UTILITY = "utility"
    WARRANTY = "warranty"
    EXPERIENCE = "experience"
    OTHER = "other"


class Agreement(Named):
    """An agreement (SLA, OLA, XLA or outcome-based) and the targets it sets."""

    kind: AgreementKind
    basis: AgreementBasis
    provider: Id
    consumer: Id | None = None
    relationship: Id | None = None
    services: list[Id] = Field(default_factory=list)
    offerings: list[Id] = Field(default_factory=list)
    covers: list[AgreementCover] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    clocks: list[SlaClock] = Field(
        default_factory=list, description="SLA clocks measured on each journey."
    )
    terms: list[str] = Field(default_factory=list)
