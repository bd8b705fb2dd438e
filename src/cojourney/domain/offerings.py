"""What is offered: services, products and service offerings, and where they are delivered."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, model_validator

from cojourney.domain.common import Id, Model, Named

#: The three parts an offering is made of, as field names of :class:`Offering`.
OFFERING_PARTS: tuple[str, ...] = ("goods", "access_to_resources", "service_actions")


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
    target_group: str | None = Field(
        None,
        min_length=1,
        description="The consumer group it is for (left out of what consumers are shown).",
    )
    personas: list[Id] = Field(default_factory=list)
    goods: list[str] = Field(default_factory=list)
    access_to_resources: list[str] = Field(default_factory=list)
    service_actions: list[str] = Field(default_factory=list)
    price: str | None = None
    partners: list[Id] = Field(
        default_factory=list, description="Organisations that co-provide it."
    )


def _id_or_mapping(schema: dict[str, Any]) -> None:
    """JSON Schema of :class:`OfferingDelivery`: the offering's id alone, or the mapping."""
    mapping = dict(schema)
    schema.clear()
    schema["anyOf"] = [{"type": "string", "description": "The offering's id."}, mapping]


class OfferingDelivery(Model):
    """Which offering a step or touchpoint delivers, and which of its parts.

    Written as the offering's id alone (``membership-offering``: the step or touchpoint
    delivers the offering, no part named) or as a mapping naming the parts, each an
    entry of the offering's own list::

        offerings:
          - membership-offering
          - offering: trailer-offering
            service_actions: [Hitching and safety check by Axle staff]

    >>> OfferingDelivery.model_validate("trailer-offering").parts()
    []
    """

    model_config = ConfigDict(json_schema_extra=_id_or_mapping)

    offering: Id
    goods: list[str] = Field(
        default_factory=list, description="Goods of the offering supplied here."
    )
    access_to_resources: list[str] = Field(
        default_factory=list, description="Access to resources of the offering given here."
    )
    service_actions: list[str] = Field(
        default_factory=list, description="Service actions of the offering performed here."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, value: Any) -> Any:
        return {"offering": value} if isinstance(value, str) else value

    def parts(self) -> list[tuple[str, str]]:
        """``(part, entry)`` pairs named here, in the order goods, access, service actions."""
        return [(part, entry) for part in OFFERING_PARTS for entry in getattr(self, part)]
