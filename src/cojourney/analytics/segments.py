"""Each journey's persona, named segments and cohort, from its events (any engine).

:func:`journey_groups` turns the canonical events into one row per journey:

* ``persona``: the id of the first persona (in the workspace's order) whose rule
  the journey satisfies (:mod:`cojourney.domain.segments`; a persona without a rule:
  ``segment`` equal to its id), :data:`NO_PERSONA` when none does;
* ``segments``: the ids of the named segments it satisfies (an array, possibly
  empty; named segments may overlap);
* ``cohort``: the month of its first event, ``2025-03`` (UTC);
* one column per requested case attribute: the journey's value (the smallest of its
  events' values, as text; ``null`` when it has none).

It is written with portable ibis expressions (one aggregation per journey, each
condition an ``any`` over the journey's events), so the DuckDB and Spark engines
run it alike; :func:`journey_groups_sql` gives the same query as DuckDB SQL for the
analyses written in SQL. :func:`keep_journeys` narrows events to the journeys of
some personas, cohorts or segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from cojourney.analytics.filters import attribute_text
from cojourney.domain.segments import SegmentRule, persona_rule
from cojourney.errors import InputError, Location, Problem
from cojourney.events.schema import JOURNEY_ID, TIMESTAMP

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.domain import Workspace

__all__ = [
    "GROUP_KEYS",
    "NO_PERSONA",
    "GroupRules",
    "journey_groups",
    "journey_groups_sql",
    "keep_journeys",
]

#: The persona of a journey that matches no persona's rule.
NO_PERSONA: Final = "(no persona)"
#: The keys that name a journey's group rather than an event attribute.
GROUP_KEYS: Final = ("persona", "cohort", "segments")


@dataclass(frozen=True, slots=True)
class GroupRules:
    """The persona rules (in precedence order) and the named segments' rules.

    Build it from a workspace with :meth:`of`, or directly for a test.
    """

    personas: tuple[tuple[str, SegmentRule], ...] = ()
    segments: tuple[tuple[str, SegmentRule], ...] = ()

    @classmethod
    def of(cls, workspace: Workspace) -> GroupRules:
        """The workspace's personas (their rule, else ``segment == id``) and segments."""
        return cls(
            tuple((p.id, persona_rule(p.id, p.rule)) for p in workspace.personas),
            tuple((s.id, s.rule) for s in workspace.segments),
        )

    def check(self, personas: Sequence[str] = (), segments: Sequence[str] = ()) -> None:
        """Refuse persona or segment ids these rules do not know.

        Raises
        ------
        cojourney.errors.InputError
            Naming the unknown ids and the known ones.
        """
        for kind, wanted, known in (
            ("persona", personas, [p for p, _ in self.personas] + [NO_PERSONA]),
            ("segment", segments, [s for s, _ in self.segments]),
        ):
            unknown = [w for w in wanted if w not in known]
            if unknown:
                raise InputError(
                    Problem(
                        f"unknown {kind}",
                        Location(field=f"{kind}s"),
                        found=", ".join(unknown),
                        expected=", ".join(known) or f"none: the workspace defines no {kind}s",
                    )
                )


def journey_groups(events: ir.Table, rules: GroupRules, attributes: Sequence[str] = ()) -> ir.Table:
    """One row per journey: ``journey_id``, ``persona``, ``segments``, ``cohort`` and the
    requested ``attributes`` (see the module docstring)."""
    import ibis

    conditions: dict[str, SegmentRule] = {}
    for _, rule in (*rules.personas, *rules.segments):
        for condition in rule.conditions():
            conditions.setdefault(_key(condition), condition)
            if condition.test[0] == "not_in":
                having = _has_value(condition)
                conditions.setdefault(_key(having), having)
    names = {key: f"__c{i}" for i, key in enumerate(conditions)}
    aggregates: dict[str, Any] = {
        names[key]: _event_test(events, condition).fill_null(False).any()
        for key, condition in conditions.items()
    }
    aggregates["__first"] = events[TIMESTAMP].min()
    for attribute in attributes:
        aggregates[attribute] = attribute_text(events, attribute).min()
    per_journey = events.group_by(JOURNEY_ID).aggregate(**aggregates)

    def holds(rule: SegmentRule) -> ir.BooleanValue:
        return _journey_test(per_journey, rule, names)

    persona: Any = ibis.literal(NO_PERSONA)
    if rules.personas:
        persona = ibis.cases(*((holds(r), pid) for pid, r in rules.personas), else_=NO_PERSONA)
    if rules.segments:
        found = ibis.array(
            [ibis.ifelse(holds(r), sid, ibis.null("string")) for sid, r in rules.segments]
        )
        segments = found.filter(lambda s: s.notnull())
    else:
        segments = ibis.literal([], type="array<string>")
    first = per_journey["__first"]
    cohort = first.year().cast("string") + "-" + first.month().cast("string").lpad(2, "0")
    return per_journey.select(
        JOURNEY_ID,
        *attributes,
        persona=persona.cast("string"),
        segments=segments,
        cohort=cohort,
    )


