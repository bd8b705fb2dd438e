"""Importing event logs into a workspace's event store, and exporting them again.

:func:`import_events` does everything the ``cojourney import`` command does: it
chooses the mapping (named, given by flags, or the saved one that fits the file),
refuses a file already imported with the same mapping, imports in one transaction,
saves the mapping, and reports rows, journeys, time range, rejected rows and the
activities that are not touchpoints of the workspace. :func:`export_events` writes
the store as Parquet or XES.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from cojourney.domain import Workspace
from cojourney.errors import ImportRejected, InputError, NotFound, Problem, location_in
from cojourney.events import schema as S
from cojourney.events.mappings import ImportMapping, MappingFlags, MappingLibrary, mapping_name_for
from cojourney.events.readers.base import reader_for
from cojourney.events.store import EventStore, ImportRecord
from cojourney.events.store_ingest import FileImport, ProgressCallback, file_columns

__all__ = [
    "ExportResult",
    "ImportResult",
    "export_events",
    "import_events",
    "list_imports",
    "mappings_folder",
    "quarantine_folder",
]

log = logging.getLogger(__name__)

OnError = Literal["fail", "skip"]
MappingOrigin = Literal["given", "named", "flags", "saved", "default"]
_FORMATS = {"CSV": "csv", "Parquet": "parquet", "JSON Lines": "jsonl", "XES": "xes", "OCEL": "ocel"}
_FLAG_OF = {S.JOURNEY_ID: "--case", S.ACTIVITY: "--activity", S.TIMESTAMP: "--timestamp",
            S.CHANNEL: "--channel", S.ACTOR: "--actor", S.ROLE: "--role", S.SEGMENT: "--segment",
            S.LIFECYCLE: "--lifecycle"}


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What :func:`import_events` did.

    ``already_imported`` is true when the same content was imported before with
    the same mapping: then nothing was added and ``import_id``/``imported_at``
    are those of the earlier import. Timestamps are UTC.
    """

    source: Path
    import_id: int
    imported_at: datetime
    already_imported: bool
    mapping_name: str | None
    mapping_origin: MappingOrigin
    mapping_path: Path | None
    mapping_saved: bool
    rows_read: int
    rows_imported: int
    rows_rejected: int
    journeys: int | None
    first_timestamp: datetime | None
    last_timestamp: datetime | None
    unknown_activities: tuple[tuple[str, int], ...]
    unknown_activity_count: int
    unknown_event_count: int
    quarantine_path: Path | None
    rejected: tuple[Problem, ...]
    warnings: tuple[str, ...]
    seconds: float


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What :func:`export_events` wrote."""

    path: Path
    format: str
    rows: int


def mappings_folder(workspace_path: str | Path) -> Path:
    """``WORKSPACE/data/mappings``: the saved import mappings."""
    return Path(workspace_path) / "data" / "mappings"


def quarantine_folder(workspace_path: str | Path) -> Path:
    """``WORKSPACE/data/quarantine``: rows set aside by ``--on-error skip``."""
    return Path(workspace_path) / "data" / "quarantine"


def import_events(workspace_path: str | Path, file: str | Path, *,
                  mapping: str | ImportMapping | None = None, flags: MappingFlags | None = None,
                  on_error: OnError = "fail",
                  progress: ProgressCallback | None = None) -> ImportResult:
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

    Returns
    -------
    ImportResult

    Raises
    ------
    cojourney.errors.NotFound
        No such file, workspace or named mapping.
    cojourney.errors.ImportRejected
        The file cannot be imported (every problem found, up to a cap, with line,
        column, value and fix); nothing was written.
    cojourney.errors.InputError
        Several saved mappings fit the file, or a saved mapping has problems.
    """
    started = time.perf_counter()
    workspace_path, file = Path(workspace_path), Path(file)
    if on_error not in ("fail", "skip"):
        raise InputError(Problem("unknown on_error", found=repr(on_error), expected="fail or skip"))
    if not file.is_file():
        raise NotFound(f"{file}: no such file")
    workspace = _open_workspace(workspace_path)
    zone = workspace.workspace.time_zone
    library = MappingLibrary(mappings_folder(workspace_path))
    chosen, origin = choose_mapping(library, file, mapping, flags or MappingFlags())
    columns = file_columns(file, chosen.read_options())
    if columns is not None:
        _check_columns(chosen, origin, columns, file, library)
    fingerprint = chosen.fingerprint(zone)
    sha = _sha256(file)
    recorded_name = None if origin == "default" else chosen.name
    warnings: list[str] = []
    with EventStore.open(workspace_path) as store:
        earlier = store.imports("events")
        previous = next((r for r in earlier if r.source_sha256 == sha
                         and r.mapping_fingerprint == fingerprint), None)
        if previous is not None:
            log.info("%s: already imported as #%d; nothing added", file, previous.id)
            return _already(file, previous, chosen, origin, library, started)
        warnings += [f"the same content was imported before as #{r.id} on {r.finished_at:%Y-%m-%d} "
                     f"with another mapping ({r.mapping_name or 'defaults'}): its events are now "
                     "in the store twice" for r in earlier if r.source_sha256 == sha]
        outcome = store.import_file(FileImport(
            file, chosen.column_mapping(zone), chosen.read_options(), source_sha256=sha,
            mapping_name=recorded_name, mapping_fingerprint=fingerprint,
            object_type=chosen.object_type, on_error=on_error,
            quarantine_dir=quarantine_folder(workspace_path),
            known_activities=frozenset(t.id for j in workspace.journeys for t in j.touchpoints)),
            progress=progress)
    save = origin in ("flags", "given") or (origin == "named" and flags is not None
                                             and not flags.is_empty())
    saved_path = library.save(chosen) if save else None
    record = outcome.record
    return ImportResult(
        source=file, import_id=record.id, imported_at=record.finished_at, already_imported=False,
        mapping_name=recorded_name, mapping_origin=origin,
        mapping_path=saved_path or (library.path_of(chosen.name) if origin in ("named", "saved")
                                    else None),
        mapping_saved=saved_path is not None, rows_read=outcome.rows_read,
        rows_imported=record.rows_imported, rows_rejected=record.rows_rejected,
        journeys=outcome.journeys, first_timestamp=outcome.first_timestamp,
        last_timestamp=outcome.last_timestamp, unknown_activities=outcome.unknown_activities,
        unknown_activity_count=outcome.unknown_activity_count,
        unknown_event_count=outcome.unknown_event_count,
        quarantine_path=Path(record.quarantine_path) if record.quarantine_path else None,
        rejected=outcome.rejected, warnings=tuple(warnings),
        seconds=time.perf_counter() - started)


