"""What the import page shows before an import: the first rows and the suggested mapping.

The mapping is chosen as ``cojourney import`` chooses it
(:func:`cojourney.events.mapping_choice.choose_mapping`: the one saved mapping whose
columns are all in the file, else the defaults); when the defaults name columns the
file does not have, a column whose name looks like the field is suggested instead
(``case``/``order``/``ticket`` for the journey, ``activity``/``event``/``step`` for
the activity, ``time``/``date`` for the timestamp).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from cojourney.events.mapping_choice import MappingOrigin, choose_mapping
from cojourney.events.mappings import COLUMN_FIELDS, MappingFlags, MappingLibrary
from cojourney.events.presets import list_presets
from cojourney.events.readers.base import reader_for
from cojourney.events.store_ingest import file_columns
from cojourney.services._import_plan import mappings_folder

__all__ = ["UploadPreview", "preview_upload"]

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


def preview_upload(workspace_path: str | Path, file: str | Path, rows: int = 10) -> UploadPreview:
    """The first ``rows`` rows of ``file`` and the mapping ``cojourney import`` would use.

    Raises
    ------
    cojourney.errors.ImportRejected
        The file's suffix is not a known format.
    cojourney.errors.InputError
        Several saved mappings fit the file.
    """
    file = Path(file)
    spec = reader_for(file)
    library = MappingLibrary(mappings_folder(workspace_path))
    mapping, origin = choose_mapping(library, file, None, MappingFlags(), "events")
    found = file_columns(file, mapping.read_options())
    columns = tuple(found) if found is not None else None
    suggested: dict[str, str | None] = {}
    for name in COLUMN_FIELDS:
        chosen = getattr(mapping.columns, name)
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
