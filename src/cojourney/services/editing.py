"""Editing the model from the web: edits written back to the YAML files, as versions.

:func:`apply_edits` is what an editor page calls to save. It

1. reads the workspace's YAML files and their *fingerprint* (:func:`fingerprint`: a
   sha256 over the sorted relative names and bytes of the files that
   ``cojourney validate`` reads); the editor got the fingerprint it started from from
   :func:`current_version`;
2. when the files changed since that base (another editor saved, or someone changed
   the YAML in git or an editor), compares the base with the current files item by
   item: if a change collides with this edit (:func:`conflicts`: the same element,
   such as the same touchpoint, even in another field; an item or list that holds
   it; or the order of a list this edit reorders) it raises :class:`Conflict`
   naming those changes, so the user can reload and re-apply; otherwise the edit is
   applied on top of the current files (a merge);
3. applies the edits in memory (:mod:`cojourney.spec.yaml_edit`) and validates the
   edited files with the same rules as ``cojourney validate``; on any problem it
   raises :class:`EditRejected`, each problem located by file, line and field and by
   item and field (:class:`FieldProblem`), and writes nothing;
4. checks once more that nobody changed those files meanwhile (else :class:`Conflict`),
   writes the changed files together, and records a version in the
   :class:`~cojourney.services.versions.VersionStore` when one is given.

The base texts are kept by :mod:`cojourney.services.edit_state` (in
``.cojourney/editing/`` of the workspace), so a base can be compared with the files
after the editor's page was opened. A base that is no longer known is treated as a
conflict (reload and re-apply).
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.errors import (
    CojourneyError,
    InputError,
    Location,
    NotFound,
    Problem,
    ValidationError,
)
from cojourney.files import output_error
from cojourney.services.edit_state import recall_base, remember_base, save_lock
from cojourney.services.handle import WorkspaceHandle, WorkspaceRef, as_handle
from cojourney.services.versions import (
    ORDER,
    Change,
    FileText,
    VersionRecord,
    VersionStore,
    file_diff,
    model_changes,
)
from cojourney.spec.yaml_edit import (
    ID_LISTS,
    AddItem,
    AddSnapshot,
    Edit,
    MoveItem,
    RemoveField,
    RemoveItem,
    SetField,
    Target,
    WorkspaceDocuments,
    write_files,
)

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.spec import ValidationReport

__all__ = [
    "Conflict",
    "EditRejected",
    "EditResult",
    "FieldProblem",
    "VersionDiff",
    "apply_edits",
    "conflicts",
    "current_version",
    "diff_versions",
    "fingerprint",
    "restore",
    "touched",
]

log = logging.getLogger(__name__)


class Conflict(CojourneyError):
    """The files changed since the editor's base at a place this edit changes too.

    ``changes`` says what changed (items and fields); ``current`` is the fingerprint
    to reload from. Nothing was written.
    """

    exit_code = 5
    http_status = 409

    def __init__(self, changes: Sequence[Change], *, current: str, unknown_base: bool = False):
        self.changes = list(changes)
        self.current = current
        if unknown_base:
            text = (
                "the workspace changed since this editor opened it, and that version is no "
                "longer known: reload the model and apply your change again"
            )
        else:
            listed = "; ".join(str(c) for c in self.changes[:10])
            more = f" (and {len(self.changes) - 10} more)" if len(self.changes) > 10 else ""
            text = (
                f"someone else changed what you are changing: {listed}{more}. "
                "Reload the model and apply your change again"
            )
        super().__init__(text)


@dataclass(frozen=True)
class FieldProblem:
    """A validation problem, also located by item and field for showing it next to the field."""

    problem: Problem
    target: Target | None


class EditRejected(ValidationError):
    """The edited model does not pass ``cojourney validate``; nothing was written."""

    def __init__(self, problems: list[FieldProblem]):
        self.located = problems
        super().__init__(
            [p.problem for p in problems],
            title=f"the edit was not saved: {len(problems)} problem"
            f"{'s' if len(problems) != 1 else ''} in the edited model",
        )


@dataclass(frozen=True)
class EditResult:
    """What a save did: the new fingerprint, what changed, the diff and the files written."""

    version: str
    base: str
    changes: list[Change]
    diff: str
    files: list[Path]
    merged_over: list[Change] = field(default_factory=list)
    record: VersionRecord | None = None

    @property
    def changed(self) -> bool:
        return bool(self.files)

    def summary(self) -> str:
        """The changes in words, one per line."""
        return "\n".join(str(c) for c in self.changes)


@dataclass(frozen=True)
class VersionDiff:
    """The difference between two recorded versions: files, a unified diff, changes in words."""

    a: int
    b: int
    files: list[str]
    diff: str
    changes: list[Change]

    def summary(self) -> str:
        return "\n".join(str(c) for c in self.changes)


# -- fingerprints -------------------------------------------------------------------------
def read_texts(root: Path) -> dict[str, str]:
    """The workspace's YAML files (relative POSIX name -> text), as ``cojourney validate`` reads them."""
    if not root.is_dir():
        raise NotFound(
            f"no workspace folder at {root} (create one with 'cojourney init DIR')"
            if not root.exists()
            else f"{root} is a file: editing needs the workspace folder that holds it"
        )
    try:
        return WorkspaceDocuments.read(root).texts
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem(
                "a workspace file is not UTF-8 text",
                Location(str(root)),
                found=str(exc.reason),
                hint="save the file as UTF-8",
            )
        ) from None