def choose_mapping(library: MappingLibrary, file: Path, mapping: str | ImportMapping | None,
                   flags: MappingFlags) -> tuple[ImportMapping, MappingOrigin]:
    """The mapping to import ``file`` with, and where it came from.

    See :func:`import_events` for the rules. Raises :class:`InputError` when several
    saved mappings fit and none is named.
    """
    fmt = _FORMATS.get(reader_for(file).name)
    if isinstance(mapping, ImportMapping):
        return mapping.with_flags(flags), "given"
    if mapping is not None:
        if library.exists(mapping):
            return library.load(mapping).with_flags(flags), "named"
        if flags.is_empty():
            library.load(mapping)  # raises NotFound, listing the saved mappings
        return ImportMapping(mapping, format=fmt).with_flags(flags), "flags"
    fresh = ImportMapping(mapping_name_for(file), format=fmt)
    if not flags.is_empty() and None not in (flags.journey_id, flags.activity, flags.timestamp):
        return fresh.with_flags(flags), "flags"
    fitting, _ = library.candidates(fmt or "", lambda m: file_columns(file, m.read_options()))
    if len(fitting) > 1:
        raise InputError(Problem(
            "several saved mappings fit this file", location_in(file),
            found=", ".join(m.name for m in fitting),
            expected="exactly one saved mapping whose source columns are all in the file",
            hint=f"choose one with --mapping NAME (the files are in {library.folder})"),
            title=f"{file}: which mapping?")
    if fitting:
        return fitting[0].with_flags(flags), ("saved" if flags.is_empty() else "flags")
    return fresh.with_flags(flags), ("default" if flags.is_empty() else "flags")


