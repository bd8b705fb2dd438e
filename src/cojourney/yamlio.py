"""Reading YAML safely: the one way every YAML file of cojourney is read.

Workspace files, saved import mappings and survey definitions are all read
through :func:`read_yaml_file` (a file) or :func:`parse_yaml` (text already in
memory). Before anything is built from the text, three limits from
:func:`cojourney.settings.current_settings` are checked, without expanding
anything:

- ``yaml_max_bytes``: the size of the file (checked before it is read);
- ``yaml_max_aliases``: alias uses (``*name``) counted *as they would be expanded*,
  so that an alias to a node that itself holds aliases counts those too. This is
  what stops a "billion laughs" bomb, whose few dozen aliases would expand to
  billions of nodes;
- ``yaml_max_depth``: the nesting of mappings and lists, aliases included (an
  alias to a deep node nests that node where the alias stands).

An alias to the collection that contains it (a recursive structure) is refused
too. The check walks ruamel's event stream, which is neither recursive nor
expanding, so no input makes it hang or raise ``RecursionError``. A syntax error
anywhere in the text is reported before (and instead of) a limit, since fixing
it comes first. Every refusal is an :class:`~cojourney.errors.InputError` whose
problem carries the file, line and column and says what to do.

This module sits at the package root, beside :mod:`cojourney.errors` and
:mod:`cojourney.settings`, because ``spec`` and ``events`` (sibling layers that
may not import each other) both read YAML.

>>> parse_yaml("a: [1, 2]", "demo.yaml")
{'a': [1, 2]}
>>> try:
...     parse_yaml("a: [1, 2", "demo.yaml")
... except InputError as exc:
...     print(exc.problems[0].location)
demo.yaml:1:9
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
)

from cojourney.errors import InputError, Location, Problem
from cojourney.settings import current_settings

__all__ = ["YamlLimits", "link_outside", "link_problem", "parse_yaml", "read_yaml_file"]


@dataclass(frozen=True, slots=True)
class YamlLimits:
    """How big, how aliased and how deep a YAML file may be (see the module docstring)."""

    max_bytes: int
    max_aliases: int
    max_depth: int

    @classmethod
    def current(cls) -> YamlLimits:
        """The limits of the settings in force."""
        s = current_settings()
        return cls(s.yaml_max_bytes, s.yaml_max_aliases, s.yaml_max_depth)


def read_yaml_file(
    path: Path,
    source: str | None = None,
    *,
    limits: YamlLimits | None = None,
    within: Path | None = None,
) -> Any:
    """The document in the YAML file ``path``, read within the limits.

    Parameters
    ----------
    path
        The file to read.
    source
        How to name the file in messages (default: ``path``).
    limits
        Default: :meth:`YamlLimits.current`.
    within
        The folder the file must stay in (a workspace): a file that is, or lies
        under, a symbolic link leading outside it is refused.

    Raises
    ------
    cojourney.errors.InputError
        The file is too big, not UTF-8, not valid YAML, beyond a limit, or a link
        out of ``within``; one located problem.
    """
    limits = limits or YamlLimits.current()
    name = source or str(path)
    if within is not None:
        outside = link_outside(path, within)
        if outside is not None:
            raise InputError(link_problem(name, outside, within))
    try:
        with path.open("rb") as stream:
            data = stream.read(limits.max_bytes + 1)
    except OSError as exc:
        raise InputError(
            Problem(
                f"cannot read the file: {(exc.strerror or str(exc)).lower()}",
                Location(name),
                hint="check that the file exists and that you may read it",
            )
        ) from None
    if len(data) > limits.max_bytes:
        raise _too_big(name, limits)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            Problem(
                "the file is not UTF-8 text",
                Location(name, line),
                found=str(exc.reason),
                expected="a UTF-8 encoded YAML file",
                hint="save the file as UTF-8",
            )
        ) from None
    return _parse(text, name, limits)


def parse_yaml(text: str, source: str, *, limits: YamlLimits | None = None) -> Any:
    """The document in the YAML ``text`` (named ``source`` in messages), within the limits.

    Raises
    ------
    cojourney.errors.InputError
        As :func:`read_yaml_file`.
    """
    limits = limits or YamlLimits.current()
    if len(text) > limits.max_bytes or len(text.encode("utf-8")) > limits.max_bytes:
        raise _too_big(source, limits)
    return _parse(text, source, limits)


def link_outside(path: Path, root: Path) -> str | None:
    """Where ``path`` really leads when a symbolic link takes it out of ``root``, else None.

    Links anywhere along the path count (a linked file or a linked folder). A link
    loop counts as leading outside: it cannot be read.
    """
    try:
        target = path.resolve()
        base = root.resolve()
    except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13)
        return "a loop of symbolic links"
    if target == base or target.is_relative_to(base):
        return None
    return str(target)


def link_problem(name: str, target: str, root: Path) -> Problem:
    """The refusal of a symbolic link that leads out of the workspace ``root``."""
    return Problem(
        "a symbolic link leads outside the workspace",
        Location(name),
        found=f"a link to {target}",
        expected=f"files and folders inside {root}",
        hint="copy what it points to into the workspace, or remove the link",
    )


# --------------------------------------------------------------------------- internals


def _parse(text: str, name: str, limits: YamlLimits) -> Any:
    text = text.removeprefix("\ufeff")
    problem = _check(text, name, limits)
    if problem is not None:
        raise InputError(problem)
    try:
        return _loader().load(text)
    except MarkedYAMLError as exc:
        raise InputError(_syntax_problem(exc, name)) from None
    except YAMLError as exc:
        raise InputError(
            Problem(f"YAML syntax error: {exc}", Location(name), hint=_SYNTAX_HINT)
        ) from None


def _loader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


_SYNTAX_HINT = (
    "check indentation, quotes and brackets near this place; quote values that contain ': ' or '#'"
)


def _syntax_problem(exc: MarkedYAMLError, name: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    what = (exc.problem or exc.context or "invalid YAML").strip()
    hint = "rename or remove one of the keys" if "duplicate key" in what else _SYNTAX_HINT
    return Problem(f"YAML syntax error: {what}", Location(name, line, column), hint=hint)


def _too_big(name: str, limits: YamlLimits) -> InputError:
    return InputError(
        Problem(
            "the YAML file is too big",
            Location(name),
            found=f"more than {limits.max_bytes:,} bytes",
            expected=f"at most {limits.max_bytes:,} bytes (setting yaml_max_bytes)",
            hint="split the file, or raise the limit (COJOURNEY_YAML_MAX_BYTES) if it is legitimate",
        )
    )


@dataclass(slots=True)
class _Open:
    """A collection being walked: its anchor, and what it holds so far."""

    anchor: str | None
    height: int = 1
    aliases: int = 0


def _check(text: str, name: str, limits: YamlLimits) -> Problem | None:
    """The first limit the text goes beyond, or a syntax error met before it.

    Walks the event stream once, keeping for each anchored node its height and the
    number of aliases it would expand to, so that nothing is ever expanded.
    """
    heights: dict[str, int] = {}
    expansions: dict[str, int] = {}
    stack: list[_Open] = []
    total = 0
    breach: Problem | None = None
    try:
        for event in _loader().parse(io.StringIO(text)):
            if breach is not None:
                break  # walking on could be slow (ruamel scans deep flow nesting in n^2)
            where = event.start_mark
            if isinstance(event, AliasEvent):
                anchor = event.anchor
                if any(frame.anchor == anchor for frame in stack):
                    breach = _limit_problem(
                        name,
                        where,
                        f"the alias *{anchor} refers to a collection that contains it",
                        found=f"*{anchor} inside &{anchor}",
                        expected="aliases to finished nodes only",
                        hint="replace the alias by the values it should repeat",
                    )
                    continue
                height = heights.get(anchor, 0)
                uses = 1 + expansions.get(anchor, 0)
                total += uses
                if stack:
                    stack[-1].aliases += uses
                    stack[-1].height = max(stack[-1].height, 1 + height)
                if total > limits.max_aliases:
                    breach = _limit_problem(
                        name,
                        where,
                        "too many aliases: the file would expand beyond the alias limit",
                        found=f"more than {limits.max_aliases:,} alias uses once expanded "
                        f"(*{anchor} here stands for {uses:,})",
                        expected=f"at most {limits.max_aliases:,} (setting yaml_max_aliases)",
                        hint="write the values out instead of aliasing them, or raise the "
                        "limit (COJOURNEY_YAML_MAX_ALIASES) if the file is legitimate",
                    )
                elif len(stack) + height > limits.max_depth:
                    breach = _depth_problem(name, where, limits)
            elif isinstance(event, CollectionStartEvent):
                stack.append(_Open(event.anchor))
                if len(stack) > limits.max_depth:
                    breach = _depth_problem(name, where, limits)
            elif isinstance(event, CollectionEndEvent):
                done = stack.pop()
                if stack:
                    stack[-1].aliases += done.aliases
                    stack[-1].height = max(stack[-1].height, 1 + done.height)
                if done.anchor is not None:
                    heights[done.anchor] = done.height
                    expansions[done.anchor] = done.aliases
            elif isinstance(event, NodeEvent) and event.anchor is not None:  # an anchored scalar
                heights[event.anchor] = 0
                expansions[event.anchor] = 0
    except MarkedYAMLError as exc:
        return _syntax_problem(exc, name)
    except YAMLError as exc:
        return Problem(f"YAML syntax error: {exc}", Location(name), hint=_SYNTAX_HINT)
    return breach


def _limit_problem(
    name: str, mark: Any, message: str, *, found: str, expected: str, hint: str
) -> Problem:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return Problem(message, Location(name, line, column), found=found, expected=expected, hint=hint)


def _depth_problem(name: str, mark: Any, limits: YamlLimits) -> Problem:
    return _limit_problem(
        name,
        mark,
        "the YAML is nested too deep",
        found=f"more than {limits.max_depth} levels of mappings and lists",
        expected=f"at most {limits.max_depth} levels (setting yaml_max_depth)",
        hint="flatten the structure, or raise the limit (COJOURNEY_YAML_MAX_DEPTH) "
        "if the file is legitimate",
    )