def keep_journeys(
    events: ir.Table,
    rules: GroupRules,
    *,
    personas: Sequence[str] = (),
    cohorts: Sequence[str] = (),
    segments: Sequence[str] = (),
) -> ir.Table:
    """``events`` of the journeys of one of ``personas``, one of ``cohorts`` and (each
    list that is given) one of ``segments``; all events when nothing is asked."""
    if not (personas or cohorts or segments):
        return events
    rules.check(personas, segments)
    groups = journey_groups(events, rules)
    if personas:
        groups = groups.filter(groups.persona.isin(list(personas)))
    if cohorts:
        groups = groups.filter(groups.cohort.isin(list(cohorts)))
    if segments:
        import ibis

        inside = [groups.segments.contains(s) for s in segments]
        groups = groups.filter(ibis.or_(*inside))
    return events.semi_join(groups.select(JOURNEY_ID), JOURNEY_ID)


def journey_groups_sql(events: ir.Table, rules: GroupRules, attributes: Sequence[str] = ()) -> str:
    """:func:`journey_groups` as one SQL query, in the dialect of ``events``' backend."""
    import ibis

    return str(ibis.to_sql(journey_groups(events, rules, attributes)))


# --------------------------------------------------------------------------- the tests


def _key(condition: SegmentRule) -> str:
    return condition.model_dump_json(by_alias=True, exclude_none=True)


def _has_value(condition: SegmentRule) -> SegmentRule:
    return SegmentRule(attribute=condition.attribute, exists=True)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _event_test(events: ir.Table, condition: SegmentRule) -> ir.BooleanValue:
    """Whether one event satisfies ``condition`` (``exists`` and ``not_in``: whether it has
    a value / a value in the list; :func:`_journey_test` turns them around)."""
    import ibis

    assert condition.attribute is not None
    text = attribute_text(events, condition.attribute)
    number = text.try_cast("float64")
    test, value = condition.test
    if test in ("gt", "gte", "lt", "lte"):
        ops = {"gt": number > value, "gte": number >= value, "lt": number < value}
        return ops.get(test, number <= value)
    if test == "exists":
        return text.notnull()
    values = [value] if test == "equals" else list(value)
    numbers = [float(v) for v in values if _is_number(v)]
    texts = [_text(v) for v in values if not _is_number(v)]
    parts = []
    if texts:
        parts.append(text.isin(texts))
    if numbers:
        parts.append(number.isin(numbers))
    matched = ibis.or_(*parts)
    return matched


def _journey_test(journeys: ir.Table, rule: SegmentRule, names: dict[str, str]) -> ir.BooleanValue:
    """Whether a journey (a row of the per-journey aggregation) satisfies ``rule``."""
    import ibis

    if rule.attribute is not None:
        seen = journeys[names[_key(rule)]]
        test, value = rule.test
        if test == "not_in":  # a value, and none in the list
            return journeys[names[_key(_has_value(rule))]] & ~seen
        if test == "exists" and value is False:
            return ~seen
        return seen
    if rule.not_ is not None:
        return ~_journey_test(journeys, rule.not_, names)
    parts = [_journey_test(journeys, r, names) for r in (rule.all or rule.any or [])]
    return ibis.and_(*parts) if rule.all is not None else ibis.or_(*parts)
