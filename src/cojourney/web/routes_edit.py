"""The journey editor: forms on the journey page (editor and owner roles) and their JSON twins.

Every form carries ``csrf_token`` and the hidden ``base_version`` it was drawn from.
A save answers 303 back to the journey page (``?saved=N``); problems re-render the
page with each message next to its field (422, nothing written); a conflict
re-renders it with what changed and the user's values kept, on the current version
(409: submit again to re-apply). The API twins take JSON and answer JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from cojourney.domain.journey import Journey
from cojourney.errors import InputError, Location, Problem
from cojourney.services.editing import Conflict, EditRejected, EditResult
from cojourney.spec.yaml_edit import Edit, edit_from_dict
from cojourney.web.api_docs import AUTH_RESPONSES, NOT_FOUND, ErrorBody
from cojourney.web.deps import EditorRequired, Principal, State, ViewerRequired
from cojourney.web.edit_store import base_version, save_edits
from cojourney.web.edit_views import (
    NEW_STEP_FIELDS,
    NEW_TOUCHPOINT_FIELDS,
    TOUCHPOINT_FIELDS,
    FormProblems,
    conflict_json,
    move_edit,
    new_step_edit,
    new_touchpoint_edit,
    problems_by_field,
    rejected_json,
    remove_edit,
    touchpoint_edits,
    touchpoint_of,
)
from cojourney.web.editor_page import EditorState, render_journey
from cojourney.web.state import WebState

pages = APIRouter(include_in_schema=False)
router = APIRouter()

BASE_FIELD = "base_version"

#: Statuses of the editing API: the role ones, an unknown item, a conflict or a workspace
#: with problems (409), an edit that breaks a rule (422, problems located).
EDIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    **NOT_FOUND,
    409: {
        "model": ErrorBody,
        "description": "The model changed since base_version where this edit changes it "
        "(changes lists what, current_version is the one to reload), or the workspace has "
        "problems.",
    },
}
api = APIRouter(prefix="/api", tags=["editing"], responses=EDIT_RESPONSES)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _base(values: Mapping[str, Any]) -> str:
    base = values.get(BASE_FIELD)
    if not isinstance(base, str) or not base:
        raise InputError(
            Problem(
                "the edit does not say which version it was made on",
                Location(field=BASE_FIELD),
                expected="the base_version the editor was opened with",
                hint="reload the page (or GET /api/model/version) and send its base_version",
            )
        )
    return base


def _journey(state: WebState, journey_id: str) -> Journey:
    journey: Journey = state.reader.workspace().require("journeys", journey_id)
    return journey


async def _save_form(
    request: Request,
    state: WebState,
    user: Principal,
    journey_id: str,
    make: Callable[[Journey, dict[str, str]], list[Edit]],
    *,
    form_name: str,
    fields: tuple[str, ...],
    touchpoint: str | None = None,
) -> Response:
    """Save what a form asks, then redirect; or re-render the page with problems/conflict."""
    values = await _form(request)
    journey = _journey(state, journey_id)
    base = _base(values)
    edits = make(journey, values)
    anchor = f"/journeys/{journey_id}"
    if not edits:
        target = f"{anchor}?edit={touchpoint}#editor" if touchpoint else f"{anchor}#editor"
        return RedirectResponse(target, status_code=303)
    try:
        result = await run_in_threadpool(
            save_edits, state, user, edits, base=base, message=values.get("message")
        )
    except EditRejected as exc:
        problems = problems_by_field(exc.located, fields)
        editor = EditorState(touchpoint, values, problems, form=form_name)
        return render_journey(request, state, user, journey, editor, status_code=422)
    except Conflict as exc:
        editor = EditorState(touchpoint, values, FormProblems(), exc, form=form_name)
        fresh = _journey(state, journey_id)
        return render_journey(request, state, user, fresh, editor, status_code=409)
    number = result.record.number if result.record else ""
    query = f"?saved={number}" + (f"&edit={touchpoint}" if touchpoint else "")
    return RedirectResponse(f"{anchor}{query}#editor", status_code=303)


@pages.post("/journeys/{journey_id}/touchpoints/{touchpoint_id}")
async def save_touchpoint(
    journey_id: str, touchpoint_id: str, request: Request, state: State, user: EditorRequired
) -> Response:
    """Save a touchpoint's fields (name, description, kind, channel, visibility, emotion, owner team)."""

    def make(journey: Journey, values: dict[str, str]) -> list[Edit]:
        touchpoint = touchpoint_of(journey, touchpoint_id)
        return touchpoint_edits(journey, touchpoint, values)

    return await _save_form(
        request,
        state,
        user,
        journey_id,
        make,
        form_name="touchpoint",
        fields=tuple(f.name for f in TOUCHPOINT_FIELDS),
        touchpoint=touchpoint_id,
    )


@pages.post("/journeys/{journey_id}/steps/{step_id}/touchpoints")
async def add_touchpoint(
    journey_id: str, step_id: str, request: Request, state: State, user: EditorRequired
) -> Response:
    """Add a touchpoint to a step."""
    return await _save_form(
        request,
        state,
        user,
        journey_id,
        lambda journey, values: [new_touchpoint_edit(journey, step_id, values)],
        form_name=f"add-touchpoint-{step_id}",
        fields=tuple(f.name for f in NEW_TOUCHPOINT_FIELDS),
    )


