"""Round-trip nodes: new values in the style of their neighbours, comments kept in place."""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    PlainScalarString,
    SingleQuotedScalarString,
)
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
    """Plain data as round-trip nodes, in the style of the value it replaces (``like``).

    A mapping or list takes the flow or block style of ``like``; a new list of a few
    short plain values is written in flow style (``[a, b]``), as the examples do;
    text over several lines becomes a ``|`` block where that reads back the same.
    """
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, Mapping):
        node = CommentedMap()
        inner_flow = flow or is_flow(like)
        for key, item in value.items():
            old = like.get(key) if isinstance(like, Mapping) else None
            node[str(key)] = to_yaml(item, like=old, flow=inner_flow)
        if inner_flow and not _has_multiline(node):
            node.fa.set_flow_style()
        return node
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq()
        if like is None or not isinstance(like, list):
            inner_flow = flow or _short_values(value)
        else:
            inner_flow = flow or is_flow(like)
        model = like[-1] if isinstance(like, list) and like else None
        for index, item in enumerate(value):
            old = like[index] if isinstance(like, list) and index < len(like) else model
            seq.append(to_yaml(item, like=old, flow=inner_flow))
        if inner_flow and not _has_multiline(seq):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        return _text(value, like, flow)
    return value


def _text(value: str, like: Any, flow: bool) -> Any:
    """A string in the style of the one it replaces: quoted, folded (``>``) or literal (``|``)."""
    if any(c in value for c in _READ_AS_BREAKS):
        return DoubleQuotedScalarString(value)  # escaped, else read back as a line break
    one_line = "\n" not in value and value.isprintable()
    if isinstance(like, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(value)
    if isinstance(like, SingleQuotedScalarString) and one_line:
        return SingleQuotedScalarString(value)
    if not flow and isinstance(like, FoldedScalarString) and one_line:
        folded = _folded(value, like)
        if folded is not None:
            return folded
    if not flow and (_literal_ok(value) or (isinstance(like, LiteralScalarString) and one_line)):
        return LiteralScalarString(value)
    # not a bare str: ruamel.yaml would give it the style of the value it replaces
    return PlainScalarString(value)


_FOLD_WIDTH = 84  # the examples' width, when the text replaced gives no hint


def _folded(value: str, like: FoldedScalarString) -> FoldedScalarString | None:
    """``value`` as a ``>`` block folded about as wide as the text it replaces."""
    if not value or value != value.strip():
        return None
    old = [int(p) for p in getattr(like, "fold_pos", []) or []]
    gaps = [b - a - 1 for a, b in zip([-1, *old], [*old, len(like)], strict=True)]
    width = min(max(max(gaps), 40), 200) if old else _FOLD_WIDTH
    spaces = [
        i
        for i, c in enumerate(value)
        if c == " " and 0 < i < len(value) - 1 and value[i - 1] != " " and value[i + 1] != " "
    ]
    folds: list[int] = []
    start, previous = 0, None
    for space in [*spaces, len(value)]:
        if space - start > width and previous is not None and previous > start:
            folds.append(previous)
            start = previous + 1
        previous = space
    node = FoldedScalarString(value)
    node.fold_pos = folds  # where a space is written as a line break
    return cast(FoldedScalarString, node)


#: Characters a YAML reader takes for line breaks in unquoted or single-quoted text.
_READ_AS_BREAKS = ("\x85", "\u2028", "\u2029")


def _short_values(values: Any) -> bool:
    """A non-empty list of a few short one-line plain values (ids, names, numbers)."""
    if not values or not all(isinstance(v, (str, int, float)) for v in values):
        return False
    texts = [str(v) for v in values]
    return all("\n" not in t for t in texts) and sum(len(t) + 2 for t in texts) <= 80


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
    if isinstance(node, CommentedMap) and node:
        key = list(node)[-1]
        value = node[key]
        if _block(value):
            _paste_inside(value, text)
        else:
            _join_token(node.ca.items.setdefault(key, [None, None, None, None]), 2, text)
    elif isinstance(node, CommentedSeq) and node:
        _paste_after(node, len(node) - 1, text)
    else:
        log.info("a comment after an emptied value was dropped: %r", text)


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


@contextlib.contextmanager
def field_comments_kept(node: CommentedMap, key: str) -> Iterator[None]:
    """Keep the comment lines after a field's value while the value is replaced or removed.

    ruamel.yaml attaches the comment lines between two fields (often the heading of the
    next one) to the end of the first field's value; replacing or removing that value
    would drop them. They are put back after the new value, or after the field above
    when the field is removed.
    """
    keys = list(node)
    text = _cut_after_key(node, key) if key in node else ""
    place = keys.index(key) if key in keys else -1
    previous = keys[place - 1] if place > 0 else None
    try:
        yield
    finally:
        if text:
            if key in node:
                _paste_after_key(node, key, text)
            elif previous is not None and previous in node:
                _paste_after_key(node, previous, text)
            else:
                log.info("a comment after a removed first field was dropped: %r", text)


def _cut_after_key(node: CommentedMap, key: str) -> str:
    value = node[key]
    return _cut_inside(value) if _block(value) else _split_token(node.ca.items.get(key), 2)


def _paste_after_key(node: CommentedMap, key: str, text: str) -> None:
    value = node[key]
    if _block(value):
        _paste_inside(value, text)
    else:
        _join_token(node.ca.items.setdefault(key, [None, None, None, None]), 2, text)
