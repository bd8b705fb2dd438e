"""The YAML files of a workspace with edits applied in memory."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cojourney.domain import COLLECTION_FILES
from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.spec.yaml_edit.nodes import (
    comments_kept,
    field_comments_kept,
    is_flow,
    plain_data,
    to_yaml,
)
from cojourney.spec.yaml_edit.operations import (
    WORKSPACE_SECTION,
    AddItem,
    AddSnapshot,
    Edit,
    MoveItem,
    PathPart,
    RemoveField,
    RemoveItem,
    SetField,
    Target,
)
from cojourney.spec.yaml_edit.yaml_file import YamlFile, hand_over

log = logging.getLogger(__name__)

#: The comment at the top of a file that an edit creates.
_NEW_FILE_HEADERS = {
    "journeys": "A journey: steps, touchpoints, interactions, designed path, gates.\n"
    "See docs/workspace-format.md.",
}


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
        return plain_data(self._node(target))

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
            with field_comments_kept(parent, str(key)):
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
            with comments_kept(parent, list(range(len(parent)))):
                parent[key] = to_yaml(edit.value, like=parent[key], flow=is_flow(parent))
        elif isinstance(parent, CommentedMap):
            old = parent.get(key)
            with field_comments_kept(parent, str(key)):
                parent[key] = to_yaml(edit.value, like=old, flow=is_flow(parent))
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
            data.yaml_set_start_comment(_NEW_FILE_HEADERS.get(collection, f"The {collection}."))
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
            with comments_kept(parent, order):
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
        with comments_kept(parent, order):
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
            out[name] = None if name in self._deleted else self.file(name).render()
        return out

    def hand_over(self, written: Mapping[str, str]) -> None:
        """After the edited texts were written, keep their documents for the next edit.

        ``written`` maps file names to the text written; this object must not be
        edited afterwards.
        """
        for name in self.changed():
            if name in self._files and name in written:
                hand_over(self._files[name], written[name])

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
    node = to_yaml(value, like=like, flow=is_flow(items))
    order: list[int | None] = list(range(len(items)))
    order.insert(place, None)
    with comments_kept(items, order):
        items.insert(place, node)
