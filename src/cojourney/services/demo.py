"""The main job of the quick start: the eCampus demo workspace and its pictures."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cojourney.services.maps import draw_map
from cojourney.services.workspaces import init_workspace

log = logging.getLogger(__name__)

DEMO_EXAMPLE = "ecampus-car-share"


@dataclass(frozen=True)
class DemoOutputs:
    workspace: Path
    journey_map: Path
    stakeholder_map: Path
    blueprint: Path


def build_demo(folder: str | Path, *, example: str = DEMO_EXAMPLE) -> DemoOutputs:
    """Create (or refresh) the demo workspace in ``folder/workspace`` and draw its maps."""
    root = Path(folder)
    workspace = root / "workspace"
    init_workspace(workspace, example=example, force=True)
    outputs = DemoOutputs(
        workspace=workspace,
        journey_map=draw_map(workspace, root / "journey-map.html", kind="journey"),
        stakeholder_map=draw_map(workspace, root / "stakeholder-map.html", kind="stakeholders"),
        blueprint=draw_map(workspace, root / "blueprint.html", kind="blueprint"),
    )
    log.info("demo built in %s", root)
    return outputs
