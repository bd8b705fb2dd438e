"""Section 1 (the journey map with measured overlays) and section 10 (the stakeholder map).

Both pictures are drawn by :mod:`cojourney.render` (the services layer calls it and
hands the SVG over); here they are framed: a horizontal scroll at natural size for
the wide journey map, with a "fit to width" toggle, and a caption saying what was
measured.
"""

from __future__ import annotations

from typing import Any

from cojourney.report.html import esc, panel
from cojourney.report.sections import TITLES, Section, Status


def _figure(svg: str, label: str, caption: str, *, fit: bool) -> str:
    toggle = (
        ('<label class="cj-fit"><input type="checkbox" class="cj-fit-toggle"> Fit to width</label>')
        if fit
        else ""
    )
    return (
        f'<figure class="cj-figure{" cj-wide" if fit else ""}" aria-label="{esc(label)}">'
        f'{toggle}<div class="cj-scroll">{svg}</div>'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def journey_map(svg: str, overlay: dict[str, Any] | None, *, reason: str | None = None) -> Section:
    """Section 1 from the rendered map and the overlay drawn on it (``None``: none).

    ``reason`` says why there is no (or only a partial) overlay.
    """
    measured = []
    if overlay:
        if overlay.get("steps"):
            measured.append("journeys that reached and left each step")
        if any("journeys" in v for v in overlay.get("touchpoints", {}).values()):
            measured.append("journeys per touchpoint")
        if any("median_seconds" in v for v in overlay.get("touchpoints", {}).values()):
            measured.append("median time at each touchpoint (to the next event)")
        if any(
            "emotion" in v
            for v in (*overlay.get("touchpoints", {}).values(), *overlay.get("steps", {}).values())
        ):
            measured.append("measured emotion (dashed purple) beside the designed curve")
        if any(overlay.get(k) for k in ("satisfaction", "sla", "leaks")):
            measured.append(
                "against the design: satisfaction with its 95% interval and n, waits beyond "
                "the designed durations, the SLA clocks' status, moments of truth and the "
                "worst leaks"
            )
    caption = (
        "Columns are the designed steps, cards the touchpoints; the solid curve is the "
        "designed emotion. "
    )
    caption += (
        "Measured from the events: " + "; ".join(measured) + "."
        if measured
        else "Nothing measured is drawn yet."
    )
    html = ""
    status = Status.OK
    if reason:
        html += panel("no-data" if not measured else "info", "Overlay incomplete", reason)
        status = Status.OK if measured else Status.NO_DATA
    html += _figure(svg, "Journey map", caption, fit=True)
    return Section(
        "journey-map",
        TITLES["journey-map"],
        html,
        status=status,
        lede="The designed journey, step by step, with what the event and feedback "
        "logs measured drawn over it.",
    )


def stakeholder_map(svg: str | None, stakeholders: int) -> Section:
    """Section 10 from the rendered power/interest map (``None`` when nobody is declared)."""
    if svg is None or not stakeholders:
        return Section(
            "stakeholders",
            TITLES["stakeholders"],
            panel(
                "no-data",
                "No stakeholders declared",
                "Add stakeholders with dated influence and interest snapshots to "
                "parties.yaml to see the power/interest map and how it moves.",
            ),
            status=Status.NO_DATA,
        )
    html = _figure(
        svg,
        "Stakeholder map",
        "Influence against interest (0-10) at each stakeholder's latest assessment; "
        "arrows show how they moved since the first one.",
        fit=False,
    )
    return Section(
        "stakeholders",
        TITLES["stakeholders"],
        html,
        lede=f"{stakeholders} stakeholders on the power/interest grid, with their history.",
    )
