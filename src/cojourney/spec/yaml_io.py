"""Reading and writing YAML with positions: every node remembers its line and column."""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cojourney.errors import InputError, Problem
from cojourney.yamlio import YamlLimits, link_outside, link_problem, parse_yaml, read_yaml_file

#: How many parsed documents :func:`read_yaml` keeps (least recently used dropped first).
PARSED_CACHE_SIZE = 1024
_parsed: OrderedDict[tuple[str, YamlLimits], Any] = OrderedDict()
_parsed_lock = threading.Lock()


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

    The documents of files read before are kept by content (a sha256 of the bytes,
    with the limits in force), so re-reading an unchanged file, or the same text at
    another path (an edit's staging folder), does not parse it again. The link check
    and the size limit are applied on every read; a text is cached only once it
    passed the alias and depth limits. A cached document is shared: callers must not
    change it.
    """
    name = display or str(path)
    limits = YamlLimits.current()
    if within is not None:
        outside = link_outside(path, within)
        if outside is not None:
            return None, [link_problem(name, outside, within)]
    try:
        with path.open("rb") as stream:
            data = stream.read(limits.max_bytes + 1)
    except OSError:
        data = None
    if data is None or len(data) > limits.max_bytes:
        return _read_uncached(path, name, within)
    key = (hashlib.sha256(data).hexdigest(), limits)
    with _parsed_lock:
        if key in _parsed:
            _parsed.move_to_end(key)
            return _parsed[key], []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _read_uncached(path, name, within)
    try:
        document = parse_yaml(text, name, limits=limits)
    except InputError as exc:
        return None, exc.problems
    with _parsed_lock:
        _parsed[key] = document
        while len(_parsed) > PARSED_CACHE_SIZE:
            _parsed.popitem(last=False)
    return document, []


def _read_uncached(path: Path, name: str, within: Path | None) -> tuple[Any, list[Problem]]:
    """The located problem of a file that cannot be read, as :func:`read_yaml_file` words it."""
    try:
        return read_yaml_file(path, name, within=within), []
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
