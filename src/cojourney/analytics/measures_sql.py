"""SQL for indicator measures: one *units* query per measure, run on DuckDB.

A measure (:class:`cojourney.domain.measures.Measure`) is compiled into a query that
returns one row per *unit* of the measure, with three columns:

``journey_id``
    The journey instance the unit belongs to.
``t``
    When the unit happened (``TIMESTAMPTZ``); it decides the unit's period and whether
    it falls in the ``start``/``end`` window (both in the workspace's time zone).
``y``
    The unit's value, ready to be aggregated: the indicator's value for a period is
    ``aggregate(y)`` over the period's units (:meth:`UnitsQuery.aggregate`).

The units of each kind:

=============== =========================================== ==============================
kind            one unit is                                 ``y`` (times ``factor``)
=============== =========================================== ==============================
journey_share   a journey of the population, at its first   100 when it reached any of
                ``among`` event (its first event without)   ``touchpoints``, else 0
event_share     an event of ``touchpoints`` that has every  100 when ``where`` holds, else 0
                attribute ``where`` names
count           an event of ``touchpoints`` passing         1 (the value is the sum)
                ``where``; without touchpoints a journey,
                at its first event
per_journey     a journey of the population active in a     its events of ``touchpoints``
                period, at its first event in the period    in that period
duration        a journey with a ``start`` event and a      end minus start, in
                following ``end`` event, at the start       ``time_unit``
attribute       an event of ``touchpoints`` (any event      ``sum(weight x attribute)``
                without) with at least one weighted
                attribute, passing ``where``
feedback        an answer to ``question`` (on               the score; for ``nps``: 100
                ``touchpoints``, or journey level)          (9-10), 0 (7-8), -100 (0-6);
                                                            ``csat``: 100 (4-5) else 0;
                                                            ``top_box``: 100 at the top
=============== =========================================== ==============================

Every query is plain DuckDB SQL over the source's tables (``json_extract_string``
for attributes, ``timezone()`` of the ICU extension for local time): vectorised, no
Python loop per event.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cojourney.analytics.measures_calendar import Frame, lit
from cojourney.domain.measures import Condition, MatchMode, Measure, MeasureKind, Pairing, Statistic
from cojourney.events.feedback_schema import QUESTION_SCALES

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from cojourney.events.sql import SqlConnection

__all__ = [
    "JourneySet",
    "Tables",
    "UnitsQuery",
    "aggregate_sql",
    "compile_units",
    "condition_target",
]

#: Canonical columns a condition may name instead of an attribute of the JSON column.
_EVENT_COLUMNS = ("channel", "actor", "role", "segment", "lifecycle", "activity")
_FEEDBACK_COLUMNS = ("channel", "segment", "respondent", "touchpoint", "step", "question")
_counter = itertools.count()


# --------------------------------------------------------------------------- journey sets


@dataclass
class JourneySet:
    """A set of journey ids, as a SQL sub-query (build with the class methods).

    Use :meth:`ids` for a Python collection or a DuckDB relation (registered on the
    connection while a query runs), :meth:`attribute` for the journeys with an event
    whose attribute equals a value, :meth:`segment` for the journeys of a segment.
    """

    kind: str
    name: str = ""
    value: str = ""
    data: Any = None
    _registered: list[tuple[Any, str]] = field(default_factory=list, repr=False)

    @classmethod
    def ids(cls, journeys: Collection[str] | duckdb.DuckDBPyRelation) -> JourneySet:
        """The journeys listed (a collection of ids, or a relation with ``journey_id``)."""
        return cls("ids", data=journeys)

    @classmethod
    def attribute(cls, name: str, value: str) -> JourneySet:
        """Journeys with an event whose attribute ``name`` (or column) equals ``value``."""
        if name == "segment":
            return cls.segment(value)
        return cls("attribute", name=name, value=str(value))

    @classmethod
    def segment(cls, value: str) -> JourneySet:
        """Journeys of segment ``value`` (a journey's segment is the smallest non-null one
        of its events, as in :mod:`cojourney.analytics.filters`; answers count too)."""
        return cls("segment", value=value)

    def sql(self, con: SqlConnection, tables: Tables) -> str:
        """A sub-query returning the ``journey_id`` of the set."""
        e = tables.events
        if self.kind == "attribute":
            attr = condition_target(self.name, "events")
            return f'SELECT DISTINCT journey_id FROM "{e}" WHERE CAST({attr} AS VARCHAR) = {lit(self.value)}'
        if self.kind == "segment":
            parts = [
                f'SELECT journey_id FROM "{e}" GROUP BY journey_id HAVING min(segment) = {lit(self.value)}'
            ]
            if tables.feedback:
                parts.append(
                    f'SELECT journey_id FROM "{tables.feedback}" GROUP BY journey_id '
                    f"HAVING min(segment) = {lit(self.value)}"
                )
            return " UNION ".join(parts)
        import pyarrow as pa

        data = self.data
        table = (
            data.arrow()
            if hasattr(data, "arrow")
            else pa.table({"journey_id": pa.array(sorted(set(data)), pa.string())})
        )
        if hasattr(table, "read_all"):  # newer DuckDB: .arrow() gives a reader
            table = table.read_all()
        name = f"__cojourney_journeys_{next(_counter)}"
        con.register(name, table)
        self._registered.append((con, name))
        return f'SELECT journey_id FROM "{name}"'

    def release(self) -> None:
        """Unregister what :meth:`sql` registered."""
        for con, name in self._registered:
            with contextlib.suppress(Exception):  # best effort
                con.unregister(name)
        self._registered.clear()


@dataclass(frozen=True)
class Tables:
    """The SQL names of the event table and the feedback table (``None``: no feedback)."""

    events: str
    feedback: str | None


# --------------------------------------------------------------------------- conditions


def condition_target(attribute: str, kind: str) -> str:
    """The SQL of a condition's left side: a canonical column or a JSON attribute."""
    columns = _EVENT_COLUMNS if kind == "events" else _FEEDBACK_COLUMNS
    if attribute in columns:
        return f'"{attribute}"'
    path = '$."' + attribute.replace('"', '\\"') + '"'
    return f"json_extract_string(attributes, {lit(path)})"


