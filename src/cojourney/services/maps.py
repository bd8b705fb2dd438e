"""Drawing a workspace: journey maps, stakeholder maps, blueprints."""

from __future__ import annotations

import logging
from pathlib import Path

from cojourney.domain.visibility import AUDIENCES, check_audience
from cojourney.errors import InputError, NotFound, Problem
from cojourney.files import atomic_write_text
from cojourney.services.handle import WorkspaceRef, as_handle

log = logging.getLogger(__name__)

KINDS = ("journey", "stakeholders", "blueprint")
FORMATS = ("html", "svg", "mermaid")
__all__ = ["AUDIENCES", "FORMATS", "KINDS", "draw_map"]


def draw_map(
    workspace: WorkspaceRef,
    output: str | Path,
    *,
    kind: str = "journey",
    fmt: str | None = None,
    journey_id: str | None = None,
    audience: str = "provider",
) -> Path:
    """Render one picture of the workspace ``workspace`` into ``output``.

    The format defaults to the output file's suffix (.html, .svg, .mmd/.mermaid).
    ``audience="consumer"`` draws only what the consumer sees of the journey (the band
    of visibility, see ``docs/sharing.md``); only the journey map is drawn for consumers.
    The file is written whole or not at all; its folder is created when missing.

    Raises
    ------
    cojourney.errors.ValidationError
        The workspace does not load.
    cojourney.errors.NotFound
        No such journey.
    cojourney.files.OutputError
        The file cannot be written (the message names it and says why).
    """
    check_audience(audience)
    out = Path(output)
    if fmt is None:
        fmt = {".svg": "svg", ".mmd": "mermaid", ".mermaid": "mermaid", ".md": "mermaid"}.get(
            out.suffix.lower(), "html"
        )
    model = as_handle(workspace).model()
    if journey_id is not None and journey_id not in {j.id for j in model.journeys}:
        raise NotFound(
            f"no journey {journey_id!r} in {workspace}; the journeys are: "
            f"{', '.join(j.id for j in model.journeys)}"
        )
    if kind != "stakeholders" and not model.journeys:
        raise InputError(
            Problem(
                f"the workspace has no journey to draw as a {kind} map",
                hint="add a journey under journeys/ (see 'cojourney init')",
            )
        )
    from cojourney.render import render  # drawing code is loaded only when drawing

    text = render(model, kind, fmt, journey_id, audience=audience)
    atomic_write_text(out, text, create_folder=True)
    log.info("wrote %s map (%s, for the %s) to %s", kind, fmt, audience, out)
    return out
