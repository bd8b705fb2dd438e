"""Generic edit forms for the model's other collections (personas, scenarios, agreements...).

``/edit/{collection}`` lists the items of a collection, ``/edit/{collection}/{id}``
shows an item's scalar fields (text, numbers, choices, derived from the pydantic
model) as labelled inputs; saving works like the journey editor: a version by the
signed-in user, problems next to their fields (422, nothing written), a conflict
naming what changed with the user's values kept (409). Lists and nested parts stay
in the YAML files. ``PATCH /api/items/{collection}/{id}`` is the JSON twin.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.services.editing import Conflict, EditRejected
from cojourney.web.deps import EditorRequired, State
from cojourney.web.edit_store import base_version, save_edits
from cojourney.web.edit_views import (
    FormField,
    FormProblems,
    item_edits,
    item_values,
    problems_by_field,
    scalar_fields,
)
from cojourney.web.routes_edit import BASE_FIELD, EDIT_RESPONSES, _base, _message, _save_json
from cojourney.web.state import WebState
from cojourney.web.templating import render

router = APIRouter()

#: The collections with a generic edit form, and their names in words.
EDITABLE: dict[str, str] = {
    "personas": "Personas",
    "scenarios": "Scenarios",
    "stakeholders": "Stakeholders",
    "organisations": "Organisations",
    "relationships": "Relationships",
    "offerings": "Offerings",
    "services": "Services",
    "products": "Products",
    "agreements": "Agreements",
    "indicators": "Value indicators",
    "value_propositions": "Value propositions",
    "improvements": "Improvements",
    "pain_points": "Pain points",
    "opportunities": "Opportunities",
}


def _collection(collection: str) -> str:
    if collection not in EDITABLE:
        raise NotFound(f"no editable collection {collection!r} (editable: {', '.join(EDITABLE)})")
    return collection


def _item(state: WebState, collection: str, item_id: str) -> BaseModel:
    item: BaseModel = state.reader.workspace().require(_collection(collection), item_id)
    return item


def _page(
    request: Request,
    state: WebState,
    collection: str,
    item: BaseModel,
    *,
    values: dict[str, str] | None = None,
    problems: FormProblems | None = None,
    conflict: Conflict | None = None,
    saved: str | None = None,
    status: int = 200,
) -> Response:
    fields = scalar_fields(type(item))
    return render(
        request,
        "item_edit.html",
        {
            "collection": collection,
            "title": EDITABLE[collection],
            "item": item,
            "fields": fields,
            "values": values if values is not None else item_values(item, fields),
            "problems": problems or FormProblems(),
            "conflict": conflict,
            "saved": saved,
            "base_version": base_version(state),
        },
        status_code=status,
    )


@router.get("/edit/{collection}", include_in_schema=False)
def collection_page(
    collection: str, request: Request, state: State, user: EditorRequired
) -> Response:
    """The items of a collection, each linking to its edit form."""
    items = getattr(state.reader.workspace(), _collection(collection))
    return render(
        request,
        "items_edit.html",
        {"collection": collection, "title": EDITABLE[collection], "items": items},
    )


@router.get("/edit/{collection}/{item_id}", include_in_schema=False)
def item_page(
    collection: str,
    item_id: str,
    request: Request,
    state: State,
    user: EditorRequired,
    saved: str | None = None,
) -> Response:
    """The edit form of one item's scalar fields."""
    item = _item(state, collection, item_id)
    return _page(request, state, collection, item, saved=saved)


@router.post("/edit/{collection}/{item_id}", include_in_schema=False)
async def save_item(
    collection: str, item_id: str, request: Request, state: State, user: EditorRequired
) -> Response:
    """Save an item's scalar fields."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    item = _item(state, collection, item_id)
    fields: list[FormField] = scalar_fields(type(item))
    edits = item_edits(collection, item, fields, values)
    here = f"/edit/{collection}/{item_id}"
    if not edits:
        return RedirectResponse(here, status_code=303)
    try:
        result = await run_in_threadpool(
            save_edits, state, user, edits, base=_base(values), message=values.get("message")
        )
    except EditRejected as exc:
        problems = problems_by_field(exc.located, [f.name for f in fields])
        return _page(request, state, collection, item, values=values, problems=problems, status=422)
    except Conflict as exc:
        fresh = _item(state, collection, item_id)
        return _page(request, state, collection, fresh, values=values, conflict=exc, status=409)
    number = result.record.number if result.record else ""
    return RedirectResponse(f"{here}?saved={number}", status_code=303)


@router.patch("/api/items/{collection}/{item_id}", tags=["editing"], responses=EDIT_RESPONSES)
def patch_item(
    collection: str,
    item_id: str,
    body: Annotated[dict[str, Any], Body()],
    state: State,
    user: EditorRequired,
) -> Response:
    """Set scalar fields of an item: ``{"base_version", "fields": {...}, "message"}``.

    422 lists the problems by file, line and item/field; 409 names what changed.
    """
    base = _base(body)
    item = _item(state, collection, item_id)
    raw = body.get("fields")
    if not isinstance(raw, dict):
        raise InputError(
            Problem("fields must be an object of field -> value", Location(field="fields"))
        )
    values = {str(k): "" if v is None else str(v) for k, v in raw.items()}
    edits = item_edits(collection, item, scalar_fields(type(item)), values)
    return _save_json(state, user, edits, base, _message(body))


__all__ = ["BASE_FIELD", "EDITABLE", "router"]
