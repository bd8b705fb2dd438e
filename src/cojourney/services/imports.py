"""Importing event and feedback logs into a workspace's event store, and exporting events.

:func:`import_events` does everything the ``cojourney import`` command does: it
chooses the mapping (named, given by flags, or the saved one that fits the file),
refuses a file already imported with the same mapping, imports in one transaction,
saves the mapping, and reports rows, journeys, time range, rejected rows and the
activities that are not touchpoints of the workspace (an event already in the store,
from an overlapping export, is counted, not stored again). :func:`import_feedback` does
the same for survey answers (``cojourney import --kind feedback``), with the
workspace's touchpoints and steps to check them against. :func:`list_imports` and
:func:`delete_import` show and undo imports. :func:`export_events` writes the store
as Parquet or XES.

This module is the public face of the imports: :func:`import_feedback` lives in
:mod:`cojourney.services.feedback_imports`, the choice of a saved mapping
(:func:`choose_mapping`) in :mod:`cojourney.events.mapping_choice`, and the plumbing
both imports share in :mod:`cojourney.services._import_plan`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from cojourney.errors import InputError, NotFound, Problem, location_in
from cojourney.events import schema as S
from cojourney.events.mapping_choice import Kind, MappingOrigin, choose_mapping
from cojourney.events.mappings import ImportMapping, MappingFlags
from cojourney.events.store import EventStore, ImportRecord
from cojourney.events.store_ingest import FileImport, IngestOutcome, ProgressCallback
from cojourney.events.writers.dataset import DatasetExport
from cojourney.files import atomic_output, check_writable
from cojourney.services._import_plan import (
    ImportResult,
    OnError,
    mappings_folder,
    quarantine_folder,
)
from cojourney.services._import_plan import plan as _plan
from cojourney.services._import_plan import result as _result
from cojourney.services._import_plan import run as _run
from cojourney.services.feedback_imports import import_feedback, with_preset

__all__ = [
    "DeletedImport",
    "ExportResult",
    "ImportResult",
    "Kind",
    "MappingOrigin",
    "OnError",
    "choose_mapping",
    "delete_import",
    "export_event_dataset",
    "export_events",
    "import_events",
    "import_feedback",
    "list_imports",
    "mappings_folder",
    "quarantine_folder",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeletedImport:
    """What :func:`delete_import` removed: the import, its rows, its quarantine file."""

    record: ImportRecord
    rows_removed: int
    quarantine_removed: Path | None


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What :func:`export_events` wrote."""

    path: Path
    format: str
    rows: int


def import_events(
    workspace_path: str | Path,
    file: str | Path,
    *,
    mapping: str | ImportMapping | None = None,
    flags: MappingFlags | None = None,
    on_error: OnError = "fail",
    progress: ProgressCallback | None = None,
    preset: str | None = None,
) -> ImportResult:
    """Import an event log into the workspace's event store.

    Parameters
    ----------
    workspace_path
        The workspace folder; its store is ``data/events.duckdb``.
    file
        The log: CSV, TSV, Parquet, JSON Lines, XES (``.xes``, ``.xes.gz``) or OCEL.
    mapping
        A saved mapping's name, or a mapping. ``None`` chooses the saved mapping
        whose source columns are all in the file (XES/OCEL: of the file's format),
        or the XES column names when none is saved.
    flags
        Mapping fields to set (the command-line flags). They apply on top of
        ``mapping`` (or of the saved mapping that fits, unless they name all three
        required columns), and the result is saved as ``mapping`` (default: the
        fitting mapping's name, else a name derived from the file's name).
    on_error
        ``"fail"``: any row without journey id, activity or readable timestamp
        refuses the whole import. ``"skip"``: such rows are written to
        ``data/quarantine/<import-id>-<file stem>.csv`` with a ``reason`` column
        and the others are imported.
    progress
        Called with :class:`~cojourney.events.store_ingest.ImportProgress` updates.
    preset
        A shipped mapping for a vendor export (:func:`cojourney.events.presets.list_presets`),
        instead of ``mapping``: ``flags`` apply on top of it, and an export it reshapes
        is rewritten as ``data/presets/<file>.<preset>.csv`` and imported from there
        (see ``docs/presets.md``). The mapping is saved under the preset's name.

    Returns
    -------
    ImportResult

    Raises
    ------
    cojourney.errors.NotFound
        No such file, workspace, named mapping or preset.
    cojourney.errors.ImportRejected
        The file cannot be imported (every problem found, up to a cap, with line,
        column, value and fix); nothing was written.
    cojourney.errors.InputError
        Several saved mappings fit the file, or a saved mapping has problems.
    """
    if preset is not None:
        chosen, prepared = with_preset(workspace_path, file, preset, mapping, flags, "events")
        done_with = import_events(
            workspace_path, prepared, mapping=chosen, on_error=on_error, progress=progress
        )
        return replace(done_with, source=Path(file))
    plan = _plan(workspace_path, file, mapping, flags, on_error, "events")
    workspace = plan.workspace

    def ingest(store: EventStore) -> IngestOutcome:
        return store.import_file(
            FileImport(
                plan.file,
                plan.mapping.column_mapping(plan.zone),
                plan.mapping.read_options(),
                source_sha256=plan.sha,
                mapping_name=plan.recorded_name,
                mapping_fingerprint=plan.fingerprint,
                object_type=plan.mapping.object_type,
                on_error=on_error,
                quarantine_dir=quarantine_folder(plan.workspace_path),
                known_activities=frozenset(t.id for j in workspace.journeys for t in j.touchpoints),
            ),
            progress=progress,
        )

    done = _run(plan, ingest)
    if isinstance(done, ImportResult):
        return done
    outcome, warnings = done
    return _result(
        plan,
        outcome,
        warnings,
        unknown_activities=outcome.unknown_activities,
        unknown_activity_count=outcome.unknown_activity_count,
        unknown_event_count=outcome.unknown_event_count,
    )


