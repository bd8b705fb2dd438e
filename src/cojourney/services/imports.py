"""Importing event and feedback logs into a workspace's event store, and exporting events.

:func:`import_events` does everything the ``cojourney import`` command does: it
chooses the mapping (named, given by flags, or the saved one that fits the file),
refuses a file already imported with the same mapping, imports in one transaction,
saves the mapping, and reports rows, journeys, time range, rejected rows and the
activities that are not touchpoints of the workspace. :func:`import_feedback` does
the same for survey answers (``cojourney import --kind feedback``), with the
workspace's touchpoints and steps to check them against. :func:`export_events`
writes the store as Parquet or XES.
"""

from __future__ import annotations

import dataclasses

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from cojourney.domain import Workspace
from cojourney.errors import ImportRejected, InputError, Location, NotFound, Problem, location_in
from cojourney.events import schema as S
from cojourney.events.feedback_mapping import FEEDBACK_FLAGS, column_problems
from cojourney.events.mappings import (
    EVENT_ONLY_FLAGS,
    FEEDBACK_FORMATS,
    FEEDBACK_ONLY_FLAGS,
    ImportMapping,
    MappingFlags,
    MappingLibrary,
    mapping_name_for,
)
from cojourney.events.readers.base import reader_for
from cojourney.events.store import EventStore, ImportRecord
from cojourney.events.store_ingest import FileImport, IngestOutcome, ProgressCallback, file_columns

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.feedback_ingest import FeedbackOutcome

Outcome = TypeVar("Outcome", "IngestOutcome", "FeedbackOutcome")

__all__ = [
    "ExportResult",
    "ImportResult",
    "export_events",
    "import_events",
    "import_feedback",
    "list_imports",
    "mappings_folder",
    "quarantine_folder",
]

log = logging.getLogger(__name__)

OnError = Literal["fail", "skip"]
Kind = Literal["events", "feedback"]
MappingOrigin = Literal["given", "named", "flags", "saved", "default"]
_FORMATS = {"CSV": "csv", "Parquet": "parquet", "JSON Lines": "jsonl", "XES": "xes", "OCEL": "ocel"}
_FLAG_OF = {S.JOURNEY_ID: "--case", S.ACTIVITY: "--activity", S.TIMESTAMP: "--timestamp",
            S.CHANNEL: "--channel", S.ACTOR: "--actor", S.ROLE: "--role", S.SEGMENT: "--segment",
            S.LIFECYCLE: "--lifecycle"}


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What :func:`import_events` or :func:`import_feedback` did.

    ``already_imported`` is true when the same content was imported before with
    the same mapping: then nothing was added and ``import_id``/``imported_at``
    are those of the earlier import. Timestamps are UTC.

    For feedback (``kind == "feedback"``), ``rows_read`` and ``rows_rejected``
    count source rows and ``rows_imported`` answers (a wide row holds several);
    ``answers_read`` counts the answers found, ``questions`` the answers imported
    per question, and ``steps_filled`` the answers whose step was taken from their
    touchpoint. The ``unknown_*`` fields are for events only (an unknown
    touchpoint refuses a feedback row).
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
    kind: Kind = "events"
    answers_read: int | None = None
    questions: tuple[tuple[str, int], ...] = ()
    steps_filled: int = 0


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
    plan = _plan(workspace_path, file, mapping, flags, on_error, "events")
    workspace = plan.workspace

    def ingest(store: EventStore) -> IngestOutcome:
        return store.import_file(FileImport(
            plan.file, plan.mapping.column_mapping(plan.zone), plan.mapping.read_options(),
            source_sha256=plan.sha, mapping_name=plan.recorded_name,
            mapping_fingerprint=plan.fingerprint, object_type=plan.mapping.object_type,
            on_error=on_error, quarantine_dir=quarantine_folder(plan.workspace_path),
            known_activities=frozenset(t.id for j in workspace.journeys for t in j.touchpoints)),
            progress=progress)

    done = _run(plan, ingest)
    if isinstance(done, ImportResult):
        return done
    outcome, warnings = done
    return _result(plan, outcome, warnings, unknown_activities=outcome.unknown_activities,
                   unknown_activity_count=outcome.unknown_activity_count,
                   unknown_event_count=outcome.unknown_event_count)


