"""Process discovery of one file as a few passes over integer arrays (no Ibis).

The fast path of ``cojourney analyze FILE`` on DuckDB
(:func:`cojourney.services.discovery.discover_log`): DuckDB reads and checks the
file exactly as the engine does (:func:`~cojourney.analytics.engines.duckdb_files.load_tabular`)
and hands over, in one unsorted pass, each event's journey key (a 64-bit hash of
its id, exact codes instead when two ids collide), activity code and epoch
microseconds as NumPy arrays; NumPy sorts them once by ``(journey, timestamp,
event_seq)``; the results of :func:`cojourney.analytics.discovery.summarize` then
come from NumPy passes over three arrays (journey boundaries, activity codes, epoch
microseconds):

* directly-follows: consecutive events of one journey, keyed ``source * W + target``
  (``W`` activities); counts and means by ``bincount``; the median and 90th
  percentile by one sort of ``(key, seconds)``, interpolated linearly between
  closest ranks; the journeys of a pair from the distinct ``(journey, key)``;
* variants: each journey's codes as a big-endian byte string (a zero-copy Arrow
  binary array), grouped by Arrow's hash aggregation; byte order of big-endian
  codes is the order of the activity tuples, so ties break as on the engines;
* start and end activities and journey durations from the journey boundaries.

Same conventions and results as :mod:`cojourney.analytics.discovery` (activity
codes rank the names in code-point order, the order of DuckDB's strings); the
reference tests run both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cojourney.analytics.results import (
    DirectlyFollows,
    DiscoverySummary,
    DurationStats,
    LogCounts,
    Variant,
    sorted_counts,
)
from cojourney.events import schema as S

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from cojourney.events.readers.base import ProgressCallback, ReadOptions
    from cojourney.events.schema import ColumnMapping

__all__ = ["EventArrays", "sorted_event_arrays", "summarize_arrays", "summarize_file"]

log = logging.getLogger(__name__)

_VIEW = "cojourney_events_fast"
_NAMES = "cojourney_activity_names"
#: The journey key of the first try (any integer with one value per journey id works).
_JOURNEY_KEY = "hash(e.{})"
_MICROS = 1_000_000.0


class EventArrays:
    """Events sorted by ``(journey, timestamp, event_seq)`` as integer arrays.

    Attributes
    ----------
    starts
        Index of each journey's first event (ascending), with the event count appended.
    codes
        Activity code of every event (the rank of its name in ``names``).
    micros
        Epoch microseconds of every event.
    names
        The activity names, sorted (code-point order).
    """

    __slots__ = ("codes", "micros", "names", "starts")

    def __init__(
        self,
        starts: np.ndarray[Any, np.dtype[np.int64]],
        codes: np.ndarray[Any, np.dtype[np.int64]],
        micros: np.ndarray[Any, np.dtype[np.int64]],
        names: tuple[str, ...],
    ) -> None:
        self.starts, self.codes, self.micros, self.names = starts, codes, micros, names

    @classmethod
    def from_sorted(
        cls,
        journeys: np.ndarray[Any, Any],
        codes: np.ndarray[Any, Any],
        micros: np.ndarray[Any, Any],
        names: tuple[str, ...],
    ) -> EventArrays:
        """From a journey code, activity code and epoch microseconds per event, in
        sequence order (each journey's events together)."""
        n = len(journeys)
        inner = np.flatnonzero(journeys[1:] != journeys[:-1]) + 1
        starts = np.concatenate(([0] if n else [], inner, [n])).astype(np.int64)
        return cls(starts, codes.astype(np.int64), micros.astype(np.int64, copy=False), names)


def summarize_file(
    path: str | Path,
    *,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
    top_variants: int | None = 20,
    on_progress: ProgressCallback | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> DiscoverySummary:
    """The :class:`DiscoverySummary` of an event-log file of any format, on DuckDB.

    CSV, Parquet and JSON Lines are read by DuckDB itself
    (:func:`~cojourney.analytics.engines.duckdb_files.load_tabular`); XES and OCEL by
    :func:`cojourney.events.readers.read_events`, whose batches DuckDB copies (the
    four columns used only).

    Raises
    ------
    cojourney.errors.ImportRejected
        As the engines' readers do.
    """
    from cojourney.analytics.engines.duckdb_files import Distinct, load_tabular
    from cojourney.events.readers.connections import duckdb_connect

    found: list[Distinct] = []  # from the check of a file read in place
    con = duckdb_connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        if on_stage is not None:
            on_stage("reading")
        loaded = load_tabular(
            con, path, _VIEW, mapping, options, on_stage=on_stage, on_distinct=found.append
        )
        if loaded is False:
            _copy_read_events(con, path, mapping, options, on_progress)
        if on_stage is not None:
            on_stage("analysing")
        distinct = (found[0].journeys, found[0].activities) if found else None
        arrays = sorted_event_arrays(con, _VIEW, distinct=distinct)
    finally:
        con.close()
    summary = summarize_arrays(arrays, top_variants=top_variants, source=str(path))
    log.info(
        "%s: %d journeys, %d events on duckdb (arrays)",
        path,
        summary.counts.journeys,
        summary.counts.events,
    )
    return summary


def _copy_read_events(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    mapping: ColumnMapping | None,
    options: ReadOptions | None,
    on_progress: ProgressCallback | None,
) -> None:
    """The canonical events of a file DuckDB cannot read itself, as the table ``_VIEW``."""
    import duckdb
    import pyarrow as pa

    from cojourney.analytics.engines import ErrorRelay
    from cojourney.events.readers import read_events

    relay = ErrorRelay()
    batches = read_events(path, mapping, options=options, on_progress=on_progress)
    reader = pa.RecordBatchReader.from_batches(S.canonical_arrow_schema(), relay.watch(batches))
    con.register("_cojourney_incoming", reader)
    try:
        con.execute(
            f'CREATE TABLE "{_VIEW}" AS SELECT {S.JOURNEY_ID}, {S.ACTIVITY}, "{S.TIMESTAMP}", '
            f"{S.EVENT_SEQ} FROM _cojourney_incoming"
        )
    except duckdb.Error:
        relay.reraise()  # the reader's own error (ImportRejected), not DuckDB's wrapper
        raise
    finally:
        con.unregister("_cojourney_incoming")


def sorted_event_arrays(
    con: duckdb.DuckDBPyConnection,
    view: str,
    *,
    distinct: tuple[int, Sequence[str]] | None = None,
) -> EventArrays:
    """The :class:`EventArrays` of the canonical events in ``view``.

    Two passes over the events in DuckDB, then one sort in NumPy: the number of
    journeys and the activity names (one aggregate, unless ``distinct`` gives them);
    each event's journey key (a 64-bit hash of its id), activity code (an ``ENUM`` of
    the sorted names) and epoch microseconds, unsorted; NumPy sorts them by
    ``(journey key, microseconds, event_seq)``. When two journeys' keys collide
    (fewer keys than journeys), the journeys get exact codes instead (a third pass).
    """
    from cojourney.events.readers.base import sql_string

    con.execute("SET enable_progress_bar = false")  # DuckDB's own bar would go to stdout
    if distinct is None:
        # Distinct values as sub-queries: cheaper in DuckDB than DISTINCT aggregates.
        row = con.execute(
            f'SELECT (SELECT count(*) FROM (SELECT DISTINCT {S.JOURNEY_ID} FROM "{view}")), '
            f"(SELECT list({S.ACTIVITY}) FROM (SELECT DISTINCT {S.ACTIVITY} FROM "
            f'"{view}" WHERE {S.ACTIVITY} IS NOT NULL))'
        ).fetchone()
        assert row is not None
        distinct = (int(row[0]), row[1] or ())
    n_journeys = distinct[0]
    # Activity codes rank the names in code-point order (DuckDB's order of strings).
    names = tuple(sorted(distinct[1]))
    if not names:
        empty = np.zeros(0, np.int64)
        return EventArrays.from_sorted(empty, empty, empty, names)
    con.execute(f"CREATE TYPE {_NAMES} AS ENUM ({', '.join(map(sql_string, names))})")
    try:
        columns = _fetch(con, view, _JOURNEY_KEY.format(S.JOURNEY_ID), "")
        arrays = _sorted(columns, names, n_journeys)
        if len(arrays.starts) - 1 != n_journeys:  # two journeys share a key: exact codes
            log.debug("journey keys collide in %s: coding the journeys exactly", view)
            journeys = (
                f"(SELECT {S.JOURNEY_ID}, CAST(row_number() OVER () AS INTEGER) AS code "
                f'FROM (SELECT DISTINCT {S.JOURNEY_ID} FROM "{view}")) AS j'
            )
            columns = _fetch(con, view, "j.code", f"JOIN {journeys} USING ({S.JOURNEY_ID})")
            arrays = _sorted(columns, names, n_journeys)
    finally:
        con.execute(f"DROP TYPE IF EXISTS {_NAMES}")
    return arrays


def _fetch(
    con: duckdb.DuckDBPyConnection, view: str, journey: str, join: str
) -> dict[str, np.ndarray[Any, Any]]:
    """Journey key, activity code, epoch microseconds and ``event_seq`` of every event
    (unsorted; NumPy arrays straight from DuckDB: neither pyarrow nor pandas is loaded)."""
    return con.execute(
        f"SELECT {journey} AS journey, enum_code(CAST(e.{S.ACTIVITY} AS {_NAMES})) AS code, "
        f'epoch_us(e."{S.TIMESTAMP}") AS micros, e.{S.EVENT_SEQ} AS seq '
        f'FROM "{view}" AS e {join}'
    ).fetchnumpy()


def _sorted(
    columns: dict[str, np.ndarray[Any, Any]], names: tuple[str, ...], n_journeys: int
) -> EventArrays:
    """The events sorted by ``(journey key, microseconds, event_seq)``: by one sort of
    packed integers when :func:`_packed_order` applies, else by ``lexsort``."""
    journeys, micros, seq = columns["journey"], columns["micros"], columns["seq"]
    packed = _packed_order(journeys, micros, seq, n_journeys)
    if packed is not None:
        order, groups, sorted_micros = packed
        return EventArrays.from_sorted(groups, columns["code"][order], sorted_micros, names)
    order = np.lexsort((seq, micros, journeys))
    return EventArrays.from_sorted(journeys[order], columns["code"][order], micros[order], names)


def _packed_order(
    journeys: np.ndarray[Any, Any],
    micros: np.ndarray[Any, Any],
    seq: np.ndarray[Any, Any],
    n_journeys: int,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """The order by ``(journey, microseconds, event_seq)`` from one sort of 63-bit
    integers (the high bits of the journey key, then the row's position), a fraction of
    ``lexsort``'s time; with the sorted journey groups and microseconds.

    ``None`` unless both hold, checked: the high bits tell the ``n_journeys``
    journeys apart, and each journey's events come in time order already (a log
    sorted by time, or by journey and time, as most logs are).
    """
    n = len(journeys)
    bits = max(int(n - 1).bit_length(), 1)
    if n < 2 or journeys.dtype != np.uint64 or bits > 40:
        return None
    # In place where possible: at 1M events each array is 8 MB of the peak memory.
    packed = (journeys >> np.uint64(bits + 1)).astype(np.int64)  # 63 - bits bits
    packed <<= bits
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    order = packed & ((1 << bits) - 1)
    groups = packed
    groups >>= bits
    inner = groups[1:] == groups[:-1]
    if n - int(np.count_nonzero(inner)) != n_journeys:  # two journeys share their high bits
        return None
    sorted_micros, sorted_seq = micros[order], seq[order]
    later, same = sorted_micros[1:] > sorted_micros[:-1], sorted_micros[1:] == sorted_micros[:-1]
    if not np.all(~inner | later | (same & (sorted_seq[1:] > sorted_seq[:-1]))):
        return None  # a journey's events out of time order: lexsort
    return order, groups, sorted_micros


def summarize_arrays(
    arrays: EventArrays, *, top_variants: int | None = 20, source: str | None = None
) -> DiscoverySummary:
    """Counts, directly-follows, variants, start and end activities and durations."""
    starts, codes, names = arrays.starts, arrays.codes, arrays.names
    n_journeys = len(starts) - 1
    firsts, lasts = starts[:-1], starts[1:] - 1
    seconds = (arrays.micros[lasts] - arrays.micros[firsts]) / _MICROS
    start_counts = np.bincount(codes[firsts], minlength=len(names))
    end_counts = np.bincount(codes[lasts], minlength=len(names))
    variant_count, top = _variants(arrays, seconds, top_variants)
    return DiscoverySummary(
        counts=LogCounts(journeys=n_journeys, events=len(codes), activities=len(names)),
        directly_follows=tuple(_directly_follows(arrays)),
        start_activities=_named_counts(start_counts, names),
        end_activities=_named_counts(end_counts, names),
        variant_count=variant_count,
        top_variants=tuple(top),
        case_durations=_durations(seconds),
        engine="duckdb",
        source=source,
    )


def _named_counts(counts: np.ndarray[Any, Any], names: tuple[str, ...]) -> dict[str, int]:
    return sorted_counts({names[i]: int(c) for i, c in enumerate(counts) if c})


def _durations(seconds: np.ndarray[Any, Any]) -> DurationStats:
    if not len(seconds):
        return DurationStats(None, None, None, None)
    return DurationStats(
        mean=float(seconds.mean()),
        median=_median(seconds),
        min=float(seconds.min()),
        max=float(seconds.max()),
    )


def _median(values: np.ndarray[Any, Any]) -> float:
    """``np.median`` of a non-empty array, without the import of ``numpy.ma`` (about
    0.05 s) that NumPy's own makes: the middle value, or the mean of the middle two."""
    half = len(values) // 2
    if len(values) % 2:
        return float(np.partition(values, half)[half])
    low, high = np.partition(values, (half - 1, half))[half - 1 : half + 1]
    return float((low + high) / 2)


def _directly_follows(arrays: EventArrays) -> list[DirectlyFollows]:
    starts, codes, micros, names = arrays.starts, arrays.codes, arrays.micros, arrays.names
    width = len(names)
    n = len(codes)
    if n < 2:
        return []
    # Positions i whose next event i + 1 is of the same journey.
    same = np.ones(n - 1, dtype=bool)
    same[starts[1:-1] - 1] = False
    left = np.flatnonzero(same)
    if not len(left):
        return []
    # In place and freed early: at 1M events each array is 8 MB of the peak memory.
    following = left + 1
    keys = codes[left]
    keys *= width
    keys += codes[following]
    gaps = micros[following]
    gaps -= micros[left]  # >= 0: events are in time order
    del following
    journeys = _pair_journeys(starts, left, keys)  # aligned with pair_keys (both sorted)
    del left
    keys_sorted, gaps_sorted = _sort_pairs(keys, gaps)
    del keys, gaps
    seconds_sorted = gaps_sorted.astype(np.float64)
    del gaps_sorted
    seconds_sorted /= _MICROS
    bounds = np.flatnonzero(keys_sorted[1:] != keys_sorted[:-1]) + 1
    group_starts = np.concatenate(([0], bounds))
    counts = np.diff(np.concatenate((group_starts, [len(keys_sorted)])))
    pair_keys = keys_sorted[group_starts]
    means = np.add.reduceat(seconds_sorted, group_starts) / counts
    medians = _quantile(seconds_sorted, group_starts, counts, 0.5)
    p90s = _quantile(seconds_sorted, group_starts, counts, 0.9)
    result = [
        DirectlyFollows(
            names[int(key) // width],
            names[int(key) % width],
            int(count),
            int(journey_count),
            float(mean),
            float(median),
            float(p90),
        )
        for key, count, journey_count, mean, median, p90 in zip(
            pair_keys, counts, journeys, means, medians, p90s, strict=True
        )
    ]
    return sorted(result, key=lambda d: (-d.events, d.source, d.target))


def _sort_pairs(
    keys: np.ndarray[Any, Any], gaps: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``keys`` and ``gaps`` sorted by ``(key, gap)``: one sort of a combined integer
    when it fits in 63 bits, else a two-key sort."""
    span = int(gaps.max()) + 1
    if int(keys.max()) + 1 <= (2**62) // span:
        combined = keys * span
        combined += gaps
        combined.sort()
        return combined // span, combined % span
    order = np.lexsort((gaps, keys))
    return keys[order], gaps[order]


def _pair_journeys(
    starts: np.ndarray[Any, Any], left: np.ndarray[Any, Any], keys: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """For each distinct pair key, ascending: the journeys in which the pair occurs."""
    journey_of = np.searchsorted(starts, left, side="right")
    journey_of -= 1
    span = len(starts) - 1
    if int(keys.max()) + 1 <= (2**62) // span:  # (key, journey) packed in one integer
        combined = keys * span
        combined += journey_of
        combined.sort()
        distinct = np.concatenate(([True], combined[1:] != combined[:-1]))
        firsts = combined[distinct] // span
    else:  # very many activities: a two-key sort
        order = np.lexsort((journey_of, keys))
        by_key, by_journey = keys[order], journey_of[order]
        distinct = np.concatenate(
            ([True], (by_key[1:] != by_key[:-1]) | (by_journey[1:] != by_journey[:-1]))
        )
        firsts = by_key[distinct]
    changes = np.flatnonzero(np.concatenate(([True], firsts[1:] != firsts[:-1])))
    return np.diff(np.concatenate((changes, [len(firsts)])))


def _quantile(
    values: np.ndarray[Any, Any],
    group_starts: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    q: float,
) -> np.ndarray[Any, Any]:
    """Per group of sorted ``values``: the ``q`` quantile, linear between closest ranks."""
    position = (counts - 1) * q
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, counts - 1)
    low = values[group_starts + below]
    high = values[group_starts + above]
    result: np.ndarray[Any, Any] = low + (high - low) * (position - below)
    return result


def _variants(
    arrays: EventArrays, seconds: np.ndarray[Any, Any], top: int | None
) -> tuple[int, list[Variant]]:
    starts, codes, names = arrays.starts, arrays.codes, arrays.names
    n_journeys = len(starts) - 1
    if not n_journeys:
        return 0, []
    # Big-endian fixed-width codes: byte order of a sequence is the order of its tuple.
    width = 2 if len(names) <= 1 << 16 else 4
    dtype = np.dtype(">u2" if width == 2 else ">u4")
    data = codes.astype(dtype).tobytes()
    bounds = (starts * width).tolist()
    index: dict[bytes, int] = {}
    variant_of = np.fromiter(
        (index.setdefault(data[a:b], len(index)) for a, b in pairwise(bounds)),
        np.int64,
        n_journeys,
    )
    journeys = np.bincount(variant_of)
    means = np.bincount(variant_of, weights=seconds) / journeys
    sequences = list(index)
    ranked = sorted(range(len(sequences)), key=lambda v: (-journeys[v], sequences[v]))
    if top is not None:
        ranked = ranked[:top]
    return len(sequences), [
        Variant(
            activities=tuple(names[c] for c in np.frombuffer(sequences[v], dtype=dtype).tolist()),
            journeys=int(journeys[v]),
            share=int(journeys[v]) / n_journeys,
            mean_duration_seconds=float(means[v]),
        )
        for v in ranked
    ]
