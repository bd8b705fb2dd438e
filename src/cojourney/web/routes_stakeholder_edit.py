"""Moving a stakeholder on the influence-interest map: a dated snapshot, saved as a version.

The stakeholders page gives editors a form (stakeholder, influence and interest as
labelled number inputs, date, note); ``/static/stakeholder_drag.js`` lets a mouse,
pen or finger drag a stakeholder's dot on the map, which fills in that form and sends
it. Either way the server records an ``AddSnapshot`` edit through
:func:`~cojourney.web.edit_store.save_edits` (a snapshot of the same date is replaced).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from cojourney.render.layout import MARGIN
from cojourney.render.stakeholder_map import AXIS, PLOT
from cojourney.services.editing import Conflict, EditRejected
from cojourney.spec.yaml_edit import AddSnapshot
from cojourney.web.deps import EditorRequired, Principal, State
from cojourney.web.edit_store import base_version, save_edits
from cojourney.web.edit_views import FormProblems, problems_by_field
from cojourney.web.editor_page import can_edit
from cojourney.web.state import WebState
from cojourney.web.templating import render

router = APIRouter(include_in_schema=False)

MOVE_FIELDS = ("stakeholder", "influence", "interest", "date", "note")


def stakeholder_editor_context(state: WebState, principal: Principal | None) -> dict[str, Any]:
    """What the stakeholders page needs for its move form and its drag script."""
    editable = can_edit(principal)
    return {
        "editable": editable,
        "base_version": base_version(state) if editable else "",
        "today": datetime.now(UTC).date().isoformat(),
        # where the grid sits inside the map's SVG (the map is drawn without its header)
        "plot": {"x": MARGIN + AXIS, "y": MARGIN + 10, "size": PLOT},
    }


def _level(values: dict[str, str], name: str, problems: FormProblems) -> int:
    text = values.get(name, "").strip()
    try:
        number = float(text)
    except ValueError:
        problems.by_field.setdefault(name, []).append(
            f"{name} must be a number from 0 to 10 (found {text!r})"
        )
        return 0
    if not 0 <= number <= 10:
        problems.by_field.setdefault(name, []).append(f"{name} must be from 0 to 10 (found {text})")
    return round(number)


def _day(values: dict[str, str], problems: FormProblems) -> date:
    text = values.get("date", "").strip()
    try:
        return date.fromisoformat(text) if text else datetime.now(UTC).date()
    except ValueError:
        problems.by_field.setdefault("date", []).append(
            f"the date must read YYYY-MM-DD (found {text!r})"
        )
        return datetime.now(UTC).date()


def _again(
    request: Request,
    state: WebState,
    user: Principal,
    values: dict[str, str],
    problems: FormProblems,
    conflict: Conflict | None,
    status: int,
) -> Response:
    workspace = state.reader.workspace()
    return render(
        request,
        "stakeholder_move.html",
        {
            "stakeholders": workspace.stakeholders,
            "values": values,
            "problems": problems,
            "conflict": conflict,
            **stakeholder_editor_context(state, user),
        },
        status_code=status,
    )


@router.post("/stakeholders/snapshot")
async def move_stakeholder(request: Request, state: State, user: EditorRequired) -> Response:
    """Record where a stakeholder sits on a date (fields stakeholder, influence, interest, date, note)."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    problems = FormProblems()
    stakeholder = values.get("stakeholder", "").strip()
    known = {s.id for s in state.reader.workspace().stakeholders}
    if stakeholder not in known:
        problems.by_field["stakeholder"] = [f"no stakeholder {stakeholder!r}: pick one of the list"]
    influence = _level(values, "influence", problems)
    interest = _level(values, "interest", problems)
    day = _day(values, problems)
    base = values.get("base_version", "")
    if not base:
        problems.general.append("the form does not say which version it was made on: reload")
    if problems:
        return _again(request, state, user, values, problems, None, 422)
    note = values.get("note", "").strip() or None
    edit = AddSnapshot(stakeholder, day, influence, interest, note)
    try:
        result = await run_in_threadpool(
            save_edits,
            state,
            user,
            [edit],
            base=base,
            message=values.get("message") or f"moved {stakeholder} on the stakeholder map",
        )
    except EditRejected as exc:
        found = problems_by_field(exc.located, MOVE_FIELDS)
        return _again(request, state, user, values, found, None, 422)
    except Conflict as exc:
        return _again(request, state, user, values, FormProblems(), exc, 409)
    number = result.record.number if result.record else ""
    return RedirectResponse(
        f"/stakeholders?moved={stakeholder}&saved={number}#stakeholder-{stakeholder}",
        status_code=303,
    )
