"""What is offered: services, products and service offerings."""

from __future__ import annotations

from pydantic import Field

from cojourney.domain.common import Id, Named


class Product(Named):
    """A configuration of the provider's resources, only partly visible to consumers."""

    provider: Id | None = None
    resources: list[str] = Field(default_factory=list)


class Service(Named):
    """A means of co-creating value, provided by an organisation."""

    provider: Id
    products: list[Id] = Field(default_factory=list)
    value_streams: list[str] = Field(default_factory=list)


class Offering(Named):
    """A service offering: services presented to a target consumer group.

    Made of goods to be supplied, access to resources and service actions.
    """

    services: list[Id] = Field(default_factory=list)
    target_group: str = Field(min_length=1, description="The consumer group it is for.")
    personas: list[Id] = Field(default_factory=list)
    goods: list[str] = Field(default_factory=list)
    access_to_resources: list[str] = Field(default_factory=list)
    service_actions: list[str] = Field(default_factory=list)
    price: str | None = None
    partners: list[Id] = Field(
        default_factory=list, description="Organisations that co-provide it."
    )
