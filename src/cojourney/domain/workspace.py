"""The workspace: one provider's whole DSV model, as loaded from a folder of YAML files."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from cojourney.domain.common import Id, Model
from cojourney.domain.improvement import Improvement, Opportunity, PainPoint
from cojourney.domain.journey import Journey, Touchpoint
from cojourney.domain.offerings import Offering, Product, Service
from cojourney.domain.parties import Organisation, Relationship, Stakeholder
from cojourney.domain.personas import Persona, Scenario
from cojourney.domain.segments import NamedSegment
from cojourney.domain.service_levels import BusinessCalendar
from cojourney.domain.surveys import SurveyQuestion
from cojourney.domain.value import Agreement, Indicator, ValueProposition
from cojourney.errors import NotFound

SCHEMA_VERSION = 1


class WorkspaceInfo(Model):
    """What the workspace is about."""

    id: Id
    name: str = Field(min_length=1)
    description: str | None = None
    schema_version: int = Field(SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    provider: Id | None = Field(None, description="The organisation whose journeys these are.")
    default_journey: Id | None = None
    time_zone: str = Field("UTC", description="IANA time zone for naive timestamps and calendars.")


#: The collections of a workspace, in the order they are written, with the file each
#: is written to by default. ``{id}`` means one file per item.
COLLECTION_FILES: dict[str, str] = {
    "organisations": "parties.yaml",
    "stakeholders": "parties.yaml",
    "relationships": "parties.yaml",
    "services": "offerings.yaml",
    "products": "offerings.yaml",
    "offerings": "offerings.yaml",
    "personas": "personas.yaml",
    "scenarios": "personas.yaml",
    "segments": "personas.yaml",
    "journeys": "journeys/{id}.yaml",
    "value_propositions": "value.yaml",
    "indicators": "value.yaml",
    "agreements": "agreements.yaml",
    "calendars": "agreements.yaml",
    "questions": "surveys.yaml",
    "pain_points": "improvements.yaml",
    "opportunities": "improvements.yaml",
    "improvements": "improvements.yaml",
}


class Workspace(Model):
    """The aggregate of every DSV concept for one provider.

    Cross-references between the collections are checked by
    :func:`cojourney.domain.references.check_references`, not by the constructor,
    so that *all* problems can be reported at once.
    """

    workspace: WorkspaceInfo
    organisations: list[Organisation] = Field(default_factory=list)
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    offerings: list[Offering] = Field(default_factory=list)
    personas: list[Persona] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(default_factory=list)
    segments: list[NamedSegment] = Field(
        default_factory=list,
        description="Named groups of journeys by rule over their case attributes.",
    )
    journeys: list[Journey] = Field(default_factory=list)
    value_propositions: list[ValueProposition] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    calendars: list[BusinessCalendar] = Field(default_factory=list)
    questions: list[SurveyQuestion] = Field(default_factory=list)
    pain_points: list[PainPoint] = Field(default_factory=list)
    opportunities: list[Opportunity] = Field(default_factory=list)
    improvements: list[Improvement] = Field(default_factory=list)

    def get(self, collection: str, item_id: str) -> Any:
        """The item ``item_id`` of ``collection`` (KeyError when there is none)."""
        for item in getattr(self, collection):
            if item.id == item_id:
                return item
        raise KeyError(f"no {collection} item with id {item_id!r}")

    def require(self, collection: str, item_id: str, *, hint: str = "") -> Any:
        """The item ``item_id`` of ``collection``, or :class:`~cojourney.errors.NotFound`
        naming the ids there are (``hint``: what to do, appended in brackets)."""
        try:
            return self.get(collection, item_id)
        except KeyError:
            what = collection.removesuffix("s").replace("_", " ")
            known = ", ".join(item.id for item in getattr(self, collection)) or "none"
            raise NotFound(
                f"no {what} {item_id!r} in workspace {self.workspace.id!r}; "
                f"the {collection.replace('_', ' ')} are: {known}" + (f" ({hint})" if hint else "")
            ) from None

    def journey(self, journey_id: str | None = None) -> Journey:
        """A journey by id; without an id the default journey, else the first one."""
        if journey_id is None:
            journey_id = self.workspace.default_journey or (
                self.journeys[0].id if self.journeys else None
            )
        if journey_id is None:
            raise KeyError("the workspace has no journey")
        result: Journey = self.get("journeys", journey_id)
        return result

    def all_touchpoints(self) -> dict[str, Touchpoint]:
        """Every touchpoint of every journey by id."""
        return {tp.id: tp for j in self.journeys for tp in j.touchpoints}
