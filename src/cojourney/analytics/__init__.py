"""Engine-neutral analyses of canonical event logs (Ibis expressions run on DuckDB or Spark).

Two one-call entry points, nothing heavy imported until an analysis runs:

* ``summarize(path_or_table, engine="duckdb")``: process discovery on any event log
  (:mod:`cojourney.analytics.discovery`);
* ``analyze_journey(events, journey, engine="duckdb", filters=JourneyFilter(...))``:
  the actual journeys against a designed journey: graph, variants, entry and exit,
  rework, step funnel and onboarding, gates, conformance and fitness, breakdowns
  (:mod:`cojourney.analytics.report`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.discovery import summarize
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.analytics.journey_results import JourneyAnalysis
    from cojourney.analytics.report import analyze_journey
    from cojourney.analytics.results import DiscoverySummary

__all__ = ["DiscoverySummary", "JourneyAnalysis", "JourneyFilter", "analyze_journey", "summarize"]

_HOMES = {
    "summarize": "cojourney.analytics.discovery",
    "DiscoverySummary": "cojourney.analytics.results",
    "analyze_journey": "cojourney.analytics.report",
    "JourneyAnalysis": "cojourney.analytics.journey_results",
    "JourneyFilter": "cojourney.analytics.filters",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
