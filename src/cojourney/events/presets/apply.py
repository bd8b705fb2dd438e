"""Applying a preset to a file: its mapping with the given fields, its checks, its reshape.

:func:`apply_preset` is what an import with a preset does before the usual mapping
choice: it refuses a preset given together with a mapping, sets the given mapping
fields on top of the preset's, says which field the export cannot provide and how
to provide it, checks the file's columns (naming the mapping field of each missing
one), and rewrites the export as one row per event when the preset reshapes it.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cojourney.errors import ImportRejected, InputError, Location, Problem, location_in
from cojourney.events.feedback_mapping import FEEDBACK_FIELDS
from cojourney.events.mappings import COLUMN_FIELDS as EVENT_FIELDS
from cojourney.events.mappings import CsvOptions, ImportMapping, MappingFlags, mapping_name_for
from cojourney.events.presets import ACTIVITY_COLUMN, TIMESTAMP_COLUMN, Preset, Reshape, get_preset
from cojourney.events.store_ingest import file_columns
from cojourney.files import atomic_output

__all__ = ["apply_preset", "reshaped_rows"]

log = logging.getLogger(__name__)

Row = dict[str, str]


@dataclass(frozen=True, slots=True)
class Source:
    """An export as read: its column names, the metadata rows skipped, its rows."""

    columns: list[str]
    skipped: list[list[str]]
    rows: list[Row]


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_SYNTHESIZED = (ACTIVITY_COLUMN, TIMESTAMP_COLUMN)


def apply_preset(
    name: str,
    file: Path,
    *,
    mapping: str | ImportMapping | None,
    flags: MappingFlags | None,
    kind: str,
    folder: Path,
) -> tuple[ImportMapping, Path]:
    """The mapping and the file to import ``file`` with preset ``name``.

    Parameters
    ----------
    name
        The preset.
    file
        The vendor export.
    mapping
        Must be ``None``: a preset *is* the mapping.
    flags
        Mapping fields set on top of the preset's (they win).
    kind
        The kind of import (``"events"`` or ``"feedback"``).
    folder
        Where a reshaped file is written (``NAME.PRESET.csv``, replaced on each
        import); unused when the preset does not reshape.

    Raises
    ------
    cojourney.errors.NotFound
        No such preset.
    cojourney.errors.InputError
        A mapping given too, a preset of the other kind, or a field the export
        cannot provide and nobody gave.
    cojourney.errors.ImportRejected
        Source columns missing from the file (one problem per mapping field).
    """
    preset = get_preset(name)
    if mapping is not None:
        shown = mapping if isinstance(mapping, str) else mapping.name
        raise InputError(
            Problem(
                "a preset and a mapping were both given",
                Location(field="preset"),
                found=f"preset {name!r}, mapping {shown!r}",
                expected="one of them",
                hint="drop the mapping (mapping fields can still be set on top of the "
                "preset), or drop the preset",
            )
        )
    if preset.kind != kind:
        raise InputError(
            Problem(
                f"preset {name!r} is for {preset.kind}, not for {kind}",
                Location(field="preset"),
                found=preset.kind,
                expected=kind,
                hint=f"import the file as {preset.kind}, or choose a {kind} preset",
            )
        )
    chosen = preset.mapping.with_flags(flags or MappingFlags())
    _check_needs(preset, chosen, file)
    if not preset.reshape.needed:
        columns = file_columns(file, chosen.read_options())
        if columns is not None:
            _check_columns(preset, chosen, columns, file)
        return chosen, file
    source = _read(preset.reshape, chosen, file)
    chosen = _zone_from_metadata(preset.reshape, chosen, source, file)
    columns = _shaped_columns(preset.reshape, source.columns)
    rows = _events(preset.reshape, source.rows)
    _check_columns(preset, chosen, columns, file)
    target = folder / f"{mapping_name_for(file)}.{name}.csv"
    folder.mkdir(parents=True, exist_ok=True)
    count = _write(target, columns, rows)
    log.info("preset %s: %s reshaped into %d rows in %s", name, file, count, target)
    return replace(chosen, format="csv", csv=CsvOptions()), target


def reshaped_rows(
    shape: Reshape, mapping: ImportMapping, file: Path
) -> tuple[list[str], Iterator[Row]]:
    """The columns of the reshaped file and its rows (one per event), lazily.

    The columns are known before the rows are produced: those of the export
    (flattened for JSON), the derived ones and, with milestones or activity rules,
    the synthesized ``preset_activity`` (and ``preset_timestamp``).
    """
    source = _read(shape, mapping, file)
    return _shaped_columns(shape, source.columns), _events(shape, source.rows)


def _shaped_columns(shape: Reshape, columns: Sequence[str]) -> list[str]:
    extra = [c for c in shape.derive if c not in columns]
    if shape.milestones or shape.activities:
        extra.append(ACTIVITY_COLUMN)
    if shape.milestones:
        extra.append(TIMESTAMP_COLUMN)
    return [*columns, *extra]


# --------------------------------------------------------------------------- checks


def _concept(field: str) -> str:
    """The concept name of a mapping field, as the CLI vocabulary names it."""
    head = field.split(".")[0]
    if head in ("score_columns", "text_columns"):
        return f"mapping.{head}"
    return f"mapping.columns.{field}"


def _check_needs(preset: Preset, mapping: ImportMapping, file: Path) -> None:
    """Refuse when a required field is left unmapped: say which and how to give it."""
    if mapping.kind == "feedback":
        fb = mapping.feedback
        missing = [] if fb.wide or (fb.question and fb.score) else ["score_columns"]
        missing += [n for n in ("journey_id", "timestamp") if getattr(fb, n) is None]
    else:
        missing = mapping.columns.missing_required()
    if not missing:
        return
    raise InputError(
        [
            Problem(
                f"the preset {preset.name!r} cannot fill {field} by itself: the export "
                "does not say which column holds it",
                location_in(file, field=_concept(field)),
                expected=_concept(field),
                hint=preset.needs.get(field)
                or f"set {_concept(field)} to the column that holds the {field}",
            )
            for field in missing
        ],
        title=f"{file}: the preset {preset.name!r} needs more",
    )


def _sources(mapping: ImportMapping) -> list[tuple[str, str]]:
    """``(mapping field, source column)`` of every column the mapping reads."""
    if mapping.kind == "feedback":
        fb = mapping.feedback
        named = [(n, src) for n in FEEDBACK_FIELDS if (src := getattr(fb, n))]
        named += [(f"score_columns.{q}", src) for q, src in fb.score_columns.items()]
        return named + [(f"text_columns.{q}", src) for q, src in fb.text_columns.items()]
    return [(n, src) for n in EVENT_FIELDS if (src := getattr(mapping.columns, n))]


def _check_columns(
    preset: Preset, mapping: ImportMapping, columns: Sequence[str], file: Path
) -> None:
    present = set(columns)
    shown = ", ".join(c for c in columns if c not in _SYNTHESIZED) or "(none)"
    wanted = [(f, src) for f, src in _sources(mapping) if src not in _SYNTHESIZED]
    if preset.reshape.milestones:
        first = next(iter(preset.reshape.milestones))
        wanted.append(("timestamp", first))
    problems = [
        Problem(
            f"column {src!r} (for {field}) is not in the file",
            location_in(file, field=_concept(field)),
            found=f"columns: {shown}",
            expected=src,
            hint=preset.needs.get(field)
            or (
                f"exports of {preset.title} name it {src!r}: include the column in the export, or set "
                f"{_concept(field)} to the column that holds the {field.split('.')[0]} "
                "(names are case-sensitive)"
            ),
        )
        for field, src in dict.fromkeys(wanted)
        if src not in present
    ]
    if problems:
        raise ImportRejected(
            problems, title=f"{file}: the columns do not match the preset {preset.name!r}"
        )


# --------------------------------------------------------------------------- reading


def _read(shape: Reshape, mapping: ImportMapping, file: Path) -> Source:
    if shape.source == "json":
        columns, rows = _read_json(shape, file)
        return Source(columns, [], rows)
    codec = mapping.csv.encoding
    encoding = "utf-8-sig" if codec.lower().replace("_", "-") in ("utf-8", "utf8") else codec
    try:
        with file.open(encoding=encoding, newline="") as f:
            reader = csv.reader(
                f, delimiter=mapping.csv.sep or ",", quotechar=mapping.csv.quote or '"'
            )
            header = unique_names(next(reader, []))
            skipped = [next(reader, []) for _ in range(shape.skip_rows)]
            rows = [dict(zip(header, values, strict=False)) for values in reader if any(values)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportRejected(
            Problem(
                f"cannot read the file as CSV: {exc}",
                location_in(file),
                hint="give the file as the vendor exported it; set mapping.csv.encoding "
                "when it is not UTF-8",
            )
        ) from None
    return Source(header, skipped, rows)


def unique_names(header: Sequence[str]) -> list[str]:
    """Column names as the CSV reader names them: empty ones ``column<i>``, repeats
    ``NAME_1``, ``NAME_2``... (Jira repeats ``Labels``, ``Comment``, ``Watchers``...).

    >>> unique_names(["Labels", "Labels", "", "Labels"])
    ['Labels', 'Labels_1', 'column2', 'Labels_2']
    """
    names: list[str] = []
    for i, raw in enumerate(header):
        name, n = raw or f"column{i}", 1
        while name in names:
            name, n = f"{raw or f'column{i}'}_{n}", n + 1
        names.append(name)
    return names


def _zone_from_metadata(
    shape: Reshape, mapping: ImportMapping, source: Source, file: Path
) -> ImportMapping:
    """The mapping with the time zone a metadata row gives its timestamp column (Qualtrics
    writes ``{"ImportId":"recordedDate","timeZone":"America/Denver"}``), unless one was given."""
    if not shape.time_zone_in_skipped_rows or mapping.time_zone is not None:
        return mapping
    column = mapping.feedback.timestamp if mapping.kind == "feedback" else mapping.columns.timestamp
    if column not in source.columns:
        return mapping
    index = source.columns.index(column)
    for row in source.skipped:
        try:
            meta = json.loads(row[index]) if index < len(row) else None
        except ValueError:
            continue
        zone = meta.get("timeZone") if isinstance(meta, Mapping) else None
        if isinstance(zone, str) and _is_zone(zone):
            log.info("%s: timestamps of %s are in %s (metadata row)", file, column, zone)
            return replace(mapping, time_zone=zone)
    return mapping


def _is_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _read_json(shape: Reshape, file: Path) -> tuple[list[str], list[Row]]:
    """The rows of a JSON export: one document, a JSON array of page documents (an API
    read page by page), or JSON Lines with one page or one record per line."""
    lines = file.suffix.lower() in (".jsonl", ".ndjson")
    try:
        text = file.read_text(encoding="utf-8-sig")
        docs = (
            [json.loads(x) for x in text.splitlines() if x.strip()] if lines else [json.loads(text)]
        )
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportRejected(
            Problem(
                f"the file is not JSON{' Lines' if lines else ''}: {exc}",
                location_in(file),
                hint="give the JSON document the vendor's API returned, unchanged (several "
                "pages: in a JSON array, or one per line in a .jsonl file)",
            )
        ) from None
    first = shape.records[0] if shape.records else ""
    pages: list[Any] = []
    for doc in docs:
        if first and isinstance(doc, list):
            pages.extend(doc)  # a list of page documents
        elif not first and isinstance(doc, list) and all(isinstance(d, list) for d in doc):
            pages.extend(doc)  # a list of pages, each a list of records
        elif not first and isinstance(doc, Mapping):
            pages.append([doc])  # JSON Lines, one record per line
        else:
            pages.append(doc)
    prefixes = shape.prefixes or tuple("" for _ in shape.records)
    rows = [row for page in pages for row in _walk(page, shape.records, prefixes, {}, file)]
    if not rows:
        where = " → ".join(r or "the top list" for r in shape.records)
        raise ImportRejected(
            Problem(
                "the export holds no records",
                location_in(file),
                expected=f"records at {where}",
                hint="check that the file is the export this preset is for, and not empty",
            )
        )
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns), rows


def _walk(
    node: Any, paths: Sequence[str], prefixes: Sequence[str], parent: Row, file: Path
) -> Iterator[Row]:
    items = _get(node, paths[0]) if paths[0] else node
    if items is None:
        return
    if not isinstance(items, list):
        raise ImportRejected(
            Problem(
                f"expected a list at {paths[0] or 'the top'} of the JSON document",
                location_in(file, field=paths[0] or None),
                found=type(items).__name__,
                hint="give the JSON document the vendor's API returned, unchanged",
            )
        )
    skip = paths[1].split(".")[0] if len(paths) > 1 and paths[1] else None
    for item in items:
        if not isinstance(item, Mapping):
            continue
        row = dict(parent)
        row.update(_flatten(item, prefixes[0], skip))
        if len(paths) > 1:
            yield from _walk(item, paths[1:], prefixes[1:], row, file)
        else:
            yield row


def _get(node: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _flatten(item: Mapping[str, Any], prefix: str, skip: str | None) -> Row:
    out: Row = {}

    def visit(value: Any, key: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                visit(v, f"{key}.{k}" if key else str(k))
        elif isinstance(value, list) and all(not isinstance(v, (Mapping, list)) for v in value):
            out[key] = ", ".join(_text(v) for v in value)
        else:
            out[key] = value if isinstance(value, str) else _text(value)

    for k, v in item.items():
        if k != skip:
            visit(v, f"{prefix}.{k}" if prefix else str(k))
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# --------------------------------------------------------------------------- events


def _events(shape: Reshape, rows: list[Row]) -> Iterator[Row]:
    dropped = 0
    for row in rows:
        for column, candidates in shape.derive.items():
            row[column] = next((row[c] for c in candidates if row.get(c)), "")
        if shape.milestones:
            for column, template in shape.milestones.items():
                if row.get(column):
                    yield {
                        **row,
                        ACTIVITY_COLUMN: _fill(template, row),
                        TIMESTAMP_COLUMN: row[column],
                    }
        elif shape.activities:
            activity = _activity(shape, row)
            if activity is None:
                dropped += 1
                continue
            yield {**row, ACTIVITY_COLUMN: activity}
        else:
            yield row
    if dropped:
        log.info("%d rows match no activity rule of the preset and are not events", dropped)


def _activity(shape: Reshape, row: Row) -> str | None:
    for rule in shape.activities:
        if all(row.get(c) in values for c, values in rule.when.items()) and all(
            row.get(c) for c in rule.present
        ):
            return _fill(rule.template, row)
    return None


def _fill(template: str, row: Row) -> str:
    return _PLACEHOLDER.sub(lambda m: row.get(m.group(1), ""), template).strip()


def _write(target: Path, columns: list[str], rows: Iterator[Row]) -> int:
    count = 0
    with atomic_output(target) as temp, temp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