@pages.post("/journeys/{journey_id}/steps")
async def add_step(
    journey_id: str, request: Request, state: State, user: EditorRequired
) -> Response:
    """Add a step at the end of the journey."""
    return await _save_form(
        request,
        state,
        user,
        journey_id,
        lambda journey, values: [new_step_edit(journey, values)],
        form_name="add-step",
        fields=tuple(f.name for f in NEW_STEP_FIELDS),
    )


def _element_routes(collection: str, parameter: str) -> None:
    """The move and remove forms of steps or touchpoints."""

    async def move(
        journey_id: str, element: str, request: Request, state: State, user: Principal
    ) -> Response:
        values = await _form(request)

        def make(journey: Journey, _values: dict[str, str]) -> list[Edit]:
            edit = move_edit(journey, collection, element, values.get("direction", ""))
            return [edit] if edit else []

        return await _save_form(request, state, user, journey_id, make, form_name="move", fields=())

    async def remove(
        journey_id: str, element: str, request: Request, state: State, user: Principal
    ) -> Response:
        return await _save_form(
            request,
            state,
            user,
            journey_id,
            lambda journey, _values: [remove_edit(journey, collection, element)],
            form_name="remove",
            fields=(),
        )

    path = f"/journeys/{{journey_id}}/{collection}/{{{parameter}}}"

    async def move_route(
        journey_id: str, request: Request, state: State, user: EditorRequired
    ) -> Response:
        return await move(journey_id, request.path_params[parameter], request, state, user)

    async def remove_route(
        journey_id: str, request: Request, state: State, user: EditorRequired
    ) -> Response:
        return await remove(journey_id, request.path_params[parameter], request, state, user)

    move_route.__doc__ = f"Move one of the journey's {collection} up or down (field direction)."
    remove_route.__doc__ = f"Remove one of the journey's {collection}."
    pages.add_api_route(f"{path}/move", move_route, methods=["POST"], name=f"move_{collection}")
    pages.add_api_route(
        f"{path}/remove", remove_route, methods=["POST"], name=f"remove_{collection}"
    )


_element_routes("steps", "step_id")
_element_routes("touchpoints", "touchpoint_id")


# -- the JSON twins -----------------------------------------------------------------------
def _answer(result: EditResult) -> dict[str, Any]:
    return {
        "version": result.version,
        "number": result.record.number if result.record else None,
        "changes": [str(c) for c in result.changes],
        "diff": result.diff,
    }


def _save_json(
    state: WebState, user: Principal, edits: list[Edit], base: str, message: str | None
) -> Response:
    try:
        result = save_edits(state, user, edits, base=base, message=message)
    except EditRejected as exc:
        return JSONResponse(rejected_json(exc), status_code=422)
    except Conflict as exc:
        return JSONResponse(conflict_json(exc), status_code=409)
    return JSONResponse(_answer(result))


def _message(body: Mapping[str, Any]) -> str | None:
    message = body.get("message")
    return message if isinstance(message, str) and message else None


Json = Annotated[dict[str, Any], Body()]


@api.get("/model/version")
def model_version(state: State, user: ViewerRequired) -> dict[str, str]:
    """The version (fingerprint) of the model now: the ``base_version`` of the next edit."""
    return {BASE_FIELD: base_version(state)}


@api.patch("/journeys/{journey_id}/touchpoints/{touchpoint_id}")
def patch_touchpoint(
    journey_id: str, touchpoint_id: str, body: Json, state: State, user: EditorRequired
) -> Response:
    """Set a touchpoint's fields: ``{"base_version", "fields": {"channel": "chat", ...}, "message"}``.

    422 lists the problems by file, line and item/field; 409 names what changed since
    ``base_version``.
    """
    base = _base(body)
    journey = _journey(state, journey_id)
    touchpoint = touchpoint_of(journey, touchpoint_id)
    fields = body.get("fields")
    if not isinstance(fields, dict):
        raise InputError(
            Problem("fields must be an object of field -> value", Location(field="fields"))
        )
    values = {str(k): "" if v is None else str(v) for k, v in fields.items()}
    edits = touchpoint_edits(journey, touchpoint, values)
    return _save_json(state, user, edits, base, _message(body))


@api.post("/edits")
def post_edits(body: Json, state: State, user: EditorRequired) -> Response:
    """Apply edits to the model: ``{"base_version", "edits": [{"op": "set", ...}], "message"}``.

    The edits are those of ``edit_from_dict`` (set, remove_field, add, remove, move,
    snapshot). 422 lists the problems; 409 names what changed since ``base_version``.
    """
    base = _base(body)
    raw = body.get("edits")
    if not isinstance(raw, list) or not raw:
        raise InputError(
            Problem("edits must be a non-empty list of edits", Location(field="edits"))
        )
    edits = [edit_from_dict(item) for item in raw]
    return _save_json(state, user, edits, base, _message(body))


router.include_router(pages)
router.include_router(api)
