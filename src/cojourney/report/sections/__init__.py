"""The sections of the journey report, one module each.

Every section module has a ``build(...)`` function that turns plain data (the
analyses' ``to_dict()`` output and a few facts of the design) into a
:class:`Section`: its HTML and the charts drawn in it (ECharts options or chart
specs, embedded in the page as JSON and drawn by ``assets/report.js``). A section
never computes an analysis and never invents a number: when its data is missing it
says so (:func:`no_data`, :func:`unavailable`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cojourney.report.html import panel


class Status(StrEnum):
    """What a section could show."""

    OK = "ok"
    #: The analysis ran, but there is nothing to measure yet (no events, no feedback...).
    NO_DATA = "no-data"
    #: The analysis could not run (not written yet, or it failed).
    UNAVAILABLE = "unavailable"


@dataclass
class Section:
    """One section of the report.

    Attributes
    ----------
    id
        The ``<section>`` id and table-of-contents anchor.
    title
        The heading.
    html
        The body (markup).
    charts
        Chart id -> chart spec (see ``assets/report.js``): ``{"type": "option",
        "option": {...}}`` for a plain ECharts option, ``{"type": "journey-graph", ...}``
        for the interactive actual-journey graph.
    status
        :class:`Status`.
    lede
        One sentence under the heading (text).
    headline
        Facts for the executive summary (plain data, section-specific).
    reason
        Why the section shows no data or is not available (text).
    """

    id: str
    title: str
    html: str
    charts: dict[str, dict[str, Any]] = field(default_factory=dict)
    status: Status = Status.OK
    lede: str | None = None
    headline: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None


#: The sections in page order: (id, title).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Executive summary"),
    ("journey-map", "Journey map with measured overlays"),
    ("journey-graph", "Actual journeys"),
    ("variants", "Variant explorer"),
    ("funnel", "Step funnel and onboarding"),
    ("experience", "Experience"),
    ("agreements", "Agreements"),
    ("relationships", "Relationships"),
    ("value", "Value indicators"),
    ("leakage", "Value leakage"),
    ("improvements", "Improvements"),
    ("stakeholders", "Stakeholder map"),
)
TITLES: dict[str, str] = dict(SECTIONS)
#: What the journey sections say when no event was imported: (what is missing, what to do).
NO_EVENTS = (
    "No events imported yet",
    "Import an event log (cojourney import WORKSPACE FILE) to see how customers "
    "actually travel the journey.",
)


def no_data(section_id: str, what: str, todo: str, **extra: Any) -> Section:
    """A section with nothing to measure yet: ``what`` is missing, ``todo`` says how to fix it."""
    return Section(
        section_id,
        TITLES[section_id],
        panel("no-data", what, todo),
        status=Status.NO_DATA,
        reason=f"{what}: {todo}",
        **extra,
    )


def unavailable(section_id: str, why: str, **extra: Any) -> Section:
    """A section whose analysis could not run: an honest "not available" panel, no numbers."""
    return Section(
        section_id,
        TITLES[section_id],
        panel("unavailable", "Not available", why),
        status=Status.UNAVAILABLE,
        reason=why,
        **extra,
    )


def option_chart(option: dict[str, Any]) -> dict[str, Any]:
    """A chart spec for a plain ECharts option.

    Strings ``"fn:duration"``, ``"fn:int"``, ``"fn:percent"``, ``"fn:signed"`` in the
    option become formatter functions in the page (JSON has no functions).
    """
    return {"type": "option", "option": option}


__all__ = [
    "NO_EVENTS",
    "SECTIONS",
    "TITLES",
    "Section",
    "Status",
    "no_data",
    "option_chart",
    "unavailable",
]