def _condition_sql(cond: Condition, kind: str) -> tuple[str, str]:
    """``(test, present)``: the condition, and that its attribute has a value."""
    target = condition_target(cond.attribute, kind)
    op = "=" if cond.op.value == "==" else cond.op.value
    value = cond.value
    if isinstance(value, bool):
        text = f"lower(CAST({target} AS VARCHAR))"
        truth = "('true', '1', '1.0', 'yes')"
        test = f"({text} IN {truth})" if value else f"({text} NOT IN {truth})"
        if op == "!=":
            test = f"(NOT {test})"
        return test, f"{target} IS NOT NULL"
    if isinstance(value, float | int):
        number = f"TRY_CAST({target} AS DOUBLE)"
        return f"({number} {op} {lit(value)})", f"{number} IS NOT NULL"
    return f"(CAST({target} AS VARCHAR) {op} {lit(value)})", f"{target} IS NOT NULL"


def _conditions(conds: list[Condition], match: MatchMode, kind: str) -> tuple[str, str]:
    """``(test, present)``: all conditions (or any, with ``match: any``; ``TRUE`` when
    none), and their attributes present (all of them, or at least one)."""
    if not conds:
        return "TRUE", "TRUE"
    parts = [_condition_sql(c, kind) for c in conds]
    if match is MatchMode.ANY:
        test = " OR ".join(f"({p[1]} AND {p[0]})" for p in parts)
        return f"({test})", "(" + " OR ".join(p[1] for p in parts) + ")"
    return " AND ".join(p[0] for p in parts), " AND ".join(p[1] for p in parts)


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(lit(v) for v in values)})"


# --------------------------------------------------------------------------- units


