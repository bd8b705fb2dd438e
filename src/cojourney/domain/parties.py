"""Who takes part: organisations, consumer roles, stakeholders and their map, relationships."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, model_validator

from cojourney.domain.common import Id, Level, Model, Named


class OrganisationRole(StrEnum):
    """The role an organisation plays in a service relationship (often both at once)."""

    PROVIDER = "provider"
    CONSUMER = "consumer"


class ConsumerRole(StrEnum):
    """The three consumer roles of DSV; one person may hold all three."""

    CUSTOMER = "customer"  #: defines the requirements, accountable for the outcome
    USER = "user"  #: actually uses the service
    SPONSOR = "sponsor"  #: authorises the budget


class ConsumerRoleHolder(Model):
    """Who holds a consumer role inside a consumer organisation."""

    role: ConsumerRole
    held_by: str = Field(min_length=1, description="A person, team or group, e.g. 'students'.")
    persona: Id | None = Field(None, description="A persona that represents the holder.")
    stakeholder: Id | None = Field(None, description="The stakeholder entry for the holder.")


class Organisation(Named):
    """An organisation taking the provider role, the consumer role, or both."""

    roles: list[OrganisationRole] = Field(min_length=1)
    consumer_roles: list[ConsumerRoleHolder] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list, description="Teams that face consumers.")

    @model_validator(mode="after")
    def _consumer_roles_need_consumer(self) -> Organisation:
        if self.consumer_roles and OrganisationRole.CONSUMER not in self.roles:
            raise ValueError("consumer_roles are given but 'consumer' is not among roles")
        return self


class StakeholderKind(StrEnum):
    """Kinds of stakeholder named by DSV: far more than provider and consumer."""

    CUSTOMER = "customer"
    USER = "user"
    SPONSOR = "sponsor"
    PROVIDER = "provider"
    OWNER = "owner"
    EMPLOYEE = "employee"
    SUPPLIER = "supplier"
    PARTNER = "partner"
    COMPETITOR = "competitor"
    REGULATOR = "regulator"
    UNION = "union"
    INDUSTRY_BODY = "industry_body"
    COMMUNITY = "community"
    SOCIETY = "society"
    OTHER = "other"


class Quadrant(StrEnum):
    """The four quadrants of the power/interest grid and what to do with each."""

    MANAGE_CLOSELY = "manage closely"  #: high influence, high interest
    KEEP_SATISFIED = "keep satisfied"  #: high influence, low interest
    KEEP_INFORMED = "keep informed"  #: low influence, high interest
    MONITOR = "monitor"  #: low influence, low interest


#: Influence and interest above this value (on the 0-10 scale) count as "high".
HIGH_LEVEL = 5.0


def quadrant_of(influence: float, interest: float) -> Quadrant:
    """Place a stakeholder on the grid: above :data:`HIGH_LEVEL` is high.

    >>> quadrant_of(8, 9).value
    'manage closely'
    >>> quadrant_of(2, 5).value
    'monitor'
    """
    high_influence = influence > HIGH_LEVEL
    high_interest = interest > HIGH_LEVEL
    if high_influence:
        return Quadrant.MANAGE_CLOSELY if high_interest else Quadrant.KEEP_SATISFIED
    return Quadrant.KEEP_INFORMED if high_interest else Quadrant.MONITOR


class StakeholderSnapshot(Model):
    """Influence and interest of a stakeholder as assessed on one date."""

    date: date
    influence: Level
    interest: Level
    note: str | None = None

    @property
    def quadrant(self) -> Quadrant:
        return quadrant_of(self.influence, self.interest)


class Stakeholder(Named):
    """Anyone with a stake in the service, placed on the stakeholder map over time."""

    kind: StakeholderKind
    organisation: Id | None = None
    expectations: list[str] = Field(default_factory=list)
    snapshots: list[StakeholderSnapshot] = Field(
        default_factory=list, description="The map's history: one entry per assessment date."
    )

    def snapshot_at(self, when: date | None = None) -> StakeholderSnapshot | None:
        """The latest snapshot on or before ``when`` (the latest of all when ``when`` is None)."""
        ordered = sorted(self.snapshots, key=lambda s: s.date)
        if when is not None:
            ordered = [s for s in ordered if s.date <= when]
        return ordered[-1] if ordered else None

    def quadrant_at(self, when: date | None = None) -> Quadrant | None:
        snap = self.snapshot_at(when)
        return snap.quadrant if snap else None


class RelationshipType(StrEnum):
    """DSV's three service relationship types."""

    BASIC = "basic"
    COOPERATIVE = "cooperative"
    PARTNERSHIP = "partnership"


#: What each relationship type typically looks like (DOMAIN.md section 2).
RELATIONSHIP_PROFILES: dict[RelationshipType, dict[str, str]] = {
    RelationshipType.BASIC: {
        "focus": "support and efficiency",
        "levels": "operational",
        "provider maturity": "ad hoc, order taker",
        "service types": "standard, off-the-shelf, commodity, goods supply",
        "agreements": "standard contracts, SLAs, experience-based, mass market",
    },
    RelationshipType.COOPERATIVE: {
        "focus": "improvement and effectiveness",
        "levels": "operational + tactical",
        "provider maturity": "service provider, trusted adviser",
        "service types": "configured or customised",
        "agreements": "advanced SLAs, experience- or outcome-based",
    },
    RelationshipType.PARTNERSHIP: {
        "focus": "innovation and growth",
        "levels": "operational + tactical + strategic",
        "provider maturity": "strategic partner",
        "service types": "custom, bespoke, unique value propositions",
        "agreements": "bespoke contracts, outcome-based, or none",
    },
}


class Relationship(Named):
    """A service relationship between a provider and a consumer organisation."""

    type: RelationshipType
    provider: Id
    consumer: Id
    agreements: list[Id] = Field(default_factory=list)
    gives: list[str] = Field(default_factory=list, description="What the provider contributes.")
    gets: list[str] = Field(default_factory=list, description="What the provider receives.")
    since: date | None = None

    @property
    def profile(self) -> dict[str, str]:
        return RELATIONSHIP_PROFILES[self.type]
