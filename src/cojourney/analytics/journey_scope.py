"""Run any analysis on the journeys a filter keeps, or on one group of journeys.

The analyses of agreements, value, leakage and improvements read an
:class:`~cojourney.events.store.EventSource` through ``source.table_name(kind)``. A
*scoped* source answers that with temporary views, made where the source's analyses run
(its :attr:`~cojourney.events.store.EventSource.sql`: the DuckDB connection, or the
Spark session of a :class:`~cojourney.analytics.engines.spark_source.SparkEventSource`),
that hold only the kept journeys, so every analysis is restricted without a change to
its SQL, on either engine:

* the kept journey ids are computed once, into a temporary table, with the portable
  filter expressions of :mod:`cojourney.analytics.filters` (time window, segments,
  case attributes, personas by the workspace's rules, cohorts);
* ``events``: the events of the kept journeys (whole journeys, never cut apart);
* ``feedback``: the answers about the kept journeys (their ``journey_id``);
* ``measurements`` (not tied to a journey): under a segment filter, the measurements
  of those segments; under a filter measurements cannot follow (a case attribute, a
  persona, a cohort), none,
  so the indicators they feed read as not measured for the selection instead of showing
  the whole population's figures; under a time window only, all of them.

:func:`journey_groups` gives the groups of a breakdown: each journey falls in exactly one
group of a dimension (its persona, its cohort, its segment, or the first value of a
case attribute, ``(none)`` when it has none), so the groups add up to the whole.

Usage::

    with scoped(source, JourneyFilter(segments=("students",))) as kept:
        clocks = evaluate_clocks(kept, workspace)
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.events.schema import ATTRIBUTES, JOURNEY_ID, SEGMENT
from cojourney.events.store import EventSource
from cojourney.events.store_schema import sql_value

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.domain import Workspace
    from cojourney.events.sql import SqlConnection

__all__ = [
    "NONE_GROUP",
    "JourneyGroup",
    "ScopedSource",
    "describe",
    "describe_filters",
    "journey_groups",
    "scoped",
]

log = logging.getLogger(__name__)

#: The group of journeys without a value for the breakdown dimension.
NONE_GROUP: Final = "(none)"
#: Breakdown dimensions computed from the workspace's rules.
RULE_DIMENSIONS: Final = ("persona", "cohort")
_names = itertools.count(1)


class ScopedSource(EventSource):
    """An event source restricted to some journeys (temporary views where the parent's
    SQL runs: its DuckDB connection or its Spark session). Closing it drops the views and
    leaves the parent open."""

    def __init__(
        self, parent: EventSource, tables: dict[str, str], kept_table: str, label: str
    ) -> None:
        super().__init__(parent.connection, tables, label=label)
        self._parent = parent
        self._kept_table = kept_table

    @property
    def parent(self) -> EventSource:
        """The source this one restricts (the whole log)."""
        return self._parent

    @property
    def sql(self) -> SqlConnection:
        """The parent's: the views live where its analyses run."""
        return self._parent.sql

    @property
    def kept_table(self) -> str:
        """The temporary table of the kept journey ids (``journey_id``)."""
        return self._kept_table

    def kept_count(self) -> int:
        """How many journeys are kept."""
        row = self.sql.execute(f'SELECT count(*) FROM "{self._kept_table}"').fetchone()
        return int(row[0]) if row else 0

    def count(self, kind: str = "events") -> int:
        row = self.sql.execute(f'SELECT count(*) FROM "{self.table_name(kind)}"').fetchone()
        return int(row[0]) if row else 0

    def imports(self, kind: str | None = None) -> list[object]:  # type: ignore[override]
        return list(self._parent.imports(kind))

    def close(self) -> None:
        if self._con is None:
            return
        con = self.sql
        for name in self._tables.values():
            con.execute(f'DROP VIEW IF EXISTS "{name}"')
        con.execute(f'DROP TABLE IF EXISTS "{self._kept_table}"')
        self._con = None