@dataclass(frozen=True)
class UnitsQuery:
    """The compiled units of a measure (see the module docstring).

    Attributes
    ----------
    sql
        The query: ``journey_id``, ``t``, ``y``.
    statistic
        How the units' ``y`` summarise into a value.
    additive
        The value is a total (count, or a ``sum`` statistic): a period without units
        is worth 0, and the overall value is the mean per period.
    """

    sql: str
    statistic: Statistic
    additive: bool

    def aggregate(self, column: str = "y") -> str:
        """The SQL aggregate of the units' values."""
        return aggregate_sql(self.statistic, self.additive, column)


def aggregate_sql(statistic: Statistic, additive: bool, column: str = "y") -> str:
    """The SQL aggregate of a statistic over unit values."""
    if additive:
        return f"sum({column})"
    return {
        Statistic.MEDIAN: f"quantile_cont({column}, 0.5)",
        Statistic.P90: f"quantile_cont({column}, 0.9)",
        Statistic.P95: f"quantile_cont({column}, 0.95)",
        Statistic.MIN: f"min({column})",
        Statistic.MAX: f"max({column})",
    }.get(statistic, f"avg({column})")


def compile_units(measure: Measure, tables: Tables, filters: list[str], frame: Frame) -> UnitsQuery:
    """The units query of ``measure``.

    Parameters
    ----------
    measure
        The measure.
    tables
        Where the events and the answers are.
    filters
        SQL sub-queries of journey ids; a unit counts only when its journey is in all.
    frame
        The calendar (``per_journey`` counts events per period inside the query).

    Raises
    ------
    cojourney.errors.NotFound
        A feedback measure, and no feedback was imported (``tables.feedback`` is None).
    """
    kind = measure.kind
    journeys = "".join(f" AND journey_id IN ({f})" for f in filters)
    if measure.among and kind is not MeasureKind.JOURNEY_SHARE:
        journeys += (
            f' AND journey_id IN (SELECT journey_id FROM "{tables.events}" '
            f"WHERE {_in('activity', measure.among)})"
        )
    factor = lit(measure.factor)
    statistic = measure.statistic
    additive = kind is MeasureKind.COUNT or statistic is Statistic.SUM
    build = _BUILDERS[kind]
    sql, transformed = build(measure, tables, journeys, factor, frame)
    if transformed:
        statistic = Statistic.MEAN
        additive = False
    return UnitsQuery(sql, statistic, additive)


def _score(measure: Measure, column: str) -> tuple[str, bool]:
    """The per-unit value of a score for the measure's statistic, and whether it was
    transformed into a share (nps, csat, top box: the value is then their mean)."""
    statistic = measure.statistic
    if statistic is Statistic.NPS:
        return (
            f"(CASE WHEN {column} >= 9 THEN 100.0 WHEN {column} <= 6 THEN -100.0 ELSE 0.0 END)",
            True,
        )
    if statistic is Statistic.CSAT:
        return f"(CASE WHEN {column} >= 4 THEN 100.0 ELSE 0.0 END)", True
    if statistic is Statistic.TOP_BOX:
        top = QUESTION_SCALES.get(measure.question or "", (None, None))[1]
        top_sql = lit(top) if top is not None else f"max({column}) OVER ()"
        return f"(CASE WHEN {column} >= {top_sql} THEN 100.0 ELSE 0.0 END)", True
    return column, False


def _journey_share(
    m: Measure, tables: Tables, journeys: str, factor: str, frame: Frame
) -> tuple[str, bool]:
    e = tables.events
    population = _in("activity", m.among) if m.among else "TRUE"
    test, present = _conditions(m.where, m.match, "events")
    sql = (
        f'WITH pop AS (SELECT journey_id, min("timestamp") AS t FROM "{e}" '
        f"WHERE {population}{journeys} GROUP BY journey_id), "
        f'hit AS (SELECT DISTINCT journey_id FROM "{e}" WHERE {_in("activity", m.touchpoints)} '
        f"AND {present} AND {test}{journeys}) "
        f"SELECT pop.journey_id, pop.t, CASE WHEN hit.journey_id IS NULL THEN 0.0 ELSE 100.0 END "
        f"* {factor} AS y FROM pop LEFT JOIN hit ON pop.journey_id = hit.journey_id"
    )
    return sql, True