def fingerprint(texts: dict[str, str]) -> str:
    """sha256 over the sorted (relative name, content) pairs of a workspace's YAML files."""
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(texts[name].encode("utf-8")).digest())
    return digest.hexdigest()


def current_version(workspace: WorkspaceRef) -> str:
    """The fingerprint of the workspace's files now: an editor's ``base_version``.

    The files are remembered under that fingerprint, so a later save can tell what
    changed since.
    """
    handle = as_handle(workspace)
    texts = read_texts(handle.root)
    version = fingerprint(texts)
    remember_base(handle, version, texts)
    return version


# -- saving -------------------------------------------------------------------------------
def apply_edits(
    workspace: WorkspaceRef,
    edits: Sequence[Edit],
    *,
    base_version: str,
    author: str,
    message: str | None = None,
    versions: VersionStore | None = None,
) -> EditResult:
    """Apply ``edits`` made on ``base_version``, validate, write the YAML files, record a version.

    Raises
    ------
    Conflict
        the files changed since ``base_version`` at a place these edits touch.
    EditRejected
        the edited model breaks a rule of ``cojourney validate``.
    NotFound
        an edit names an item or element that does not exist.
    """
    handle = as_handle(workspace)
    with save_lock(handle):
        current = read_texts(handle.root)
        version = fingerprint(current)
        merged_over: list[Change] = []
        if base_version != version:
            base = recall_base(handle, base_version)
            if base is None:
                raise Conflict([], current=version, unknown_base=True)
            differ = {n for n in set(base) | set(current) if base.get(n) != current.get(n)}
            theirs = model_changes(
                {n: t for n, t in base.items() if n in differ},
                {n: t for n, t in current.items() if n in differ},
            )
            clashes = conflicts(theirs, edits)
            if clashes:
                raise Conflict(clashes, current=version)
            merged_over = theirs
            log.info("merging an edit over %d changes made since its base", len(theirs))
        documents = WorkspaceDocuments(dict(current))
        for edit in edits:
            documents.apply(edit)
        edited = documents.edited_texts()
        result = _save(
            handle,
            current,
            edited,
            author=author,
            message=message,
            versions=versions,
            merged_over=merged_over,
        )
        documents.hand_over(edited)  # the next edit of these files need not parse them
        return result


def conflicts(changes: Sequence[Change], edits: Sequence[Edit]) -> list[Change]:
    """The ``changes`` (made since an editor's base) that collide with that editor's ``edits``.

    Two changes collide when one place holds the other (a field and its removed item, a
    list and the order of its elements), or when both change the same element, such as
    the same touchpoint or stakeholder, even in different fields.
    """
    mine = [place for edit in edits for place in touched(edit)]
    return [c for c in changes if any(_overlap(c.place, p) for p in mine)]


def touched(edit: Edit) -> list[tuple[str | int, ...]]:
    """The places (collection, item, *path) an edit changes; a list's order is ``(..., '#order')``.

    Changes are compared by element id: an element addressed by its index instead
    stands for its whole list (two editors may see different elements at one index).
    """
    return [_by_id(place) for place in _places(edit)]


def _by_id(place: tuple[str | int, ...]) -> tuple[str | int, ...]:
    for index in range(1, len(place)):
        previous = place[index - 1]
        if isinstance(place[index], int) and isinstance(previous, str) and previous in ID_LISTS:
            return place[:index]
    return place


