"""The JSON API of the model (read): journeys, touchpoints, personas, stakeholders."""

from __future__ import annotations

from fastapi import APIRouter

from cojourney.domain.journey import Journey, Touchpoint
from cojourney.domain.parties import Stakeholder
from cojourney.domain.personas import Persona
from cojourney.web.deps import State, ViewerRequired
from cojourney.web.workspace_views import JourneySummary, journey_summaries

router = APIRouter(prefix="/api", tags=["model"])


@router.get("/journeys")
def list_journeys(state: State, user: ViewerRequired) -> list[JourneySummary]:
    """Every journey of the workspace with its number of steps and touchpoints."""
    return journey_summaries(state.reader.workspace())


@router.get("/journeys/{journey_id}", response_model_by_alias=True)
def get_journey(journey_id: str, state: State, user: ViewerRequired) -> Journey:
    """One journey as designed: steps, touchpoints, interactions, path and gates."""
    journey: Journey = state.reader.workspace().require("journeys", journey_id)
    return journey


@router.get("/journeys/{journey_id}/touchpoints")
def list_touchpoints(journey_id: str, state: State, user: ViewerRequired) -> list[Touchpoint]:
    """The touchpoints of one journey."""
    journey: Journey = state.reader.workspace().require("journeys", journey_id)
    return journey.touchpoints


@router.get("/personas")
def list_personas(state: State, user: ViewerRequired) -> list[Persona]:
    """Every persona of the workspace."""
    return state.reader.workspace().personas


@router.get("/stakeholders")
def list_stakeholders(state: State, user: ViewerRequired) -> list[Stakeholder]:
    """Every stakeholder of the workspace."""
    return state.reader.workspace().stakeholders
