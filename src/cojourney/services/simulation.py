"""Simulating the flagship examples' event and feedback logs (``cojourney demo simulate``).

The simulation either goes straight into the workspace's event store (one import per
kind of log, marked with a fingerprint of the simulation's parameters, so running the
same simulation again adds nothing) or into two Parquet files.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pyarrow as pa

from cojourney.demo.simulator import ECAMPUS, SimulationPlan, plan_simulation, simulate_chunks
from cojourney.errors import InputError, Problem, location_in
from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.schema import canonical_arrow_schema
from cojourney.events.store import EventStore, ImportRecord
from cojourney.events.writers.parquet import write_parquet
from cojourney.services.workspaces import open_workspace

log = logging.getLogger(__name__)

#: Bumped whenever the simulator's output changes for the same parameters.
SIMULATOR_VERSION = 2
#: The ``mapping_fingerprint`` of simulated imports (they are written by no mapping).
SIMULATOR_FINGERPRINT = f"cojourney-simulator/{SIMULATOR_VERSION}"

#: ``progress(journeys done, journeys in all)``.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SimulationResult:
    """What a simulation produced and where it went.

    Attributes
    ----------
    example, journeys, seed, start, end
        The simulation's parameters (``start``/``end``: the local days journeys start in).
    events, answers
        Rows of the event log and of the feedback log.
    measurements, measurements_path
        eCampus only: the simulated telematics, billing and monitoring measurements
        (rows in the store, or in ``measurements.parquet`` with ``out``).
    events_path, feedback_path
        The Parquet files (with ``out``).
    events_import, feedback_import
        The store's import records (without ``out``); an import made by an earlier run of
        the same simulation when ``already_imported``.
    already_imported
        The store already held both logs of this simulation: nothing was added.
    source_sha256
        The fingerprint of the parameters under which the imports are recorded.
    """

    example: str
    journeys: int
    seed: int
    start: date
    end: date
    events: int
    answers: int
    events_path: Path | None = None
    feedback_path: Path | None = None
    events_import: ImportRecord | None = None
    feedback_import: ImportRecord | None = None
    already_imported: bool = False
    source_sha256: str = ""
    measurements: int = 0
    measurements_path: Path | None = None


def simulation_sha256(plan: SimulationPlan) -> str:
    """A stable fingerprint of a simulation's parameters (the store's ``source_sha256``)."""
    text = json.dumps(
        {
            "simulator": SIMULATOR_VERSION,
            "example": plan.example,
            "journeys": plan.journeys,
            "seed": plan.seed,
            "start": plan.start.isoformat(),
            "end": plan.end.isoformat(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def simulate(
    workspace_path: str | Path,
    journeys: int,
    *,
    seed: int = 7,
    out: Path | None = None,
    start: date | None = None,
    end: date | None = None,
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate the workspace's example and import the logs, or write them to ``out``.

    Parameters
    ----------
    workspace_path
        A workspace folder made from ``ecampus-car-share`` or ``incident-resolution``.
    journeys
        eCampus members, or incidents.
    seed
        The random seed; the same parameters give the same logs.
    out
        A folder for ``events.parquet`` and ``feedback.parquet`` (and, for eCampus,
        ``measurements.parquet``); ``None`` imports them into
        ``WORKSPACE/data/events.duckdb``.
    start, end
        The local days journeys start in (default: the example's period).
    progress
        Called after each chunk with the journeys done and the total.

    Returns
    -------
    SimulationResult

    Raises
    ------
    cojourney.errors.InputError
        Not a simulated example, a bad number of journeys or period, or ``out`` is a file.
    cojourney.errors.ValidationError
        The workspace does not load.
    """
    folder = Path(workspace_path)
    workspace = open_workspace(folder)
    plan = plan_simulation(workspace, journeys, seed=seed, start=start, end=end, folder=folder)
    sha = simulation_sha256(plan)
    feedback: list[pa.Table] = []
    chunks = simulate_chunks(workspace, plan, folder=folder)

    def event_batches() -> Iterator[pa.RecordBatch]:
        done = 0
        for chunk in chunks:
            feedback.append(chunk.feedback)
            done += chunk.journeys
            if progress is not None:
                progress(done, plan.journeys)
            yield from chunk.events.to_batches()

    base = SimulationResult(
        plan.example, plan.journeys, plan.seed, plan.start, plan.end, 0, 0, source_sha256=sha
    )
    if out is not None:
        if out.exists() and not out.is_dir():
            raise InputError(
                Problem(
                    "simulate.output must be a folder",
                    location_in(out),
                    found="a file",
                    hint="give a folder name (it is created)",
                )
            )
        out.mkdir(parents=True, exist_ok=True)
        events = write_parquet(
            event_batches(), out / "events.parquet", schema=canonical_arrow_schema()
        )
        answers = write_parquet(
            _answer_batches(feedback), out / "feedback.parquet", schema=feedback_arrow_schema()
        )
        measured, measured_path = 0, None
        if plan.example == ECAMPUS:
            from cojourney.demo.simulator.ecampus_measurements import measurements_table

            table = measurements_table(
                plan.start, plan.end, workspace.workspace.time_zone, plan.seed
            )
            measured_path = out / "measurements.parquet"
            measured = write_parquet(table, measured_path)
        log.info(
            "simulated %s: %d events, %d answers written to %s", plan.example, events, answers, out
        )
        return replace(
            base,
            events=events,
            answers=answers,
            events_path=out / "events.parquet",
            feedback_path=out / "feedback.parquet",
            measurements=measured,
            measurements_path=measured_path,
        )
    return _import(folder, plan, sha, event_batches, feedback, base, workspace.workspace.time_zone)