def _places(edit: Edit) -> list[tuple[str | int, ...]]:
    if isinstance(edit, (SetField, RemoveField, RemoveItem)):
        return [edit.target.key()]
    if isinstance(edit, MoveItem):
        key = edit.target.key()
        return [key, (*key[:-1], ORDER)] if edit.target.path else [key]
    if isinstance(edit, AddItem):
        new_id = edit.value.get("id") if isinstance(edit.value, dict) else None
        places = [(*edit.target.key(), new_id if isinstance(new_id, str) else ORDER)]
        if edit.index is not None:
            places.append((*edit.target.key(), ORDER))
        return places
    if isinstance(edit, AddSnapshot):
        return [("stakeholders", edit.stakeholder, "snapshots", edit.on.isoformat())]
    raise TypeError(f"not an edit: {edit!r}")  # pragma: no cover


def _overlap(a: tuple[str | int, ...], b: tuple[str | int, ...]) -> bool:
    """Whether two changes collide: one place holds the other (a field and its removed item,
    a list and its order), or both are fields of the same element (the same touchpoint)."""
    short = min(len(a), len(b))
    return a[:short] == b[:short] or _owner(a) == _owner(b)


def _owner(place: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The innermost element with an id that holds ``place`` (a list's order is its own)."""
    if not place or place[-1] == ORDER:
        return place
    if place[0] == "workspace":
        return place[:1]
    cut = min(len(place), 2)
    for index in range(2, len(place)):
        previous = place[index - 1]
        if isinstance(previous, str) and previous in ID_LISTS:
            cut = index + 1
    return place[:cut]


def _save(
    handle: WorkspaceHandle,
    current: dict[str, str],
    edited: dict[str, str],
    *,
    author: str,
    message: str | None,
    versions: VersionStore | None,
    merged_over: list[Change],
    restores: int | None = None,
) -> EditResult:
    """Validate ``edited``, write the files that differ from ``current``, record the version."""
    base = fingerprint(current)
    names = sorted(n for n in set(current) | set(edited) if current.get(n) != edited.get(n))
    if not names:
        return EditResult(base, base, [], "", [], merged_over)
    report, problems = _validated(handle, edited)
    if problems:
        raise EditRejected(problems)
    changes = model_changes(
        {n: current[n] for n in names if n in current}, {n: edited[n] for n in names if n in edited}
    )
    diff = file_diff(current, edited, names)
    _unchanged_since(handle.root, current, names)
    written = write_files(handle.root, {n: edited.get(n) for n in names})
    handle.adopt(report)  # the model just validated is the model of the files written
    version = fingerprint(edited)
    remember_base(handle, version, edited)
    record = None
    if versions is not None:
        record = versions.record(
            VersionRecord(
                number=0,
                author=author,
                time=datetime.now(UTC),
                message=message,
                changes=tuple(changes),
                diff=diff,
                files=tuple(FileText(n, current.get(n), edited.get(n)) for n in names),
                base=base,
                version=version,
                restores=restores,
            )
        )
    log.info("saved %d files of %s (%d changes)", len(written), handle.root, len(changes))
    return EditResult(version, base, changes, diff, written, merged_over, record)


def _unchanged_since(root: Path, read: dict[str, str], names: list[str]) -> None:
    """Refuse to replace a file that someone changed outside cojourney while this save ran."""
    now: dict[str, str] = {}
    for name in names:
        try:
            now[name] = (root / name).read_bytes().decode("utf-8")
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError):
            now[name] = ""
    before = {n: read[n] for n in names if n in read}
    if now != before:
        differ = sorted(n for n in names if now.get(n) != before.get(n))
        changes = model_changes(
            {n: t for n, t in before.items() if n in differ},
            {n: t for n, t in now.items() if n in differ},
        )
        raise Conflict(changes, current=fingerprint(read_texts(root)))


# -- validation, located by item and field ------------------------------------------------
def validation_problems(handle: WorkspaceHandle, texts: dict[str, str]) -> list[FieldProblem]:
    """Every problem ``cojourney validate`` finds in these files, located in the workspace."""
    return _validated(handle, texts)[1]


def _validated(
    handle: WorkspaceHandle, texts: dict[str, str]
) -> tuple[ValidationReport, list[FieldProblem]]:
    """The validation report of these files and its problems, located in the workspace.

    The files are staged in a temporary folder and checked like ``cojourney validate``;
    unchanged files are not parsed again (:func:`cojourney.spec.yaml_io.read_yaml`
    keeps parsed documents by content).
    """
    from cojourney.spec import validate_workspace

    temp_root = handle.settings.temp_dir
    try:
        staging = Path(tempfile.mkdtemp(prefix="cojourney-edit-", dir=temp_root))
    except OSError as exc:
        raise output_error(Path(temp_root or tempfile.gettempdir()), exc) from None
    try:
        for name, text in texts.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        report = validate_workspace(staging)
    except OSError as exc:
        raise output_error(staging, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    located = []
    for problem in report.problems:
        moved = _moved(problem, str(staging), str(handle.root))
        relative = _relative(problem.location.file, staging)
        target = None
        if relative is not None and problem.location.field and relative in texts:
            target = _target_of(problem.location.field, texts[relative])
        located.append(FieldProblem(moved, target))
    return report, located


def _moved(problem: Problem, old: str, new: str) -> Problem:
    def swap(text: str | None) -> str | None:
        return text.replace(old, new) if text is not None else None

    loc = problem.location
    return Problem(
        problem.message.replace(old, new),
        Location(swap(loc.file), loc.line, loc.column, loc.field),
        found=swap(problem.found),
        expected=swap(problem.expected),
        hint=swap(problem.hint),
    )


def _relative(file: str | None, root: Path) -> str | None:
    if file is None:
        return None
    try:
        return Path(file).relative_to(root).as_posix()
    except ValueError:
        return None


_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _target_of(field_text: str, text: str) -> Target | None:
    """The :class:`Target` of a problem's field path (``journeys[0].touchpoints[3].channel``)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from cojourney.spec.yaml_io import plain

    parts: list[str | int] = [
        int(m[2]) if m[2] is not None else m[1] for m in _FIELD_PART.finditer(field_text)
    ]
    if not parts or not isinstance(parts[0], str):
        return None
    collection = parts[0]
    if collection == "workspace":
        return Target("workspace", None, tuple(parts[1:]))
    if len(parts) < 2 or not isinstance(parts[1], int):
        return Target(collection)
    try:
        document = plain(YAML(typ="rt").load(text))
        node: Any = document[collection][parts[1]]
    except (YAMLError, KeyError, IndexError, TypeError):
        return Target(collection)
    item = node.get("id") if isinstance(node, dict) else None
    path: list[str | int] = []
    for part in parts[2:]:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            element_id = node.get("id") if isinstance(node, dict) else None
            path.append(element_id if isinstance(element_id, str) else part)
        elif isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        else:
            node = None
            path.append(part)
    return Target(collection, item if isinstance(item, str) else None, tuple(path))


# -- versions -----------------------------------------------------------------------------
def restore(
    workspace: WorkspaceRef,
    versions: VersionStore,
    number: int,
    author: str,
    *,
    message: str | None = None,
) -> EditResult:
    """Bring the model back to how it was right after version ``number``, as a new version.

    Every file that version ``number`` or a later one changed gets the text it had
    then (a file created later is removed). The restored model is validated like
    any edit; the new version says which version it restores.
    """
    handle = as_handle(workspace)
    versions.get(number)  # NotFound when there is no such version
    records = versions.list()
    names = {f.name for r in records if r.number >= number for f in r.files}
    with save_lock(handle):
        current = read_texts(handle.root)
        edited = dict(current)
        for name in sorted(names):
            known, text = _text_at(records, number, name)
            if not known:
                continue
            if text is None:
                edited.pop(name, None)
            else:
                edited[name] = text
        return _save(
            handle,
            current,
            edited,
            author=author,
            message=message or f"restore version {number}",
            versions=versions,
            merged_over=[],
            restores=number,
        )


def diff_versions(versions: VersionStore, a: int, b: int) -> VersionDiff:
    """What changed from version ``a`` to version ``b`` (0 is the model before version 1).

    Compares the files the versions in between changed, as cojourney recorded them
    (edits made outside cojourney between two versions are not seen).
    """
    for number in (a, b):
        if number != 0:
            versions.get(number)
    records = versions.list()
    low, high = sorted((a, b))
    names = sorted({f.name for r in records if low < r.number <= high for f in r.files})
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for name in names:
        for number, texts in ((a, before), (b, after)):
            known, text = _text_at(records, number, name)
            if known and text is not None:
                texts[name] = text
    return VersionDiff(a, b, names, file_diff(before, after, names), model_changes(before, after))


def _text_at(records: Sequence[VersionRecord], number: int, name: str) -> tuple[bool, str | None]:
    """(known, text) of file ``name`` right after version ``number`` (None: it did not exist)."""
    earlier = [r for r in records if r.number <= number and any(f.name == name for f in r.files)]
    if earlier:
        return True, next(f.after for f in earlier[-1].files if f.name == name)
    later = [r for r in records if r.number > number and any(f.name == name for f in r.files)]
    if later:
        return True, next(f.before for f in later[0].files if f.name == name)
    return False, None
