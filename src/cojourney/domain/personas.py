"""Personas (archetypes of customers or users) and scenarios (their stories)."""

from __future__ import annotations

from pydantic import Field

from cojourney.domain.common import CultureScale, Id, Model, Named
from cojourney.domain.segments import SegmentRule


class CultureProfile(Model):
    """Position on the eight culture-map scales, each 0 (first pole) to 10 (second pole)."""

    communicating: CultureScale | None = Field(None, description="0 low-context .. 10 high-context")
    evaluating: CultureScale | None = Field(
        None, description="0 direct negative feedback .. 10 indirect"
    )
    persuading: CultureScale | None = Field(
        None, description="0 principles-first .. 10 applications-first"
    )
    leading: CultureScale | None = Field(None, description="0 egalitarian .. 10 hierarchical")
    deciding: CultureScale | None = Field(None, description="0 consensual .. 10 top-down")
    trusting: CultureScale | None = Field(None, description="0 task-based .. 10 relationship-based")
    disagreeing: CultureScale | None = Field(
        None, description="0 confrontational .. 10 avoids confrontation"
    )
    scheduling: CultureScale | None = Field(None, description="0 linear time .. 10 flexible time")


CULTURE_SCALES: tuple[str, ...] = tuple(CultureProfile.model_fields)


class Persona(Named):
    """A fictional but realistic archetype of one customer segment, written as if real."""

    segment: str = Field(min_length=1, description="The customer segment it represents, in words.")
    rule: SegmentRule | None = Field(
        None,
        description="Which journeys are this persona's, by their case attributes "
        "(cojourney.domain.segments); without one, the journeys whose events' segment "
        "is the persona's id.",
    )
    stakeholder: Id | None = Field(None, description="The stakeholder group it represents.")
    consumer_roles: list[str] = Field(default_factory=list, description="customer, user, sponsor")
    age: int | None = Field(None, ge=0, le=130)
    occupation: str | None = None
    location: str | None = None
    quote: str | None = None
    day_in_the_life: str | None = None
    background: str | None = None
    finances: str | None = None
    online_behaviour: str | None = None
    looks_for: list[str] = Field(default_factory=list)
    influences: list[str] = Field(default_factory=list)
    hopes_and_goals: list[str] = Field(default_factory=list)
    frustrations: list[str] = Field(default_factory=list)
    culture: CultureProfile | None = None


class Scenario(Named):
    """A short story of a persona trying to reach a goal with the service."""

    persona: Id
    journey: Id | None = None
    why: str = Field(min_length=1, description="Motivation and expectations.")
    goals: list[str] = Field(min_length=1)
    how: list[str] = Field(default_factory=list, description="How they can reach the goals.")
    touchpoints: list[Id] = Field(default_factory=list, description="Touchpoints the story passes.")
    barriers: list[str] = Field(default_factory=list, description="What stands in the way.")
