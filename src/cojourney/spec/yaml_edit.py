"""Editing the workspace's YAML files in place, keeping everything that was not edited.

The web editor changes the model by *edit operations* on the YAML documents, not by
re-writing the model: each file is read in ruamel.yaml's round-trip mode, the
operations change only the nodes they address, and only the files they touched are
dumped again, so comments, key order, quoting and layout of everything else stay as
they were, and a team keeps reviewing journeys in git.

An operation addresses its place with a :class:`Target`: a collection (``journeys``,
``stakeholders``, ... or ``workspace`` for the workspace section), an item id and a
path inside the item. A path part is a mapping key, a list index, or, applied to a
list, the id of the list element with that ``id`` (``("touchpoints", "call", "channel")``
is the channel of touchpoint ``call``), so addresses stay valid while others reorder.

>>> docs = WorkspaceDocuments({"parties.yaml": "stakeholders:\\n  - id: a  # keep\\n    name: A\\n    kind: user\\n"})
>>> docs.apply(SetField(Target("stakeholders", "a", ("name",)), "Alpha"))
>>> print(docs.render()["parties.yaml"], end="")
stakeholders:
  - id: a  # keep
    name: Alpha
    kind: user

Each file's layout (indentation of mappings and sequences, ``---``, line ends) is
detected when it is read: the first layout whose dump reproduces the file byte for
byte is kept for writing it back. A file that no layout reproduces (for example a
long plain scalar folded over several lines by hand) is *normalised* the first time
it is edited; :attr:`YamlFile.faithful` tells which files are in that case.
"""

from __future__ import annotations

import contextlib
import enum
import io
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.representer import RepresenterError
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from cojourney.domain import COLLECTION_FILES
from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.files import atomic_output

__all__ = [
    "ID_LISTS",
    "AddItem",
    "AddSnapshot",
    "Edit",
    "MoveItem",
    "RemoveField",
    "RemoveItem",
    "SetField",
    "Target",
    "WorkspaceDocuments",
    "YamlFile",
    "path_text",
    "write_files",
]

log = logging.getLogger(__name__)

PathPart = str | int
WORKSPACE_SECTION = "workspace"
#: The layouts tried, in order, when a file is read: (mapping, sequence, offset) indents.
_LAYOUTS: tuple[tuple[int, int, int], ...] = (
    (2, 4, 2),
    (2, 2, 0),
    (4, 4, 2),
    (4, 6, 4),
    (4, 4, 0),
    (2, 2, 2),
    (3, 3, 1),
)
_WIDTH = 4096  # never fold a line the author did not fold


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


@dataclass
class YamlFile:
    """One YAML file of a workspace: its text, its parsed document and its layout."""

    name: str
    text: str
    data: Any
    layout: tuple[int, int, int] = _LAYOUTS[0]
    explicit_start: bool = False
    crlf: bool = False
    faithful: bool = True

    @classmethod
    def parse(cls, name: str, text: str) -> YamlFile:
        """Read ``text`` and find the layout that writes it back unchanged."""
        crlf = "\r\n" in text
        try:
            data = _yaml(_LAYOUTS[0]).load(text.replace("\r\n", "\n") if crlf else text)
        except YAMLError as exc:
            raise InputError(
                Problem(
                    f"cannot edit a file that is not valid YAML: {str(exc).splitlines()[0]}",
                    Location(name),
                    hint="fix the file (cojourney validate shows where), then edit again",
                )
            ) from None
        file = cls(name, text, data, crlf=crlf)
        for layout in _LAYOUTS:
            for start in (False, True):
                file.layout, file.explicit_start = layout, start
                if file.dump() == text:
                    return file
        file.layout, file.explicit_start, file.faithful = _LAYOUTS[0], text.startswith("---"), False
        log.info("%s: no layout reproduces it byte for byte; it is normalised when edited", name)
        return file

    def dump(self) -> str:
        """The file's text for its current document."""
        buffer = io.StringIO()
        yaml = _yaml(self.layout)
        yaml.explicit_start = self.explicit_start
        try:
            yaml.dump(self.data, buffer)
        except RepresenterError as exc:
            raise InputError(
                Problem(
                    f"a value cannot be written as YAML: {exc}",
                    Location(self.name),
                    expected="text, numbers, true/false, dates, lists and mappings",
                )
            ) from None
        text = buffer.getvalue()
        return text.replace("\n", "\r\n") if self.crlf else text


