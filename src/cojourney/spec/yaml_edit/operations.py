"""Edit operations: what a save changes, addressed by collection, item id and path."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cojourney.domain import COLLECTION_FILES

log = logging.getLogger(__name__)

PathPart = str | int
WORKSPACE_SECTION = "workspace"
#: The layouts tried, in order, when a file is read: (mapping, sequence, offset) indents.


def path_text(path: Sequence[PathPart]) -> str:
    """``("touchpoints", "call", "channel")`` as ``touchpoints[call].channel``."""
    text = ""
    previous: PathPart | None = None
    for part in path:
        if isinstance(part, int) or (isinstance(previous, str) and previous in ID_LISTS):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
        previous = None if isinstance(part, int) or text.endswith("]") else part
    return text


#: Fields whose value is a list of elements with ids: in a path, a string after one is an id.
ID_LISTS = frozenset(
    {"steps", "touchpoints", "interactions", "gates", "snapshots"} | set(COLLECTION_FILES)
)


@dataclass(frozen=True)
class Target:
    """Where an edit applies: ``collection``, an item ``item`` id and a ``path`` inside it."""

    collection: str
    item: str | None = None
    path: tuple[PathPart, ...] = ()

    def __str__(self) -> str:
        where = self.collection if self.item is None else f"{self.collection}[{self.item}]"
        return f"{where}.{path_text(self.path)}" if self.path else where

    def key(self) -> tuple[PathPart, ...]:
        """The target as one tuple (collection, item, *path), for comparing places."""
        head: tuple[PathPart, ...] = (self.collection,)
        return head + ((self.item,) if self.item is not None else ()) + self.path


@dataclass(frozen=True)
class SetField:
    """Set the value at ``target`` (a field, a nested field or a list element)."""

    target: Target
    value: Any


@dataclass(frozen=True)
class RemoveField:
    """Remove the field at ``target`` (an optional field goes back to its default)."""

    target: Target


@dataclass(frozen=True)
class AddItem:
    """Add ``value`` to the list at ``target`` (``Target("personas")`` or a nested list).

    ``index`` is the place in that list (None: at the end). A new journey gets its own
    file ``journeys/<id>.yaml``; an item of another collection goes to the file that
    already holds that collection, else to the conventional file.
    """

    target: Target
    value: Any
    index: int | None = None


@dataclass(frozen=True)
class RemoveItem:
    """Remove the item or list element at ``target`` (a journey's file goes with it)."""

    target: Target


@dataclass(frozen=True)
class MoveItem:
    """Move the list element at ``target`` to ``index`` within the same list."""

    target: Target
    index: int


@dataclass(frozen=True)
class AddSnapshot:
    """Record where a stakeholder sits on the influence/interest map on ``on`` (a date).

    A snapshot of the same date is replaced (dragging twice on one day keeps one).
    """

    stakeholder: str
    on: date
    influence: int
    interest: int
    note: str | None = None


Edit = SetField | RemoveField | AddItem | RemoveItem | MoveItem | AddSnapshot
