"""One call for every journey analysis: :func:`analyze_journey`.

It prepares the shared tables once (:mod:`.prepared`: one sort per journey, a few
cached tables) and runs the graph, variants, entry and exit, rework, funnel, gates,
conformance and breakdowns on them. The definitions are in each analysis module.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.analytics.breakdown import (
    DEFAULT_DIMENSIONS,
    breakdown,
    check_dimensions,
    group_attributes,
)
from cojourney.analytics.conformance import conformance
from cojourney.analytics.design import JourneyDesign
from cojourney.analytics.filters import JourneyFilter
from cojourney.analytics.funnel import step_funnel
from cojourney.analytics.gates import gate_checks
from cojourney.analytics.journey_results import JourneyAnalysis
from cojourney.analytics.journeys import (
    DEFAULT_TOP_VARIANTS,
    entry_exit,
    journey_graph,
    journey_variants,
)
from cojourney.analytics.prepared import JourneyData, prepare
from cojourney.analytics.results import DurationStats, LogCounts
from cojourney.analytics.rework import rework

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir
    import pyarrow as pa

    from cojourney.analytics.engines import Engine
    from cojourney.domain import Journey

log = logging.getLogger(__name__)


def analyze_journey(
    events: ir.Table | pa.Table | str | Path,
    journey: Journey | JourneyDesign,
    *,
    engine: str | Engine = "duckdb",
    filters: JourneyFilter | None = None,
    breakdown_by: Sequence[str] = DEFAULT_DIMENSIONS,
    top_variants: int | None = DEFAULT_TOP_VARIANTS,
    on_stage: Callable[[str], None] | None = None,
) -> JourneyAnalysis:
    """Compare the actual journeys of an event log with a designed journey.

    Parameters
    ----------
    events
        Canonical events: an Ibis table on ``engine``, a pyarrow table, or an event
        log file (any format :func:`cojourney.events.readers.read_events` reads,
        with the default column mapping).
    journey
        The designed journey (or its compiled :class:`JourneyDesign`).
    engine
        An engine name (created and closed here) or an :class:`Engine` (left open).
    filters
        Journeys to keep (:class:`JourneyFilter`); all by default.
    breakdown_by
        Dimensions of the breakdowns (:mod:`cojourney.analytics.breakdown`):
        ``segment``, ``persona``, ``cohort``, ``segments``, ``channel``, ``month``,
        ``week`` or a case attribute; personas and segments by ``filters.rules``.
    top_variants
        How many variants to list (``None``: all).
    on_stage
        Called with a short description as the work moves on.

    Returns
    -------
    JourneyAnalysis
        Every result; ``to_dict()`` gives JSON-ready data.

    Examples
    --------
    >>> import datetime as dt, pyarrow as pa
    >>> from cojourney.domain import Journey, Step, Touchpoint, Period
    >>> from cojourney.events.schema import canonical_arrow_schema
    >>> design = Journey(id="j", name="J", steps=[Step(id="s", name="S", period=Period.SERVICE)],
    ...                  touchpoints=[Touchpoint(id=t, name=t, step="s", channel="app")
    ...                               for t in ("visit", "buy")])
    >>> t = lambda h: dt.datetime(2024, 1, 1, h, tzinfo=dt.timezone.utc)
    >>> log_ = pa.Table.from_pylist([
    ...     {"journey_id": "j1", "activity": "visit", "timestamp": t(9), "event_seq": 0},
    ...     {"journey_id": "j1", "activity": "buy", "timestamp": t(10), "event_seq": 1},
    ...     {"journey_id": "j2", "activity": "buy", "timestamp": t(9), "event_seq": 2},
    ... ], schema=canonical_arrow_schema())
    >>> result = analyze_journey(log_, design)
    >>> result.entry_exit.started_in_middle, result.conformance.perfect
    (1, 2)
    """
    from cojourney.analytics.discovery import as_events_table
    from cojourney.analytics.engines import Engine, get_engine

    design = journey if isinstance(journey, JourneyDesign) else JourneyDesign.from_journey(journey)
    dimensions = check_dimensions(list(breakdown_by))
    filters = filters or JourneyFilter()
    owned = not isinstance(engine, Engine)
    eng = get_engine(engine) if isinstance(engine, str) else engine
    loaded: ir.Table | None = None
    try:
        table = as_events_table(events, eng, on_stage=on_stage)
        loaded = table if table is not events else None
        if on_stage is not None:
            on_stage("sorting journeys")
        with prepare(
            table,
            design,
            eng,
            journey_filter=filters,
            channel="channel" in dimensions,
            groups=group_attributes(dimensions),
        ) as data:
            if on_stage is not None:
                on_stage("analysing")
            result = _run(data, dimensions, top_variants, filters)
        return JourneyAnalysis(
            **{
                **result,
                "engine": eng.name,
                "source": str(events) if isinstance(events, str | Path) else None,
            }
        )
    finally:
        if loaded is not None:
            eng.release(loaded)
        if owned:
            eng.close()


def _run(
    data: JourneyData, dimensions: tuple[str, ...], top: int | None, filters: JourneyFilter
) -> dict[str, Any]:
    timings = dict(data.timings)

    def timed(name: str, compute: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = compute()
        timings[name] = time.perf_counter() - started
        return value

    graph = timed("graph", lambda: journey_graph(data))
    result = {
        "journey_id": data.design.journey_id,
        "counts": timed("counts", lambda: _counts(data, len(graph.nodes))),
        "durations": timed("durations", lambda: _durations(data)),
        "graph": graph,
        "variants": timed("variants", lambda: journey_variants(data, top=top)),
        "entry_exit": timed("entry_exit", lambda: entry_exit(data)),
        "rework": timed("rework", lambda: rework(data, graph.nodes)),
        "funnel": timed("funnel", lambda: step_funnel(data)),
        "gates": tuple(timed("gates", lambda: gate_checks(data))),
        "conformance": timed("conformance", lambda: conformance(data, graph.nodes)),
        "breakdowns": tuple(
            timed(f"breakdown {d}", functools.partial(breakdown, data, d)) for d in dimensions
        ),
        "filters": filters.to_dict(),
    }
    log.info(
        "analysed %s on %s: %s",
        data.design.journey_id,
        data.engine.name,
        ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()),
    )
    return result


def _counts(data: JourneyData, activities: int) -> LogCounts:
    facts = data.facts
    row = data.engine.rows(facts.aggregate(journeys=facts.count(), events=facts.events.sum()))[0]
    return LogCounts(
        journeys=int(row["journeys"]), events=int(row["events"] or 0), activities=activities
    )


def _durations(data: JourneyData) -> DurationStats:
    facts = data.facts
    seconds = facts.duration_seconds
    row = data.engine.rows(
        facts.aggregate(
            mean=seconds.mean(), median=seconds.median(), min=seconds.min(), max=seconds.max()
        )
    )[0]
    return DurationStats(**{k: None if v is None else float(v) for k, v in row.items()})
