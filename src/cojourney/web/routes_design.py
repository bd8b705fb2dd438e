"""The design pages: the journey map, personas and scenarios, stakeholders, relationships,
offerings, agreements, value indicators and improvements (read views, viewer role and up).

Each page reads the workspace through :class:`~cojourney.web.workspace_views.WorkspaceReader`
(a workspace with problems answers 409 listing them) and shows the model as server-rendered
HTML; the JSON API in :mod:`cojourney.web.routes_design_api` serves the same collections.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from cojourney.domain.common import format_duration
from cojourney.domain.journey import Journey
from cojourney.domain.parties import RELATIONSHIP_PROFILES
from cojourney.web import routes_design_api
from cojourney.web.deps import State, ViewerRequired
from cojourney.web.design_views import (
    culture_rows,
    names,
    parse_as_of,
    persona_names,
    scenarios_of,
    snapshot_dates,
    stakeholder_map_svg,
    stakeholder_rows,
    stakeholders_on,
)
from cojourney.web.editor_page import EditorState, render_journey
from cojourney.web.journey_overlay import measured_view, parse_view
from cojourney.web.routes_stakeholder_edit import stakeholder_editor_context
from cojourney.web.templating import render
from cojourney.web.workspace_views import journey_summaries

pages = APIRouter(include_in_schema=False)


@pages.get("/journeys")
def journeys_page(request: Request, state: State, user: ViewerRequired) -> Response:
    """Every journey of the workspace, each linking to its map."""
    workspace = state.reader.workspace()
    return render(
        request,
        "journeys.html",
        {"journeys": journey_summaries(workspace)},
    )


@pages.get("/journeys/{journey_id}")
def journey_page(
    journey_id: str,
    request: Request,
    state: State,
    user: ViewerRequired,
    edit: Annotated[str | None, Query(description="the touchpoint whose editor is open")] = None,
    saved: Annotated[str | None, Query(description="the version just saved")] = None,
    view: Annotated[
        str | None, Query(max_length=20, description="designed (default) or measured")
    ] = None,
) -> Response:
    """One journey: its designed (or measured) map, its steps and touchpoints, and the
    editor beside them."""
    workspace = state.reader.workspace()
    journey: Journey = workspace.require("journeys", journey_id)
    shown = measured_view(request, state, journey, parse_view(view))
    return render_journey(
        request, state, user, journey, EditorState(edit, saved=saved), extra=shown.context()
    )


@pages.get("/personas")
def personas_page(request: Request, state: State, user: ViewerRequired) -> Response:
    """Every persona's full profile and culture scales, and the scenarios told of them."""
    workspace = state.reader.workspace()
    return render(
        request,
        "personas.html",
        {
            "personas": [
                (p, culture_rows(p.culture), scenarios_of(workspace, p)) for p in workspace.personas
            ],
            "scenarios": workspace.scenarios,
            "persona_names": persona_names(workspace),
            "journeys": names(workspace, "journeys"),
            "stakeholders": names(workspace, "stakeholders"),
            "touchpoints": {tp.id: tp.name for tp in workspace.all_touchpoints().values()},
        },
    )


@pages.get("/stakeholders")
def stakeholders_page(
    request: Request,
    state: State,
    user: ViewerRequired,
    as_of: Annotated[str | None, Query(max_length=40)] = None,
    moved: Annotated[str | None, Query(max_length=120)] = None,
    saved: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The influence-interest map at its latest assessment, or as it stood on ``as_of``."""
    workspace = state.reader.workspace()
    dates = snapshot_dates(workspace)
    when = parse_as_of(as_of, dates)
    shown = stakeholders_on(workspace, when)
    return render(
        request,
        "stakeholders.html",
        {
            "dates": dates,
            "when": when,
            "map_svg": stakeholder_map_svg(shown),
            "rows": stakeholder_rows(shown),
            "organisations": names(workspace, "organisations"),
            "moved": moved,
            "saved": saved,
            **stakeholder_editor_context(state, user),
        },
    )


@pages.get("/relationships")
def relationships_page(request: Request, state: State, user: ViewerRequired) -> Response:
    """Service relationships, and the organisations with the consumer roles they hold."""
    workspace = state.reader.workspace()
    return render(
        request,
        "relationships.html",
        {
            "relationships": workspace.relationships,
            "organisations": workspace.organisations,
            "profiles": RELATIONSHIP_PROFILES,
            "org_names": names(workspace, "organisations"),
            "agreement_names": names(workspace, "agreements"),
            "persona_names": names(workspace, "personas"),
            "stakeholder_names": names(workspace, "stakeholders"),
        },
    )


@pages.get("/offerings")
def offerings_page(request: Request, state: State, user: ViewerRequired) -> Response:
    """Service offerings, and the services and products they are made of."""
    workspace = state.reader.workspace()
    return render(
        request,
        "offerings.html",
        {
            "offerings": workspace.offerings,
            "services": workspace.services,
            "products": workspace.products,
            "service_names": names(workspace, "services"),
            "product_names": names(workspace, "products"),
            "persona_names": names(workspace, "personas"),
            "org_names": names(workspace, "organisations"),
        },
    )


@pages.get("/agreements")
def agreements_page(request: Request, state: State, user: ViewerRequired) -> Response:
    """Agreements (SLA, OLA, XLA, outcome-based) with their targets and clocks."""
    workspace = state.reader.workspace()
    return render(
        request,
        "agreements.html",
        {
            "agreements": workspace.agreements,
            "indicator_names": names(workspace, "indicators"),
            "org_names": names(workspace, "organisations"),
            "relationship_names": names(workspace, "relationships"),
            "offering_names": names(workspace, "offerings"),
            "service_names": names(workspace, "services"),
            "duration": format_duration,
        },
    )


@pages.get("/indicators")
def indicators_page(request: Request, state: State, user: ViewerRequired) -> Response:
    """Value indicators: definition, unit, direction, target and whose value they show."""
    workspace = state.reader.workspace()
    return render(
        request,
        "indicators.html",
        {
            "indicators": workspace.indicators,
            "stakeholder_names": names(workspace, "stakeholders"),
            "journey_names": names(workspace, "journeys"),
        },
    )


@pages.get("/improvements")
def improvements_page(request: Request, state: State, user: ViewerRequired) -> Response:
    """The improvement register, with the pain points and opportunities it answers."""
    workspace = state.reader.workspace()
    return render(
        request,
        "improvements.html",
        {
            "improvements": workspace.improvements,
            "pain_points": workspace.pain_points,
            "opportunities": workspace.opportunities,
            "indicator_names": names(workspace, "indicators"),
            "journey_names": names(workspace, "journeys"),
            "pain_names": names(workspace, "pain_points"),
            "opportunity_names": names(workspace, "opportunities"),
        },
    )


#: The pages and their JSON API, as one router for :func:`cojourney.web.create_app`.
router = APIRouter()
router.include_router(pages)
router.include_router(routes_design_api.router)
