"""The examples in the analytics docstrings run (on DuckDB), so they cannot drift."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["design", "discovery", "ordering", "report", "engines", "journey_state"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"cojourney.analytics.{name}")
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0, f"{module.__name__} has no example"
    assert failures == 0


def test_the_package_exports_the_entry_points() -> None:
    from cojourney import analytics

    assert callable(analytics.analyze_journey) and callable(analytics.summarize)
    assert analytics.JourneyFilter().active is False
    with pytest.raises(AttributeError):
        analytics.nothing_here  # noqa: B018
