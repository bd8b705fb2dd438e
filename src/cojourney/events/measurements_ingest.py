"""Importing indicator measurements (a time series) into the store's ``measurements`` table.

A measurement is one value of one value indicator at one time, optionally for one
segment: what telematics, billing or monitoring systems give for the indicators
that no event log holds. The canonical columns are ``indicator``, ``timestamp``,
``value``, ``segment`` (optional) and ``unit`` (optional);
:class:`MeasurementColumns` maps a file's own column names onto them.

The rules are those of events and survey answers, in one transaction:

1. every row is checked: an indicator the workspace has, a readable timestamp
   (ISO 8601, or ``timestamp_format``; without an offset it is local time in
   ``time_zone``), a finite number as value;
2. with ``on_error="fail"`` any problem refuses the import, listing the first
   :data:`MAX_LISTED` problems (file, line, column, value, fix) and the total;
   with ``"skip"`` the rows with a problem go, with a ``reason`` column, to
   ``quarantine_dir/<import id>-<file stem>.csv``;
3. a measurement whose identity (indicator, timestamp, segment) the store or an
   earlier row holds already is left out and counted once as a duplicate; one with
   another value is a *conflict*, reported (the first value is kept);
4. the others are appended with a global ``measurement_seq``.

Measurement files are time series (a value per indicator per day or month), small
next to event logs: they are read into Python rows, unlike event logs.
"""

from __future__ import annotations

import csv
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cojourney.errors import ImportRejected, Location, Problem, location_in
from cojourney.events.store_schema import MEASUREMENTS, ImportRecord

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.store import EventStore

__all__ = [
    "CANONICAL",
    "MAX_LISTED",
    "MeasurementColumns",
    "MeasurementImport",
    "MeasurementOutcome",
    "ingest_measurements",
]

log = logging.getLogger(__name__)

#: The canonical measurement columns, in the store's order.
CANONICAL: Final = ("indicator", "timestamp", "value", "segment", "unit")
#: How many problems or conflicts an import lists (all are counted).
MAX_LISTED: Final = 20
_READERS: Final = {
    ".csv": "read_csv",
    ".tsv": "read_csv",
    ".txt": "read_csv",
    ".parquet": "read_parquet",
    ".pq": "read_parquet",
    ".jsonl": "read_json",
    ".ndjson": "read_json",
}


@dataclass(frozen=True, slots=True)
class MeasurementColumns:
    """The file's column for each canonical measurement field (``None``: the canonical
    name, when the file has it; ``segment`` and ``unit`` are optional)."""

    indicator: str | None = None
    timestamp: str | None = None
    value: str | None = None
    segment: str | None = None
    unit: str | None = None
    timestamp_format: str | None = None

    def fingerprint(self) -> str:
        """A stable text of the mapping (recorded with the import, for idempotence)."""
        return "measurements:" + "|".join(
            f"{name}={getattr(self, name) or ''}" for name in (*CANONICAL, "timestamp_format")
        )

    def resolve(self, available: list[str], path: Path) -> dict[str, str | None]:
        """``{canonical field: file column}``; optional fields absent from the file map
        to ``None``.

        Raises
        ------
        cojourney.errors.ImportRejected
            A required column (or a column named in the mapping) is not in the file.
        """
        out: dict[str, str | None] = {}
        problems = []
        for name in CANONICAL:
            given = getattr(self, name)
            column = given or name
            if column in available:
                out[name] = column
            elif given is None and name in ("segment", "unit"):
                out[name] = None
            else:
                problems.append(
                    Problem(
                        f"no column for the measurement's {name}",
                        location_in(path, field=f"mapping.columns.{name}"),
                        found=column,
                        expected=", ".join(available) or "(no column)",
                        hint=f"name the file's {name} column in mapping.columns.{name}",
                    )
                )
        if problems:
            raise ImportRejected(problems, title=f"{path}: the columns do not match")
        return out


@dataclass(frozen=True, slots=True)
class MeasurementImport:
    """Everything an import of one measurement file needs (see the module docstring)."""

    path: Path
    columns: MeasurementColumns
    indicators: frozenset[str]
    time_zone: str = "UTC"
    source_sha256: str = ""
    mapping_name: str | None = None
    on_error: Literal["fail", "skip"] = "fail"
    quarantine_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class MeasurementOutcome:
    """What one measurement import did."""

    record: ImportRecord
    rows_read: int
    rows_duplicate: int
    rejected: tuple[Problem, ...]
    rejected_count: int
    conflicts: tuple[Problem, ...]
    conflict_count: int
    indicators: tuple[tuple[str, int], ...]
    first_timestamp: datetime | None
    last_timestamp: datetime | None
    quarantine_path: Path | None = None


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    indicator: str
    timestamp: datetime
    value: float
    segment: str | None
    unit: str | None


