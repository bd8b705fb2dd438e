"""The JSON API of the design pages (read): scenarios, organisations, relationships,
offerings, agreements, value indicators, improvements, and the stakeholder map's history.

The response models are the domain models themselves, so ``/openapi.json`` describes
every field the pages show.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cojourney.domain.improvement import Improvement, Opportunity, PainPoint
from cojourney.domain.offerings import Offering, Product, Service
from cojourney.domain.parties import Organisation, Relationship
from cojourney.domain.personas import Scenario
from cojourney.domain.value import Agreement, Indicator
from cojourney.web.api_docs import AUTH_RESPONSES, WORKSPACE
from cojourney.web.deps import State, ViewerRequired
from cojourney.web.design_views import (
    parse_as_of,
    snapshot_dates,
    stakeholder_rows,
    stakeholders_on,
)

router = APIRouter(prefix="/api", tags=["model"], responses=AUTH_RESPONSES)


@router.get("/scenarios", responses=WORKSPACE)
def list_scenarios(state: State, user: ViewerRequired) -> list[Scenario]:
    """Every scenario: a persona's story towards a goal."""
    return state.reader.workspace().scenarios


@router.get("/organisations", responses=WORKSPACE)
def list_organisations(state: State, user: ViewerRequired) -> list[Organisation]:
    """Every organisation, with the consumer roles (customer, user, sponsor) it holds."""
    return state.reader.workspace().organisations


@router.get("/relationships", responses=WORKSPACE)
def list_relationships(state: State, user: ViewerRequired) -> list[Relationship]:
    """Every service relationship between a provider and a consumer organisation."""
    return state.reader.workspace().relationships


@router.get("/offerings", responses=WORKSPACE)
def list_offerings(state: State, user: ViewerRequired) -> list[Offering]:
    """Every service offering."""
    return state.reader.workspace().offerings


@router.get("/services", responses=WORKSPACE)
def list_services(state: State, user: ViewerRequired) -> list[Service]:
    """Every service the offerings are made of."""
    return state.reader.workspace().services


@router.get("/products", responses=WORKSPACE)
def list_products(state: State, user: ViewerRequired) -> list[Product]:
    """Every product the services are made of."""
    return state.reader.workspace().products


@router.get("/agreements", responses=WORKSPACE)
def list_agreements(state: State, user: ViewerRequired) -> list[Agreement]:
    """Every agreement with its targets and service-level clocks."""
    return state.reader.workspace().agreements


@router.get("/indicators", responses=WORKSPACE)
def list_indicators(state: State, user: ViewerRequired) -> list[Indicator]:
    """Every value indicator."""
    return state.reader.workspace().indicators


@router.get("/improvements", responses=WORKSPACE)
def list_improvements(state: State, user: ViewerRequired) -> list[Improvement]:
    """The improvement register."""
    return state.reader.workspace().improvements


@router.get("/pain-points", responses=WORKSPACE)
def list_pain_points(state: State, user: ViewerRequired) -> list[PainPoint]:
    """Where the experience hurts."""
    return state.reader.workspace().pain_points


@router.get("/opportunities", responses=WORKSPACE)
def list_opportunities(state: State, user: ViewerRequired) -> list[Opportunity]:
    """Chances to add value, often answering pain points."""
    return state.reader.workspace().opportunities


class StakeholderPosition(BaseModel):
    """Where one stakeholder stood on the influence-interest map on the replayed date."""

    id: str
    name: str
    influence: float | None
    interest: float | None
    quadrant: str | None
    assessed: date | None


class StakeholderMapState(BaseModel):
    """The stakeholder map on one date: what the history slider of the page replays."""

    as_of: date | None
    dates: list[date]
    stakeholders: list[StakeholderPosition]


@router.get("/stakeholder-map", responses=WORKSPACE)
def stakeholder_map(
    state: State,
    user: ViewerRequired,
    as_of: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD")] = None,
) -> StakeholderMapState:
    """Each stakeholder at its latest snapshot on or before ``as_of`` (default: the latest)."""
    workspace = state.reader.workspace()
    dates = snapshot_dates(workspace)
    when = parse_as_of(as_of, dates)
    return StakeholderMapState(
        as_of=when,
        dates=dates,
        stakeholders=[
            StakeholderPosition(
                id=row.stakeholder.id,
                name=row.stakeholder.name,
                influence=row.influence,
                interest=row.interest,
                quadrant=row.quadrant,
                assessed=row.assessed,
            )
            for row in stakeholder_rows(stakeholders_on(workspace, when))
        ],
    )
