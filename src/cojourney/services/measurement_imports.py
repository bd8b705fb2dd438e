"""Importing indicator measurements into the ``measurements`` log of a workspace's store.

:func:`import_measurements` is what ``cojourney import --kind measurements`` does: the
values of the value indicators that no event log holds (telematics, billing,
monitoring exports), as a time series. The rules are those of events and answers:
the same content with the same mapping is imported once, an import is all or
nothing, bad rows refuse it or (``on_error="skip"``) go to a quarantine file, a
repeated measurement is counted as a duplicate and one with another value is a
conflict. The ingestion is :mod:`cojourney.events.measurements_ingest`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.events.measurements_ingest import MeasurementColumns
from cojourney.services._import_plan import quarantine_folder

__all__ = [
    "MeasurementImportResult",
    "StoredMeasurement",
    "import_measurements",
    "indicator_measurements",
    "record_measurement",
]

#: The source name of a value entered by hand starts so (:func:`record_measurement`).
ENTERED_BY = "entered by "

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MeasurementImportResult:
    """What :func:`import_measurements` did.

    ``already_imported``: the same content with the same mapping was imported before;
    nothing was added and ``import_id`` is the earlier import's. ``rows_duplicate``
    counts valid rows the store (or an earlier row) held already; ``conflicts`` lists
    (up to a cap; ``conflict_count`` counts all) those with another value, left out.
    """

    source: Path
    import_id: int
    imported_at: datetime
    already_imported: bool
    rows_read: int
    rows_imported: int
    rows_rejected: int
    rows_duplicate: int
    indicators: tuple[tuple[str, int], ...]
    first_timestamp: datetime | None
    last_timestamp: datetime | None
    quarantine_path: Path | None
    rejected: tuple[Problem, ...]
    conflicts: tuple[Problem, ...]
    conflict_count: int
    kind: Literal["measurements"] = "measurements"


def import_measurements(
    workspace_path: str | Path,
    file: str | Path,
    *,
    columns: MeasurementColumns | None = None,
    on_error: Literal["fail", "skip"] = "fail",
    time_zone: str | None = None,
) -> MeasurementImportResult:
    """Import a measurement file (CSV, Parquet or JSON Lines) into the workspace's store.

    Parameters
    ----------
    workspace_path
        The workspace folder.
    file
        One row per measurement: indicator, timestamp, value, and optionally segment
        and unit (canonical names, or those given in ``columns``).
    columns
        The file's column for each field, and ``timestamp_format``; default: the
        canonical names.
    on_error
        ``"fail"``: any row with a problem (an indicator not in the workspace, an
        unreadable timestamp, a value that is not a number) refuses the import.
        ``"skip"``: those rows go to ``data/quarantine/<import-id>-<file stem>.csv``
        with a ``reason`` column, the others are imported.
    time_zone
        Of timestamps written without an offset; default: the workspace's.

    Raises
    ------
    cojourney.errors.NotFound
        No such workspace or file.
    cojourney.errors.ImportRejected
        The file cannot be imported; nothing was written.
    """
    from cojourney.events.measurements_ingest import MeasurementImport, ingest_measurements
    from cojourney.events.store import EventStore
    from cojourney.services.handle import as_handle

    folder, path = Path(workspace_path), Path(file)
    if not (folder / "workspace.yaml").is_file():
        raise NotFound(
            f"{folder} is not a workspace (no workspace.yaml); create one with "
            f"`cojourney init {folder}`"
        )
    if not path.is_file():
        raise NotFound(f"{path}: no such file")
    workspace = as_handle(folder).model()
    columns = columns or MeasurementColumns()
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with EventStore.open(folder) as store:
        earlier = store.find_import(sha, columns.fingerprint(), kind="measurements")
        if earlier is not None:
            log.info("%s: already imported as import #%d", path, earlier.id)
            return MeasurementImportResult(
                path,
                earlier.id,
                earlier.finished_at,
                True,
                earlier.rows_imported + earlier.rows_rejected + earlier.rows_duplicate,
                earlier.rows_imported,
                earlier.rows_rejected,
                earlier.rows_duplicate,
                (),
                None,
                None,
                Path(earlier.quarantine_path) if earlier.quarantine_path else None,
                (),
                (),
                0,
            )
        outcome = ingest_measurements(
            store,
            MeasurementImport(
                path,
                columns,
                frozenset(i.id for i in workspace.indicators),
                time_zone or workspace.workspace.time_zone,
                source_sha256=sha,
                on_error=on_error,
                quarantine_dir=quarantine_folder(folder),
            ),
        )
    record = outcome.record
    return MeasurementImportResult(
        path,
        record.id,
        record.finished_at,
        False,
        outcome.rows_read,
        record.rows_imported,
        record.rows_rejected,
        outcome.rows_duplicate,
        outcome.indicators,
        outcome.first_timestamp,
        outcome.last_timestamp,
        outcome.quarantine_path,
        outcome.rejected,
        outcome.conflicts,
        outcome.conflict_count,
    )


def record_measurement(
    workspace_path: str | Path,
    indicator: str,
    when: datetime,
    value: float,
    *,
    entered_by: str,
    segment: str | None = None,
) -> MeasurementImportResult:
    """Store one value entered by hand (what a web form for manual values calls).

    It is recorded as an import of its own, named ``entered by ENTERED_BY``, whose
    time is when it was entered: ``cojourney imports list`` shows who and when, and
    ``imports delete`` takes it back. Identity and conflicts are those of a file
    import: a value already stored for the indicator, time and segment is kept.

    Raises
    ------
    cojourney.errors.NotFound
        No such workspace.
    cojourney.errors.ImportRejected
        Not an indicator of the workspace, or ``value`` is not a finite number.
    """
    import csv
    import tempfile

    if not entered_by.strip():
        raise InputError(
            Problem(
                "who entered the value is required",
                Location(field="measurement.entered_by"),
                hint="give the name or e-mail of the person entering it",
            )
        )
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        name = "".join(c if c.isalnum() or c in "@.-_" else "-" for c in entered_by)[:80]
        file = Path(tmp) / f"{ENTERED_BY}{name}.csv"
        with file.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["indicator", "timestamp", "value", "segment"])
            writer.writerow([indicator, when.isoformat(), repr(float(value)), segment or ""])
        return import_measurements(workspace_path, file)


@dataclass(frozen=True, slots=True)
class StoredMeasurement:
    """One measurement in the store, with the import that brought it.

    ``entered_by`` is who entered it by hand (:func:`record_measurement`), ``None``
    for a value that came from a file (``source`` names the file); ``recorded_at``
    is when its import finished.
    """

    indicator: str
    timestamp: datetime
    value: float
    segment: str | None
    import_id: int | None
    source: str | None
    entered_by: str | None
    recorded_at: datetime | None


def indicator_measurements(
    workspace_path: str | Path, indicator: str, *, limit: int = 50
) -> list[StoredMeasurement]:
    """The latest ``limit`` measurements of ``indicator``, newest time first (none
    before any measurement is stored).

    Raises
    ------
    cojourney.errors.NotFound
        No such workspace.
    """
    from cojourney.events.store import EventStore

    folder = Path(workspace_path)
    if not (folder / "workspace.yaml").is_file():
        raise NotFound(f"{folder} is not a workspace (no workspace.yaml)")
    if not EventStore.path_for(folder).is_file():
        return []
    with EventStore.open(folder, read_only=True) as store:
        try:
            table = store.table_name("measurements")
        except (NotFound, LookupError):
            return []
        rows = store.connection.execute(
            f'SELECT indicator, epoch("timestamp"), value, segment, import_id FROM "{table}" '
            'WHERE indicator = ? ORDER BY "timestamp" DESC, measurement_seq DESC LIMIT ?',
            [indicator, limit],
        ).fetchall()
        imports = {r.id: r for r in store.imports("measurements")}
    out = []
    for name, epoch, value, segment, import_id in rows:
        record = imports.get(import_id)
        source = record.source_name if record else None
        by = None
        if source and source.startswith(ENTERED_BY):
            by = source.removeprefix(ENTERED_BY).removesuffix(".csv")
        out.append(
            StoredMeasurement(
                name,
                datetime.fromtimestamp(float(epoch), UTC),
                float(value),
                segment,
                import_id,
                source,
                by,
                record.finished_at if record else None,
            )
        )
    return out
