"""Mapping presets: shipped import mappings for the exports people already have.

A preset is a named :class:`~cojourney.events.mappings.ImportMapping` written for one
vendor export (a ServiceNow incident list, a Jira Service Management changelog, a
Qualtrics response file...), plus what a plain mapping cannot express and that export
needs: a **reshape** that turns the vendor file into one row per event before the
mapping applies. Each preset is a YAML file of this package (``NAME.yaml``) whose
header comment cites the vendor documentation page its columns follow; the file has
two YAML documents, the preset (title, documentation, reshape, fields the export may
lack) and, after ``---``, the mapping in the layout of a saved mapping file.

The reshapes (:mod:`cojourney.events.presets.apply`):

``skip_rows``
    rows after the header to drop (Qualtrics CSV files have two: the question texts
    and the ``ImportId`` row);
``records`` / ``prefixes``
    a JSON export: the path of nested lists whose innermost items are the rows
    (``issues`` → ``changelog.histories`` → ``items``), each level's fields
    flattened with dots under its prefix (``history.created``, ``item.toString``);
``milestones``
    a ticket export with one row per ticket: one event per non-empty timestamp
    column (``opened_at`` → "incident opened", ``resolved_at`` → "incident
    resolved"); the activity goes to the column ``preset_activity`` and the time to
    ``preset_timestamp``;
``derive``
    a column filled with the first non-empty of several (Zendesk writes ``via`` as
    a name or as an object whose ``channel`` is the name);
``time_zone_in_skipped_rows``
    the time zone of the timestamp column is in a skipped metadata row (Qualtrics
    writes ``{"ImportId":"recordedDate","timeZone":"Europe/Amsterdam"}``); it
    applies unless a time zone is given;
``activities``
    a changelog or audit export with one row per field change: the first rule that
    matches a row names its activity (``"status changed to {item.toString}"``) in
    ``preset_activity``; rows no rule matches are not events and are left out.

>>> "servicenow-incident" in list_presets()
True
>>> load_preset("servicenow-incident").columns.journey_id
'number'
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from cojourney.errors import InputError, Location, NotFound, Problem

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.mappings import ImportMapping

__all__ = [
    "ACTIVITY_COLUMN",
    "TIMESTAMP_COLUMN",
    "ActivityRule",
    "Preset",
    "Reshape",
    "get_preset",
    "list_presets",
    "load_preset",
]

#: Column of the reshaped file holding the activity a reshape names.
ACTIVITY_COLUMN = "preset_activity"
#: Column of the reshaped file holding the time of a milestone.
TIMESTAMP_COLUMN = "preset_timestamp"


@dataclass(frozen=True, slots=True)
class ActivityRule:
    """One rule naming the activity of a changelog row.

    Parameters
    ----------
    template
        The activity, with ``{column}`` replaced by the row's value.
    when
        ``{column: accepted values}``: the row matches when each column holds one of
        its values.
    present
        Columns that must be non-empty for the row to match.
    """

    template: str
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    present: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reshape:
    """How a vendor export becomes one row per event (see the module's docstring)."""

    source: str = "csv"
    skip_rows: int = 0
    records: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    milestones: Mapping[str, str] = field(default_factory=dict)
    activities: tuple[ActivityRule, ...] = ()
    derive: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    time_zone_in_skipped_rows: bool = False

    @property
    def needed(self) -> bool:
        """Whether the file must be rewritten before the mapping applies."""
        return bool(self.source != "csv" or self.skip_rows or self.milestones or self.activities)


@dataclass(frozen=True, slots=True)
class Preset:
    """A shipped mapping for one vendor export.

    Parameters
    ----------
    name
        The preset's name (its file is ``NAME.yaml``).
    title
        What export it is for, in words.
    documentation
        The vendor documentation pages the columns follow.
    mapping
        The mapping (named after the preset); with a reshape, its source columns
        are those of the reshaped file.
    reshape
        How the export becomes one row per event.
    needs
        ``{mapping field: how to provide it}`` for the fields the export may not
        hold (a survey's score columns, which are the survey's own).
    """

    name: str
    title: str
    documentation: tuple[str, ...]
    mapping: ImportMapping
    reshape: Reshape = field(default_factory=Reshape)
    needs: Mapping[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``"events"`` or ``"feedback"``."""
        return self.mapping.kind


def list_presets() -> list[str]:
    """Names of the shipped presets, sorted (cheap: the command line builds its choices
    from it at start-up)."""
    return sorted(_files())


def load_preset(name: str) -> ImportMapping:
    """The mapping of preset ``name``.

    Raises
    ------
    cojourney.errors.NotFound
        No such preset (the message lists the presets).
    """
    return get_preset(name).mapping


def get_preset(name: str) -> Preset:
    """The preset ``name``, with its reshape and documentation.

    Raises
    ------
    cojourney.errors.NotFound
        No such preset (the message lists the presets).
    """
    files = _files()
    if name not in files:
        raise NotFound(
            f"no preset named {name!r} (presets: {', '.join(sorted(files))}); "
            "see docs/presets.md for what each one maps"
        )
    return _parse(name, files[name])


@functools.cache
def _files() -> dict[str, str]:
    folder = resources.files(__name__)
    return {
        entry.name.removesuffix(".yaml"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


@functools.cache
def _parse(name: str, text: str) -> Preset:
    from ruamel.yaml import YAML

    from cojourney.events.mappings import ImportMapping

    source = f"presets/{name}.yaml"
    head, sep, body = text.partition("\n---\n")
    if not sep:
        raise InputError(Problem("a preset file needs two YAML documents", Location(source)))
    doc: Any = YAML(typ="safe").load(head)
    offset = head.count("\n") + 2
    mapping = ImportMapping.from_yaml("\n" * offset + body, name=name, source=source)
    shape = doc.get("reshape") or {}
    rules = tuple(
        ActivityRule(
            template=str(rule["template"]),
            when={
                str(k): tuple(str(v) for v in (vals if isinstance(vals, list) else [vals]))
                for k, vals in (rule.get("when") or {}).items()
            },
            present=tuple(str(c) for c in rule.get("present") or ()),
        )
        for rule in shape.get("activities") or ()
    )
    reshape = Reshape(
        source=str(shape.get("source", "csv")),
        skip_rows=int(shape.get("skip_rows", 0)),
        records=tuple(str(r) for r in shape.get("records") or ()),
        prefixes=tuple(str(p) for p in shape.get("prefixes") or ()),
        milestones={str(k): str(v) for k, v in (shape.get("milestones") or {}).items()},
        activities=rules,
        derive={
            str(k): tuple(str(c) for c in (v if isinstance(v, list) else [v]))
            for k, v in (shape.get("derive") or {}).items()
        },
        time_zone_in_skipped_rows=bool(shape.get("time_zone_in_skipped_rows", False)),
    )
    return Preset(
        name=name,
        title=str(doc["title"]),
        documentation=tuple(str(d) for d in doc.get("documentation") or ()),
        mapping=mapping,
        reshape=reshape,
        needs={str(k): str(v) for k, v in (doc.get("needs") or {}).items()},
    )
