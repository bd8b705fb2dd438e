"""The examples in the storage and web docstrings run, so they cannot drift."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["cojourney.storage", "cojourney.storage.engine", "cojourney.storage.hashing"]


@pytest.mark.parametrize("name", [*MODULES, "cojourney.web.security"])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module)
    assert tried > 0, f"{name} has no example"
    assert failures == 0
