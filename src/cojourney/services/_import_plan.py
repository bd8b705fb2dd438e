"""The plumbing shared by the event and the feedback imports of :mod:`cojourney.services.imports`.

An import is planned (:func:`plan`: the request checked, the workspace opened, the
mapping chosen and checked against the file's columns, the file's SHA-256), run
(:func:`run`: the earlier import of the same content and mapping, or the new one)
and reported (:func:`result`: an :class:`ImportResult`, the mapping saved when it
came from flags). Private: callers use :mod:`cojourney.services.imports`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from cojourney.domain import Workspace
from cojourney.errors import InputError, NotFound, Problem, location_in
from cojourney.events.mapping_choice import (
    Kind,
    MappingOrigin,
    check_columns,
    choose_mapping,
    refuse_flags,
)
from cojourney.events.mappings import (
    EVENT_ONLY_FLAGS,
    FEEDBACK_ONLY_FLAGS,
    ImportMapping,
    MappingFlags,
    MappingLibrary,
)
from cojourney.events.store import EventStore, ImportRecord
from cojourney.events.store_ingest import IngestOutcome, file_columns

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.feedback_ingest import FeedbackOutcome

__all__ = [
    "ImportPlan",
    "ImportResult",
    "OnError",
    "mappings_folder",
    "plan",
    "quarantine_folder",
    "result",
    "run",
]

Outcome = TypeVar("Outcome", "IngestOutcome", "FeedbackOutcome")
OnError = Literal["fail", "skip"]

# Logged under the public module's name, as before the split.
log = logging.getLogger("cojourney.services.imports")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What :func:`~cojourney.services.imports.import_events` or
    :func:`~cojourney.services.imports.import_feedback` did.

    ``already_imported`` is true when the same content was imported before with
    the same mapping: then nothing was added and ``import_id``/``imported_at``
    are those of the earlier import. Timestamps are UTC.

    ``rows_imported`` counts what was added; ``rows_duplicate`` the valid rows not
    added because the store held them already (an overlapping export) or, for
    answers, because the file repeated them; ``conflicts`` lists (up to a cap;
    ``conflict_count`` counts them all) answers left out because an answer with
    the same identity and another score or comment came first.

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
    rows_duplicate: int = 0
    conflicts: tuple[Problem, ...] = ()
    conflict_count: int = 0


def mappings_folder(workspace_path: str | Path) -> Path:
    """``WORKSPACE/data/mappings``: the saved import mappings."""
    return Path(workspace_path) / "data" / "mappings"


def quarantine_folder(workspace_path: str | Path) -> Path:
    """``WORKSPACE/data/quarantine``: rows set aside by ``--on-error skip``."""
    return Path(workspace_path) / "data" / "quarantine"


@dataclass(frozen=True, slots=True)
class ImportPlan:
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
        """The mapping name recorded with the import (``None`` for the defaults)."""
        return None if self.origin == "default" else self.mapping.name


def plan(
    workspace_path: str | Path,
    file: str | Path,
    mapping: str | ImportMapping | None,
    flags: MappingFlags | None,
    on_error: OnError,
    kind: Kind,
) -> ImportPlan:
    """Check the request, choose the mapping and check it against the file's columns."""
    started = time.perf_counter()
    workspace_path, file = Path(workspace_path), Path(file)
    if on_error not in ("fail", "skip"):
        raise InputError(Problem("unknown on_error", found=repr(on_error), expected="fail or skip"))
    if not file.is_file():
        raise NotFound(f"{file}: no such file")
    flags = flags or MappingFlags()
    refuse_flags(flags, FEEDBACK_ONLY_FLAGS if kind == "events" else EVENT_ONLY_FLAGS, kind)
    workspace = _open_workspace(workspace_path)
    zone = workspace.workspace.time_zone
    library = MappingLibrary(mappings_folder(workspace_path))
    chosen, origin = choose_mapping(library, file, mapping, flags, kind=kind)
    columns = file_columns(file, chosen.read_options())
    if columns is not None:
        check_columns(chosen, origin, columns, file, library, kind)
    return ImportPlan(
        kind,
        file,
        workspace_path,
        workspace,
        zone,
        library,
        chosen,
        origin,
        flags,
        _sha256(file),
        chosen.fingerprint(zone),
        started,
    )


