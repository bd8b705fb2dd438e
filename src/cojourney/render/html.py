"""Self-contained HTML pages around the pictures: one file, inline CSS, no network.

The pages are Jinja templates under ``templates/`` (shipped inside the package);
the SVG is inlined, scales with its ``viewBox`` and stays readable on wide maps
(a horizontal scroll, or "Fit to window"); the pages print on A3 landscape.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from cojourney.domain import Journey, Persona, Workspace
from cojourney.render.svg import SVG_NS, esc, human_duration

TEMPLATES = Path(__file__).with_name("templates")

#: Below this share of its natural width, a wide picture scrolls instead of shrinking.
READABLE_SHARE = 0.85


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja environment (built on first use, not at import)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["j2", "html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_page(template: str, **context: Any) -> str:
    """Fill ``template`` (a file in ``templates/``) with ``context``."""
    return environment().get_template(template).render(**context)


def natural_width(svg: str) -> float:
    match = re.search(r'viewBox="0 0 ([\d.]+) ', svg)
    return float(match.group(1)) if match else 0.0


def _figure(
    svg: str, label: str, caption: str | None = None, *, grow: float | None = None
) -> dict[str, Any]:
    """Context of ``_figure.html.j2``: a wide picture scrolls rather than shrinking below
    :data:`READABLE_SHARE`; ``grow`` caps how much a small one may be enlarged."""
    natural = natural_width(svg)
    readable = round(natural * READABLE_SHARE)
    return {
        "svg": Markup(svg),
        "figure_label": label,
        "caption": caption,
        "readable": readable if readable > 1100 else 0,
        "fit": False,
        "max_width": round(natural * grow) if grow else 0,
    }


def _persona_card(p: Persona) -> dict[str, Any]:
    words = [w for w in re.split(r"\s+", p.name) if w]
    initials = "".join(w[0] for w in words[:2]).upper()
    meta = [str(p.age)] if p.age is not None else []
    meta += [v for v in (p.occupation, p.location) if v]
    lists = [
        (heading, items[:4])
        for heading, items in (
            ("Hopes and goals", p.hopes_and_goals),
            ("Frustrations", p.frustrations),
            ("Looks for", p.looks_for),
        )
        if items
    ]
    summary = ", ".join(h.lower() for h, _ in lists)
    return {
        "name": p.name,
        "initials": initials,
        "meta": " · ".join(meta),
        "segment": p.segment,
        "quote": p.quote,
        "lists": lists,
        "summary": summary[:1].upper() + summary[1:],
    }


def legend_html(entries: Sequence[tuple[str, str]]) -> Markup:
    """Legend entries (swatch markup in a 26 x 16 box, text) as an HTML list that wraps."""
    items = "".join(
        f'<li><svg xmlns="{SVG_NS}" width="26" height="16" viewBox="0 0 26 16" aria-hidden="true">'
        f"{swatch}</svg>{esc(text)}</li>"
        for swatch, text in entries
    )
    return Markup(f'<ul class="legend-list">{items}</ul>')


def journey_page(
    workspace: Workspace,
    journey: Journey,
    svg: str,
    entries: Sequence[tuple[str, str]],
    *,
    overlay: bool = False,
    consumer: bool = False,
) -> str:
    """The journey map page: title, facts, persona cards, legend, the map.

    ``consumer``: the page for the provider's consumers (pass the consumer view of the
    workspace): no personas, scenario or pain points, and captions that speak to them.
    """
    personas = [_persona_card(p) for p in workspace.personas if p.id in journey.personas]
    scenario = next((s for s in workspace.scenarios if s.journey == journey.id), None)
    pains = [p for p in workspace.pain_points if p.journey == journey.id]
    facts: list[tuple[Any, str]] = [
        (len(journey.steps), "steps"),
        (len(journey.touchpoints), "touchpoints"),
        (sum(1 for t in journey.touchpoints if t.moment_of_truth), "moments of truth"),
        (len(journey.interactions), "service interactions"),
    ]
    if not consumer:
        facts.append((len(pains), "pain points"))
    total = journey.expected_duration()
    if total:
        facts.append((human_duration(total), "at touchpoints"))
    caption = (
        "Columns are the steps; a touchpoint's number is its place on the designed path. "
        "Hover a card for details."
    )
    if overlay:
        caption += (
            " Measured emotion from customers' answers is drawn in purple."
            if consumer
            else " Measured data from the event log are drawn in blue (volumes) and purple "
            "(emotion); the Against design lane compares them with the design (waits, "
            "satisfaction, SLA status, moments of truth, the worst leaks)."
        )
    kind = "Your journey with" if consumer else "Customer journey map ·"
    return render_page(
        "journey_map.html.j2",
        page_title=f"{journey.name} · journey map",
        kicker=f"{kind} {workspace.workspace.name}",
        heading=journey.name,
        lede=None if consumer else journey.description,
        facts=facts,
        personas=[] if consumer else personas,
        scenario=None if consumer else scenario,
        legend=legend_html(entries),
        workspace_name=workspace.workspace.name,
        **_figure(svg, f"Journey map: {journey.name}", caption),
    )


def blueprint_page(
    workspace: Workspace, journey: Journey, svg: str, entries: Sequence[tuple[str, str]]
) -> str:
    facts: list[tuple[Any, str]] = [
        (len(journey.steps), "steps"),
        (len(journey.touchpoints), "touchpoints"),
        (len(journey.interactions), "service interactions"),
    ]
    return render_page(
        "blueprint.html.j2",
        page_title=f"{journey.name} · service blueprint",
        kicker=f"Service blueprint · {workspace.workspace.name}",
        heading=journey.name,
        lede=journey.description,
        facts=facts,
        legend=legend_html(entries),
        workspace_name=workspace.workspace.name,
        **_figure(
            svg,
            f"Service blueprint: {journey.name}",
            "Read down a column: what the customer sees and does, what the provider does "
            "in front of and behind the line of visibility, and what supports it.",
        ),
    )


def stakeholder_page(
    workspace: Workspace, svg: str, rows: list[dict[str, Any]], facts: list[tuple[Any, str]]
) -> str:
    return render_page(
        "stakeholder_map.html.j2",
        legend=None,
        page_title=f"{workspace.workspace.name} · stakeholder map",
        kicker=f"Stakeholder map · {workspace.workspace.name}",
        heading="Who has a stake, and how it moves",
        lede="Influence against interest on a 0 to 10 scale, at each stakeholder's latest "
        "assessment; arrows show how they moved since the first one.",
        facts=facts,
        rows=rows,
        workspace_name=workspace.workspace.name,
        **_figure(svg, "Power/interest grid", grow=1.15),
    )