@contextmanager
def scoped(
    source: EventSource, journey_filter: JourneyFilter | None, workspace: Workspace | None = None
) -> Iterator[EventSource]:
    """``source`` restricted to the journeys ``journey_filter`` keeps (see the module
    docstring); ``source`` itself when the filter keeps everything. The ``workspace``
    gives the persona and segment rules (none: personas are segments of their id).

    Raises
    ------
    cojourney.errors.InputError
        The filter asks for a variant (variants belong to one designed journey: only
        the journey analyses take that filter).
    """
    if journey_filter is None or not journey_filter.active:
        yield source
        return
    if journey_filter.variant is not None:
        raise InputError(
            Problem(
                "this analysis cannot be filtered by variant",
                Location(field="variant"),
                found=str(journey_filter.variant),
                hint="filter by time window, segment or case attribute instead",
            )
        )
    kept = _kept_table(source, _kept_sql(source, journey_filter, workspace))
    restricted = _restrict(
        source,
        kept,
        _measurements_where(journey_filter),
        f"{source.label}, journeys kept: {describe(journey_filter)}",
    )
    try:
        yield restricted
    finally:
        restricted.close()


@dataclass(frozen=True, slots=True)
class JourneyGroup:
    """One group of a breakdown: its label and its journeys' count."""

    label: str
    journeys: int


@contextmanager
def journey_groups(
    source: EventSource, dimension: str, workspace: Workspace | None = None
) -> Iterator[list[tuple[JourneyGroup, EventSource]]]:
    """The groups of ``dimension`` (``persona``, ``cohort``, ``segment``, else a case
    attribute) among the journeys of ``source``, each with a source restricted to its
    journeys; sorted by label, ``(none)`` last.

    A journey's group is its persona by the ``workspace``'s rules (``(no persona)``
    when it matches none), its cohort (the month of its first event), its segment (the
    smallest non-empty ``segment`` of its events, as the segment filter reads it), or
    the first value of the case attribute (an event column, else a key of the events'
    JSON ``attributes``) in the order of its events.

    Raises
    ------
    cojourney.errors.InputError
        The dimension has no name.
    """
    if not dimension.strip():
        raise InputError(
            Problem(
                "a breakdown needs a dimension",
                Location(field="by"),
                expected="segment or a case attribute",
            )
        )
    labels = f"cojourney_groups_{next(_names)}"
    con = source.sql
    con.execute(f'CREATE TEMP TABLE "{labels}" AS {_labels_sql(source, dimension, workspace)}')
    opened: list[tuple[JourneyGroup, EventSource]] = []
    try:
        counts = con.execute(
            f'SELECT label, count(*) FROM "{labels}" GROUP BY label '
            f"ORDER BY label = {sql_value(NONE_GROUP)}, label"
        ).fetchall()
        for label, n in counts:
            kept = _kept_table(
                source,
                f'SELECT {JOURNEY_ID} FROM "{labels}" WHERE label = {sql_value(str(label))}',
            )
            where = f"segment = {sql_value(str(label))}" if dimension == SEGMENT else "false"
            # measurements follow a segment (their one attribute), nothing else
            part = _restrict(source, kept, where, f"{source.label}, {dimension} = {label}")
            opened.append((JourneyGroup(str(label), int(n)), part))
        yield opened
    finally:
        for _, group_source in opened:
            group_source.close()
        con.execute(f'DROP TABLE IF EXISTS "{labels}"')


def _labels_sql(source: EventSource, dimension: str, workspace: Workspace | None) -> str:
    """``journey_id, label`` of every journey of ``source`` (see :func:`journey_groups`)."""
    events = source.table_name("events")
    if dimension in RULE_DIMENSIONS:
        import ibis

        from cojourney.analytics.engines.duckdb import canonical_ibis_schema
        from cojourney.analytics.segments import GroupRules
        from cojourney.analytics.segments import journey_groups as groups_of

        rules = GroupRules.of(workspace) if workspace is not None else GroupRules()
        groups = groups_of(ibis.table(canonical_ibis_schema(), name=events), rules)
        return str(ibis.to_sql(groups.select(JOURNEY_ID, label=groups[dimension]), "duckdb"))
    value = _value_sql(source, dimension)
    first = f"min({value})" if dimension == SEGMENT else f"arg_min({value}, (timestamp, event_seq))"
    return (
        f"SELECT {JOURNEY_ID}, coalesce({first} FILTER (WHERE nullif({value}, '') IS NOT NULL), "
        f'{sql_value(NONE_GROUP)}) AS label FROM "{events}" GROUP BY {JOURNEY_ID}'
    )