def _answer_batches(tables: list[pa.Table]) -> Iterator[pa.RecordBatch]:
    for table in tables:
        yield from table.to_batches()


def _import(
    folder: Path,
    plan: SimulationPlan,
    sha: str,
    event_batches: Callable[[], Iterator[pa.RecordBatch]],
    feedback: list[pa.Table],
    base: SimulationResult,
    time_zone: str,
) -> SimulationResult:
    name = (
        f"simulated {plan.example}: {plan.journeys} journeys, seed {plan.seed}, "
        f"{plan.start}..{plan.end}"
    )
    with EventStore.open(folder) as store:
        measured = _import_measurements(store, plan, sha, name, time_zone)
        base = replace(base, measurements=measured)
        had_events = store.find_import(sha, SIMULATOR_FINGERPRINT, kind="events")
        had_feedback = store.find_import(sha, SIMULATOR_FINGERPRINT, kind="feedback")
        if had_events is not None and had_feedback is not None:
            log.info(
                "%s: this simulation is already imported (imports #%d and #%d)",
                store.path,
                had_events.id,
                had_feedback.id,
            )
            return replace(
                base,
                events=had_events.rows_imported,
                answers=had_feedback.rows_imported,
                events_import=had_events,
                feedback_import=had_feedback,
                already_imported=True,
            )
        if had_events is None:
            events_record = store.import_batches(
                event_batches(),
                source_name=name,
                source_sha256=sha,
                mapping_fingerprint=SIMULATOR_FINGERPRINT,
            )
            events = events_record.rows_imported
        else:
            events_record = had_events
            events = sum(b.num_rows for b in event_batches())
        answers = sum(t.num_rows for t in feedback)
        feedback_record = had_feedback
        if had_feedback is None and answers:
            feedback_record = store.import_batches(
                _answer_batches(feedback),
                source_name=name,
                source_sha256=sha,
                mapping_fingerprint=SIMULATOR_FINGERPRINT,
                kind="feedback",
            )
    log.info(
        "simulated %s: %d events, %d answers imported into %s",
        plan.example,
        events,
        answers,
        folder,
    )
    return replace(
        base,
        events=events,
        answers=answers,
        events_import=events_record,
        feedback_import=feedback_record,
    )


def _import_measurements(
    store: EventStore, plan: SimulationPlan, sha: str, name: str, time_zone: str
) -> int:
    """The eCampus telematics, billing and monitoring measurements, imported once;
    their number (0 for the other examples)."""
    if plan.example != ECAMPUS:
        return 0
    earlier = store.find_import(sha, SIMULATOR_FINGERPRINT, kind="measurements")
    if earlier is not None:
        return earlier.rows_imported
    from cojourney.demo.simulator.ecampus_measurements import measurements_table

    table = measurements_table(plan.start, plan.end, time_zone, plan.seed)
    return store.import_batches(
        table.to_batches(),
        source_name=name,
        source_sha256=sha,
        mapping_fingerprint=SIMULATOR_FINGERPRINT,
        kind="measurements",
    ).rows_imported
