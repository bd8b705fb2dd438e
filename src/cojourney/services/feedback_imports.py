"""Importing survey answers into the ``feedback`` log of a workspace's event store.

:func:`import_feedback` is what ``cojourney import --kind feedback`` does; it is
re-exported by :mod:`cojourney.services.imports`, and shares the planning, the
idempotence check and the result with :func:`~cojourney.services.imports.import_events`
(:mod:`cojourney.services._import_plan`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from cojourney.events.mappings import ImportMapping, MappingFlags
from cojourney.events.store_ingest import ProgressCallback
from cojourney.services._import_plan import (
    ImportResult,
    OnError,
    plan,
    quarantine_folder,
    result,
    run,
)

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.feedback_ingest import FeedbackOutcome
    from cojourney.events.store import EventStore

__all__ = ["import_feedback"]


def import_feedback(
    workspace_path: str | Path,
    file: str | Path,
    *,
    mapping: str | ImportMapping | None = None,
    flags: MappingFlags | None = None,
    on_error: OnError = "fail",
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import survey answers into the ``feedback`` log of the workspace's event store.

    The rules are those of :func:`~cojourney.services.imports.import_events`: the
    mapping is named, given by flags, or the saved feedback mapping whose source
    columns are all in the file (else the canonical column names, see
    :class:`~cojourney.events.feedback_mapping.FeedbackColumns`); the same content
    with the same mapping is imported once; the import is all or nothing; a mapping
    given by flags is saved in ``data/mappings/``.

    Parameters
    ----------
    workspace_path
        The workspace folder.
    file
        The export: CSV, TSV, Parquet or JSON Lines, in the long layout (one answer
        per row) or the wide one (one column per question).
    mapping
        A saved feedback mapping's name, or a mapping of ``kind="feedback"``.
    flags
        Mapping fields to set (``journey_id``, ``timestamp``, ``question``,
        ``score``, ``touchpoint``, ``score_columns``...; ``renames`` rename
        touchpoints).
    on_error
        ``"fail"``: any answer with a problem (no journey id, unreadable timestamp,
        no question, a score that is not a number or outside its question's scale,
        neither score nor comment, a touchpoint or step not in the workspace, a step
        that is not its touchpoint's) refuses the import. ``"skip"``: the source
        rows with a problem go to ``data/quarantine/<import-id>-<file stem>.csv``
        with a ``reason`` column, the others are imported.
    progress
        Called with :class:`~cojourney.events.store_ingest.ImportProgress` updates.

    Returns
    -------
    ImportResult
        With ``kind="feedback"``; the step of each answer without one is its
        touchpoint's step in the workspace (``steps_filled``).

    Raises
    ------
    cojourney.errors.NotFound
        No such file, workspace or named mapping.
    cojourney.errors.ImportRejected
        The file cannot be imported (every problem found, up to a cap, with line or
        row, column, value and fix); nothing was written.
    cojourney.errors.InputError
        Event-log flags given, several saved mappings fit, or a named mapping is an
        event mapping.
    """
    from cojourney.events.feedback_ingest import FeedbackImport, ingest_feedback

    planned = plan(workspace_path, file, mapping, flags, on_error, "feedback")
    workspace = planned.workspace

    # The workspace's survey questions give custom scales the mapping does not.
    columns = planned.mapping.feedback
    declared = {q.id: q.scale for q in workspace.questions if q.id not in columns.scales}
    if declared:
        columns = dataclasses.replace(columns, scales={**declared, **columns.scales})

    def ingest(store: EventStore) -> FeedbackOutcome:
        return ingest_feedback(
            store,
            FeedbackImport(
                planned.file,
                columns,
                planned.mapping.time_zone or planned.zone,
                planned.mapping.read_options(),
                source_sha256=planned.sha,
                mapping_name=planned.recorded_name,
                mapping_fingerprint=planned.fingerprint,
                on_error=on_error,
                quarantine_dir=quarantine_folder(planned.workspace_path),
                touchpoint_steps={t.id: t.step for j in workspace.journeys for t in j.touchpoints},
                known_steps=frozenset(s.id for j in workspace.journeys for s in j.steps),
            ),
            progress=progress,
        )

    done = run(planned, ingest)
    if isinstance(done, ImportResult):
        return done
    outcome, warnings = done
    return result(
        planned,
        outcome,
        warnings,
        unknown_activities=(),
        unknown_activity_count=0,
        unknown_event_count=0,
        kind="feedback",
        answers_read=outcome.answers_read,
        questions=outcome.questions,
        steps_filled=outcome.steps_filled,
        conflicts=outcome.conflicts,
        conflict_count=outcome.conflict_count,
    )
