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

The plan, as for the journey analyses (:mod:`cojourney.analytics.facts`): each
journey's events are sorted once into :class:`Traces`, arrays of integer activity
codes and times (:func:`coded_traces`), which :func:`summarize` caches; the analyses
then only group those (codes group and compare much faster than names).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.analytics.ordering import (
    journey_sequences,
    pair_keys,
    seconds_between,
    sequence_pairs,
)
from cojourney.analytics.results import (
    DirectlyFollows,
    DiscoverySummary,
    DurationStats,
    LogCounts,
    Variant,
    sorted_counts,
)
from cojourney.events.schema import ACTIVITY, JOURNEY_ID

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir
    import pyarrow as pa

    from cojourney.analytics.engines import Engine
    from cojourney.events.readers.base import ProgressCallback, ReadOptions
    from cojourney.events.schema import ColumnMapping

log = logging.getLogger(__name__)

#: Variants listed by default (the reference files list up to 20).
DEFAULT_TOP_VARIANTS = 20


@dataclass(frozen=True, slots=True)
class Traces:
    """Each journey's activities in sequence order, as codes, with the times of its events.

    Attributes
    ----------
    table
        One row per journey: ``journey_id``, ``C`` (activity codes, in
        ``(timestamp, event_seq)`` order), ``times`` (their epoch microseconds),
        ``events``, ``start_us`` and ``end_us`` (first and last event).
    names
        The activity names by code, in the engine's order of strings: comparing codes
        (and arrays of codes) compares the names.
    """

    table: ir.Table
    names: tuple[str, ...]


def coded_traces(events: ir.Table, engine: Engine) -> Traces:
    """The :class:`Traces` of ``events`` (runs one small query: the activity names).

    Activities (never null in canonical events) are coded by their rank among the
    log's distinct activities, through a join with that small table.
    """
    import ibis

    distinct = events.select(ACTIVITY).distinct()
    dictionary = distinct.mutate(
        code=ibis.dense_rank().over(order_by=distinct[ACTIVITY]).cast("int32")
    )
    names = tuple(row[ACTIVITY] for row in engine.rows(dictionary.order_by("code")))
    coded = events.join(dictionary, ACTIVITY)
    seqs = journey_sequences(coded, engine, activity=coded.code)
    steps = seqs.steps
    table = seqs.select(
        JOURNEY_ID,
        "events",
        "start_us",
        "end_us",
        C=steps.map(lambda s: s.activity),
        times=steps.map(lambda s: s.us),
    )
    return Traces(table, names)


def log_counts(events: ir.Table, engine: Engine) -> LogCounts:
    """Journeys, events and distinct activities of ``events``."""
    row = engine.rows(
        events.aggregate(
            journeys=events[JOURNEY_ID].nunique(),
            events=events.count(),
            activities=events[ACTIVITY].nunique(),
        )
    )[0]
    return LogCounts(journeys=row["journeys"], events=row["events"], activities=row["activities"])


def directly_follows(
    events: ir.Table, engine: Engine, *, traces: Traces | None = None
) -> list[DirectlyFollows]:
    """Every directly-follows relation with its frequency and performance.

    A journey of ``n`` events contributes ``n - 1`` pairs. Sorted by ``events``
    descending, then ``(source, target)``. ``traces``: the :class:`Traces` of
    ``events``, when already made.
    """
    traces = traces if traces is not None else coded_traces(events, engine)
    table, names, width = traces.table, traces.names, len(traces.names)
    rows = sequence_pairs(table, ["C", "times"], keep=(), index=False)
    steps = rows.filter(rows.next_C.notnull())
    seconds = seconds_between(steps.times, steps.next_times)
    # One quantile aggregate for both: the engine sorts each pair's seconds once.
    pairs = steps.group_by(["C", "next_C"]).aggregate(
        events=steps.count(), mean_seconds=seconds.mean(), quantiles=seconds.quantile([0.5, 0.9])
    )
    # The journeys of each pair: each journey's distinct pairs, unnested once (the keys
    # in their own projection, as ``unique`` reads its argument several times).
    keyed = table.select(keys=pair_keys(table.C, width))
    keys = keyed.select(key=keyed["keys"].unique().unnest())
    journeys = {
        row["key"]: row["journeys"]
        for row in engine.rows(keys.group_by("key").aggregate(journeys=keys.count()))
    }
    result = [
        DirectlyFollows(
            names[row["C"]],
            names[row["next_C"]],
            int(row["events"]),
            int(journeys[width + row["C"] * width + row["next_C"]]),
            float(row["mean_seconds"]),
            float(row["quantiles"][0]),
            float(row["quantiles"][1]),
        )
        for row in engine.rows(pairs)
    ]
    return sorted(result, key=lambda d: (-d.events, d.source, d.target))


