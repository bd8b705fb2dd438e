"""Survey questions: what the workspace asks its customers, and on which scale.

The standard questions (``csat`` 1-5, ``ces`` 1-7, ``nps`` 0-10, ``emotion`` -3..3) need
no declaration. A custom question (``happiness`` 0-10, ``late-car`` 1-5) is declared
here so that its answers can be validated at import, normalised to 0-1, and called
good or poor::

    questions:
      - id: happiness
        name: How happy are you with how we handled your incident?
        low: 0
        high: 10
        poor_at_most: 6
        good_at_least: 9
        journey_level: true
"""

from __future__ import annotations

from pydantic import Field, model_validator

from cojourney.domain.common import Id, Named


class SurveyQuestion(Named):
    """A survey question and its answer scale (``name`` is the question's text)."""

    low: float = Field(description="The lowest answer on the scale.")
    high: float = Field(description="The highest answer on the scale.")
    poor_at_most: float | None = Field(
        None, description="Answers up to this are poor (default: the lowest quarter of the scale)."
    )
    good_at_least: float | None = Field(
        None, description="Answers from this are good (default: the highest quarter of the scale)."
    )
    journey_level: bool = Field(
        False, description="Asked about the whole journey, not a touchpoint."
    )
    touchpoints: list[Id] = Field(default_factory=list, description="Where it is asked.")

    @model_validator(mode="after")
    def _ordered(self) -> SurveyQuestion:
        if self.high <= self.low:
            raise ValueError("'high' must be above 'low'")
        for name in ("poor_at_most", "good_at_least"):
            value = getattr(self, name)
            if value is not None and not self.low <= value <= self.high:
                raise ValueError(f"'{name}' must lie on the scale {self.low:g}..{self.high:g}")
        if (
            self.poor_at_most is not None
            and self.good_at_least is not None
            and self.poor_at_most >= self.good_at_least
        ):
            raise ValueError("'poor_at_most' must be below 'good_at_least'")
        return self

    @property
    def scale(self) -> tuple[float, float]:
        return (self.low, self.high)

    @property
    def bands(self) -> tuple[float, float]:
        """(poor at most, good at least), the defaults filled in."""
        span = self.high - self.low
        poor = self.poor_at_most if self.poor_at_most is not None else self.low + 0.25 * span
        good = self.good_at_least if self.good_at_least is not None else self.low + 0.75 * span
        return (poor, good)
