"""What the import page shows before an import: the first rows and the suggested mapping.

The mapping is chosen as ``cojourney import`` chooses it
(:func:`cojourney.events.mapping_choice.choose_mapping`: the one saved mapping whose
columns are all in the file, else the defaults); when the defaults name columns the
file does not have, a column whose name looks like the field is suggested instead
(``case``/``order``/``ticket`` for the journey, ``activity``/``event``/``step`` for
the activity, ``time``/``date`` for the timestamp).

Survey answers (``kind="feedback"``) are previewed with the feedback fields
(:data:`~cojourney.events.feedback_mapping.FEEDBACK_FIELDS`, the long layout; the
wide layout's question columns are named on the page), and measurements
(``kind="measurements"``) with the measurement fields (indicator, timestamp, value,
segment), as ``cojourney import`` reads them for those kinds.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cojourney.events.feedback_mapping import FEEDBACK_FIELDS
from cojourney.events.mapping_choice import MappingOrigin, choose_mapping
from cojourney.events.mappings import COLUMN_FIELDS, MappingFlags, MappingLibrary
from cojourney.events.presets import list_presets
from cojourney.events.readers.base import reader_for
from cojourney.events.store_ingest import file_columns
from cojourney.services._import_plan import mappings_folder

__all__ = ["MEASUREMENT_FIELDS", "UploadKind", "UploadPreview", "preview_upload"]

#: What an upload holds: an event log, survey answers, or indicator measurements.
UploadKind = Literal["events", "feedback", "measurements"]
#: The fields of a measurement file (what a measurements import maps).
MEASUREMENT_FIELDS: tuple[str, ...] = ("indicator", "timestamp", "value", "segment")

#: Words that suggest a column for a mapping field, best first.
_HINTS: dict[str, tuple[str, ...]] = {
    "journey_id": ("journey", "case", "order", "ticket", "incident", "session", "customer", "id"),
    "activity": ("activity", "event", "step", "action", "touchpoint", "status", "name"),
    "timestamp": ("timestamp", "time", "date", "ts", "created", "at"),
    "channel": ("channel", "medium", "source"),
    "actor": ("actor", "agent", "user", "resource"),
    "role": ("role", "group", "team"),
    "segment": ("segment", "persona", "tier"),
    "lifecycle": ("lifecycle", "transition"),
    "question": ("question", "item", "metric", "kind"),
    "score": ("score", "rating", "answer", "value"),
    "touchpoint": ("touchpoint", "activity", "step", "page"),
    "step": ("step", "stage", "phase"),
    "comment": ("comment", "text", "feedback", "remark"),
    "respondent": ("respondent", "user", "email", "member"),
    "indicator": ("indicator", "kpi", "metric", "measure"),
    "value": ("value", "amount", "pct", "reading"),
}


@dataclass(frozen=True)
class UploadPreview:
    """The first rows of a file and the mapping suggested for it."""

    format: str
    columns: tuple[str, ...] | None  #: None: known only after parsing (XES, OCEL)
    rows: tuple[tuple[str, ...], ...]
    suggested: dict[str, str | None]
    mapping_name: str
    origin: MappingOrigin
    presets: tuple[str, ...] = ()
    fields: tuple[str, ...] = field(default=COLUMN_FIELDS)
    kind: UploadKind = "events"
    required: tuple[str, ...] = ("journey_id", "activity", "timestamp")


def preview_upload(
    workspace_path: str | Path, file: str | Path, rows: int = 10, kind: UploadKind = "events"
) -> UploadPreview:
    """The first ``rows`` rows of ``file`` and the mapping ``cojourney import`` would use.

    ``kind`` is what the file holds (``events``, ``feedback`` or ``measurements``):
    it decides the fields suggested and, for events and feedback, the saved mappings
    that may fit.

    Raises
    ------
    cojourney.errors.ImportRejected
        The file's suffix is not a known format.
    cojourney.errors.InputError
        Several saved mappings fit the file.
    """
    file = Path(file)
    spec = reader_for(file)
    if kind == "measurements":
        return _measurement_preview(file, spec.name, rows)
    library = MappingLibrary(mappings_folder(workspace_path))
    mapping, origin = choose_mapping(library, file, None, MappingFlags(), kind)
    found = file_columns(file, mapping.read_options())
    columns = tuple(found) if found is not None else None
    names = FEEDBACK_FIELDS if kind == "feedback" else COLUMN_FIELDS
    suggested: dict[str, str | None] = {}
    for name in names:
        chosen = getattr(mapping.feedback if kind == "feedback" else mapping.columns, name)
        chosen = chosen or (name if kind == "feedback" else None)
        if columns is not None and chosen not in columns:
            chosen = _guess(name, columns, set(suggested.values()))
        suggested[name] = chosen
    return UploadPreview(
        format=spec.name,
        columns=columns,
        rows=_first_rows(file, columns, rows) if columns is not None else (),
        suggested=suggested,
        mapping_name=mapping.name,
        origin=origin,
        presets=tuple(list_presets()),
        fields=names,
        kind=kind,
        required=("journey_id", "timestamp") if kind == "feedback" else UploadPreview.required,
    )


def _measurement_preview(file: Path, format_name: str, rows: int) -> UploadPreview:
    """A measurement file's first rows and its columns for indicator, timestamp, value."""
    from cojourney.errors import ImportRejected, Problem, location_in

    found = file_columns(file)
    if found is None:
        raise ImportRejected(
            [
                Problem(
                    f"a {format_name} file cannot hold measurements",
                    location_in(file),
                    expected="CSV, Parquet or JSON Lines with indicator, timestamp and value",
                )
            ],
            title=f"{file.name}: not a measurement file",
        )
    columns = tuple(found)
    suggested: dict[str, str | None] = {}
    for name in MEASUREMENT_FIELDS:
        suggested[name] = (
            name if name in columns else _guess(name, columns, set(suggested.values()))
        )
    return UploadPreview(
        format=format_name,
        columns=columns,
        rows=_first_rows(file, columns, rows),
        suggested=suggested,
        mapping_name="",
        origin="default",
        fields=MEASUREMENT_FIELDS,
        kind="measurements",
        required=("indicator", "timestamp", "value"),
    )


def _guess(name: str, columns: tuple[str, ...], taken: set[str | None]) -> str | None:
    lowered = {c: c.lower() for c in columns if c not in taken}
    for word in _HINTS.get(name, ()):
        for column, low in lowered.items():
            if low == word or low.startswith(f"{word}_") or low.endswith(f"_{word}"):
                return column
    for word in _HINTS.get(name, ())[:2]:
        for column, low in lowered.items():
            if word in low:
                return column
    return None


def _first_rows(file: Path, columns: tuple[str, ...], count: int) -> tuple[tuple[str, ...], ...]:
    name = file.name.lower()
    if name.endswith((".parquet", ".pq")):
        import pyarrow.parquet as pq

        table = pq.ParquetFile(file).read_row_group(0).slice(0, count).to_pylist()
        return tuple(tuple(_text(r.get(c)) for c in columns) for r in table)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(file, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        head = "".join(line for _, line in zip(range(count + 1), handle, strict=False))
    if name.removesuffix(".gz").endswith((".jsonl", ".ndjson", ".json")):
        out = []
        for line in head.splitlines()[:count]:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                out.append(tuple(_text(record.get(c)) for c in columns))
        return tuple(out)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(head, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    lines = list(csv.reader(io.StringIO(head), dialect))
    return tuple(tuple(r) for r in lines[1 : count + 1])


def _text(value: object) -> str:
    return "" if value is None else str(value)[:200]
