"""Loading a workspace folder: schema and cross-reference checks with file:line:column.

A workspace is a folder of YAML files (``*.yaml``/``*.yml``, sub-folders included,
except hidden folders and ``data/``, which holds event stores and import mappings).
Each file is a mapping whose top-level keys are ``workspace`` (once in the whole
folder) and any of the collections in :data:`cojourney.domain.COLLECTION_FILES`.
Items are validated one by one, so that every problem of every file is reported
in one run; then the whole model's cross-references are checked. Items keep the
order of the files (sorted by path) and of each file, except journeys, which
are ordered by id (they live one per file).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from cojourney.domain import Workspace, WorkspaceInfo, check_references
from cojourney.errors import Location, NotFound, Problem, ValidationError
from cojourney.spec import model_cache
from cojourney.spec.fields import field_names, item_model, model_at, suggestion
from cojourney.spec.yaml_io import key_position, plain, position, read_yaml
from cojourney.yamlio import link_outside, link_problem

log = logging.getLogger(__name__)

COLLECTIONS: tuple[str, ...] = tuple(n for n in Workspace.model_fields if n != "workspace")
TOP_LEVEL_KEYS: tuple[str, ...] = ("workspace", *COLLECTIONS)
SKIPPED_FOLDERS = frozenset({"data"})
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class _Origin:
    file: str
    document: Any
    prefix: tuple[str | int, ...]


@dataclass
class ValidationReport:
    """The outcome of checking a workspace: the model (when sound) and every problem."""

    root: Path
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    workspace: Workspace | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def workspace_files(root: Path) -> list[Path]:
    """The YAML files of a workspace folder, in a stable order.

    Linked folders are not walked into (see :func:`workspace_links`).
    """
    if root.is_file():
        return [root]
    return [path for path in _entries(root) if path.is_file() and path.suffix in YAML_SUFFIXES]


def workspace_links(root: Path) -> list[Problem]:
    """A problem for each symbolic link of the workspace that leads outside it.

    Links to YAML files and to folders are checked (those are what the workspace
    reads or would walk); links that stay inside the workspace are allowed.
    """
    if root.is_file():
        return []
    problems = []
    for path in _entries(root):
        if not path.is_symlink() or not (path.suffix in YAML_SUFFIXES or path.is_dir()):
            continue
        target = link_outside(path, root)
        if target is not None:
            problems.append(link_problem(str(path), target, root))
    return problems


def _entries(root: Path) -> list[Path]:
    """Every file and folder of the workspace but hidden ones and ``data/``, sorted."""
    entries = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(p.startswith(".") for p in rel) or (rel and rel[0] in SKIPPED_FOLDERS):
            continue
        entries.append(path)
    return entries


def _path_text(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _short(value: Any, limit: int = 80) -> str:
    text = repr(plain(value)) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.items: dict[str, list[Any]] = {c: [] for c in COLLECTIONS}
        self.origins: dict[str, list[_Origin]] = {c: [] for c in COLLECTIONS}
        self.failed_ids: dict[str, set[str]] = {c: set() for c in COLLECTIONS}
        self.info: WorkspaceInfo | None = None
        self.info_origin: _Origin | None = None

    def display(self, path: Path) -> str:
        return str(path)

    def problem_at(
        self,
        file: str,
        document: Any,
        path: tuple[str | int, ...],
        message: str,
        *,
        found: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
        at_key: bool = False,
    ) -> None:
        line, column = (key_position if at_key else position)(document, path)
        self.problems.append(
            Problem(
                message,
                Location(file, line, column, _path_text(path) or None),
                found=found,
                expected=expected,
                hint=hint,
            )
        )

    # --- per file ----------------------------------------------------------------------
    def load_document(self, name: str, document: Any) -> None:
        if not isinstance(document, dict):
            self.problems.append(
                Problem(
                    "a workspace file must be a mapping of sections",
                    Location(name, 1, 1),
                    found=type(document).__name__,
                    expected=f"keys among: {', '.join(TOP_LEVEL_KEYS)}",
                )
            )
            return
        for key, value in document.items():
            key = str(key)
            if key == "workspace":
                self.load_info(name, document, value)
            elif key in COLLECTIONS:
                self.load_collection(name, document, key, value)
            else:
                self.problem_at(
                    name,
                    document,
                    (key,),
                    f"unknown section '{key}'",
                    found=key,
                    expected=f"one of: {', '.join(TOP_LEVEL_KEYS)}",
                    hint=suggestion(key, list(TOP_LEVEL_KEYS)),
                    at_key=True,
                )

    def load_info(self, name: str, document: Any, value: Any) -> None:
        if self.info_origin is not None:
            self.problem_at(
                name,
                document,
                ("workspace",),
                "a second 'workspace' section",
                expected=f"one 'workspace' section in the folder (first in {self.info_origin.file})",
                hint="merge the two sections",
                at_key=True,
            )
            return
        self.info_origin = _Origin(name, document, ())
        model = self.validate(name, document, ("workspace",), WorkspaceInfo, value)
        if model is not None:
            assert isinstance(model, WorkspaceInfo)
            self.info = model

    def load_collection(self, name: str, document: Any, key: str, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.problem_at(
                name,
                document,
                (key,),
                f"'{key}' must be a list of items",
                found=type(plain(value)).__name__,
                expected="a YAML list ('- id: ...' entries)",
            )
            return
        model_cls = item_model(Workspace.model_fields[key].annotation)
        for index, raw in enumerate(value):
            item = self.validate(name, document, (key, index), model_cls, raw)
            if item is None:
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    self.failed_ids[key].add(raw["id"])
                continue
            self.items[key].append(item)
            self.origins[key].append(_Origin(name, document, (key, index)))

    def validate(
        self,
        name: str,
        document: Any,
        prefix: tuple[str | int, ...],
        model_cls: type[BaseModel],
        raw: Any,
    ) -> BaseModel | None:
        """Validate one item; report its errors, then salvage what is sound for later checks."""
        try:
            return model_cls.model_validate(plain(raw))
        except PydanticError as exc:
            errors = exc.errors(include_url=False)
        for error in errors:
            self.pydantic_problem(name, document, prefix, model_cls, error)
        salvaged, dropped_ids = salvage(model_cls, plain(raw), errors)
        for dropped in dropped_ids:
            for ids in self.failed_ids.values():
                ids.add(dropped)
        return salvaged

    def pydantic_problem(
        self,
        name: str,
        document: Any,
        prefix: tuple[str | int, ...],
        model_cls: type[BaseModel],
        error: Any,
    ) -> None:
        loc = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
        path = (*prefix, *loc)
        kind = error["type"]
        if kind == "extra_forbidden":
            owner = model_at(model_cls, loc[:-1])
            allowed = field_names(owner) if owner else []
            bad = str(loc[-1])
            self.problem_at(
                name,
                document,
                path,
                f"unknown field '{bad}'",
                found=bad,
                expected=f"a field of {owner.__name__ if owner else 'this item'}: "
                + ", ".join(allowed),
                hint=suggestion(bad, allowed) or "remove it or fix its name",
                at_key=True,
            )
        elif kind == "missing":
            owner = model_at(model_cls, loc[:-1])
            self.problem_at(
                name,
                document,
                path[:-1],
                f"missing required field '{loc[-1]}'",
                expected=f"'{loc[-1]}' in this {owner.__name__ if owner else 'item'}",
                hint=f"add '{loc[-1]}: ...'",
            )
        elif "expected" in (error.get("ctx") or {}):
            choices = [
                c.strip(" '")
                for c in str(error["ctx"]["expected"]).replace(" or ", ", ").split(",")
            ]
            found = error.get("input")
            self.problem_at(
                name,
                document,
                path,
                f"'{loc[-1]}' is not one of the allowed values",
                found=_short(found),
                expected=_expected(error),
                hint=suggestion(str(found), choices) if isinstance(found, str) else None,
            )
        else:
            message = error["msg"]
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            self.problem_at(
                name,
                document,
                path,
                f"invalid value: {message[0].lower() + message[1:]}",
                found=_short(error.get("input")),
                expected=_expected(error),
            )

    # --- whole workspace -----------------------------------------------------------------
    def assemble(self) -> Workspace | None:
        if self.info is None:
            if self.info_origin is None:
                target = self.root / "workspace.yaml" if self.root.is_dir() else self.root
                self.problems.append(
                    Problem(
                        "the workspace has no 'workspace' section",
                        Location(self.display(target)),
                        expected="a 'workspace:' mapping with at least 'id' and 'name'",
                        hint="add workspace.yaml (run 'cojourney init' to see a complete one)",
                    )
                )
            return None
        # journeys live one per file: order them by id, whatever the file names
        order = sorted(
            range(len(self.items["journeys"])), key=lambda i: self.items["journeys"][i].id
        )
        self.items["journeys"] = [self.items["journeys"][i] for i in order]
        self.origins["journeys"] = [self.origins["journeys"][i] for i in order]
        fields: dict[str, Any] = {"workspace": self.info, **self.items}
        workspace = Workspace.model_construct(**fields)
        for problem in check_references(workspace):
            # a reference to an item that already failed its own validation is not a second problem
            if problem.reference and any(problem.found in ids for ids in self.failed_ids.values()):
                continue
            self.reference_problem(problem.path, problem.message, problem.found, problem.expected)
        return workspace

    def reference_problem(
        self, path: tuple[str | int, ...], message: str, found: str | None, expected: str | None
    ) -> None:
        if path[0] == "workspace":
            origin = self.info_origin
            assert origin is not None
            self.problem_at(
                origin.file, origin.document, path, message, found=found, expected=expected
            )
            return
        collection, index, *rest = path
        assert isinstance(collection, str) and isinstance(index, int)
        origin = self.origins[collection][index]
        self.problem_at(
            origin.file,
            origin.document,
            (*origin.prefix, *rest),
            message,
            found=found,
            expected=expected,
        )


#: Stands in for an invalid required value while the rest of an item is cross-checked;
#: references to it are never reported (the invalid value already was).
PLACEHOLDER = "invalid-value"


def salvage(
    model_cls: type[BaseModel], data: Any, errors: list[Any], rounds: int = 6
) -> tuple[BaseModel | None, set[str]]:
    """Repair ``data`` just enough that the rest of the item can still be cross-checked.

    Unknown fields and bad optional values are dropped; a bad required value is
    replaced by a neutral placeholder (the first allowed value, or
    :data:`PLACEHOLDER`); what cannot be repaired drops its enclosing list element.
    Returns the salvaged model (None when nothing could be saved) and the ids that
    were dropped or replaced, so that references to them are not reported twice.
    """
    dropped: set[str] = {PLACEHOLDER}
    tried: set[tuple[str | int, ...]] = set()
    for _ in range(rounds):
        for error in errors:
            loc = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
            if not _repair(model_cls, data, loc, error["type"], tried, dropped):
                return None, dropped
        try:
            return model_cls.model_validate(data), dropped
        except PydanticError as exc:
            errors = exc.errors(include_url=False)
    return None, dropped


def _repair(
    model_cls: type[BaseModel],
    data: Any,
    loc: tuple[str | int, ...],
    kind: str,
    tried: set[tuple[str | int, ...]],
    dropped: set[str],
) -> bool:
    parent = data
    try:
        for part in loc[:-1]:
            parent = parent[part]
    except (KeyError, IndexError, TypeError):
        return True  # already removed with an enclosing element
    if not loc:
        return False
    key = loc[-1]
    info = None
    owner = model_at(model_cls, loc[:-1])
    if owner is not None and isinstance(key, str):
        info = next((f for n, f in owner.model_fields.items() if key in (n, f.alias)), None)
    if loc not in tried and isinstance(parent, dict):
        tried.add(loc)
        if kind == "extra_forbidden" or (info is not None and not info.is_required()):
            old = parent.pop(key, None)
            if isinstance(old, str):
                dropped.add(old)
            return True
        if info is not None:
            stand_in = _placeholder(info.annotation)
            if stand_in is not None:
                old = parent.get(key)
                if isinstance(old, str):
                    dropped.add(old)
                parent[key] = stand_in
                return True
    # drop the innermost list element that holds the problem
    indexes = [i for i, part in enumerate(loc) if isinstance(part, int)]
    if not indexes:
        return False
    cut = loc[: indexes[-1] + 1]
    holder = data
    try:
        for part in cut[:-1]:
            holder = holder[part]
        element = holder[cut[-1]]
    except (KeyError, IndexError, TypeError):
        return True
    if isinstance(element, dict) and isinstance(element.get("id"), str):
        dropped.add(element["id"])
    holder[cut[-1]] = None  # keep indexes stable for the other errors of this round
    _compact(data)
    return True


def _compact(node: Any) -> None:
    if isinstance(node, dict):
        for value in node.values():
            _compact(value)
    elif isinstance(node, list):
        node[:] = [v for v in node if v is not None]
        for value in node:
            _compact(value)


def _placeholder(annotation: Any) -> Any:
    import enum

    from cojourney.spec.fields import _unwrap

    inner = _unwrap(annotation)
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        return next(iter(inner)).value
    if inner is str:
        return PLACEHOLDER
    if typing_origin_is_list(annotation):
        return []
    return None


def typing_origin_is_list(annotation: Any) -> bool:
    import typing

    return typing.get_origin(annotation) is list


def _expected(error: Any) -> str | None:
    ctx = error.get("ctx") or {}
    if "expected" in ctx:
        return f"one of {ctx['expected']}"
    if "pattern" in ctx:
        return "an id of letters, digits, '_', '.' or '-', starting with a letter or digit"
    for key, words in (
        ("ge", "at least"),
        ("le", "at most"),
        ("gt", "more than"),
        ("lt", "less than"),
        ("min_length", "at least this many items/characters:"),
    ):
        if key in ctx:
            return f"{words} {ctx[key]}"
    kind = str(error.get("type", ""))
    return {
        "string_type": "text",
        "int_parsing": "a whole number",
        "float_parsing": "a number",
        "bool_parsing": "true or false",
        "list_type": "a list",
        "model_type": "a mapping",
        "date_from_datetime_parsing": "a date like 2026-01-31",
        "date_parsing": "a date like 2026-01-31",
        "time_delta_parsing": "a duration like 90, '5m', '1h30m', '2d' or 'PT5M'",
        "dict_type": "a mapping",
    }.get(kind)


def validate_workspace(path: str | Path) -> ValidationReport:
    """Check a workspace folder (or a single YAML file) and report every problem at once."""
    root = Path(path)
    if not root.exists():
        raise NotFound(
            f"no workspace at {root}: the folder does not exist "
            "(create one with 'cojourney init DIR')"
        )
    files = workspace_files(root)
    report = ValidationReport(root=root, files=files)
    if not files:
        report.problems.append(
            Problem(
                "the folder holds no YAML file",
                Location(str(root)),
                hint="run 'cojourney init DIR' to create a workspace",
            )
        )
        return report
    # files that cannot be read (links out, syntax, limits) are reported first and
    # alone: what the other files say about them would only be follow-on noise
    unreadable = workspace_links(root)
    key = None if unreadable else model_cache.model_key(root, files)
    if key is not None:
        report.workspace = model_cache.recall(key)
        if report.workspace is not None:
            log.info("validated %s: %d files, unchanged (the kept model)", root, len(files))
            return report
    within = None if root.is_file() else root
    documents = []
    refused = {p.location.file for p in unreadable}
    for file in files:
        if str(file) in refused:
            continue
        document, problems = read_yaml(file, str(file), within=within)
        unreadable.extend(problems)
        documents.append((str(file), document))
    if unreadable:
        report.problems = sorted(unreadable, key=Problem.sort_key)
        log.info("%s: %d files cannot be read", root, len(report.problems))
        return report
    loader = _Loader(root)
    for name, document in documents:
        if document is not None:
            loader.load_document(name, document)
    workspace = loader.assemble()
    report.problems = sorted(loader.problems, key=Problem.sort_key)
    if not report.problems and workspace is not None:
        report.workspace = Workspace.model_validate(workspace.model_dump(by_alias=True))
        if key is not None:
            model_cache.remember(key, report.workspace)
    log.info("validated %s: %d files, %d problems", root, len(files), len(report.problems))
    return report


def load_workspace(path: str | Path) -> Workspace:
    """Load a workspace; raise :class:`~cojourney.errors.ValidationError` listing every problem."""
    report = validate_workspace(path)
    if report.workspace is None:
        raise ValidationError.of_workspace(path, report.problems)
    return report.workspace