def variants(
    events: ir.Table,
    engine: Engine,
    *,
    top: int | None = DEFAULT_TOP_VARIANTS,
    traces: Traces | ir.Table | None = None,
) -> tuple[int, list[Variant]]:
    """The number of variants and the ``top`` most frequent ones (all with ``None``).

    Ties in frequency are broken by the activities, compared as tuples, so the
    list is the same on every engine. ``traces``: the :class:`Traces` of ``events``
    (or a :func:`~cojourney.analytics.ordering.journey_traces` table), when already made.

    Returns
    -------
    (int, list of Variant)
        The variant count and the variants, most frequent first.
    """
    import ibis

    table, column, names = _sequences(events, engine, traces)
    grouped = table.group_by(column).aggregate(
        journeys=table.count(),
        mean_duration_seconds=seconds_between(table.start_us, table.end_us).mean(),
    )
    totals = engine.rows(
        grouped.aggregate(variants=grouped.count(), journeys=grouped.journeys.sum())
    )[0]
    count, journeys = int(totals["variants"]), int(totals["journeys"] or 0)
    ranked = grouped.order_by([ibis.desc("journeys"), column])
    if top is not None:
        ranked = ranked.limit(top)
    return count, [
        Variant(
            activities=_named(row[column], names),
            journeys=row["journeys"],
            share=row["journeys"] / journeys,
            mean_duration_seconds=float(row["mean_duration_seconds"]),
        )
        for row in engine.rows(ranked)
    ]


def start_end_activities(
    events: ir.Table, engine: Engine, *, traces: Traces | ir.Table | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """How many journeys start and end with each activity (sorted by count, then name)."""
    table, column, names = _sequences(events, engine, traces)
    activities = table[column]
    ends = table.group_by(first=activities[0], last=activities[activities.length() - 1]).aggregate(
        journeys=table.count()
    )
    starts: dict[str, int] = {}
    finals: dict[str, int] = {}
    for row in engine.rows(ends):
        first, last = (row[k] if names is None else names[row[k]] for k in ("first", "last"))
        starts[first] = starts.get(first, 0) + row["journeys"]
        finals[last] = finals.get(last, 0) + row["journeys"]
    return sorted_counts(starts), sorted_counts(finals)


def case_durations(
    events: ir.Table, engine: Engine, *, traces: Traces | ir.Table | None = None
) -> DurationStats:
    """Mean, median, min and max journey duration in seconds (first to last event)."""
    table, _, _ = _sequences(events, engine, traces)
    seconds = seconds_between(table.start_us, table.end_us)
    row = engine.rows(
        table.aggregate(
            mean=seconds.mean(), median=seconds.median(), min=seconds.min(), max=seconds.max()
        )
    )[0]
    return DurationStats(**{k: None if v is None else float(v) for k, v in row.items()})


def _sequences(
    events: ir.Table, engine: Engine, traces: Traces | ir.Table | None
) -> tuple[ir.Table, str, tuple[str, ...] | None]:
    """The table of journeys, its array column of activities, and the names of its codes
    (``None``: the array holds the names, as a ``journey_traces`` table does)."""
    if traces is None:
        traces = coded_traces(events, engine)
    if isinstance(traces, Traces):
        return traces.table, "C", traces.names
    return traces, "activities", None


def _named(activities: Sequence[Any], names: tuple[str, ...] | None) -> tuple[str, ...]:
    return tuple(activities) if names is None else tuple(names[code] for code in activities)


def summarize(
    source: str | Path | ir.Table | pa.Table,
    *,
    engine: str | Engine = "duckdb",
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
    top_variants: int | None = DEFAULT_TOP_VARIANTS,
    on_progress: ProgressCallback | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> DiscoverySummary:
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
        coded = coded_traces(events, eng)
        traces = Traces(eng.cache(coded.table), coded.names)
        loaded.insert(0, traces.table)
        counts = _counts(traces, eng)
        variant_count, top = variants(events, eng, top=top_variants, traces=traces)
        starts, ends = start_end_activities(events, eng, traces=traces)
        summary = DiscoverySummary(
            counts=counts,
            directly_follows=tuple(directly_follows(events, eng, traces=traces)),
            start_activities=starts,
            end_activities=ends,
            variant_count=variant_count,
            top_variants=tuple(top),
            case_durations=case_durations(events, eng, traces=traces),
            engine=eng.name,
            source=str(source) if isinstance(source, str | Path) else None,
        )
        log.info(
            "%s: %d journeys, %d events on %s",
            summary.source or "table",
            counts.journeys,
            counts.events,
            eng.name,
        )
        return summary
    finally:
        for table in loaded:  # the cached traces first, then the events they came from
            eng.release(table)
        if owned:
            eng.close()


def as_events_table(
    source: str | Path | ir.Table | pa.Table,
    engine: Engine,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
    on_progress: ProgressCallback | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> ir.Table:
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
        return engine.load_events(
            read_events(source, mapping, options=options, on_progress=on_progress)
        )
    if type(source).__module__.startswith("pyarrow"):
        return engine.load_events(source)
    return source  # an Ibis table on the engine


def _counts(traces: Traces, engine: Engine) -> LogCounts:
    """Journeys, events and distinct activities, from the traces."""
    table = traces.table
    row = engine.rows(table.aggregate(journeys=table.count(), events=table.events.sum()))[0]
    return LogCounts(
        journeys=int(row["journeys"]), events=int(row["events"] or 0), activities=len(traces.names)
    )
