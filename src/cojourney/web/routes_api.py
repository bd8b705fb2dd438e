"""The JSON API of the model (read): journeys, touchpoints, personas, stakeholders, versions."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from cojourney.domain.journey import Journey, Touchpoint
from cojourney.domain.parties import Stakeholder
from cojourney.domain.personas import Persona
from cojourney.storage import Version, get_version, list_versions
from cojourney.web.api_docs import AUTH_RESPONSES, NOT_FOUND, WORKSPACE, ItemId
from cojourney.web.deps import DbSession, State, ViewerRequired
from cojourney.web.workspace_views import JourneySummary, journey_summaries

router = APIRouter(prefix="/api", tags=["model"], responses=AUTH_RESPONSES)


@router.get("/journeys", responses=WORKSPACE)
def list_journeys(state: State, user: ViewerRequired) -> list[JourneySummary]:
    """Every journey of the workspace with its number of steps and touchpoints."""
    return journey_summaries(state.reader.workspace())


@router.get("/journeys/{journey_id}", responses={**WORKSPACE, **NOT_FOUND})
def get_journey(journey_id: str, state: State, user: ViewerRequired) -> Journey:
    """One journey as designed: steps, touchpoints, interactions, path and gates."""
    journey: Journey = state.reader.workspace().require("journeys", journey_id)
    return journey


@router.get("/journeys/{journey_id}/touchpoints", responses={**WORKSPACE, **NOT_FOUND})
def list_touchpoints(journey_id: str, state: State, user: ViewerRequired) -> list[Touchpoint]:
    """The touchpoints of one journey."""
    journey: Journey = state.reader.workspace().require("journeys", journey_id)
    return journey.touchpoints


@router.get("/personas", responses=WORKSPACE)
def list_personas(state: State, user: ViewerRequired) -> list[Persona]:
    """Every persona of the workspace."""
    return state.reader.workspace().personas


@router.get("/stakeholders", responses=WORKSPACE)
def list_stakeholders(state: State, user: ViewerRequired) -> list[Stakeholder]:
    """Every stakeholder of the workspace."""
    return state.reader.workspace().stakeholders


class VersionOut(BaseModel):
    """One saved version of a model entity, without its snapshot."""

    entity_kind: str
    entity_id: str
    number: int
    author: str
    created_at: datetime
    message: str

    @classmethod
    def of(cls, version: Version) -> VersionOut:
        return cls(
            entity_kind=version.entity_kind,
            entity_id=version.entity_id,
            number=version.number,
            author=version.author,
            created_at=version.created_at,
            message=version.message,
        )


class VersionDetail(VersionOut):
    """One saved version with its snapshot (YAML or JSON text)."""

    snapshot_format: str
    snapshot: str


@router.get("/versions/{entity_kind}/{entity_id}")
def get_versions(
    entity_kind: str, entity_id: str, db: DbSession, user: ViewerRequired
) -> list[VersionOut]:
    """The saved versions of one entity (e.g. ``journey``/``rent-a-car``), newest first."""
    return [VersionOut.of(v) for v in list_versions(db, entity_kind, entity_id)]


@router.get("/versions/{entity_kind}/{entity_id}/{number}", responses=NOT_FOUND)
def get_one_version(
    entity_kind: str, entity_id: str, number: ItemId, db: DbSession, user: ViewerRequired
) -> VersionDetail:
    """One saved version with its snapshot."""
    version = get_version(db, entity_kind, entity_id, number)
    return VersionDetail(
        **VersionOut.of(version).model_dump(),
        snapshot_format=version.snapshot_format,
        snapshot=version.snapshot,
    )
