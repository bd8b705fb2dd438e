"""The journey page with its editor: what the ``#editor`` aside shows for each user.

:func:`render_journey` renders ``journey.html`` for the read view and for the
editor's answers: a form re-shown with each problem next to its field (422), or with
a conflict naming what changed and the user's values kept (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cojourney.domain.journey import Journey
from cojourney.services.editing import Conflict
from cojourney.storage import Role
from cojourney.web.deps import ALLOWED, Principal
from cojourney.web.design_views import journey_details, journey_map_svg, names
from cojourney.web.edit_store import base_version
from cojourney.web.edit_views import (
    NEW_STEP_FIELDS,
    NEW_TOUCHPOINT_FIELDS,
    TOUCHPOINT_FIELDS,
    FormProblems,
    touchpoint_values,
)
from cojourney.web.state import WebState
from cojourney.web.templating import render


def can_edit(principal: Principal | None) -> bool:
    """Whether ``principal`` may change the model (editors and owners)."""
    return principal is not None and principal.role in ALLOWED[Role.EDITOR]


@dataclass
class EditorState:
    """What the editor aside shows besides the model: a form's values, problems, a conflict."""

    touchpoint: str | None = None  #: the touchpoint whose form is open
    values: Mapping[str, str] | None = None  #: the user's values (kept after a refusal)
    problems: FormProblems = field(default_factory=FormProblems)
    conflict: Conflict | None = None
    form: str | None = None  #: which form the values and problems belong to
    saved: str | None = None  #: a notice: the version just saved


def render_journey(
    request: Request,
    state: WebState,
    principal: Principal | None,
    journey: Journey,
    editor: EditorState | None = None,
    status_code: int = 200,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """The journey page: the map, the steps and touchpoints, and the editor for editors.

    ``extra`` adds to (or replaces) the template variables: the measured view
    (:mod:`cojourney.web.journey_overlay`) passes its map and numbers there."""
    workspace = state.reader.workspace()
    editor = editor or EditorState()
    editable = can_edit(principal)
    selected = next((t for t in journey.touchpoints if t.id == editor.touchpoint), None)
    values: Mapping[str, str] = {}
    if selected is not None:
        values = (
            editor.values
            if editor.form == "touchpoint" and editor.values
            else (touchpoint_values(selected, journey))
        )
    return render(
        request,
        "journey.html",
        {
            "journey": journey,
            "map_svg": journey_map_svg(workspace, journey),
            "steps": journey_details(journey),
            "personas": names(workspace, "personas"),
            "offerings": names(workspace, "offerings"),
            "editable": editable,
            "base_version": base_version(state) if editable else "",
            "editor": editor,
            "selected": selected,
            "values": values,
            "touchpoint_fields": TOUCHPOINT_FIELDS,
            "new_touchpoint_fields": NEW_TOUCHPOINT_FIELDS,
            "new_step_fields": NEW_STEP_FIELDS,
            "view": "designed",
            "measured": None,
            **(extra or {}),
        },
        status_code=status_code,
    )