def read_rows(path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The columns and rows of a CSV, Parquet or JSON Lines file (CSV cells as text).

    Raises
    ------
    cojourney.errors.ImportRejected
        Not such a file, or unreadable.
    """
    import duckdb

    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise ImportRejected(
            Problem(
                "measurements are read from CSV, Parquet or JSON Lines files",
                location_in(path),
                found=path.suffix or "(no suffix)",
                expected=", ".join(sorted(_READERS)),
                hint="export the measurements as CSV or Parquet",
            )
        )
    options = ", all_varchar = true, header = true" if reader == "read_csv" else ""
    literal = "'" + str(path).replace("'", "''") + "'"
    con = duckdb.connect()
    try:
        rel = con.sql(f"SELECT * FROM {reader}({literal}{options})")
        return list(rel.columns), rel.fetchall()
    except duckdb.Error as exc:
        raise ImportRejected(
            Problem(
                "the file cannot be read",
                location_in(path),
                found=str(exc).splitlines()[0],
                hint="check that it is a well-formed CSV, Parquet or JSON Lines file",
            )
        ) from None
    finally:
        con.close()


def ingest_measurements(store: EventStore, request: MeasurementImport) -> MeasurementOutcome:
    """Import ``request.path`` into the ``measurements`` table of ``store`` in one transaction.

    Raises
    ------
    cojourney.errors.ImportRejected
        Unreadable file, missing columns, an unknown time zone, or (with
        ``on_error="fail"``) any row with a problem. Nothing is written.
    """
    path = request.path
    try:
        zone = ZoneInfo(request.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportRejected(
            Problem(
                "unknown time zone",
                location_in(path, field="mapping.timestamp.time_zone"),
                found=request.time_zone,
                hint="give an IANA name such as Europe/Paris",
            )
        ) from None
    names, raw = read_rows(path)
    columns = request.columns.resolve(names, path)
    if not raw:
        raise ImportRejected(
            Problem(
                "the file holds no measurement",
                location_in(path),
                hint="export at least one row: indicator, timestamp, value",
            )
        )
    index = {name: names.index(col) if col else None for name, col in columns.items()}
    first_line = 2 if _READERS[path.suffix.lower()] == "read_csv" else 1
    good: list[_Row] = []
    bad: list[tuple[int, tuple[Any, ...], Problem]] = []
    for k, values in enumerate(raw):
        line = first_line + k
        parsed = _parse(values, index, columns, request, zone, line)
        if isinstance(parsed, Problem):
            bad.append((line, values, parsed))
        else:
            good.append(parsed)
    if bad and request.on_error == "fail":
        raise ImportRejected(
            [p for _, _, p in bad[:MAX_LISTED]],
            title=f"{path}: {len(bad)} of {len(raw)} rows have a problem; nothing imported "
            "(or set aside the bad rows with import.on_error=skip)",
        )
    con = store.connection
    with store.import_transaction(
        source_name=path.name,
        source_sha256=request.source_sha256,
        mapping_name=request.mapping_name,
        mapping_fingerprint=request.columns.fingerprint(),
        kind=MEASUREMENTS.name,
    ) as pending:
        stored: dict[tuple[str, int, str | None], float] = {
            (str(r[0]), int(r[1]), r[2]): float(r[3])
            for r in con.execute(
                'SELECT indicator, epoch_us("timestamp"), segment, value FROM measurements'
            ).fetchall()
        }
        fresh: list[_Row] = []
        duplicates = 0
        conflicts: list[Problem] = []
        for row in good:
            key = (row.indicator, _micros(row.timestamp), row.segment)
            if key in stored:
                duplicates += 1
                if stored[key] != row.value:
                    conflicts.append(
                        Problem(
                            f"{row.indicator} already has a value at {row.timestamp.isoformat()}"
                            + (f" for segment {row.segment}" if row.segment else ""),
                            Location(str(path), row.line, None, columns["value"]),
                            found=repr(row.value),
                            expected=repr(stored[key]),
                            hint="the first value is kept; delete the import that holds "
                            "the wrong one and import again",
                        )
                    )
                continue
            stored[key] = row.value
            fresh.append(row)
        if fresh:
            con.executemany(
                'INSERT INTO measurements (indicator, "timestamp", measurement_seq, value, '
                "segment, unit, import_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        r.indicator,
                        r.timestamp,
                        pending.seq_offset + k,
                        r.value,
                        r.segment,
                        r.unit,
                        pending.id,
                    )
                    for k, r in enumerate(fresh)
                ],
            )
            pending.seq_first = pending.seq_offset
            pending.seq_last = pending.seq_offset + len(fresh) - 1
        pending.rows_imported = len(fresh)
        pending.rows_rejected = len(bad)
        pending.rows_duplicate = duplicates
        quarantine = None
        if bad:
            quarantine = _quarantine(request, pending.id, names, bad)
            pending.quarantine_path = str(quarantine)
    assert pending.committed is not None
    counts: dict[str, int] = {}
    for r in fresh:
        counts[r.indicator] = counts.get(r.indicator, 0) + 1
    times = [r.timestamp for r in fresh]
    return MeasurementOutcome(
        pending.committed,
        len(raw),
        duplicates,
        tuple(p for _, _, p in bad[:MAX_LISTED]),
        len(bad),
        tuple(conflicts[:MAX_LISTED]),
        len(conflicts),
        tuple(sorted(counts.items())),
        min(times) if times else None,
        max(times) if times else None,
        quarantine,
    )


def _micros(value: datetime) -> int:
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _parse(
    values: tuple[Any, ...],
    index: dict[str, int | None],
    columns: dict[str, str | None],
    request: MeasurementImport,
    zone: ZoneInfo,
    line: int,
) -> _Row | Problem:
    def cell(name: str) -> Any:
        k = index[name]
        value = None if k is None else values[k]
        return value.strip() or None if isinstance(value, str) else value

    def problem(
        name: str, message: str, found: Any, hint: str, expected: str | None = None
    ) -> Problem:
        return Problem(
            message,
            Location(str(request.path), line, None, columns[name] or name),
            found=repr(found) if found is not None else "(empty)",
            expected=expected,
            hint=hint,
        )

    indicator = cell("indicator")
    if indicator is None:
        return problem("indicator", "no indicator", None, "give the value indicator's id")
    indicator = str(indicator)
    if indicator not in request.indicators:
        return problem(
            "indicator",
            "not an indicator of the workspace",
            indicator,
            "use the id of an indicator in value.yaml (`cojourney value` lists them)",
            expected=", ".join(sorted(request.indicators)[:10]),
        )
    stamp = _timestamp(cell("timestamp"), request.columns.timestamp_format, zone)
    if stamp is None:
        return problem(
            "timestamp",
            "unreadable timestamp",
            cell("timestamp"),
            "write times as ISO 8601 (2025-03-01T08:00:00) or set mapping.timestamp.format",
        )
    raw_value = cell("value")
    try:
        number = float(raw_value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        return problem(
            "value", "the value is not a number", raw_value, "write a number such as 97.5"
        )
    segment, unit = cell("segment"), cell("unit")
    return _Row(
        line,
        indicator,
        stamp,
        number,
        None if segment is None else str(segment),
        None if unit is None else str(unit),
    )


def _timestamp(value: Any, fmt: str | None, zone: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value)
        try:
            parsed = datetime.strptime(text, fmt) if fmt else datetime.fromisoformat(text)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _quarantine(
    request: MeasurementImport,
    import_id: int,
    names: list[str],
    bad: list[tuple[int, tuple[Any, ...], Problem]],
) -> Path:
    from cojourney.files import atomic_output

    if request.quarantine_dir is None:
        raise ValueError("on_error='skip' needs a quarantine_dir")
    request.quarantine_dir.mkdir(parents=True, exist_ok=True)
    target = request.quarantine_dir / f"{import_id}-{request.path.stem}.csv"
    reason = "reason" if "reason" not in names else "cojourney_reason"
    with atomic_output(target) as tmp, open(tmp, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([*names, reason])
        for _, values, problem in bad:
            writer.writerow([*("" if v is None else v for v in values), problem.message])
    log.info("%s: %d rejected rows set aside in %s", request.path, len(bad), target)
    return target
