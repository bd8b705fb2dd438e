"""Closing the loop: pain points, opportunities and the improvement register."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from cojourney.domain.common import Id, Model, Named
from cojourney.domain.improvement_trials import Comparison


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class PainPoint(Named):
    """Where the experience hurts, on a touchpoint or a step of a journey."""

    journey: Id
    step: Id | None = None
    touchpoint: Id | None = None
    severity: Severity = Severity.MEDIUM
    evidence: str | None = None


class Opportunity(Named):
    """A chance to add value, often the answer to a pain point."""

    journey: Id
    step: Id | None = None
    touchpoint: Id | None = None
    pain_points: list[Id] = Field(default_factory=list)


class ImprovementStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    TRIAL = "trial"
    DONE = "done"
    REJECTED = "rejected"


class ExpectedEffect(Model):
    """The indicator an improvement should move, from its baseline to its target."""

    indicator: Id
    baseline: float
    target: float
    segment: str | None = Field(None, description="Only journeys of this segment or persona.")


class Improvement(Named):
    """An entry of the improvement register."""

    status: ImprovementStatus = ImprovementStatus.PROPOSED
    journey: Id | None = None
    touchpoints: list[Id] = Field(default_factory=list)
    pain_points: list[Id] = Field(default_factory=list)
    opportunities: list[Id] = Field(default_factory=list)
    effects: list[ExpectedEffect] = Field(default_factory=list)
    owner: str | None = None
    started: date | None = None
    finished: date | None = None
    comparison: Comparison | None = Field(
        None, description="How its effect is proven (before/after or A/B)."
    )