def _value_sql(source: EventSource, key: str) -> str:
    """The SQL value of ``key`` per event, as text: its column, else its JSON attribute."""
    empty = source.sql.execute(f'SELECT * FROM "{source.table_name("events")}" LIMIT 0')
    columns = set(empty.fetch_arrow_table().column_names)
    if key in columns and key != ATTRIBUTES:
        return f'CAST("{key}" AS VARCHAR)'
    path = '$."' + key.replace('"', '\\"') + '"'
    return f"json_extract_string({ATTRIBUTES}, {sql_value(path)})"


def _kept_sql(
    source: EventSource, journey_filter: JourneyFilter, workspace: Workspace | None
) -> str:
    """The SQL of the kept journey ids (the filters' own ibis expressions, compiled to
    DuckDB's SQL, which a Spark source runs too)."""
    from dataclasses import replace

    import ibis

    from cojourney.analytics.engines.duckdb import _epoch_us, canonical_ibis_schema
    from cojourney.analytics.filters import filter_cases, filter_journeys
    from cojourney.analytics.segments import GroupRules

    events = ibis.table(canonical_ibis_schema(), name=source.table_name("events"))
    if journey_filter.attributes or journey_filter.personas or journey_filter.cohorts:
        if journey_filter.rules is None and workspace is not None:
            journey_filter = replace(journey_filter, rules=GroupRules.of(workspace))
        events = filter_cases(events, journey_filter)
    seqs = events.group_by(JOURNEY_ID).aggregate(
        start_us=_epoch_us(events.timestamp).min(),
        segment=events[SEGMENT].min(),
    )
    return str(ibis.to_sql(filter_journeys(seqs, journey_filter).select(JOURNEY_ID), "duckdb"))


def _measurements_where(journey_filter: JourneyFilter) -> str:
    """Which measurements a filter keeps (SQL condition; see the module docstring)."""
    if journey_filter.attributes or journey_filter.personas or journey_filter.cohorts:
        return "false"
    if journey_filter.segments:
        listed = ", ".join(sql_value(s) for s in journey_filter.segments)
        return f"segment IN ({listed})"
    return "true"


def _kept_table(source: EventSource, kept_sql: str) -> str:
    name = f"cojourney_kept_{next(_names)}"
    source.sql.execute(f'CREATE TEMP TABLE "{name}" AS {kept_sql}')
    return name


def describe(journey_filter: JourneyFilter) -> str:
    """The filter in a few words: ``segments anna; channel = app``."""
    return describe_filters(journey_filter.to_dict())


def describe_filters(filters: Mapping[str, Any]) -> str:
    """Filters as ``JourneyFilter.to_dict()`` gives them, in a few words."""
    parts = []
    for key, value in filters.items():
        if isinstance(value, dict):
            parts += [f"{k} = {v}" for k, v in value.items()]
        elif isinstance(value, list):
            parts.append(f"{key} {', '.join(str(v) for v in value)}")
        else:
            parts.append(f"{key} {value}")
    return "; ".join(parts)


def _restrict(source: EventSource, kept: str, measurements_where: str, label: str) -> ScopedSource:
    """A source of ``source``'s logs restricted to the journeys in the table ``kept``."""
    con = source.sql
    tables: dict[str, str] = {}
    number = next(_names)
    for kind in ("events", "feedback", "measurements"):
        try:
            parent = source.table_name(kind)
        except NotFound:
            continue
        view = f"cojourney_scoped_{kind}_{number}"
        if kind == "measurements":
            where = measurements_where
        else:
            where = f'{JOURNEY_ID} IN (SELECT {JOURNEY_ID} FROM "{kept}")'
        con.execute(f'CREATE TEMP VIEW "{view}" AS SELECT * FROM "{parent}" WHERE {where}')
        tables[kind] = view
    scoped_source = ScopedSource(source, tables, kept, label)
    if log.isEnabledFor(logging.DEBUG):  # a count is a statement (a job on Spark)
        log.debug("scoped %s to %d journeys", source.label, scoped_source.kept_count())
    return scoped_source
