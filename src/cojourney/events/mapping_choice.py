"""Choosing the saved import mapping for a file, and checking it against the file's columns.

Pure logic over a :class:`~cojourney.events.mappings.MappingLibrary` and a file's
column names, shared by the event and the feedback imports
(:mod:`cojourney.services.imports`): :func:`choose_mapping` picks the mapping (given,
named, from flags, the one saved mapping that fits, or the defaults),
:func:`refuse_flags` refuses flags of the other kind of log, and
:func:`check_columns` refuses, before anything is read, a mapping whose source
columns are not in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from cojourney.errors import ImportRejected, InputError, Location, Problem, location_in
from cojourney.events import schema as S
from cojourney.events.feedback_mapping import FEEDBACK_FLAGS, column_problems
from cojourney.events.mappings import (
    FEEDBACK_FORMATS,
    ImportMapping,
    MappingFlags,
    MappingLibrary,
    mapping_name_for,
)
from cojourney.events.readers.base import reader_for
from cojourney.events.store_ingest import file_columns

__all__ = ["Kind", "MappingOrigin", "check_columns", "choose_mapping", "refuse_flags"]

#: The kind of log an import is for.
Kind = Literal["events", "feedback"]
#: Where the mapping of an import came from.
MappingOrigin = Literal["given", "named", "flags", "saved", "default"]

_FORMATS = {"CSV": "csv", "Parquet": "parquet", "JSON Lines": "jsonl", "XES": "xes", "OCEL": "ocel"}
_FLAG_OF = {
    S.JOURNEY_ID: "mapping.columns.journey_id",
    S.ACTIVITY: "mapping.columns.activity",
    S.TIMESTAMP: "mapping.columns.timestamp",
    S.CHANNEL: "mapping.columns.channel",
    S.ACTOR: "mapping.columns.actor",
    S.ROLE: "mapping.columns.role",
    S.SEGMENT: "mapping.columns.segment",
    S.LIFECYCLE: "mapping.columns.lifecycle",
}


def choose_mapping(
    library: MappingLibrary,
    file: Path,
    mapping: str | ImportMapping | None,
    flags: MappingFlags,
    kind: Kind = "events",
) -> tuple[ImportMapping, MappingOrigin]:
    """The mapping to import ``file`` with, and where it came from.

    See :func:`cojourney.services.imports.import_events` for the rules. Raises
    :class:`InputError` when several saved mappings fit and none is named, or when
    the mapping is of another kind.
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
    fitting, _ = library.candidates(
        fmt or "", lambda m: file_columns(file, m.read_options()), kind=kind
    )
    if len(fitting) > 1:
        raise InputError(
            Problem(
                "several saved mappings fit this file",
                location_in(file),
                found=", ".join(m.name for m in fitting),
                expected="exactly one saved mapping whose source columns are all in the file",
                hint=f"choose one as import.mapping (the files are in {library.folder})",
            ),
            title=f"{file}: which mapping?",
        )
    if fitting:
        return fitting[0].with_flags(flags), ("saved" if flags.is_empty() else "flags")
    return fresh.with_flags(flags), ("default" if flags.is_empty() else "flags")


def refuse_flags(flags: MappingFlags, names: tuple[str, ...], kind: Kind) -> None:
    """Refuse the given ``flags`` among ``names`` (the mapping fields of the other kind)."""
    wrong = [n for n in flags.given() if n in names]
    if wrong:
        other = "feedback" if kind == "events" else "events"
        raise InputError(
            Problem(
                f"these mapping fields are for {other}, not for {kind}: {', '.join(wrong)}",
                Location(field=wrong[0]),
                found=", ".join(wrong),
                hint=f"drop them, or import the file as {other}"
                + (" (import.kind=feedback)" if other == "feedback" else ""),
            )
        )


