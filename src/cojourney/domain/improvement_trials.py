"""How an improvement's effect is proven: before and after a change, or two segments (A/B)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, model_validator

from cojourney.domain.common import Model


class ComparisonKind(StrEnum):
    BEFORE_AFTER = "before_after"
    AB = "ab"


class Comparison(Model):
    """Which journeys are compared to prove an improvement's effect.

    ``before_after`` compares journeys that started before ``change_date`` (default:
    the improvement's ``started`` date) with those that started on or after it;
    ``ab`` compares journeys whose ``attribute`` (an event attribute or ``segment``)
    equals ``control`` with those where it equals ``treatment``.
    """

    kind: ComparisonKind = ComparisonKind.BEFORE_AFTER
    change_date: date | None = None
    attribute: str | None = None
    control: str | None = None
    treatment: str | None = None
    alpha: float = Field(0.05, gt=0, lt=1, description="Significance level of the test.")

    @model_validator(mode="after")
    def _complete(self) -> Comparison:
        if self.kind is ComparisonKind.AB and not (
            self.attribute and self.control and self.treatment
        ):
            raise ValueError("an A/B comparison needs 'attribute', 'control' and 'treatment'")
        return self
