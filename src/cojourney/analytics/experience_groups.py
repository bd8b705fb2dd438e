"""Survey answers by the persona, cohort or case attributes of their journey.

An answer belongs to the journey (``journey_id``) whose events give the groups: its
persona by the workspace's rules (:mod:`cojourney.analytics.segments`), its cohort
(the month of its first event) and its case attributes. :func:`group_answers` adds
them to the filtered answers as ``by_<dimension>`` columns, keeping only the answers
of the journeys a :class:`~cojourney.analytics.filters.JourneyFilter` keeps (its
attributes, personas and cohorts). The journeys' groups are the same ibis expression
the journey analyses use, compiled to DuckDB SQL over the store's events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from cojourney.analytics.experience_scores import DIMENSIONS
from cojourney.analytics.segments import NO_PERSONA, GroupRules, journey_groups
from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.events.schema import JOURNEY_ID

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.domain import Workspace
    from cojourney.events.sql import SqlConnection
    from cojourney.events.store import EventSource

__all__ = ["NO_EVENTS", "extra_dimensions", "group_answers"]

#: The cohort or attribute of an answer whose journey has no events.
NO_EVENTS: Final = "(no events)"
#: The attribute of a journey whose events do not carry it.
NONE_LABEL: Final = "(none)"


def extra_dimensions(by: Sequence[str]) -> tuple[str, ...]:
    """The dimensions of ``by`` that the answers do not carry themselves (every name
    but :data:`~cojourney.analytics.experience_scores.DIMENSIONS`), each once."""
    for index, name in enumerate(by):
        if not name.strip():
            raise InputError(
                Problem(
                    "a breakdown dimension has no name",
                    Location(field=f"by[{index}]"),
                    expected="persona, cohort or a case attribute",
                )
            )
        if name.strip() == "segments":
            raise InputError(
                Problem(
                    "the experience is not broken down by named segment (they overlap, so "
                    "an answer would count in several groups)",
                    Location(field=f"by[{index}]"),
                    expected="persona, cohort or a case attribute",
                )
            )
    return tuple(dict.fromkeys(n.strip() for n in by if n.strip() not in DIMENSIONS))


def column_of(dimension: str) -> str:
    """The answers' column holding ``dimension``."""
    return f"by_{dimension}"


def group_answers(
    con: SqlConnection,
    source: EventSource,
    workspace: Workspace,
    answers: str,
    dimensions: Sequence[str],
    journey_filter: JourneyFilter | None,
) -> None:
    """Replace the temporary table ``answers`` by its answers of the journeys that
    ``journey_filter`` keeps, with a ``by_<dimension>`` column per dimension.

    Raises
    ------
    cojourney.errors.InputError
        The source holds no events to find the journeys' groups in.
    """
    import ibis

    from cojourney.analytics.engines.duckdb import canonical_ibis_schema
    from cojourney.analytics.filters import filter_cases

    filtering = journey_filter is not None and bool(
        journey_filter.attributes or journey_filter.personas or journey_filter.cohorts
    )
    try:
        events_name = source.table_name("events")
    except NotFound:
        if not filtering:  # nothing to find the groups in: every answer is ungrouped
            _add_columns(
                con,
                answers,
                {column_of(d): NO_PERSONA if d == "persona" else NO_EVENTS for d in dimensions},
            )
            return
        raise InputError(
            Problem(
                "answers are filtered by persona, cohort or case attribute through their "
                "journey's events, and there are none",
                Location(field="where"),
                hint="import the journeys' events (import.events) first",
            )
        ) from None
    events = ibis.table(canonical_ibis_schema(), name=events_name)
    rules = (
        journey_filter.rules
        if journey_filter is not None and journey_filter.rules is not None
        else GroupRules.of(workspace)
    )
    attributes = tuple(d for d in dimensions if d not in ("persona", "cohort"))
    groups = journey_groups(events, rules, attributes)
    if filtering:
        assert journey_filter is not None
        kept = filter_cases(events, journey_filter).select(JOURNEY_ID).distinct()
        groups = groups.semi_join(kept, JOURNEY_ID)
    sql = ibis.to_sql(groups, dialect="duckdb")
    columns = []
    for dimension in dimensions:
        if dimension == "persona":
            value = f"coalesce(g.persona, '{NO_PERSONA}')"
        else:
            value = (
                f"""CASE WHEN g.cohort IS NULL THEN '{NO_EVENTS}' """
                f"""ELSE coalesce(CAST(g."{dimension}" AS VARCHAR), '{NONE_LABEL}') END"""
            )
        columns.append(f'{value} AS "{column_of(dimension)}"')
    join = "JOIN" if filtering else "LEFT JOIN"
    grouped = f"{answers}_grouped"
    con.execute(
        f"CREATE TEMP TABLE {grouped} AS SELECT a.*{''.join(', ' + c for c in columns)} "
        f"FROM {answers} a {join} ({sql}) g USING ({JOURNEY_ID})"
    )
    con.execute(f"DROP TABLE {answers}")
    con.execute(f"ALTER TABLE {grouped} RENAME TO {answers}")


def _add_columns(con: SqlConnection, table: str, values: dict[str, str]) -> None:
    """Add a text column of one value to ``table`` per item of ``values``."""
    for column, value in values.items():
        literal = value.replace("'", "''")
        con.execute(f"ALTER TABLE {table} ADD COLUMN \"{column}\" VARCHAR DEFAULT '{literal}'")
