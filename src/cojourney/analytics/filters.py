"""Which journeys an analysis looks at: by start time, segment, case attribute and variant.

Filters keep or drop *whole journeys* (cutting journeys apart would make them look
as if they started in the middle or ended early):

* ``start``/``end``: journeys whose first event is at or after ``start`` and
  before ``end`` (UTC);
* ``segments``: journeys whose segment is one of them (a journey's segment is the
  smallest non-null ``segment`` of its events; usually they all have the same);
* ``attributes``: journeys with, for each ``(key, value)`` pair, at least one event
  whose ``key`` equals ``value``: ``key`` is a column of the events (a case attribute
  column such as ``channel`` or ``actor``) or else a key of the events' JSON
  ``attributes`` (compared as text: ``{"plan": "gold"}`` and ``{"n": 3}`` match
  ``plan=gold`` and ``n=3``);
* ``personas``, ``cohorts``: journeys of these personas (by the workspace's persona
  rules, carried in ``rules``; ``(no persona)`` for journeys matching none) and of
  these cohorts (the month of the first event, ``2025-03``), see
  :mod:`cojourney.analytics.segments`;
* ``variant``: journeys that follow the ``variant``-th most frequent activity
  sequence (1 = the most frequent), ranked after the other filters, in the order
  of :func:`cojourney.analytics.journeys.journey_variants`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from cojourney.errors import InputError, Location, Problem
from cojourney.events.schema import ATTRIBUTES, JOURNEY_ID, SEGMENT

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.analytics.engines import Engine
    from cojourney.analytics.segments import GroupRules

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_COHORT = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True, slots=True)
class JourneyFilter:
    """Journeys to keep (see the module docstring); the default keeps all.

    Parameters
    ----------
    start, end
        Keep journeys that started in ``[start, end)``. Naive datetimes are UTC.
    segments
        Keep journeys of these segments.
    variant
        Keep journeys of the ``variant``-th most frequent variant (1-based).
    attributes
        ``(key, value)`` pairs: keep journeys with an event whose ``key`` is ``value``.
    personas, cohorts
        Keep journeys of these personas and of these cohorts (``YYYY-MM``).
    rules
        The persona and segment rules (``GroupRules.of(workspace)``); without them no
        journey has a persona. Not part of the filter's identity or of ``to_dict``.
    """

    start: datetime | None = None
    end: datetime | None = None
    segments: tuple[str, ...] = ()
    variant: int | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    personas: tuple[str, ...] = ()
    cohorts: tuple[str, ...] = ()
    rules: GroupRules | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for index, cohort in enumerate(self.cohorts):
            if not _COHORT.fullmatch(cohort):
                raise InputError(
                    Problem(
                        "a cohort is a month",
                        Location(field=f"cohorts[{index}]"),
                        found=repr(cohort),
                        expected="YYYY-MM, for example 2025-03",
                    )
                )
        for key, _ in self.attributes:
            if not key.strip():
                raise InputError(
                    Problem(
                        "a case attribute filter has no attribute name",
                        Location(field="attributes"),
                        found=repr(key),
                        expected="KEY=VALUE, KEY a column or a key of the events' attributes",
                    )
                )
        if self.variant is not None and self.variant < 1:
            raise InputError(
                Problem(
                    "the variant number must be 1 or more",
                    Location(field="variant"),
                    found=str(self.variant),
                    hint="1 is the most frequent variant",
                )
            )
        if self.start is not None and self.end is not None and _utc(self.end) <= _utc(self.start):
            raise InputError(
                Problem(
                    "the time range is empty",
                    Location(field="end"),
                    found=f"{self.start} .. {self.end}",
                    hint="the end must come after the start",
                )
            )

    @property
    def active(self) -> bool:
        """Whether the filter drops anything at all."""
        return bool(
            self.start
            or self.end
            or self.segments
            or self.variant
            or self.attributes
            or self.personas
            or self.cohorts
        )

    def to_dict(self) -> dict[str, Any]:
        """The filters that are set, JSON-ready."""
        out: dict[str, Any] = {}
        if self.start is not None:
            out["start"] = _utc(self.start).isoformat()
        if self.end is not None:
            out["end"] = _utc(self.end).isoformat()
        if self.segments:
            out["segments"] = list(self.segments)
        if self.variant is not None:
            out["variant"] = self.variant
        if self.attributes:
            out["attributes"] = {key: value for key, value in self.attributes}
        if self.personas:
            out["personas"] = list(self.personas)
        if self.cohorts:
            out["cohorts"] = list(self.cohorts)
        return out


#: Keys of a ``where`` pair that name a journey's group rather than a case attribute.
WHERE_GROUP_KEYS: Final = ("persona", "cohort")


def parse_where(pairs: Sequence[str], field: str = "where") -> dict[str, Any]:
    """``KEY=VALUE`` texts as :class:`JourneyFilter` arguments: ``persona=ID`` and
    ``cohort=YYYY-MM`` become ``personas`` and ``cohorts``, any other key a case
    attribute (``attributes``).

    >>> parse_where(["channel=app", "persona=student", "cohort=2025-03"])
    {'attributes': (('channel', 'app'),), 'personas': ('student',), 'cohorts': ('2025-03',)}

    Raises
    ------
    cojourney.errors.InputError
        For a text that is not ``KEY=VALUE`` (located as ``field[index]``).
    """
    attributes: list[tuple[str, str]] = []
    groups: dict[str, list[str]] = {key: [] for key in WHERE_GROUP_KEYS}
    for index, text in enumerate(pairs):
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise InputError(
                Problem(
                    "a filter is not KEY=VALUE",
                    Location(field=f"{field}[{index}]"),
                    found=repr(text),
                    expected="KEY=VALUE, e.g. channel=app, persona=katrina or cohort=2025-03",
                    hint="KEY is persona, cohort, an event column (channel, actor...) or a "
                    "key of the events' attributes",
                )
            )
        if key in groups:
            groups[key].append(value)
        else:
            attributes.append((key, value))
    return {
        "attributes": tuple(attributes),
        "personas": tuple(groups["persona"]),
        "cohorts": tuple(groups["cohort"]),
    }


def filter_journeys(seqs: ir.Table, journey_filter: JourneyFilter) -> ir.Table:
    """``seqs`` (one row per journey, with ``start_us`` and ``segment``) without the
    journeys the time and segment filters drop. The variant filter is applied by
    :func:`filter_variant`, once the variants are known."""
    kept = seqs
    if journey_filter.start is not None:
        kept = kept.filter(kept.start_us >= _micros(journey_filter.start))
    if journey_filter.end is not None:
        kept = kept.filter(kept.start_us < _micros(journey_filter.end))
    if journey_filter.segments:
        kept = kept.filter(kept[SEGMENT].isin(list(journey_filter.segments)))
    return kept


def filter_cases(events: ir.Table, journey_filter: JourneyFilter) -> ir.Table:
    """``events`` of the journeys the attribute, persona and cohort filters keep (all of
    them when none is set).

    Written with portable ibis expressions (a semi-join per attribute), so it runs on
    every engine.
    """
    kept = events
    if journey_filter.personas or journey_filter.cohorts:
        from cojourney.analytics.segments import GroupRules, keep_journeys

        kept = keep_journeys(
            kept,
            journey_filter.rules or GroupRules(),
            personas=journey_filter.personas,
            cohorts=journey_filter.cohorts,
        )
    for key, value in journey_filter.attributes:
        matching = events.filter(attribute_text(events, key) == value)
        kept = kept.semi_join(matching.select(JOURNEY_ID).distinct(), JOURNEY_ID)
    return kept


def attribute_text(events: ir.Table, key: str) -> ir.StringValue:
    """The value of ``key`` per event, as text: its column, else its JSON attribute."""
    import ibis

    if key in events.columns and key != ATTRIBUTES:
        return events[key].cast("string")
    if ATTRIBUTES not in events.columns:
        return ibis.null("string")
    found = events[ATTRIBUTES].cast("json")[key]
    if _backend_name(events) == "pyspark":
        # get_json_object already gives text; unwrapping would need a Python UDF,
        # which Spark's workers may not be able to run.
        return found.cast("string")
    return found.str.coalesce(found.cast("string"))


def _backend_name(table: ir.Table) -> str:
    """The name of the backend a table is bound to (``""``: unbound, as DuckDB's are here)."""
    from ibis.common.exceptions import IbisError

    try:
        return str(table._find_backend().name)
    except IbisError:
        return ""


def filter_variant(
    seqs: ir.Table, engine: Engine, variant: int, names: tuple[str, ...]
) -> ir.Table:
    """The journeys of ``seqs`` that follow its ``variant``-th most frequent variant.

    Raises
    ------
    cojourney.errors.InputError
        When there are fewer variants than ``variant``.
    """
    import ibis

    from cojourney.analytics.journeys import ranked_sequences

    ranked = ranked_sequences(seqs, engine, names, top=variant)
    if len(ranked) < variant:
        raise InputError(
            Problem(
                f"there are only {len(ranked)} variants",
                Location(field="variant"),
                found=str(variant),
                hint="choose a smaller variant number",
            )
        )
    codes = ranked[variant - 1][0]
    return seqs.filter(ibis.literal(list(codes), type="array<int32>") == seqs.C)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _micros(value: datetime) -> int:
    delta = _utc(value) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