def _event_share(
    m: Measure, tables: Tables, journeys: str, factor: str, frame: Frame
) -> tuple[str, bool]:
    test, present = _conditions(m.where, m.match, "events")
    passed = f"CASE WHEN {test} THEN 100.0 ELSE 0.0 END"
    where = f'FROM "{tables.events}" WHERE {_in("activity", m.touchpoints)} AND {present}{journeys}'
    if m.unit_attribute:  # one unit per attribute value (a booking): passes when any event does
        key = condition_target(m.unit_attribute, "events")
        sql = (
            f'SELECT journey_id, min("timestamp") AS t, max({passed}) * {factor} AS y '
            f"{where} AND {key} IS NOT NULL GROUP BY journey_id, {key}"
        )
    else:
        sql = f'SELECT journey_id, "timestamp" AS t, {passed} * {factor} AS y {where}'
    return sql, True


def _count(
    m: Measure, tables: Tables, journeys: str, factor: str, frame: Frame
) -> tuple[str, bool]:
    test, present = _conditions(m.where, m.match, "events")
    e = tables.events
    if m.touchpoints:
        sql = (
            f'SELECT journey_id, "timestamp" AS t, 1.0 * {factor} AS y FROM "{e}" '
            f"WHERE {_in('activity', m.touchpoints)} AND {present} AND {test}{journeys}"
        )
    else:
        sql = (
            f'SELECT journey_id, min("timestamp") AS t, 1.0 * {factor} AS y FROM "{e}" '
            f"WHERE {present} AND {test}{journeys} GROUP BY journey_id"
        )
    return sql, False


def _per_journey(
    m: Measure, tables: Tables, journeys: str, factor: str, frame: Frame
) -> tuple[str, bool]:
    test, present = _conditions(m.where, m.match, "events")
    counted = f"{_in('activity', m.touchpoints)} AND {present} AND {test}"
    ts = '"timestamp"'
    sql = (
        f'SELECT journey_id, min("timestamp") AS t, '
        f"count(*) FILTER (WHERE {counted}) * {factor} AS y "
        f'FROM "{tables.events}" WHERE {frame.window(ts)}{journeys} GROUP BY journey_id, {frame.period_of(ts)}'
    )
    score, transformed = _score(m, "y")
    if transformed:
        sql = f"SELECT journey_id, t, {score} AS y FROM ({sql})"
    return sql, transformed


#: ``event_seq`` stays below this; (time, seq) becomes one sortable HUGEINT key.
_SEQ_SPAN = 10**15


