"""Round-trip nodes: new values in the style of their neighbours, comments kept in place."""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import CommentToken

log = logging.getLogger(__name__)


def is_flow(node: Any) -> bool:
    """Whether a mapping or list is written in flow style (`{a: 1}`, `[a, b]`)."""
    return isinstance(node, (CommentedMap, CommentedSeq)) and bool(node.fa.flow_style())


def plain_data(node: Any) -> Any:
    """Round-trip nodes as plain dicts, lists and values."""
    if isinstance(node, Mapping):
        return {str(k): plain_data(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain_data(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def to_yaml(value: Any, *, like: Any = None, flow: bool = False) -> Any:
    """Plain data as round-trip nodes, in the style of the value it replaces (``like``)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, Mapping):
        node = CommentedMap()
        inner_flow = flow or is_flow(like)
        for key, item in value.items():
            node[str(key)] = to_yaml(item, flow=inner_flow)
        if inner_flow and not _has_multiline(node):
            node.fa.set_flow_style()
        return node
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq()
        inner_flow = flow or is_flow(like)
        for item in value:
            seq.append(to_yaml(item, flow=inner_flow))
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
def comments_kept(items: list[Any], order: Sequence[int | None]) -> Iterator[None]:
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
    return isinstance(value, (CommentedMap, CommentedSeq)) and bool(value) and not is_flow(value)


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