def list_imports(workspace_path: str | Path) -> list[ImportRecord]:
    """The imports of a workspace, oldest first (none when nothing was imported).

    Raises
    ------
    cojourney.errors.NotFound
        The folder is not a workspace.
    """
    _require_workspace(Path(workspace_path))
    path = EventStore.path_for(workspace_path)
    if not path.is_file():
        return []
    with EventStore(path, read_only=True) as store:
        return store.imports()


def delete_import(workspace_path: str | Path, import_id: int) -> DeletedImport:
    """Undo one import: its events (or answers) and its record go, in one transaction.

    Its quarantine file, if any, is removed afterwards. Events that this import
    found already stored (``rows_duplicate``) belong to the earlier import and stay.
    Import ids are never given again.

    Parameters
    ----------
    workspace_path
        The workspace folder.
    import_id
        The import's id (see :func:`list_imports`).

    Returns
    -------
    DeletedImport

    Raises
    ------
    cojourney.errors.NotFound
        Not a workspace, nothing imported yet, or no import of that id (the
        message lists the imports there are).
    """
    workspace_path = Path(workspace_path)
    _require_workspace(workspace_path)
    path = EventStore.path_for(workspace_path)
    if not path.is_file():
        raise NotFound(
            f"{workspace_path}: nothing was imported yet, so there is no import to delete"
        )
    with EventStore(path) as store:
        record, rows = store.delete_import(import_id)
    quarantine = Path(record.quarantine_path) if record.quarantine_path else None
    removed = None
    if quarantine is not None and quarantine.is_file():
        quarantine.unlink()
        removed = quarantine
    log.info(
        "%s: import #%d of %s undone (%d rows)", workspace_path, import_id, record.source_name, rows
    )
    return DeletedImport(record, rows, removed)


def _require_workspace(path: Path) -> None:
    if not (path / "workspace.yaml").is_file():
        raise NotFound(
            f"{path} is not a workspace (no workspace.yaml); create one with `cojourney init {path}`"
        )


def export_events(
    workspace_path: str | Path,
    output: str | Path,
    *,
    format: Literal["parquet", "xes"] | None = None,
) -> ExportResult:
    """Write every imported event of a workspace to a Parquet or XES file.

    Parameters
    ----------
    workspace_path
        The workspace folder.
    output
        The file to write (replaced atomically).
    format
        ``"parquet"`` (the canonical columns) or ``"xes"`` (``.xes``, gzip-compressed
        when the name ends in ``.gz``); by default from the file's suffix.

    Raises
    ------
    cojourney.errors.NotFound
        Nothing was imported into the workspace yet.
    cojourney.errors.InputError
        The format cannot be told from the file name.
    cojourney.files.OutputError
        The file cannot be written (its folder is missing, read-only, full...); the
        message names it and the cause, and no partial file is left.
    """
    from cojourney.events.writers import write_parquet, write_xes

    output = Path(output)
    fmt = format or _format_of(output)
    gzip = output.name.lower().endswith(".gz")
    check_writable(output)  # before opening the store
    with (
        EventStore.open(workspace_path, read_only=True) as store,
        atomic_output(output, suffix=".xes.gz" if gzip else f".{fmt}") as temp,
    ):
        if fmt == "parquet":
            rows = write_parquet(
                store.batches(ordered=True, import_ids=False),
                temp,
                schema=S.canonical_arrow_schema(),
            )
        else:
            rows = write_xes(store.events_table(ordered=True, import_ids=False), temp, gzip=gzip)
    log.info("exported %d events of %s to %s", rows, workspace_path, output)
    return ExportResult(output, fmt, rows)


def export_event_dataset(workspace_path: str | Path, location: str | Path) -> DatasetExport:
    """Write a workspace's events as a Parquet dataset partitioned by import and month.

    ``location`` is a folder or a URL (``file://``, ``s3://``, ``gs://``,
    ``hdfs://``) that a Spark cluster can read; see
    :mod:`cojourney.events.writers.dataset`. Incremental: imports already there are
    kept, new ones written, deleted ones removed.

    Raises
    ------
    cojourney.errors.NotFound
        Nothing was imported into the workspace yet.
    cojourney.errors.InputError
        No filesystem for the URL.
    """
    from cojourney.events.writers.dataset import write_event_dataset

    with EventStore.open(workspace_path, read_only=True) as store:
        result = write_event_dataset(store, location)
    log.info("exported the events of %s to the dataset %s", workspace_path, location)
    return result


def _format_of(output: Path) -> Literal["parquet", "xes"]:
    name = output.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".xes", ".xes.gz")):
        return "xes"
    raise InputError(
        Problem(
            "cannot tell the export format from the file name",
            location_in(output),
            expected="a name ending in .parquet, .xes or .xes.gz",
            hint="set export.format=parquet or export.format=xes",
        )
    )
