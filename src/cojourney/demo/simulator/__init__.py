"""Simulated event and feedback logs for the flagship examples (``docs/demo-data.md``).

Two examples can be simulated, chosen by the workspace id:

``ecampus-car-share``
    One journey per member, from discovery to cancellation: non-linear pre-service
    paths, onboarding drop-outs and gate bypasses, trips with charge, lateness and the
    late-return alert trial, Diego's moving day, monthly NPS and effort surveys.
``incident-resolution``
    One journey per incident: priorities P1..P4, reporting channels, known errors,
    escalations, vendor cases, rejected solutions and reopened tickets, support
    hours for P3/P4, SLA breaches, closure surveys and a "watermelon" period.

Everything is vectorised with NumPy and Arrow, seeded and deterministic.

>>> from cojourney.demo import example_path
>>> from cojourney.spec import load_workspace
>>> logs = simulate_tables(load_workspace(example_path("incident-resolution")), 20, seed=1)
>>> logs.events.column_names[:4]
['journey_id', 'activity', 'timestamp', 'event_seq']
>>> logs.events["journey_id"][0].as_py()
'INC0000000'
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from cojourney.demo.simulator.chunks import ChunkSimulator, ChunkTables, Counters, run_chunks
from cojourney.domain import Workspace
from cojourney.errors import InputError, Problem, location_in

__all__ = [
    "SIMULATED_EXAMPLES",
    "ChunkTables",
    "Counters",
    "SimulatedLogs",
    "SimulationPlan",
    "plan_simulation",
    "simulate_chunks",
    "simulate_ecampus",
    "simulate_incidents",
    "simulate_tables",
]

ECAMPUS = "ecampus-car-share"
INCIDENTS = "incident-resolution"
#: The workspace ids (example names) that can be simulated.
SIMULATED_EXAMPLES = (ECAMPUS, INCIDENTS)


@dataclass(frozen=True)
class SimulationPlan:
    """What to simulate: the example, how many journeys, the seed and the start period."""

    example: str
    journeys: int
    seed: int
    start: date
    end: date


@dataclass
class SimulatedLogs:
    """A whole simulation in memory: events and feedback in the canonical schemas."""

    events: pa.Table
    feedback: pa.Table


def _default_period(example: str) -> tuple[date, date]:
    if example == ECAMPUS:
        from cojourney.demo.simulator.ecampus import DEFAULT_PERIOD
    else:
        from cojourney.demo.simulator.incidents import DEFAULT_PERIOD
    return DEFAULT_PERIOD


def plan_simulation(
    workspace: Workspace,
    journeys: int,
    *,
    seed: int = 7,
    start: date | None = None,
    end: date | None = None,
    folder: str | Path | None = None,
) -> SimulationPlan:
    """Check the request and fill in the example's default period.

    Parameters
    ----------
    workspace
        A loaded workspace whose id names a simulated example.
    journeys
        How many journeys (eCampus members, or incidents); at least 1.
    seed
        The random seed: the same plan always gives the same logs.
    start, end
        The local days between which journeys start (defaults: the example's period,
        ``docs/demo-data.md``).
    folder
        The workspace folder, for error locations.

    Raises
    ------
    cojourney.errors.InputError
        The workspace is not a simulated example, ``journeys`` is below 1, or ``end``
        is before ``start``.
    """
    example = workspace.workspace.id
    where = Path(folder) / "workspace.yaml" if folder else None
    if example not in SIMULATED_EXAMPLES:
        raise InputError(
            Problem(
                "there is no simulator for this workspace",
                location_in(where, field="workspace.id"),
                found=repr(example),
                expected=" or ".join(SIMULATED_EXAMPLES),
                hint="simulate a copy of an example (init.example=ecampus-car-share, or "
                "init.example=incident-resolution)",
            )
        )
    if journeys < 1:
        raise InputError(
            Problem(
                "the number of journeys must be at least 1",
                location_in(None, field="simulate.journeys"),
                found=str(journeys),
                expected="1 or more",
            )
        )
    first, last = _default_period(example)
    start, end = start or first, end or last
    if end < start:
        raise InputError(
            Problem(
                "the period ends before it starts",
                location_in(None, field="simulate.to"),
                found=f"simulate.from={start}, simulate.to={end}",
                expected="an end date on or after the start date",
            )
        )
    return SimulationPlan(example, journeys, seed, start, end)


def _simulator(
    workspace: Workspace, plan: SimulationPlan, folder: str | Path | None
) -> tuple[ChunkSimulator, int]:
    label = str(folder) if folder else None
    if plan.example == ECAMPUS:
        from cojourney.demo.simulator.ecampus import CHUNK, EcampusSimulator

        simulator = EcampusSimulator.prepare(workspace, plan.start, plan.end, plan.journeys, label)
        return simulator, CHUNK
    from cojourney.demo.simulator.incidents import CHUNK as INCIDENT_CHUNK
    from cojourney.demo.simulator.incidents import IncidentSimulator

    return (
        IncidentSimulator.prepare(workspace, plan.start, plan.end, plan.journeys, label),
        INCIDENT_CHUNK,
    )


def simulate_chunks(
    workspace: Workspace, plan: SimulationPlan, *, folder: str | Path | None = None
) -> Iterator[ChunkTables]:
    """The simulation as a stream of chunks (bounded memory, for millions of events)."""
    simulator, size = _simulator(workspace, plan, folder)
    yield from run_chunks(simulator, plan.journeys, plan.seed, size)


def simulate_tables(
    workspace: Workspace,
    journeys: int,
    *,
    seed: int = 7,
    start: date | None = None,
    end: date | None = None,
) -> SimulatedLogs:
    """The whole simulation as two Arrow tables (events, feedback).

    See :func:`plan_simulation` for the parameters.
    """
    plan = plan_simulation(workspace, journeys, seed=seed, start=start, end=end)
    chunks = list(simulate_chunks(workspace, plan))
    return SimulatedLogs(
        pa.concat_tables([c.events for c in chunks]), pa.concat_tables([c.feedback for c in chunks])
    )


def simulate_ecampus(workspace: Workspace, journeys: int, **options: object) -> SimulatedLogs:
    """:func:`simulate_tables` for the eCampus example (refuses any other workspace)."""
    _expect(workspace, ECAMPUS)
    return simulate_tables(workspace, journeys, **options)  # type: ignore[arg-type]


def simulate_incidents(workspace: Workspace, journeys: int, **options: object) -> SimulatedLogs:
    """:func:`simulate_tables` for the incident example (refuses any other workspace)."""
    _expect(workspace, INCIDENTS)
    return simulate_tables(workspace, journeys, **options)  # type: ignore[arg-type]


def _expect(workspace: Workspace, example: str) -> None:
    if workspace.workspace.id != example:
        raise InputError(
            Problem(
                f"not the {example} workspace",
                location_in(None, field="workspace.id"),
                found=repr(workspace.workspace.id),
                expected=repr(example),
            )
        )
