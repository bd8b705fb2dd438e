"""Reading and writing YAML with positions: every node remembers its line and column."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cojourney.errors import InputError, Problem
from cojourney.yamlio import read_yaml_file


def _writer() -> YAML:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    return yaml


def read_yaml(
    path: Path, display: str | None = None, *, within: Path | None = None
) -> tuple[Any, list[Problem]]:
    """Parse ``path`` within the YAML limits (:mod:`cojourney.yamlio`).

    Returns ``(document, [])``, or ``(None, [problem])`` for a file that is too big,
    not UTF-8, not valid YAML or beyond a limit, the problem located at its line
    and column; or a file that a symbolic link takes out of the folder ``within``.
    """
    try:
        return read_yaml_file(path, display or str(path), within=within), []
    except InputError as exc:
        return None, exc.problems


def dump_yaml(data: Any, header: str | None = None) -> str:
    """YAML text for ``data`` (plain dicts and lists), with an optional ``#`` comment header."""
    buffer = io.StringIO()
    if header:
        for line in header.strip().splitlines():
            buffer.write(f"# {line}".rstrip() + "\n")
    _writer().dump(data, buffer)
    return buffer.getvalue()


def position(node: Any, path: tuple[str | int, ...]) -> tuple[int | None, int | None]:
    """1-based (line, column) of the deepest node along ``path`` inside a parsed document.

    Keys that do not exist (a missing field) point at the mapping that lacks them.
    """
    line: int | None = getattr(getattr(node, "lc", None), "line", None)
    column: int | None = getattr(getattr(node, "lc", None), "col", None)
    current = node
    for part in path:
        if isinstance(current, CommentedMap) and isinstance(part, str) and part in current:
            try:
                line, column = current.lc.value(part)
            except (KeyError, TypeError, AttributeError):
                line, column = current.lc.key(part)
            value = current[part]
            if isinstance(value, (CommentedMap, CommentedSeq)) and value:
                # point at the key for a collection: the value starts on the next line
                line, column = current.lc.key(part)
            current = value
        elif (
            isinstance(current, CommentedSeq) and isinstance(part, int) and 0 <= part < len(current)
        ):
            line, column = current.lc.item(part)
            current = current[part]
        else:
            break
    return (line + 1 if line is not None else None, column + 1 if column is not None else None)


def key_position(node: Any, path: tuple[str | int, ...]) -> tuple[int | None, int | None]:
    """Like :func:`position` but, for a final mapping key, the position of the key itself."""
    if path and isinstance(path[-1], str):
        parent = node
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                return position(node, path)
        if isinstance(parent, CommentedMap) and path[-1] in parent:
            line, column = parent.lc.key(path[-1])
            return line + 1, column + 1
    return position(node, path)


def plain(node: Any) -> Any:
    """A parsed document as plain dicts and lists (positions dropped)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node