def list_imports(workspace_path: str | Path) -> list[ImportRecord]:
    """The imports of a workspace, oldest first (none when nothing was imported)."""
    path = EventStore.path_for(workspace_path)
    if not path.is_file():
        return []
    with EventStore(path, read_only=True) as store:
        return store.imports()


def export_events(workspace_path: str | Path, output: str | Path, *,
                  format: Literal["parquet", "xes"] | None = None) -> ExportResult:
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
    """
    from cojourney.events.writers import write_parquet, write_xes

    output = Path(output)
    fmt = format or _format_of(output)
    with EventStore.open(workspace_path, read_only=True) as store:
        if fmt == "parquet":
            rows = write_parquet(store.batches(ordered=True, import_ids=False), output,
                                 schema=S.canonical_arrow_schema())
        else:
            rows = write_xes(store.events_table(ordered=True, import_ids=False), output)
    log.info("exported %d events of %s to %s", rows, workspace_path, output)
    return ExportResult(output, fmt, rows)


# --------------------------------------------------------------------------- helpers

def _open_workspace(path: Path) -> Workspace:
    from cojourney.services.workspaces import open_workspace

    if not (path / "workspace.yaml").is_file():
        raise NotFound(f"{path} is not a workspace (no workspace.yaml); create one with "
                       f"`cojourney init {path}`")
    return open_workspace(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_columns(mapping: ImportMapping, origin: MappingOrigin, columns: Sequence[str],
                   file: Path, library: MappingLibrary) -> None:
    """Refuse before reading when a source column of the mapping is not in the file."""
    present = set(columns)
    sources = {name: getattr(mapping.columns, name) for name in _FLAG_OF}
    shown = ", ".join(columns) or "(none)"
    problems = []
    for name, flag in _FLAG_OF.items():
        src = sources[name] or ({S.JOURNEY_ID: S.XES_CASE, S.ACTIVITY: S.XES_ACTIVITY,
                                 S.TIMESTAMP: S.XES_TIMESTAMP}.get(name))
        if src is None or src in present:
            continue
        if origin == "default":
            hint = f"name the column with {flag} COLUMN"
        else:
            hint = f"pass {flag} COLUMN, or fix columns.{name} in {library.path_of(mapping.name)}"
        problems.append(Problem(
            f"column {src!r} (for {name}) is not in the file", location_in(file, field=src),
            found=f"columns: {shown}", expected=src, hint=hint + " (names are case-sensitive)"))
    if not problems:
        return
    if origin == "default":
        saved = library.names()
        title = (f"{file}: no saved mapping fits and the columns are not the XES names"
                 + (f" (saved mappings: {', '.join(saved)})" if saved else ""))
    else:
        title = f"{file}: the columns do not match the mapping {mapping.name!r}"
    raise ImportRejected(problems, title=title)


def _already(file: Path, previous: ImportRecord, mapping: ImportMapping, origin: MappingOrigin,
             library: MappingLibrary, started: float) -> ImportResult:
    return ImportResult(
        source=file, import_id=previous.id, imported_at=previous.finished_at, already_imported=True,
        mapping_name=previous.mapping_name, mapping_origin=origin,
        mapping_path=library.path_of(mapping.name) if library.exists(mapping.name) else None,
        mapping_saved=False, rows_read=previous.rows_imported + previous.rows_rejected,
        rows_imported=0, rows_rejected=0, journeys=None, first_timestamp=None, last_timestamp=None,
        unknown_activities=(), unknown_activity_count=0, unknown_event_count=0,
        quarantine_path=None, rejected=(), warnings=(), seconds=time.perf_counter() - started)


def _format_of(output: Path) -> Literal["parquet", "xes"]:
    name = output.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".xes", ".xes.gz")):
        return "xes"
    raise InputError(Problem("cannot tell the export format from the file name",
                             location_in(output),
                             expected="a name ending in .parquet, .xes or .xes.gz",
                             hint="pass --format parquet or --format xes"))
