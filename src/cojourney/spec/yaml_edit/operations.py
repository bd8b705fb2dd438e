"""Edit operations: what a save changes, addressed by collection, item id and path."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cojourney.domain import COLLECTION_FILES
from cojourney.errors import InputError, Location, Problem

log = logging.getLogger(__name__)

PathPart = str | int
WORKSPACE_SECTION = "workspace"


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


#: The ``op`` names of :func:`edit_from_dict`.
OPERATIONS: dict[str, type] = {
    "set": SetField,
    "remove_field": RemoveField,
    "add": AddItem,
    "remove": RemoveItem,
    "move": MoveItem,
    "snapshot": AddSnapshot,
}


def edit_from_dict(data: Any) -> Edit:
    """An edit from its JSON form (what a page sends), or an :class:`InputError` saying what is wrong.

    ``{"op": "set", "collection": "journeys", "item": "j", "path": ["touchpoints", "t",
    "channel"], "value": "chat"}``; ``op`` is one of :data:`OPERATIONS`; ``add`` takes
    ``value`` and an optional ``index``, ``move`` an ``index``; ``snapshot`` takes
    ``stakeholder``, ``date`` (``YYYY-MM-DD``), ``influence``, ``interest`` and an
    optional ``note``.

    >>> edit_from_dict({"op": "move", "collection": "journeys", "item": "j",
    ...                 "path": ["steps", "s"], "index": 0})
    MoveItem(target=Target(collection='journeys', item='j', path=('steps', 's')), index=0)
    """
    if not isinstance(data, dict):
        raise _bad("an edit must be a mapping", found=type(data).__name__)
    op = data.get("op")
    if op not in OPERATIONS:
        raise _bad("unknown edit operation", field="op", found=repr(op))
    if op == "snapshot":
        try:
            on = date.fromisoformat(str(data.get("date")))
        except ValueError:
            raise _bad(
                "a snapshot needs a date", field="date", found=repr(data.get("date"))
            ) from None
        return AddSnapshot(
            _text(data, "stakeholder"),
            on,
            _whole(data, "influence"),
            _whole(data, "interest"),
            data.get("note") if isinstance(data.get("note"), str) else None,
        )
    path = data.get("path", [])
    if not isinstance(path, list) or not all(
        isinstance(p, (str, int)) and not isinstance(p, bool) for p in path
    ):
        raise _bad("'path' must be a list of field names, ids and indexes", field="path")
    item = data.get("item")
    if item is not None and not isinstance(item, str):
        raise _bad("'item' must be an id", field="item", found=repr(item))
    target = Target(_text(data, "collection"), item, tuple(path))
    if op == "set":
        if "value" not in data:
            raise _bad("'set' needs a 'value'", field="value")
        return SetField(target, data["value"])
    if op == "remove_field":
        return RemoveField(target)
    if op == "remove":
        return RemoveItem(target)
    if op == "move":
        return MoveItem(target, _whole(data, "index"))
    index = data.get("index")
    if index is not None:
        index = _whole(data, "index")
    return AddItem(target, data.get("value"), index)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise _bad(f"'{key}' must be a name", field=key, found=repr(value))
    return value


def _whole(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _bad(f"'{key}' must be a whole number", field=key, found=repr(value))
    return value


def _bad(message: str, *, field: str | None = None, found: str | None = None) -> InputError:
    return InputError(Problem(message, Location(field=field), found=found))
