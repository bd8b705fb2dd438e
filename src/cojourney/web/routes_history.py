"""The history of a journey: its versions, a diff between any two, and restore.

``/journeys/{id}/history`` lists the versions that changed the journey (number, who,
when, message, what changed); ``?a=N&b=M`` adds the readable unified diff between two
versions of the model (0 is the model before version 1); restoring (editors and
owners, POST with the CSRF token) brings the model back to a version as a new version.
The API twins live under ``/api/model/``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from cojourney.domain.journey import Journey
from cojourney.services.editing import VersionDiff, diff_versions
from cojourney.services.versions import VersionRecord
from cojourney.web.deps import EditorRequired, State, ViewerRequired
from cojourney.web.edit_store import restore_version, version_store
from cojourney.web.editor_page import can_edit
from cojourney.web.routes_edit import EDIT_RESPONSES
from cojourney.web.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/model", tags=["editing"], responses=EDIT_RESPONSES)
router = APIRouter()

VersionNumber = Annotated[int | None, Query(ge=0, description="a version number (0: before 1)")]


def version_json(record: VersionRecord, *, full: bool = False) -> dict[str, Any]:
    """A version as JSON: number, author, time, message, changes (and the diff when ``full``)."""
    body: dict[str, Any] = {
        "number": record.number,
        "author": record.author,
        "time": record.time.isoformat(),
        "message": record.message,
        "changes": [str(c) for c in record.changes],
        "restores": record.restores,
        "files": [f.name for f in record.files],
    }
    if full:
        body["diff"] = record.diff
    return body


@pages.get("/journeys/{journey_id}/history")
def history_page(
    journey_id: str,
    request: Request,
    state: State,
    user: ViewerRequired,
    a: VersionNumber = None,
    b: VersionNumber = None,
) -> Response:
    """The versions of one journey, the diff between two, and restore buttons for editors."""
    journey: Journey = state.reader.workspace().require("journeys", journey_id)
    store = version_store(state)
    records = list(reversed(store.list("journeys", journey.id)))
    every = store.list()
    diff: VersionDiff | None = None
    if a is not None and b is not None:
        diff = diff_versions(store, a, b)
    elif records:
        newest = records[0].number
        diff = diff_versions(store, newest - 1, newest)
    return render(
        request,
        "history.html",
        {
            "journey": journey,
            "records": records,
            "numbers": [0, *[r.number for r in every]],
            "diff": diff,
            "editable": can_edit(user),
        },
    )


@pages.post("/journeys/{journey_id}/history/{number}/restore")
async def restore_page(
    journey_id: str, number: int, request: Request, state: State, user: EditorRequired
) -> Response:
    """Bring the model back to version ``number``, as a new version; back to the history."""
    state.reader.workspace().require("journeys", journey_id)
    result = await run_in_threadpool(restore_version, state, user, number)
    new = result.record.number if result.record else number
    return RedirectResponse(f"/journeys/{journey_id}/history?a={number}&b={new}", status_code=303)


@api.get("/versions")
def list_model_versions(
    state: State,
    user: ViewerRequired,
    collection: Annotated[str | None, Query(description="only versions changing it")] = None,
    item: Annotated[str | None, Query(description="only versions changing this item")] = None,
) -> list[dict[str, Any]]:
    """The model's versions, newest first (who, when, message, what changed)."""
    return [version_json(r) for r in reversed(version_store(state).list(collection, item))]


@api.get("/versions/{number}")
def get_model_version(number: int, state: State, user: ViewerRequired) -> dict[str, Any]:
    """One version with its diff."""
    return version_json(version_store(state).get(number), full=True)


@api.get("/diff")
def model_diff(
    state: State,
    user: ViewerRequired,
    a: Annotated[int, Query(ge=0, description="from this version (0: before version 1)")],
    b: Annotated[int, Query(ge=0, description="to this version")],
) -> dict[str, Any]:
    """The unified diff and the changes in words from version ``a`` to version ``b``."""
    diff = diff_versions(version_store(state), a, b)
    return {
        "a": diff.a,
        "b": diff.b,
        "files": diff.files,
        "diff": diff.diff,
        "changes": [str(c) for c in diff.changes],
    }


@api.post("/versions/{number}/restore")
def restore_api(number: int, state: State, user: EditorRequired) -> dict[str, Any]:
    """Bring the model back to version ``number`` as a new version; answers that version."""
    result = restore_version(state, user, number)
    if result.record is None:
        return {"number": None, "changes": [], "detail": "the model is already as it was then"}
    return version_json(result.record, full=True)


router.include_router(pages)
router.include_router(api)
