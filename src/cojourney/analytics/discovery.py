"""Process discovery on the canonical event log, written once as Ibis expressions.

Each analysis takes canonical events already loaded on an engine (an Ibis table,
see :meth:`Engine.load_events`) and returns plain results
(:mod:`cojourney.analytics.results`). :func:`summarize` reads a file (or takes a
table), runs them all and returns a :class:`DiscoverySummary`.

Conventions, chosen to match established process-mining tools (PM4Py):

* the events of a journey are in ``(timestamp, event_seq)`` order (ties keep the
  input order); every event counts (no lifecycle filtering); the activity is the
  ``activity`` column alone;
* a directly-follows pair is two consecutive events of one journey; its duration is
  the difference of their timestamps (epoch seconds, exact to the microsecond);
* a journey's duration is from its first to its last event (0 for one event);
* medians and percentiles interpolate linearly between closest ranks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.analytics.ordering import journey_traces, seconds_between, sequence_window
from cojourney.analytics.results import (
    DirectlyFollows,
    DiscoverySummary,
    DurationStats,
    LogCounts,
    Variant,
    sorted_counts,
)
from cojourney.events.schema import ACTIVITY, EVENT_SEQ, JOURNEY_ID, TIMESTAMP

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir
    import pyarrow as pa

    from cojourney.analytics.engines import Engine
    from cojourney.events.readers.base import ProgressCallback, ReadOptions
    from cojourney.events.schema import ColumnMapping

log = logging.getLogger(__name__)

#: Variants listed by default (the reference files list up to 20).
DEFAULT_TOP_VARIANTS = 20


def log_counts(events: ir.Table, engine: Engine) -> LogCounts:
    """Journeys, events and distinct activities of ``events``."""
    row = engine.rows(events.aggregate(
        journeys=events[JOURNEY_ID].nunique(), events=events.count(),
        activities=events[ACTIVITY].nunique()))[0]
    return LogCounts(journeys=row["journeys"], events=row["events"], activities=row["activities"])


def directly_follows(events: ir.Table, engine: Engine) -> list[DirectlyFollows]:
    """Every directly-follows relation with its frequency and performance.

    A journey of ``n`` events contributes ``n - 1`` pairs. Sorted by ``events``
    descending, then ``(source, target)``.
    """
    window = sequence_window(events)
    us = engine.epoch_microseconds(events[TIMESTAMP])
    steps = events.select(
        JOURNEY_ID, source=events[ACTIVITY], target=events[ACTIVITY].lead().over(window),
        start_us=us, end_us=us.lead().over(window),
        next_seq=events[EVENT_SEQ].lead().over(window))
    steps = steps.filter(steps.next_seq.notnull())
    seconds = seconds_between(steps.start_us, steps.end_us)
    pairs = steps.group_by(["source", "target"]).aggregate(
        events=steps.count(), journeys=steps[JOURNEY_ID].nunique(), mean_seconds=seconds.mean(),
        median_seconds=seconds.median(), p90_seconds=seconds.quantile(0.9))
    rows = [DirectlyFollows(**{k: _plain(v) for k, v in row.items()})
            for row in engine.rows(pairs)]
    return sorted(rows, key=lambda d: (-d.events, d.source, d.target))


def variants(events: ir.Table, engine: Engine, *, top: int | None = DEFAULT_TOP_VARIANTS,
             traces: ir.Table | None = None) -> tuple[int, list[Variant]]:
    """The number of variants and the ``top`` most frequent ones (all with ``None``).

    Ties in frequency are broken by the activities, compared as tuples, so the
    list is the same on every engine.

    Returns
    -------
    (int, list of Variant)
        The variant count and the variants, most frequent first.
    """
    import ibis

    traces = traces if traces is not None else journey_traces(events, engine)
    grouped = traces.group_by("activities").aggregate(
        journeys=traces.count(),
        mean_duration_seconds=seconds_between(traces.start_us, traces.end_us).mean())
    totals = engine.rows(grouped.aggregate(variants=grouped.count(),
                                           journeys=grouped.journeys.sum()))[0]
    count, journeys = int(totals["variants"]), int(totals["journeys"] or 0)
    ranked = grouped.order_by([ibis.desc("journeys"), "activities"])
    if top is not None:
        ranked = ranked.limit(top)
    return count, [Variant(activities=tuple(row["activities"]), journeys=row["journeys"],
                           share=row["journeys"] / journeys,
                           mean_duration_seconds=float(row["mean_duration_seconds"]))
                   for row in engine.rows(ranked)]


def start_end_activities(events: ir.Table, engine: Engine, *, traces: ir.Table | None = None
                         ) -> tuple[dict[str, int], dict[str, int]]:
    """How many journeys start and end with each activity (sorted by count, then name)."""
    traces = traces if traces is not None else journey_traces(events, engine)
    ends = traces.group_by(first=traces.activities[0],
                           last=traces.activities[traces.activities.length() - 1]
                           ).aggregate(journeys=traces.count())
    starts: dict[str, int] = {}
    finals: dict[str, int] = {}
    for row in engine.rows(ends):
        starts[row["first"]] = starts.get(row["first"], 0) + row["journeys"]
        finals[row["last"]] = finals.get(row["last"], 0) + row["journeys"]
    return sorted_counts(starts), sorted_counts(finals)


def case_durations(events: ir.Table, engine: Engine, *, traces: ir.Table | None = None
                   ) -> DurationStats:
    """Mean, median, min and max journey duration in seconds (first to last event)."""
    traces = traces if traces is not None else journey_traces(events, engine)
    seconds = seconds_between(traces.start_us, traces.end_us)
    row = engine.rows(traces.aggregate(mean=seconds.mean(), median=seconds.median(),
                                       min=seconds.min(), max=seconds.max()))[0]
    return DurationStats(**{k: None if v is None else float(v) for k, v in row.items()})


def summarize(source: str | Path | ir.Table | pa.Table, *, engine: str | Engine = "duckdb",
              mapping: ColumnMapping | None = None, options: ReadOptions | None = None,
              top_variants: int | None = DEFAULT_TOP_VARIANTS,
              on_progress: ProgressCallback | None = None,
              on_stage: Callable[[str], None] | None = None) -> DiscoverySummary:
    """Discover the process of one event log: counts, directly-follows, variants, durations.

    Parameters
    ----------
    source
        An event-log file (any format :func:`cojourney.events.readers.read_events`
        reads), a pyarrow table in the canonical schema, or an Ibis table of
        canonical events already on ``engine``.
    engine
        An engine name (created and closed here) or an :class:`Engine` (left open).
    mapping, options
        How to read a file (ignored for tables).
    top_variants
        How many variants to list (``None``: all).
    on_progress
        Called with the number of events read so far.
    on_stage
        Called with ``"reading"`` and ``"analysing"`` as the work moves on.

    Returns
    -------
    DiscoverySummary
        Its :meth:`~DiscoverySummary.to_reference_dict` has the layout of the
        PM4Py reference files.

    Examples
    --------
    >>> import datetime as dt, pyarrow as pa
    >>> from cojourney.events.schema import canonical_arrow_schema
    >>> t = lambda h: dt.datetime(2024, 1, 1, h, tzinfo=dt.timezone.utc)
    >>> log_ = pa.Table.from_pylist([
    ...     {"journey_id": "j1", "activity": "visit", "timestamp": t(9), "event_seq": 0},
    ...     {"journey_id": "j1", "activity": "buy", "timestamp": t(10), "event_seq": 1},
    ... ], schema=canonical_arrow_schema())
    >>> summarize(log_).to_reference_dict()["directly_follows"]
    [['visit', 'buy', 1, 3600.0]]
    """
    from cojourney.analytics.engines import Engine, get_engine

    owned = not isinstance(engine, Engine)
    eng = get_engine(engine) if isinstance(engine, str) else engine
    loaded: list[ir.Table] = []
    try:
        events = as_events_table(source, eng, mapping, options, on_progress, on_stage)
        if events is not source:
            loaded.append(events)
        if on_stage is not None:
            on_stage("analysing")
        counts = log_counts(events, eng)
        traces = eng.cache(journey_traces(events, eng))
        loaded.insert(0, traces)
        variant_count, top = variants(events, eng, top=top_variants, traces=traces)
        starts, ends = start_end_activities(events, eng, traces=traces)
        summary = DiscoverySummary(
            counts=counts, directly_follows=tuple(directly_follows(events, eng)),
            start_activities=starts, end_activities=ends, variant_count=variant_count,
            top_variants=tuple(top), case_durations=case_durations(events, eng, traces=traces),
            engine=eng.name, source=str(source) if isinstance(source, str | Path) else None)
        log.info("%s: %d journeys, %d events on %s", summary.source or "table",
                 counts.journeys, counts.events, eng.name)
        return summary
    finally:
        for table in loaded:  # the cached traces first, then the events they came from
            eng.release(table)
        if owned:
            eng.close()


def as_events_table(source: str | Path | ir.Table | pa.Table, engine: Engine,
                    mapping: ColumnMapping | None = None, options: ReadOptions | None = None,
                    on_progress: ProgressCallback | None = None,
                    on_stage: Callable[[str], None] | None = None) -> ir.Table:
    """Canonical events on ``engine`` from a file, a pyarrow table or an Ibis table.

    A file is read by the engine's own reader when it has one, else by
    :func:`cojourney.events.readers.read_events`; a pyarrow table is loaded; an Ibis
    table is returned as it is. The caller releases what was loaded (anything that
    is not ``source`` itself).
    """
    if isinstance(source, str | Path):
        from cojourney.events.readers import read_events

        if on_stage is not None:
            on_stage("reading")
        native = engine.load_file(source, mapping, options, on_stage=on_stage)
        if native is not None:
            return native
        return engine.load_events(read_events(source, mapping, options=options,
                                              on_progress=on_progress))
    if type(source).__module__.startswith("pyarrow"):
        return engine.load_events(source)
    return source  # an Ibis table on the engine


def _plain(value: Any) -> Any:
    """Floats as ``float`` and integers as ``int`` (engines return NumPy or Decimal types)."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    return float(value)
