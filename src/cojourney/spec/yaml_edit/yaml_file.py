"""One YAML file read in round-trip mode, with the layout that writes it back unchanged."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.representer import RepresenterError

from cojourney.errors import InputError, Location, Problem
from cojourney.files import atomic_output

log = logging.getLogger(__name__)

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

#: Texts whose layout is known (sha256 -> (layout, explicit start)): texts this process
#: checked, and texts it wrote itself (:func:`remember_layout`), so that the next edit of
#: a file just saved does not try the layouts again.
KNOWN_LAYOUTS_SIZE = 512
_known_layouts: OrderedDict[str, tuple[tuple[int, int, int], bool]] = OrderedDict()
_known_lock = threading.Lock()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def remember_layout(text: str, layout: tuple[int, int, int], explicit_start: bool) -> None:
    """Note that ``text`` is written back unchanged with ``layout`` (bounded, LRU)."""
    with _known_lock:
        _known_layouts[_digest(text)] = (layout, explicit_start)
        _known_layouts.move_to_end(_digest(text))
        while len(_known_layouts) > KNOWN_LAYOUTS_SIZE:
            _known_layouts.popitem(last=False)


def _known_layout(text: str) -> tuple[tuple[int, int, int], bool] | None:
    with _known_lock:
        return _known_layouts.get(_digest(text))


#: Documents handed over by a save for the next parse of the text it wrote (sha256 ->
#: document), each taken once: the next edit of a file just saved does not parse it.
HANDED_OVER_SIZE = 16
_handed: OrderedDict[str, Any] = OrderedDict()


def hand_over(file: YamlFile, text: str) -> None:
    """Keep ``file``'s document as what ``text`` (just written from it) reads to.

    The caller must not change the document afterwards; the next :meth:`YamlFile.parse`
    of ``text`` takes it (once) instead of parsing.
    """
    if not file.faithful:
        return
    with _known_lock:
        _handed[_digest(text)] = file.data
        while len(_handed) > HANDED_OVER_SIZE:
            _handed.popitem(last=False)


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
        known = _known_layout(text)
        with _known_lock:
            handed = _handed.pop(_digest(text), None)
        if handed is not None and known is not None:
            return cls(name, text, handed, known[0], known[1], crlf=crlf)
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
        if known is not None:
            file.layout, file.explicit_start = known
            return file
        for layout in _LAYOUTS:
            for start in (False, True):
                file.layout, file.explicit_start = layout, start
                if file.dump() == text:
                    remember_layout(text, layout, start)
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

    def render(self) -> str:
        """:meth:`dump`, the text remembered with its layout for the next edit.

        Only for a faithful file: a text ruamel wrote with a layout is taken to read
        back to itself with that layout, so editing it again skips the layout search.
        """
        text = self.dump()
        if self.faithful:
            remember_layout(text, self.layout, self.explicit_start)
        return text


def _yaml(layout: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    yaml.width = _WIDTH
    yaml.allow_unicode = True
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


# -- writing ---------------------------------------------------------------------------
def write_files(root: Path, changes: Mapping[str, str | None]) -> list[Path]:
    """Write the changed files of one edit together: all or, on an error, none.

    Every new text is first written to a temporary file beside its target; only when
    all are complete are they renamed over their targets, one after the other, then
    the files to delete are removed. An error while writing the temporary files leaves
    every file as it was. A crash *between two renames* (a kill, a power cut) can
    leave some files new and some old: the workspace fingerprint then matches neither
    version, ``git diff`` and ``cojourney validate`` show the state, and the caller
    records no version for it (versions are recorded only after all renames).
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
