"""Versions of a workspace's model: every edit is one, kept by a :class:`VersionStore`.

A :class:`VersionRecord` says who changed what, when and why, holds a readable diff,
and keeps the full text of each changed YAML file before and after the edit, so that
any version can be restored and any two versions compared without a database.

The store is a small protocol so the web app can keep versions in its database while
tests and single users keep them in memory (:class:`InMemoryVersionStore`) or in a
folder of JSON files (:class:`FileVersionStore`)::

    record(version) -> VersionRecord   # numbers it (1, 2, ...) and keeps it
    list(collection=None, item=None)    # oldest first; only those touching an item
    get(number) -> VersionRecord        # or NotFound

A store numbers versions itself: the record passed to ``record`` has ``number=0``.
"""

from __future__ import annotations

import builtins
import difflib
import functools
import json
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.files import output_error
from cojourney.spec.yaml_edit import path_text

__all__ = [
    "Change",
    "FileText",
    "FileVersionStore",
    "InMemoryVersionStore",
    "VersionRecord",
    "VersionStore",
    "file_diff",
    "model_changes",
]

ChangeKind = Literal["added", "removed", "changed", "reordered"]
#: The path part that stands for the order of a list's elements.
ORDER = "#order"


def jsonable(value: Any) -> Any:
    """``value`` with dates as ISO text and tuples as lists (what JSON keeps)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Change:
    """One changed item or field of the model, in words by ``str()``.

    ``path`` is the place inside the item (keys, and ids of list elements); a path
    ending in :data:`ORDER` means the order of that list changed.
    """

    collection: str
    item: str | None
    path: tuple[str | int, ...]
    kind: ChangeKind
    before: Any = None
    after: Any = None

    @property
    def place(self) -> tuple[str | int, ...]:
        """(collection, item, *path): where the change is, for comparing with an edit's places."""
        head: tuple[str | int, ...] = (self.collection,)
        return head + ((self.item,) if self.item is not None else ()) + self.path

    def __str__(self) -> str:
        where = self.collection if self.item is None else f"{self.collection}[{self.item}]"
        inner = tuple(p for p in self.path if p != ORDER)
        if inner:
            where += "." + path_text(inner)
        if self.kind == "reordered":
            return f"{where}: order changed ({', '.join(map(str, self.before or []))} -> {', '.join(map(str, self.after or []))})"
        if self.kind == "added":
            return f"{where}: added" + ("" if not self.path else f" ({_short(self.after)})")
        if self.kind == "removed":
            return f"{where}: removed" + ("" if not self.path else f" (was {_short(self.before)})")
        return f"{where}: {_short(self.before)} -> {_short(self.after)}"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        return cls(
            data["collection"],
            data["item"],
            tuple(data["path"]),
            data["kind"],
            data.get("before"),
            data.get("after"),
        )


