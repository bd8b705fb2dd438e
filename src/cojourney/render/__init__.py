"""Pictures of a workspace: journey maps, stakeholder maps, service blueprints, Mermaid.

Every picture is a string: a standalone SVG, a self-contained HTML page (inline CSS,
no network) or Mermaid text. :func:`render` picks one by kind and format; the
functions it calls can be used directly::

    from cojourney.render import render_journey_map
    html = render_journey_map(workspace, fmt="html", overlay={"steps": {...}})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cojourney.domain import Workspace
from cojourney.domain.visibility import check_audience, consumer_view
from cojourney.errors import InputError, Location, Problem
from cojourney.render.blueprint import render_blueprint
from cojourney.render.journey_map import (
    Overlay,
    StepMeasures,
    TouchpointMeasures,
    consumer_overlay,
    render_journey_map,
)
from cojourney.render.layout import resolve_journey
from cojourney.render.mermaid import render_mermaid_journey
from cojourney.render.stakeholder_map import render_stakeholder_map

#: Which formats each kind of picture is drawn in.
SUPPORTED: dict[str, tuple[str, ...]] = {
    "journey": ("html", "svg", "mermaid"),
    "stakeholders": ("html", "svg"),
    "blueprint": ("html", "svg"),
}
_NAMES = {
    "journey": "journey map",
    "stakeholders": "stakeholder map",
    "blueprint": "service blueprint",
}


def render(
    workspace: Workspace,
    kind: str,
    fmt: str,
    journey_id: str | None = None,
    *,
    overlay: Mapping[str, Any] | None = None,
    audience: str = "provider",
) -> str:
    """Draw ``kind`` (journey, stakeholders, blueprint) in ``fmt`` (html, svg, mermaid).

    ``audience="consumer"`` draws the journey map from the consumer view of the
    workspace (:func:`cojourney.domain.visibility.consumer_view`); the stakeholder map
    and the service blueprint are the provider's own pictures and are refused.

    Raises :class:`cojourney.errors.InputError` for a combination that does not exist,
    naming the ones that do; :class:`cojourney.errors.NotFound` for an unknown journey.
    """
    if check_audience(audience) == "consumer" and kind in _NAMES and kind != "journey":
        raise InputError(
            Problem(
                f"the {_NAMES[kind]} is not drawn for consumers",
                Location(field="audience"),
                found=f"kind {kind} for audience consumer",
                expected="kind journey",
                hint=f"the {_NAMES[kind]} shows the provider's side of the line of visibility; "
                "draw the journey map for consumers, or this picture for the provider",
            )
        )
    if kind not in SUPPORTED or fmt not in SUPPORTED[kind]:
        supported = "; ".join(f"{k}: {', '.join(f)}" for k, f in SUPPORTED.items())
        if kind not in SUPPORTED:
            message = f"there is no {kind!r} picture"
        else:
            message = f"the {_NAMES[kind]} cannot be drawn as {fmt}"
        raise InputError(
            Problem(
                message,
                found=f"--kind {kind} --format {fmt}",
                expected=supported,
                hint="mermaid is for --kind journey only; use html or svg for the others",
            )
        )
    if kind == "journey":
        if fmt == "mermaid":
            if audience == "consumer":
                view = consumer_view(workspace, resolve_journey(workspace, journey_id).id)
                return render_mermaid_journey(view, journey_id)
            return render_mermaid_journey(workspace, journey_id)
        return render_journey_map(
            workspace,
            journey_id,
            fmt=fmt,  # type: ignore[arg-type]
            overlay=overlay,
            audience=check_audience(audience),
        )
    if kind == "stakeholders":
        return render_stakeholder_map(workspace, fmt=fmt)  # type: ignore[arg-type]
    return render_blueprint(workspace, journey_id, fmt=fmt)  # type: ignore[arg-type]


__all__ = [
    "SUPPORTED",
    "Overlay",
    "StepMeasures",
    "TouchpointMeasures",
    "consumer_overlay",
    "render",
    "render_blueprint",
    "render_journey_map",
    "render_mermaid_journey",
    "render_stakeholder_map",
]
