from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cojourney.demo import EXAMPLES_DIR, example_names
from cojourney.spec import TEMPLATE_DIR

SOURCES = ["template", *example_names()]


def source_dir(name: str) -> Path:
    return TEMPLATE_DIR if name == "template" else EXAMPLES_DIR / name


@pytest.fixture(params=SOURCES)
def workspace_copy(request, tmp_path) -> Path:
    """A fresh copy of the DSV template and of each flagship example."""
    target = tmp_path / request.param
    shutil.copytree(source_dir(request.param), target)
    return target


def _plant(path: Path, pattern: str, replacement: str, *, nth: int = 0) -> tuple[int, int]:
    """Replace the nth match of regex ``pattern`` in ``path``; return the 1-based (line, column)
    where the replacement text starts."""
    text = path.read_text(encoding="utf-8")
    matches = list(re.finditer(pattern, text, flags=re.MULTILINE))
    assert len(matches) > nth, f"{pattern!r} not found in {path}"
    match = matches[nth]
    start = match.start()
    text = text[:start] + match.expand(replacement) + text[match.end() :]
    path.write_text(text, encoding="utf-8")
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, column


@pytest.fixture
def plant():
    """``plant(path, regex, replacement, nth=0) -> (line, column)``: put a mistake into a file."""
    return _plant