def _duration(
    m: Measure, tables: Tables, journeys: str, factor: str, frame: Frame
) -> tuple[str, bool]:
    e = tables.events
    test, present = _conditions(m.where, m.match, "events")
    unit = lit(m.time_unit.seconds)
    limits = [] if m.pairing is Pairing.FIRST else ["(s.next_k IS NULL OR en.k < s.next_k)"]
    if m.within is not None:
        limits.append(f"epoch_us(en.te) - epoch_us(s.ts) <= {int(m.within.total_seconds() * 1e6)}")
    bounded = ("WHERE " + " AND ".join(limits)) if limits else ""
    first_only = (
        'QUALIFY row_number() OVER (PARTITION BY journey_id ORDER BY "timestamp", event_seq) = 1'
        if m.pairing is Pairing.FIRST
        else ""
    )
    # Each start is paired with the first end after it, on one key that orders events by
    # (time, input order), so equal timestamps keep the input order. A window over starts
    # and ends finds that end (an ASOF join would do it on DuckDB only; Spark has none).
    key = f'epoch_us("timestamp")::HUGEINT * {_SEQ_SPAN} + event_seq'
    # With pairing "each", an end counts for a start only before the next start.
    sql = (
        f'WITH s AS (SELECT journey_id, "timestamp" AS ts, {key} AS k, '
        f'lead({key}) OVER (PARTITION BY journey_id ORDER BY {key}) AS next_k FROM "{e}" '
        f"WHERE activity = {lit(m.start or '')} AND {present} AND {test}{journeys} {first_only}), "
        f'en AS (SELECT journey_id, "timestamp" AS te, {key} AS k FROM "{e}" '
        f"WHERE activity = {lit(m.end or '')} AND journey_id IN (SELECT journey_id FROM s)), "
        "marks AS (SELECT journey_id, k, false AS is_end FROM s "
        "UNION ALL SELECT journey_id, k, true AS is_end FROM en), "
        "nx AS (SELECT journey_id, k, is_end, min(CASE WHEN is_end THEN k END) OVER ("
        "PARTITION BY journey_id ORDER BY k, is_end DESC "
        "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS end_k FROM marks), "
        "f AS (SELECT s.journey_id, s.ts, en.te FROM s "
        "JOIN nx ON nx.journey_id = s.journey_id AND nx.k = s.k AND NOT nx.is_end "
        f"JOIN en ON en.journey_id = s.journey_id AND en.k = nx.end_k {bounded}) "
        f"SELECT journey_id, ts AS t, (epoch_us(te) - epoch_us(ts)) / 1e6 / {unit} "
        f"* {factor} AS y FROM f"
    )
    score, transformed = _score(m, "y")
    if transformed:
        sql = f"SELECT journey_id, t, {score} AS y FROM ({sql})"
    return sql, transformed


def _attribute(
    m: Measure, tables: Tables, journeys: str, factor: str, frame: Frame
) -> tuple[str, bool]:
    test, present = _conditions(m.where, m.match, "events")
    values = [
        (f"TRY_CAST({condition_target(name, 'events')} AS DOUBLE)", w)
        for name, w in m.weights.items()
    ]
    total = " + ".join(f"coalesce({v}, 0) * {lit(w)}" for v, w in values)
    any_value = " OR ".join(f"{v} IS NOT NULL" for v, _ in values)
    scope = _in("activity", m.touchpoints) if m.touchpoints else "TRUE"
    sql = (
        f'SELECT journey_id, "timestamp" AS t, ({total}) * {factor} AS y FROM "{tables.events}" '
        f"WHERE {scope} AND ({any_value}) AND {present} AND {test}{journeys}"
    )
    score, transformed = _score(m, "y")
    if transformed:
        sql = f"SELECT journey_id, t, {score} AS y FROM ({sql})"
    return sql, transformed


def _feedback(
    m: Measure, tables: Tables, journeys: str, factor: str, frame: Frame
) -> tuple[str, bool]:
    if tables.feedback is None:
        from cojourney.errors import NotFound

        raise NotFound("no feedback (survey answers) imported: import them first (import.feedback)")
    test, present = _conditions(m.where, m.match, "feedback")
    if m.touchpoints:
        about = _in("touchpoint", m.touchpoints)
    elif m.journey_level:
        about = "touchpoint IS NULL"
    else:
        about = "TRUE"
    score, transformed = _score(m, "score")
    sql = (
        f'SELECT journey_id, "timestamp" AS t, {score} * {factor} AS y FROM "{tables.feedback}" '
        f"WHERE question = {lit(m.question or '')} AND score IS NOT NULL AND {about} "
        f"AND {present} AND {test}{journeys}"
    )
    return sql, transformed


_BUILDERS = {
    MeasureKind.JOURNEY_SHARE: _journey_share,
    MeasureKind.EVENT_SHARE: _event_share,
    MeasureKind.COUNT: _count,
    MeasureKind.PER_JOURNEY: _per_journey,
    MeasureKind.DURATION: _duration,
    MeasureKind.ATTRIBUTE: _attribute,
    MeasureKind.FEEDBACK: _feedback,
}
