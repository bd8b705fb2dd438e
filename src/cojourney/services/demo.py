"""The main job of the quick start: a demo workspace, its pictures, simulated journeys
and the journey report.

Two examples can be built: the eCampus car share (the default, one journey per member)
and incident resolution (one journey per incident: priorities P1..P4, SLA clocks paused
while a proposed solution waits for the user, escalations, reopened tickets and closure
surveys; ``docs/demo-data.md``)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cojourney.errors import InputError, Problem, location_in
from cojourney.services.maps import draw_map
from cojourney.services.workspaces import init_workspace

log = logging.getLogger(__name__)

DEMO_EXAMPLE = "ecampus-car-share"
#: The examples :func:`build_demo` can build (they are the simulated ones).
DEMO_EXAMPLES = ("ecampus-car-share", "incident-resolution")
#: Members simulated by default: about 520,000 events and 52,000 survey answers.
DEMO_JOURNEYS = 3000


@dataclass(frozen=True)
class DemoOutputs:
    """What :func:`build_demo` wrote (``report`` is None with ``journeys=0``)."""

    workspace: Path
    journey_map: Path
    stakeholder_map: Path
    blueprint: Path
    report: Path | None = None
    events: int = 0
    answers: int = 0
    measurements: int = 0


def build_demo(
    folder: str | Path,
    *,
    example: str = DEMO_EXAMPLE,
    journeys: int = DEMO_JOURNEYS,
    seed: int = 7,
    on_stage: Callable[[str], None] | None = None,
) -> DemoOutputs:
    """Create (or refresh) the demo workspace in ``folder/workspace``, draw its maps,
    simulate ``journeys`` journeys into its event store and write the journey report.

    Re-running with the same ``journeys`` and ``seed`` imports nothing twice (the store
    recognises the simulation); ``journeys=0`` stops after the maps.

    Parameters
    ----------
    folder
        Where the workspace, the maps and the report are written.
    example
        One of :data:`DEMO_EXAMPLES`: ``ecampus-car-share`` (journeys are members) or
        ``incident-resolution`` (journeys are incidents).
    journeys
        How many journeys to simulate; 0 draws the maps only.
    seed
        The simulation's random seed.
    on_stage
        Called with a short description of each stage.

    Raises
    ------
    cojourney.errors.InputError
        ``example`` is not one of :data:`DEMO_EXAMPLES`.
    """
    from cojourney.services.report import build_report
    from cojourney.services.simulation import simulate

    def stage(text: str) -> None:
        log.info("%s", text)
        if on_stage is not None:
            on_stage(text)

    if example not in DEMO_EXAMPLES:
        raise InputError(
            Problem(
                "there is no demo of this example",
                location_in(None, field="demo.example"),
                found=repr(example),
                expected=" or ".join(DEMO_EXAMPLES),
            )
        )
    root = Path(folder)
    workspace = root / "workspace"
    stage(f"creating the {example} workspace in {workspace}")
    init_workspace(workspace, example=example, force=True)
    stage("drawing the journey map, the stakeholder map and the service blueprint")
    maps = DemoOutputs(
        workspace=workspace,
        journey_map=draw_map(workspace, root / "journey-map.html", kind="journey"),
        stakeholder_map=draw_map(workspace, root / "stakeholder-map.html", kind="stakeholders"),
        blueprint=draw_map(workspace, root / "blueprint.html", kind="blueprint"),
    )
    if journeys <= 0:
        return maps
    stage(f"simulating {journeys:,} journeys (seed {seed}) into the event store")
    simulated = simulate(workspace, journeys, seed=seed)
    stage("analysing them and writing the journey report")
    report = build_report(workspace, root / "journey-report.html")
    log.info("demo built in %s", root)
    return dataclasses.replace(
        maps,
        report=report.output,
        events=simulated.events,
        answers=simulated.answers,
        measurements=simulated.measurements,
    )