@dataclass(frozen=True)
class FileText:
    """A YAML file (relative name) before and after a version; None: it did not exist."""

    name: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class VersionRecord:
    """One version of the model: who, when (UTC), why, what changed and the files."""

    number: int
    author: str
    time: datetime
    message: str | None
    changes: tuple[Change, ...]
    diff: str
    files: tuple[FileText, ...]
    base: str = ""
    version: str = ""
    restores: int | None = None

    def touches(self, collection: str | None = None, item: str | None = None) -> bool:
        """Whether this version changed ``item`` of ``collection`` (any item when None)."""
        return any(
            (collection is None or c.collection == collection) and (item is None or c.item == item)
            for c in self.changes
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["time"] = self.time.isoformat()
        data["changes"] = [jsonable(asdict(c)) for c in self.changes]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VersionRecord:
        return cls(
            number=int(data["number"]),
            author=str(data["author"]),
            time=datetime.fromisoformat(data["time"]),
            message=data.get("message"),
            changes=tuple(Change.from_json(c) for c in data.get("changes", [])),
            diff=str(data.get("diff", "")),
            files=tuple(FileText(**f) for f in data.get("files", [])),
            base=str(data.get("base", "")),
            version=str(data.get("version", "")),
            restores=data.get("restores"),
        )


@runtime_checkable
class VersionStore(Protocol):
    """Where versions are kept. Numbers start at 1 and grow by one per recorded version."""

    def record(self, version: VersionRecord) -> VersionRecord:
        """Keep ``version`` (its ``number`` is ignored) and return it with its number."""
        ...

    def list(
        self, collection: str | None = None, item: str | None = None
    ) -> builtins.list[VersionRecord]:
        """The versions, oldest first; with ``collection``/``item``, those that changed it."""
        ...

    def get(self, number: int) -> VersionRecord:
        """Version ``number``, or :class:`~cojourney.errors.NotFound`."""
        ...


def _missing(number: int, count: int) -> NotFound:
    known = f"versions 1 to {count} exist" if count else "no version is recorded yet"
    return NotFound(f"no version {number} ({known})")


@dataclass
class InMemoryVersionStore:
    """Versions in memory: for tests and short-lived use."""

    _records: builtins.list[VersionRecord] = field(default_factory=builtins.list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, version: VersionRecord) -> VersionRecord:
        with self._lock:
            numbered = replace(version, number=len(self._records) + 1)
            self._records.append(numbered)
            return numbered

    def list(
        self, collection: str | None = None, item: str | None = None
    ) -> builtins.list[VersionRecord]:
        with self._lock:
            return [r for r in self._records if _selected(r, collection, item)]

    def get(self, number: int) -> VersionRecord:
        with self._lock:
            if 1 <= number <= len(self._records):
                return self._records[number - 1]
            raise _missing(number, len(self._records))


@dataclass
class FileVersionStore:
    """Versions as JSON files ``000001.json``, ``000002.json``, ... in ``folder``.

    Two writers never get the same number: a version file is written to a temporary
    name and hard-linked to its numbered name, which fails if that name exists, and
    the writer then takes the next number.
    """

    folder: Path

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)

    def _numbers(self) -> builtins.list[int]:
        if not self.folder.is_dir():
            return []
        return sorted(int(p.stem) for p in self.folder.glob("*.json") if p.stem.isdigit())

    def record(self, version: VersionRecord) -> VersionRecord:
        try:
            return self._record(version)
        except OSError as exc:
            raise output_error(self.folder, exc) from None

    def _record(self, version: VersionRecord) -> VersionRecord:
        self.folder.mkdir(parents=True, exist_ok=True)
        number = (self._numbers() or [0])[-1] + 1
        fd, name = tempfile.mkstemp(prefix=".version.", suffix=".tmp", dir=self.folder)
        temp = Path(name)
        try:
            while True:
                numbered = replace(version, number=number)
                with os.fdopen(os.dup(fd), "w", encoding="utf-8") as handle:
                    handle.seek(0)
                    handle.truncate()
                    json.dump(numbered.to_json(), handle, ensure_ascii=False, indent=1)
                    handle.flush()
                    os.fsync(handle.fileno())
                try:
                    os.link(temp, self.folder / f"{number:06d}.json")
                    return numbered
                except FileExistsError:
                    number += 1
        finally:
            os.close(fd)
            temp.unlink(missing_ok=True)

    def list(
        self, collection: str | None = None, item: str | None = None
    ) -> builtins.list[VersionRecord]:
        records = [self.get(n) for n in self._numbers()]
        return [r for r in records if _selected(r, collection, item)]

    def get(self, number: int) -> VersionRecord:
        path = self.folder / f"{number:06d}.json"
        try:
            return VersionRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise _missing(number, len(self._numbers())) from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                Problem(
                    f"version {number} cannot be read: {exc}",
                    Location(str(path)),
                    hint="restore the file from a backup or remove it",
                )
            ) from None


def _selected(record: VersionRecord, collection: str | None, item: str | None) -> bool:
    return (collection is None and item is None) or record.touches(collection, item)


# -- what changed between two sets of files -------------------------------------------------
def file_diff(before: dict[str, str], after: dict[str, str], names: Iterable[str]) -> str:
    """A unified diff (``git diff`` style, per file) of ``names`` between two sets of texts."""
    parts: builtins.list[str] = []
    for name in sorted(set(names)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        parts.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=f"a/{name}" if old is not None else "/dev/null",
                tofile=f"b/{name}" if new is not None else "/dev/null",
            )
        )
        if parts and not parts[-1].endswith("\n"):
            parts[-1] += "\n\\ No newline at end of file\n"
    return "".join(parts)


