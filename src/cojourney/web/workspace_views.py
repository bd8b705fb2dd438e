"""Reads of the workspace that the pages and the JSON API share.

The workspace is read from its YAML files through its
:class:`~cojourney.services.handle.WorkspaceHandle`, which keeps the result until one
of the files changes (size or modification time), so a busy server does not parse the
YAML on every request and an edit is seen on the next one.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from cojourney.domain import Workspace
from cojourney.errors import Problem, ValidationError
from cojourney.services.handle import WorkspaceHandle, as_handle
from cojourney.services.workspaces import check_workspace
from cojourney.spec import ValidationReport


class JourneySummary(BaseModel):
    """One journey in a list."""

    id: str
    name: str
    description: str | None = None
    steps: int
    touchpoints: int
    personas: list[str]


class Overview(BaseModel):
    """Everything the overview page shows, in counts and names."""

    workspace_id: str | None
    workspace_name: str | None
    journeys: list[JourneySummary]
    personas: list[tuple[str, str]]
    stakeholders: list[tuple[str, str]]
    agreements: list[tuple[str, str]]
    indicators: list[tuple[str, str]]
    improvements: list[tuple[str, str]]
    problems: list[str]


class WorkspaceReader:
    """Reads one workspace through its handle: again only when its files change."""

    def __init__(self, folder: Path | WorkspaceHandle) -> None:
        self.handle = as_handle(folder)
        self.folder = self.handle.root

    def report(self) -> ValidationReport:
        """The validation report of the workspace (its model when it is sound)."""
        if not self.folder.exists():
            return check_workspace(self.folder)
        return self.handle.validation()

    def workspace(self) -> Workspace:
        """The model, or :class:`~cojourney.errors.ValidationError` listing its problems."""
        report = self.report()
        if report.workspace is None:
            raise ValidationError(
                report.problems or [Problem("the workspace cannot be read")],
                title=f"the workspace has {len(report.problems)} problem(s); fix them first",
            )
        return report.workspace


def journey_summaries(workspace: Workspace) -> list[JourneySummary]:
    """Every journey with its number of steps and touchpoints."""
    return [
        JourneySummary(
            id=j.id,
            name=j.name,
            description=j.description,
            steps=len(j.steps),
            touchpoints=len(j.touchpoints),
            personas=list(j.personas),
        )
        for j in workspace.journeys
    ]


def overview(report: ValidationReport) -> Overview:
    """What the overview page shows; with problems, what could be read and the problems."""
    ws = report.workspace
    problems = [p.render() for p in report.problems]

    def pairs(name: str) -> list[tuple[str, str]]:
        if ws is None:
            return []
        items = getattr(ws, name)
        return [(item.id, getattr(item, "name", None) or item.id) for item in items]

    return Overview(
        workspace_id=ws.workspace.id if ws else None,
        workspace_name=ws.workspace.name if ws else None,
        journeys=journey_summaries(ws) if ws else [],
        personas=pairs("personas"),
        stakeholders=pairs("stakeholders"),
        agreements=pairs("agreements"),
        indicators=pairs("indicators"),
        improvements=pairs("improvements"),
        problems=problems,
    )