def import_feedback(workspace_path: str | Path, file: str | Path, *,
                    mapping: str | ImportMapping | None = None,
                    flags: MappingFlags | None = None, on_error: OnError = "fail",
                    progress: ProgressCallback | None = None) -> ImportResult:
    """Import survey answers into the ``feedback`` log of the workspace's event store.

    The rules are those of :func:`import_events`: the mapping is named, given by
    flags, or the saved feedback mapping whose source columns are all in the file
    (else the canonical column names, see
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
    from cojourney.events.feedback_ingest import FeedbackImport, FeedbackOutcome, ingest_feedback

    plan = _plan(workspace_path, file, mapping, flags, on_error, "feedback")
    workspace = plan.workspace

    # The workspace's survey questions give custom scales the mapping does not.
    columns = plan.mapping.feedback
    declared = {q.id: q.scale for q in workspace.questions if q.id not in columns.scales}
    if declared:
        columns = dataclasses.replace(columns, scales={**declared, **columns.scales})

    def ingest(store: EventStore) -> FeedbackOutcome:
        return ingest_feedback(store, FeedbackImport(
            plan.file, columns, plan.mapping.time_zone or plan.zone,
            plan.mapping.read_options(), source_sha256=plan.sha,
            mapping_name=plan.recorded_name, mapping_fingerprint=plan.fingerprint,
            on_error=on_error, quarantine_dir=quarantine_folder(plan.workspace_path),
            touchpoint_steps={t.id: t.step for j in workspace.journeys for t in j.touchpoints},
            known_steps=frozenset(s.id for j in workspace.journeys for s in j.steps)),
            progress=progress)

    done = _run(plan, ingest)
    if isinstance(done, ImportResult):
        return done
    outcome, warnings = done
    return _result(plan, outcome, warnings, unknown_activities=(), unknown_activity_count=0,
                   unknown_event_count=0, kind="feedback", answers_read=outcome.answers_read,
                   questions=outcome.questions, steps_filled=outcome.steps_filled)


@dataclass(frozen=True, slots=True)
class _Plan:
    """An import ready to run: the file, the workspace and the mapping chosen for it."""

    kind: Kind
    file: Path
    workspace_path: Path
    workspace: Workspace
    zone: str
    library: MappingLibrary
    mapping: ImportMapping
    origin: MappingOrigin
    flags: MappingFlags
    sha: str
    fingerprint: str
    started: float

    @property
    def recorded_name(self) -> str | None:
        return None if self.origin == "default" else self.mapping.name


def _plan(workspace_path: str | Path, file: str | Path, mapping: str | ImportMapping | None,
          flags: MappingFlags | None, on_error: OnError, kind: Kind) -> _Plan:
    """Check the request, choose the mapping and check it against the file's columns."""
    started = time.perf_counter()
    workspace_path, file = Path(workspace_path), Path(file)
    if on_error not in ("fail", "skip"):
        raise InputError(Problem("unknown on_error", found=repr(on_error), expected="fail or skip"))
    if not file.is_file():
        raise NotFound(f"{file}: no such file")
    flags = flags or MappingFlags()
    _refuse_flags(flags, FEEDBACK_ONLY_FLAGS if kind == "events" else EVENT_ONLY_FLAGS, kind)
    workspace = _open_workspace(workspace_path)
    zone = workspace.workspace.time_zone
    library = MappingLibrary(mappings_folder(workspace_path))
    chosen, origin = choose_mapping(library, file, mapping, flags, kind=kind)
    columns = file_columns(file, chosen.read_options())
    if columns is not None:
        check = _check_columns if kind == "events" else _check_feedback_columns
        check(chosen, origin, columns, file, library)
    return _Plan(kind, file, workspace_path, workspace, zone, library, chosen, origin, flags,
                 _sha256(file), chosen.fingerprint(zone), started)


def _run(plan: _Plan, ingest: Callable[[EventStore], Outcome]
         ) -> ImportResult | tuple[Outcome, list[str]]:
    """The earlier import of the same content and mapping, or the new import and warnings
    (the mapping saved when it came from flags)."""
    what = "events" if plan.kind == "events" else "answers"
    with EventStore.open(plan.workspace_path) as store:
        earlier = store.imports(plan.kind)
        previous = next((r for r in earlier if r.source_sha256 == plan.sha
                         and r.mapping_fingerprint == plan.fingerprint), None)
        if previous is not None:
            log.info("%s: already imported as #%d; nothing added", plan.file, previous.id)
            return replace(_already(plan.file, previous, plan.mapping, plan.origin, plan.library,
                                    plan.started), kind=plan.kind)
        warnings = [f"the same content was imported before as #{r.id} on "
                    f"{r.finished_at:%Y-%m-%d} with another mapping "
                    f"({r.mapping_name or 'defaults'}): its {what} are now in the store twice"
                    for r in earlier if r.source_sha256 == plan.sha]
        outcome = ingest(store)
    return outcome, warnings


def _result(plan: _Plan, outcome: IngestOutcome | FeedbackOutcome, warnings: list[str],
            **specific: Any) -> ImportResult:
    saved_path = plan.library.save(plan.mapping) if _save(plan.origin, plan.flags) else None
    record = outcome.record
    return ImportResult(
        source=plan.file, import_id=record.id, imported_at=record.finished_at,
        already_imported=False, mapping_name=plan.recorded_name, mapping_origin=plan.origin,
        mapping_path=saved_path or (plan.library.path_of(plan.mapping.name)
                                    if plan.origin in ("named", "saved") else None),
        mapping_saved=saved_path is not None, rows_read=outcome.rows_read,
        rows_imported=record.rows_imported, rows_rejected=record.rows_rejected,
        journeys=outcome.journeys, first_timestamp=outcome.first_timestamp,
        last_timestamp=outcome.last_timestamp,
        quarantine_path=Path(record.quarantine_path) if record.quarantine_path else None,
        rejected=outcome.rejected, warnings=tuple(warnings),
        seconds=time.perf_counter() - plan.started, **specific)