def check_columns(
    mapping: ImportMapping,
    origin: MappingOrigin,
    columns: Sequence[str],
    file: Path,
    library: MappingLibrary,
    kind: Kind,
) -> None:
    """Refuse before reading when a source column of the mapping is not in the file.

    Raises :class:`~cojourney.errors.ImportRejected` with one problem per missing column.
    """
    if kind == "events":
        _check_event_columns(mapping, origin, columns, file, library)
    else:
        _check_feedback_columns(mapping, origin, columns, file, library)


def _complete(flags: MappingFlags, kind: Kind) -> bool:
    """Whether the flags name every required column (a new mapping, not a saved one)."""
    if kind == "events":
        return None not in (flags.journey_id, flags.activity, flags.timestamp)
    layout = (flags.question is not None and flags.score is not None) or bool(
        flags.score_columns or flags.text_columns
    )
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
        raise InputError(
            Problem(
                f"mapping {mapping.name!r} is for {mapping.kind}, not for {kind}",
                location_in(where, field="kind"),
                found=mapping.kind,
                expected=kind,
                hint=f"choose a {kind} mapping, or a new import.mapping name",
            )
        )


def _check_event_columns(
    mapping: ImportMapping,
    origin: MappingOrigin,
    columns: Sequence[str],
    file: Path,
    library: MappingLibrary,
) -> None:
    present = set(columns)
    sources = {name: getattr(mapping.columns, name) for name in _FLAG_OF}
    shown = ", ".join(columns) or "(none)"
    problems = []
    for name, flag in _FLAG_OF.items():
        src = sources[name] or (
            {
                S.JOURNEY_ID: S.XES_CASE,
                S.ACTIVITY: S.XES_ACTIVITY,
                S.TIMESTAMP: S.XES_TIMESTAMP,
            }.get(name)
        )
        if src is None or src in present:
            continue
        if origin == "default":
            hint = f"name the column with {flag} COLUMN"
        elif origin in ("named", "saved"):  # a file that exists: never one not yet written
            hint = f"pass {flag} COLUMN, or fix columns.{name} in {library.path_of(mapping.name)}"
        else:
            hint = f"pass {flag} COLUMN"
        problems.append(
            Problem(
                f"column {src!r} (for {name}) is not in the file",
                location_in(file, field=src),
                found=f"columns: {shown}",
                expected=src,
                hint=hint + " (names are case-sensitive)",
            )
        )
    if not problems:
        return
    if origin == "default":
        saved = library.names()
        title = f"{file}: no saved mapping fits and the columns are not the XES names" + (
            f" (saved mappings: {', '.join(saved)})" if saved else ""
        )
    else:
        title = f"{file}: the columns do not match the mapping {mapping.name!r}"
    raise ImportRejected(problems, title=title)


def _check_feedback_columns(
    mapping: ImportMapping,
    origin: MappingOrigin,
    columns: Sequence[str],
    file: Path,
    library: MappingLibrary,
) -> None:
    if (
        mapping.format not in (None, *FEEDBACK_FORMATS)
        or _FORMATS.get(reader_for(file).name) not in FEEDBACK_FORMATS
    ):
        return  # the ingest refuses the format itself
    saved = library.path_of(mapping.name) if origin in ("named", "saved") else None
    fix = {
        name: f"pass {flag} COLUMN" + (f", or fix columns.{name} in {saved}" if saved else "")
        for name, flag in FEEDBACK_FLAGS.items()
    }
    fb = mapping.feedback
    for section, flag in (
        ("score_columns", "mapping.score_columns"),
        ("text_columns", "mapping.text_columns"),
    ):
        for question in getattr(fb, section):
            fix[f"{section}.{question}"] = f"fix {flag} {question}=COLUMN" + (
                f", or {section} in {saved}" if saved else ""
            )
    problems = column_problems(fb.resolve(columns), columns, file, fix=fix)
    if not problems:
        return
    if origin == "default":
        names = library.names()
        title = (
            f"{file}: no saved feedback mapping fits and the columns are not the canonical "
            "names" + (f" (saved mappings: {', '.join(names)})" if names else "")
        )
    else:
        title = f"{file}: the columns do not match the mapping {mapping.name!r}"
    raise ImportRejected(problems, title=title)
