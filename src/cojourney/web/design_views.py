"""What the design pages show, computed from the model (shared with their JSON API).

The pages draw pictures with :mod:`cojourney.render` (inline SVG, no inline style or
script, so the Content-Security-Policy holds) and list the model beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from cojourney.domain import Workspace
from cojourney.domain.journey import Journey, Step, Touchpoint
from cojourney.domain.parties import Stakeholder
from cojourney.domain.personas import CultureProfile, Persona
from cojourney.errors import InputError, Location, Problem
from cojourney.render import render
from cojourney.render.stakeholder_map import build_svg


@dataclass(frozen=True)
class TouchpointRow:
    """One touchpoint in the details panel of the journey page."""

    touchpoint: Touchpoint
    anchor: str  #: the element id the editor targets, ``tp-<id>``
    interactions: list[str]  #: the kinds of service interaction it takes part in
    owner_team: str | None


@dataclass(frozen=True)
class StepRow:
    """One step of the journey with its touchpoints."""

    step: Step
    anchor: str
    touchpoints: list[TouchpointRow]


def journey_map_svg(workspace: Workspace, journey: Journey) -> Markup:
    """The designed map (steps, lanes, emotion curve, moments of truth, line of
    visibility) as an inline ``<svg>``; the renderer escapes every text it draws."""
    return Markup(render(workspace, "journey", "svg", journey.id))


def journey_details(journey: Journey) -> list[StepRow]:
    """Each step with its touchpoints: kind, channel, interactions, visibility, emotion, owner."""
    kinds: dict[str, list[str]] = {}
    for interaction in journey.interactions:
        for tp in interaction.touchpoints:
            label = interaction.kind.value.replace("_", " ")
            if label not in kinds.setdefault(tp, []):
                kinds[tp].append(label)
    return [
        StepRow(
            step=step,
            anchor=f"step-{step.id}",
            touchpoints=[
                TouchpointRow(
                    touchpoint=tp,
                    anchor=f"tp-{tp.id}",
                    interactions=kinds.get(tp.id, []),
                    owner_team=tp.owner.team if tp.owner else None,
                )
                for tp in journey.touchpoints_in(step.id)
            ],
        )
        for step in journey.steps
    ]


@dataclass(frozen=True)
class CultureRow:
    """One culture-map scale of a persona: its poles and the persona's position (0-10)."""

    scale: str
    low: str
    high: str
    value: float | None


def culture_rows(profile: CultureProfile | None) -> list[CultureRow]:
    """The eight culture scales with the names of their poles (from the field descriptions).

    >>> culture_rows(CultureProfile(communicating=2))[0]
    CultureRow(scale='communicating', low='low-context', high='high-context', value=2.0)
    """
    rows = []
    for name, info in CultureProfile.model_fields.items():
        low, _, high = (info.description or "").partition("..")
        value = getattr(profile, name) if profile else None
        rows.append(
            CultureRow(
                scale=name,
                low=low.strip().removeprefix("0").strip(),
                high=high.strip().removeprefix("10").strip(),
                value=value,
            )
        )
    return rows


def persona_names(workspace: Workspace) -> dict[str, str]:
    """Persona id -> name, for the scenarios."""
    return {p.id: p.name for p in workspace.personas}


def scenarios_of(workspace: Workspace, persona: Persona) -> list[str]:
    """The ids of the scenarios told of ``persona``."""
    return [s.id for s in workspace.scenarios if s.persona == persona.id]


def snapshot_dates(workspace: Workspace) -> list[date]:
    """Every date a stakeholder was assessed, oldest first."""
    return sorted({snap.date for s in workspace.stakeholders for snap in s.snapshots})


def parse_as_of(value: str | None, dates: list[date]) -> date | None:
    """The replay date asked for (``as_of``, ISO format), or None for the latest.

    Raises :class:`InputError` for a value that is not a date.
    """
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            Problem(
                "the replay date is not a date",
                Location(field="as_of"),
                found=value,
                expected="a date as YYYY-MM-DD, e.g. "
                + (dates[-1].isoformat() if dates else "2026-01-31"),
                hint="pick one of the assessment dates on the stakeholder page",
            )
        ) from None


def stakeholders_on(workspace: Workspace, when: date | None) -> Workspace:
    """The workspace as its stakeholder map stood on ``when``: each stakeholder keeps only
    the snapshots dated on or before it (all of them when ``when`` is None)."""
    if when is None:
        return workspace
    kept = [
        s.model_copy(update={"snapshots": [snap for snap in s.snapshots if snap.date <= when]})
        for s in workspace.stakeholders
    ]
    return workspace.model_copy(update={"stakeholders": kept})


@dataclass(frozen=True)
class StakeholderRow:
    """One stakeholder on the map at the replayed date."""

    stakeholder: Stakeholder
    influence: float | None
    interest: float | None
    quadrant: str | None
    assessed: date | None
    note: str | None


def stakeholder_rows(workspace: Workspace) -> list[StakeholderRow]:
    """Each stakeholder at its latest snapshot in ``workspace`` (see :func:`stakeholders_on`)."""
    rows = []
    for s in workspace.stakeholders:
        snap = s.snapshot_at()
        rows.append(
            StakeholderRow(
                stakeholder=s,
                influence=snap.influence if snap else None,
                interest=snap.interest if snap else None,
                quadrant=snap.quadrant.value if snap else None,
                assessed=snap.date if snap else None,
                note=snap.note if snap else None,
            )
        )
    return rows


def stakeholder_map_svg(workspace: Workspace) -> Markup:
    """The influence-interest map of ``workspace`` (see :func:`stakeholders_on`) as an inline ``<svg>``."""
    return Markup(build_svg(workspace, standalone=False))


def names(workspace: Workspace, collection: str) -> dict[str, str]:
    """Id -> display name of the items of ``collection`` (the id when there is no name)."""
    return {
        item.id: getattr(item, "name", None) or item.id for item in getattr(workspace, collection)
    }