def choose_mapping(library: MappingLibrary, file: Path, mapping: str | ImportMapping | None,
                   flags: MappingFlags, kind: Kind = "events"
                   ) -> tuple[ImportMapping, MappingOrigin]:
    """The mapping to import ``file`` with, and where it came from.

    See :func:`import_events` for the rules. Raises :class:`InputError` when several
    saved mappings fit and none is named, or when the mapping is of another kind.
    """
    fmt = _FORMATS.get(reader_for(file).name)
    if isinstance(mapping, ImportMapping):
        _check_kind(mapping, kind, "the mapping given")
        return mapping.with_flags(flags), "given"
    if mapping is not None:
        if library.exists(mapping):
            loaded = library.load(mapping)
            _check_kind(loaded, kind, str(library.path_of(mapping)))
            return loaded.with_flags(flags), "named"
        if flags.is_empty():
            library.load(mapping)  # raises NotFound, listing the saved mappings
        return ImportMapping(mapping, format=fmt, kind=kind).with_flags(flags), "flags"
    fresh = ImportMapping(_fresh_name(library, file, kind), format=fmt, kind=kind)
    if _complete(flags, kind):
        return fresh.with_flags(flags), "flags"
    fitting, _ = library.candidates(fmt or "", lambda m: file_columns(file, m.read_options()),
                                    kind=kind)
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


def _complete(flags: MappingFlags, kind: Kind) -> bool:
    """Whether the flags name every required column (a new mapping, not a saved one)."""
    if kind == "events":
        return None not in (flags.journey_id, flags.activity, flags.timestamp)
    layout = (flags.question is not None and flags.score is not None) or bool(
        flags.score_columns or flags.text_columns)
    return flags.journey_id is not None and flags.timestamp is not None and layout


def _fresh_name(library: MappingLibrary, file: Path, kind: Kind) -> str:
    """The file's default mapping name, or ``NAME-feedback`` when a mapping of the other
    kind has that name already."""
    name = mapping_name_for(file)
    if library.exists(name):
        try:
            other = library.load(name).kind != kind
        except InputError:
            other = False
        if other:
            return f"{name}-{kind}"
    return name


def _check_kind(mapping: ImportMapping, kind: Kind, where: str) -> None:
    if mapping.kind != kind:
        raise InputError(Problem(
            f"mapping {mapping.name!r} is for {mapping.kind}, not for {kind}",
            location_in(where, field="kind"), found=mapping.kind, expected=kind,
            hint=f"choose a {kind} mapping, or a new --mapping name"))


def _refuse_flags(flags: MappingFlags, names: tuple[str, ...], kind: Kind) -> None:
    wrong = [n for n in flags.given() if n in names]
    if wrong:
        other = "feedback" if kind == "events" else "events"
        raise InputError(Problem(
            f"these mapping fields are for {other}, not for {kind}: {', '.join(wrong)}",
            Location(field=wrong[0]), found=", ".join(wrong),
            hint=f"drop them, or import the file as {other}"
                 + (" (--kind feedback)" if other == "feedback" else "")))


def _save(origin: MappingOrigin, flags: MappingFlags) -> bool:
    return origin in ("flags", "given") or (origin == "named" and not flags.is_empty())


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


def _check_feedback_columns(mapping: ImportMapping, origin: MappingOrigin,
                            columns: Sequence[str], file: Path, library: MappingLibrary) -> None:
    """Refuse before reading when the feedback mapping does not fit the file's columns."""
    if mapping.format not in (None, *FEEDBACK_FORMATS) or _FORMATS.get(
            reader_for(file).name) not in FEEDBACK_FORMATS:
        return  # the ingest refuses the format itself
    saved = library.path_of(mapping.name) if origin in ("named", "saved") else None
    fix = {name: f"pass {flag} COLUMN" + (f", or fix columns.{name} in {saved}" if saved else "")
           for name, flag in FEEDBACK_FLAGS.items()}
    fb = mapping.feedback
    for section, flag in (("score_columns", "--score-column"), ("text_columns", "--text-column")):
        for question in getattr(fb, section):
            fix[f"{section}.{question}"] = f"fix {flag} {question}=COLUMN" + (
                f", or {section} in {saved}" if saved else "")
    problems = column_problems(fb.resolve(columns), columns, file, fix=fix)
    if not problems:
        return
    if origin == "default":
        names = [m for m in library.names()]
        title = (f"{file}: no saved feedback mapping fits and the columns are not the canonical "
                 "names" + (f" (saved mappings: {', '.join(names)})" if names else ""))
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