def model_changes(before: dict[str, str], after: dict[str, str]) -> builtins.list[Change]:
    """The items and fields that differ between two sets of YAML texts (file name -> text).

    Items are matched by collection and id wherever they live, so moving an item to
    another file is no change; list elements with ids (steps, touchpoints, snapshots
    ...) are matched by id, and a change of their order is one ``reordered`` change.
    """
    old, new = _items(before), _items(after)
    changes: builtins.list[Change] = []
    for key in [*old, *(k for k in new if k not in old)]:
        collection, item = key
        if key not in new:
            changes.append(Change(collection, item, (), "removed", before=jsonable(old[key])))
        elif key not in old:
            changes.append(Change(collection, item, (), "added", after=jsonable(new[key])))
        else:
            _compare(old[key], new[key], (), collection, item, changes)
    return changes


@functools.lru_cache(maxsize=64)
def _document(text: str) -> tuple[bool, Any]:
    """(parsed, plain data) of a YAML text; kept, since a save's 'after' is the next one's 'before'.

    Callers must not change the data returned.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from cojourney.spec.yaml_io import plain

    try:
        return True, plain(YAML(typ="rt").load(text))
    except YAMLError:
        return False, None


def _items(texts: dict[str, str]) -> dict[tuple[str, str | None], Any]:
    items: dict[tuple[str, str | None], Any] = {}
    for name in sorted(texts):
        parsed, document = _document(texts[name])
        if not parsed:
            items[("file", name)] = texts[name]  # not YAML: compared as text
            continue
        if not isinstance(document, dict):
            items[("file", name)] = document
            continue
        for key, value in document.items():
            if key == "workspace":
                items[("workspace", None)] = value
            elif isinstance(value, list):
                for index, element in enumerate(value):
                    element_id = element.get("id") if isinstance(element, dict) else None
                    place = element_id if isinstance(element_id, str) else f"{name}#{index}"
                    items[(key, place)] = element
            else:
                items[(key, f"{name}#")] = value
    return items


def _ids(value: Any) -> builtins.list[str] | None:
    if not isinstance(value, list):
        return None
    ids = [e.get("id") if isinstance(e, dict) else None for e in value]
    if not ids or not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
        return None
    return [str(i) for i in ids]


def _compare(
    old: Any,
    new: Any,
    path: tuple[str | int, ...],
    collection: str,
    item: str | None,
    changes: builtins.list[Change],
) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            here = (*path, key)
            if key not in new:
                changes.append(Change(collection, item, here, "removed", before=jsonable(old[key])))
            elif key not in old:
                changes.append(Change(collection, item, here, "added", after=jsonable(new[key])))
            else:
                _compare(old[key], new[key], here, collection, item, changes)
        return
    old_ids, new_ids = _ids(old), _ids(new)
    if old_ids is not None and new_ids is not None:
        by_old = dict(zip(old_ids, old, strict=True))
        by_new = dict(zip(new_ids, new, strict=True))
        for element_id in [*old_ids, *(i for i in new_ids if i not in by_old)]:
            here = (*path, element_id)
            if element_id not in by_new:
                changes.append(
                    Change(collection, item, here, "removed", before=jsonable(by_old[element_id]))
                )
            elif element_id not in by_old:
                changes.append(
                    Change(collection, item, here, "added", after=jsonable(by_new[element_id]))
                )
            else:
                _compare(by_old[element_id], by_new[element_id], here, collection, item, changes)
        kept_old = [i for i in old_ids if i in by_new]
        kept_new = [i for i in new_ids if i in by_old]
        if kept_old != kept_new:
            changes.append(
                Change(collection, item, (*path, ORDER), "reordered", kept_old, kept_new)
            )
        return
    if old != new:
        changes.append(Change(collection, item, path, "changed", jsonable(old), jsonable(new)))