def _yaml(layout: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    yaml.width = _WIDTH
    yaml.allow_unicode = True
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


@dataclass
class WorkspaceDocuments:
    """The YAML files of a workspace (relative name -> text), with edits applied in memory.

    Files are parsed when an edit first needs them. :meth:`render` gives the new text of
    every file an edit changed (None for a file to delete); nothing else is dumped.
    """

    texts: dict[str, str]
    _files: dict[str, YamlFile] = field(default_factory=dict, init=False, repr=False)
    _changed: set[str] = field(default_factory=set, init=False, repr=False)
    _deleted: set[str] = field(default_factory=set, init=False, repr=False)

    @classmethod
    def read(cls, root: Path) -> WorkspaceDocuments:
        """The YAML files of the workspace folder ``root`` (as ``cojourney validate`` reads them)."""
        from cojourney.spec.loader import workspace_files

        texts = {
            p.relative_to(root).as_posix(): p.read_bytes().decode("utf-8")
            for p in workspace_files(root)
        }
        return cls(texts)

    # -- access ----------------------------------------------------------------------
    def file(self, name: str) -> YamlFile:
        """The parsed file ``name``."""
        if name not in self._files:
            self._files[name] = YamlFile.parse(name, self.texts[name])
        return self._files[name]

    def names(self) -> list[str]:
        """The files, sorted, without the deleted ones."""
        present = set(self.texts) | set(self._files)
        return sorted(present - self._deleted)

    def documents(self) -> Iterator[tuple[str, Any]]:
        for name in self.names():
            data = self.file(name).data
            if isinstance(data, CommentedMap):
                yield name, data

    def locate(self, collection: str, item: str | None) -> tuple[str, Any, list[Any], int]:
        """The file, the document, the list and the index that hold an item."""
        if collection == WORKSPACE_SECTION:
            for name, document in self.documents():
                if WORKSPACE_SECTION in document:
                    return name, document, [document[WORKSPACE_SECTION]], 0
            raise NotFound("the workspace has no 'workspace' section to edit")
        if collection not in COLLECTION_FILES:
            raise InputError(
                Problem(
                    f"unknown collection '{collection}'",
                    found=collection,
                    expected="one of: workspace, " + ", ".join(COLLECTION_FILES),
                )
            )
        found = self._search(collection, item, quick=True) or self._search(collection, item)
        if isinstance(found, tuple):
            return found
        raise NotFound(
            f"no item '{item}' in {collection}"
            + (f" (these exist: {', '.join(found[:20])})" if found else " (it has no items)")
        )

    def _search(
        self, collection: str, item: str | None, *, quick: bool = False
    ) -> tuple[str, Any, list[Any], int] | list[str]:
        """Find an item; ``quick`` skips unparsed files whose text cannot hold it."""
        known: list[str] = []
        for name in self.names():
            if quick and name not in self._files:
                text = self.texts.get(name, "")
                if str(item) not in text or not re.search(rf"^{collection}\s*:", text, re.M):
                    continue
            document = self.file(name).data
            if not isinstance(document, CommentedMap):
                continue
            items = document.get(collection)
            if not isinstance(items, list):
                continue
            for index, element in enumerate(items):
                if isinstance(element, Mapping) and element.get("id") == item:
                    return name, document, items, index
                if isinstance(element, Mapping) and isinstance(element.get("id"), str):
                    known.append(element["id"])
        return [] if quick else known

    def value(self, target: Target) -> Any:
        """The value at ``target`` as plain data (a KeyError-free read for diffs and tests)."""
        return _plain(self._node(target))

    def _node(self, target: Target) -> Any:
        _, _, items, index = self.locate(target.collection, target.item)
        node = items[index]
        for depth, part in enumerate(target.path):
            node = _child(node, part, target, depth)
        return node

    def _parent(self, target: Target) -> tuple[str, Any, PathPart]:
        """The file name, the container of the last path part, and that part."""
        name, _, items, index = self.locate(target.collection, target.item)
        if not target.path:
            return name, items, index
        node = items[index]
        for depth, part in enumerate(target.path[:-1]):
            node = _child(node, part, target, depth)
        last = target.path[-1]
        if isinstance(node, list) and isinstance(last, str):
            last = _index_of(node, last, target)
        return name, node, last

    # -- edits -------------------------------------------------------------------------
    def apply(self, edit: Edit) -> None:
        """Apply one edit in memory; raise a located error when its target does not exist."""
        if isinstance(edit, SetField):
            self._set(edit)
        elif isinstance(edit, RemoveField):
            name, parent, key = self._parent(edit.target)
            if not isinstance(parent, CommentedMap) or key not in parent:
                raise NotFound(f"{edit.target}: no such field to remove")
            del parent[key]
            self._changed.add(name)
        elif isinstance(edit, AddItem):
            self._add(edit)
        elif isinstance(edit, RemoveItem):
            self._remove(edit.target)
        elif isinstance(edit, MoveItem):
            self._move(edit)
        elif isinstance(edit, AddSnapshot):
            self._snapshot(edit)
        else:  # pragma: no cover - the union is closed
            raise TypeError(f"not an edit: {edit!r}")

    def _set(self, edit: SetField) -> None:
        if not edit.target.path:
            raise InputError(
                Problem(
                    f"{edit.target}: say which field to set",
                    hint="give a field path, or remove and add the item",
                )
            )
        name, parent, key = self._parent(edit.target)
        if isinstance(parent, list):
            if not isinstance(key, int) or not 0 <= key < len(parent):
                raise NotFound(f"{edit.target}: no such list element")
            parent[key] = _to_yaml(edit.value, like=parent[key], flow=_is_flow(parent))
        elif isinstance(parent, CommentedMap):
            old = parent.get(key)
            parent[key] = _to_yaml(edit.value, like=old, flow=_is_flow(parent))
        else:
            raise InputError(
                Problem(f"{edit.target}: the place above this field holds a single value")
            )
        self._changed.add(name)

    def _add(self, edit: AddItem) -> None:
        target = edit.target
        if target.item is None:
            self._add_top(target.collection, edit.value, edit.index)
            return
        name = self.locate(target.collection, target.item)[0]
        container = self._node(Target(target.collection, target.item, target.path[:-1]))
        last = target.path[-1] if target.path else None
        if not isinstance(container, CommentedMap) or not isinstance(last, str):
            raise InputError(Problem(f"{target}: not a list field of the item"))
        if container.get(last) is None:
            container[last] = CommentedSeq()
        items = container[last]
        if not isinstance(items, list):
            raise InputError(Problem(f"{target}: this field is not a list"))
        _insert(items, edit.value, edit.index, target)
        self._changed.add(name)

    def _add_top(self, collection: str, value: Any, index: int | None) -> None:
        if collection not in COLLECTION_FILES:
            self.locate(collection, None)  # raises the unknown-collection error
        for name, document in self.documents():
            items = document.get(collection)
            if collection in document and collection != "journeys":
                if items is None:
                    document[collection] = items = CommentedSeq()
                _insert(items, value, index, Target(collection))
                self._changed.add(name)
                return
        item_id = value.get("id") if isinstance(value, Mapping) else None
        if not isinstance(item_id, str) or not item_id:
            raise InputError(Problem(f"a new item of {collection} needs an 'id'"))
        name = COLLECTION_FILES[collection].format(id=item_id)
        if name in self.names():
            file = self.file(name)
            if not isinstance(file.data, CommentedMap):
                raise InputError(Problem(f"{name} is not a mapping of sections", Location(name)))
            if collection == "journeys" and file.data.get("journeys"):
                raise InputError(
                    Problem(
                        f"{name} already holds a journey",
                        Location(name),
                        hint="give the new journey another id",
                    )
                )
            file.data[collection] = CommentedSeq()
            _insert(file.data[collection], value, None, Target(collection))
        else:
            data = CommentedMap()
            data[collection] = CommentedSeq()
            _insert(data[collection], value, None, Target(collection))
            self._files[name] = YamlFile(name, "", data)
            self._deleted.discard(name)
        self._changed.add(name)

    def _remove(self, target: Target) -> None:
        name, parent, key = self._parent(target)
        if isinstance(parent, list):
            if not isinstance(key, int) or not 0 <= key < len(parent):
                raise NotFound(f"{target}: no such list element")
            order = [i for i in range(len(parent)) if i != key]
            with _comments_kept(parent, order):
                del parent[key]
        elif isinstance(parent, CommentedMap) and key in parent:
            del parent[key]
        else:
            raise NotFound(f"{target}: nothing to remove")
        self._changed.add(name)
        data = self.file(name).data
        if (
            target.collection == "journeys"
            and not target.path
            and isinstance(data, CommentedMap)
            and list(data) == ["journeys"]
            and not data["journeys"]
        ):
            self._deleted.add(name)

    def _move(self, edit: MoveItem) -> None:
        name, parent, key = self._parent(edit.target)
        if not isinstance(parent, list) or not isinstance(key, int):
            raise InputError(Problem(f"{edit.target}: only list elements can be moved"))
        if not 0 <= edit.index < len(parent):
            raise InputError(
                Problem(
                    f"{edit.target}: cannot move to place {edit.index}",
                    found=str(edit.index),
                    expected=f"a place from 0 to {len(parent) - 1}",
                )
            )
        if key == edit.index:
            return
        order = list(range(len(parent)))
        order.insert(edit.index, order.pop(key))
        with _comments_kept(parent, order):
            comment = parent.ca.items.pop(key, None) if isinstance(parent, CommentedSeq) else None
            element = parent[key]
            del parent[key]  # CommentedSeq renumbers the comments of the elements after it
            parent.insert(edit.index, element)
            if comment is not None and isinstance(parent, CommentedSeq):
                parent.ca.items[edit.index] = comment
        self._changed.add(name)

    def _snapshot(self, edit: AddSnapshot) -> None:
        target = Target("stakeholders", edit.stakeholder, ("snapshots",))
        stakeholder = self._node(Target("stakeholders", edit.stakeholder))
        snapshot: dict[str, Any] = {
            "date": edit.on,
            "influence": edit.influence,
            "interest": edit.interest,
        }
        if edit.note:
            snapshot["note"] = edit.note
        snapshots = stakeholder.get("snapshots") if isinstance(stakeholder, Mapping) else None
        if isinstance(snapshots, list):
            for index, old in enumerate(snapshots):
                if isinstance(old, Mapping) and str(old.get("date")) == edit.on.isoformat():
                    where = Target("stakeholders", edit.stakeholder, ("snapshots", index))
                    self._set(SetField(where, snapshot))
                    return
        self._add(AddItem(target, snapshot))

    # -- results -----------------------------------------------------------------------
    def changed(self) -> list[str]:
        """The files the edits changed (including new and deleted ones), sorted."""
        return sorted(self._changed | self._deleted)

    def render(self) -> dict[str, str | None]:
        """New text of each changed file (None: delete it); files an edit left alone are absent."""
        out: dict[str, str | None] = {}
        for name in self.changed():
            out[name] = None if name in self._deleted else self.file(name).dump()
        return out

    def edited_texts(self) -> dict[str, str]:
        """Every file's text after the edits (deleted files left out)."""
        texts = dict(self.texts)
        for name, text in self.render().items():
            if text is None:
                texts.pop(name, None)
            else:
                texts[name] = text
        return texts


# -- nodes ------------------------------------------------------------------------------
def _child(node: Any, part: PathPart, target: Target, depth: int) -> Any:
    if isinstance(node, list):
        index = _index_of(node, part, target) if isinstance(part, str) else part
        if 0 <= index < len(node):
            return node[index]
    elif isinstance(node, Mapping) and isinstance(part, str) and part in node:
        return node[part]
    where = Target(target.collection, target.item, target.path[: depth + 1])
    raise NotFound(f"{where}: no such field or element")


def _index_of(items: list[Any], element_id: str, target: Target) -> int:
    for index, element in enumerate(items):
        if isinstance(element, Mapping) and element.get("id") == element_id:
            return index
    known = [str(e.get("id")) for e in items if isinstance(e, Mapping) and "id" in e]
    raise NotFound(
        f"{target}: no element '{element_id}'"
        + (f" (these exist: {', '.join(known[:20])})" if known else "")
    )


def _insert(items: list[Any], value: Any, index: int | None, target: Target) -> None:
    place = len(items) if index is None else index
    if not 0 <= place <= len(items):
        raise InputError(
            Problem(
                f"{target}: cannot add at place {index}",
                found=str(index),
                expected=f"a place from 0 to {len(items)}",
            )
        )
    like = items[-1] if items else None
    node = _to_yaml(value, like=like, flow=_is_flow(items))
    order: list[int | None] = list(range(len(items)))
    order.insert(place, None)
    with _comments_kept(items, order):
        items.insert(place, node)


def _is_flow(node: Any) -> bool:
    return isinstance(node, (CommentedMap, CommentedSeq)) and bool(node.fa.flow_style())


def _plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _to_yaml(value: Any, *, like: Any = None, flow: bool = False) -> Any:
    """Plain data as round-trip nodes, in the style of the value it replaces (``like``)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, Mapping):
        node = CommentedMap()
        inner_flow = flow or _is_flow(like)
        for key, item in value.items():
            node[str(key)] = _to_yaml(item, flow=inner_flow)
        if inner_flow and not _has_multiline(node):
            node.fa.set_flow_style()
        return node
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq()
        inner_flow = flow or _is_flow(like)
        for item in value:
            seq.append(_to_yaml(item, flow=inner_flow))
        if inner_flow and not _has_multiline(seq):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        return LiteralScalarString(value) if not flow and _literal_ok(value) else str(value)
    return value


def _has_multiline(node: Any) -> bool:
    if isinstance(node, Mapping):
        return any(_has_multiline(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_multiline(v) for v in node)
    return isinstance(node, str) and "\n" in node


def _literal_ok(text: str) -> bool:
    """Whether ``text`` reads well, and reads back the same, as a ``|`` block."""
    if "\n" not in text or text.startswith((" ", "\n", "\t")):
        return False
    lines = text.split("\n")
    return all(line.isprintable() and line == line.rstrip() for line in lines) and not (
        text.endswith("\n\n")
    )


# -- comments between list elements ------------------------------------------------------
@contextlib.contextmanager
def _comments_kept(items: list[Any], order: Sequence[int | None]) -> Iterator[None]:
    """Keep comment lines with the element they precede while a list's elements change.

    ruamel.yaml attaches the comment lines *before* an element to the end of the element
    above it, and those after the list (often the heading of the next section) to its
    last element; an edit would move or drop them with the wrong element. This detaches
    them, lets the change happen, then puts each before the element it preceded (those
    after the list stay after it). ``order`` gives, for each position after the change,
    the position the element had before (None for a new element). A comment before a
    removed element goes with it; one before an element moved to the top stays
    between the first two elements.
    """
    count = len(items)
    before: dict[int, str] = {}
    for index in range(1, count):
        text = _cut_after(items, index - 1, with_end=False)
        if text:
            before[index] = text
    after = _cut_after(items, count - 1, with_end=True) if count else ""
    try:
        yield
    finally:
        pending = ""
        for position, old in enumerate(order):
            text = before.get(old, "") if old is not None else ""
            if position == 0:
                pending = text
                continue
            text, pending = pending + text, ""
            if text and position - 1 < len(items):
                _paste_after(items, position - 1, text)
        tail = pending + after
        if tail and items:
            _paste_after(items, len(items) - 1, tail)
        elif tail:
            log.info("a comment around an emptied list was dropped: %r", tail)
        for old in set(before) - {o for o in order if o is not None}:
            log.info("a comment before a removed element went with it: %r", before[old])


def _block(value: Any) -> bool:
    return isinstance(value, (CommentedMap, CommentedSeq)) and bool(value) and not _is_flow(value)


def _cut_after(items: list[Any], index: int, *, with_end: bool) -> str:
    """Detach the comment lines that follow element ``index`` (its own end-of-line comment stays)."""
    if not isinstance(items, CommentedSeq) or not 0 <= index < len(items):
        return ""
    value = items[index]
    text = _cut_inside(value) if _block(value) else _split_token(items.ca.items.get(index), 0)
    if with_end and items.ca.end:
        text += "".join(str(t.value) for t in items.ca.end if isinstance(t, CommentToken))
        items.ca.end = []
    return text


def _cut_inside(node: Any) -> str:
    if isinstance(node, CommentedMap) and node:
        key = list(node)[-1]
        value = node[key]
        text = _cut_inside(value) if _block(value) else _split_token(node.ca.items.get(key), 2)
        if node.ca.end:
            text += "".join(str(t.value) for t in node.ca.end if isinstance(t, CommentToken))
            node.ca.end = []
        return text
    if isinstance(node, CommentedSeq) and node:
        return _cut_after(node, len(node) - 1, with_end=True)
    return ""


def _paste_after(items: list[Any], index: int, text: str) -> None:
    if not isinstance(items, CommentedSeq):
        return
    value = items[index]
    if _block(value):
        _paste_inside(value, text)
    else:
        _join_token(items.ca.items.setdefault(index, [None, None, None, None]), 0, text)


def _paste_inside(node: Any, text: str) -> None:
    if isinstance(node, CommentedMap):
        key = list(node)[-1]
        value = node[key]
        if _block(value):
            _paste_inside(value, text)
        else:
            _join_token(node.ca.items.setdefault(key, [None, None, None, None]), 2, text)
    elif isinstance(node, CommentedSeq):
        _paste_after(node, len(node) - 1, text)


def _split_token(entry: list[Any] | None, slot: int) -> str:
    if not entry or len(entry) <= slot or not isinstance(entry[slot], CommentToken):
        return ""
    token = entry[slot]
    value = str(token.value)
    cut = value.find("\n")
    if cut < 0 or cut == len(value) - 1:
        return ""
    token.value = value[: cut + 1]
    return value[cut + 1 :]


def _join_token(entry: list[Any], slot: int, text: str) -> None:
    while len(entry) <= slot:
        entry.append(None)
    token = entry[slot]
    if isinstance(token, CommentToken):
        token.value = str(token.value) + text
    else:
        entry[slot] = CommentToken("\n" + text, CommentMark(0), None)


# -- writing ---------------------------------------------------------------------------
def write_files(root: Path, changes: Mapping[str, str | None]) -> list[Path]:
    """Write the changed files of one edit together: all or, on an error, none.

    Every new text is first written to a temporary file beside its target; only when
    all are complete are they renamed over their targets, one after the other, then
    the files to delete are removed. An error while writing the temporary files leaves
    every file as it was. A crash *between two renames* (a kill, a power cut) can
    leave some files new and some old: the workspace fingerprint then matches neither
    version, the next edit meets a conflict naming the files, and ``git diff`` or
    ``cojourney validate`` shows the state (the version is recorded only after all
    renames).
    """
    written: list[Path] = []
    with contextlib.ExitStack() as stack:
        for name, text in sorted(changes.items()):
            if text is None:
                continue
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = stack.enter_context(atomic_output(path))
            temp.write_bytes(text.encode("utf-8"))
            written.append(path)
    for name, text in sorted(changes.items()):
        if text is None:
            (root / name).unlink(missing_ok=True)
            written.append(root / name)
    return written