def run(
    plan: ImportPlan, ingest: Callable[[EventStore], Outcome]
) -> ImportResult | tuple[Outcome, list[str]]:
    """The earlier import of the same content and mapping, or the new import and warnings
    (the mapping saved when it came from flags)."""
    what = "events" if plan.kind == "events" else "answers"
    with open_for_writing(plan.workspace_path) as store:
        earlier = store.imports(plan.kind)
        previous = next(
            (
                r
                for r in earlier
                if r.source_sha256 == plan.sha and r.mapping_fingerprint == plan.fingerprint
            ),
            None,
        )
        if previous is not None:
            log.info("%s: already imported as #%d; nothing added", plan.file, previous.id)
            return replace(_already(plan, previous), kind=plan.kind)
        other = next((r for r in earlier if r.source_sha256 == plan.sha), None)
        if other is not None:
            then = other.mapping_name or "the default column names"
            now = plan.recorded_name or "the default column names"
            how = (
                f"with mapping {then} as it was then (it has changed since)"
                if then == now
                else f"with another mapping ({then})"
            )
            raise InputError(
                Problem(
                    f"the same content was imported before as import #{other.id} on "
                    f"{other.finished_at:%Y-%m-%d} {how}; importing it again would keep "
                    f"its {what} twice, once per mapping",
                    location_in(plan.file),
                    found=f"mapping {now}" + (" as it is now" if then == now else ""),
                    expected=f"the mapping of import #{other.id}, or no earlier import",
                    hint=f"to import it with this mapping instead, delete import #{other.id} "
                    "first (it removes that import's "
                    f"{what}), then import the file again",
                )
            )
        outcome = ingest(store)
    return outcome, []


def result(
    plan: ImportPlan, outcome: IngestOutcome | FeedbackOutcome, warnings: list[str], **specific: Any
) -> ImportResult:
    """The :class:`ImportResult` of a new import; saves the mapping when it came from flags."""
    saved_path = plan.library.save(plan.mapping) if _save(plan.origin, plan.flags) else None
    record = outcome.record
    return ImportResult(
        source=plan.file,
        import_id=record.id,
        imported_at=record.finished_at,
        already_imported=False,
        mapping_name=plan.recorded_name,
        mapping_origin=plan.origin,
        mapping_path=saved_path
        or (plan.library.path_of(plan.mapping.name) if plan.origin in ("named", "saved") else None),
        mapping_saved=saved_path is not None,
        rows_read=outcome.rows_read,
        rows_imported=record.rows_imported,
        rows_rejected=record.rows_rejected,
        rows_duplicate=record.rows_duplicate,
        journeys=outcome.journeys,
        first_timestamp=outcome.first_timestamp,
        last_timestamp=outcome.last_timestamp,
        quarantine_path=Path(record.quarantine_path) if record.quarantine_path else None,
        rejected=outcome.rejected,
        warnings=tuple(warnings),
        seconds=time.perf_counter() - plan.started,
        **specific,
    )


def _save(origin: MappingOrigin, flags: MappingFlags) -> bool:
    return origin in ("flags", "given") or (origin == "named" and not flags.is_empty())


def _already(plan: ImportPlan, previous: ImportRecord) -> ImportResult:
    library, mapping = plan.library, plan.mapping
    return ImportResult(
        source=plan.file,
        import_id=previous.id,
        imported_at=previous.finished_at,
        already_imported=True,
        mapping_name=previous.mapping_name,
        mapping_origin=plan.origin,
        mapping_path=library.path_of(mapping.name) if library.exists(mapping.name) else None,
        mapping_saved=False,
        rows_read=previous.rows_imported + previous.rows_rejected,
        rows_imported=0,
        rows_rejected=0,
        journeys=None,
        first_timestamp=None,
        last_timestamp=None,
        unknown_activities=(),
        unknown_activity_count=0,
        unknown_event_count=0,
        quarantine_path=None,
        rejected=(),
        warnings=(),
        seconds=time.perf_counter() - plan.started,
    )


def _open_workspace(path: Path) -> Workspace:
    from cojourney.services.workspaces import open_workspace

    if not (path / "workspace.yaml").is_file():
        raise NotFound(
            f"{path} is not a workspace (no workspace.yaml); create one with "
            f"`cojourney init {path}`"
        )
    return open_workspace(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def open_for_writing(workspace: Path) -> EventStore:
    """The workspace's event store, open for an import; when a server on this workspace
    holds it, the error says where to send the data instead."""
    from cojourney.events.store import StoreInUse
    from cojourney.services.handle import as_handle

    try:
        return EventStore.open(workspace)
    except StoreInUse as exc:
        url = as_handle(workspace).served_at()
        if url is None:
            raise
        raise StoreInUse(
            f"{exc}: this workspace is served at {url}; import there (the Imports page, "
            "or POST /api/events and /api/feedback), or stop the server first"
        ) from None
