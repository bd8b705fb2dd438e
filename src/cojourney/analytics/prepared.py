"""The tables every journey analysis reads, computed once per analysis run.

:func:`prepare` sorts the events of each journey once and caches, on the engine,
the per-journey sequences and the per-journey facts; the two ``(event, next
event)`` tables are unnested from the sequences by the one query that reads each
(:mod:`cojourney.analytics.facts`). The analyses then only aggregate. Use it as a
context manager so the cached tables are freed::

    with prepare(events, design, engine) as data:
        funnel = step_funnel(data)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

from cojourney.analytics.facts import (
    design_sequences,
    event_flow,
    journey_facts,
    log_dictionaries,
    touchpoint_visits,
)
from cojourney.analytics.filters import (
    JourneyFilter,
    filter_cases,
    filter_journeys,
    filter_variant,
)

if TYPE_CHECKING:  # pragma: no cover
    from types import TracebackType

    import ibis.expr.types as ir

    from cojourney.analytics.design import JourneyDesign
    from cojourney.analytics.engines import Engine

log = logging.getLogger(__name__)


@dataclass
class JourneyData:
    """Cached tables of one event log, prepared for one designed journey.

    Attributes
    ----------
    engine, design
        Where the tables live, and the design they were prepared for.
    codes
        Activity names by code (touchpoints first: code = designed position).
    channels
        Channel names by code (the facts' ``channel`` is a code, ``-1`` for none).
    seqs
        One row per journey: the sequence arrays (:func:`.facts.design_sequences`).
    facts
        One row per journey: :func:`.facts.journey_facts`.
    visits
        One row per touchpoint event, with the next touchpoint event (an expression
        over ``seqs``, computed by the query that reads it).
    flow
        One row per event, with the next event (an expression, as ``visits``).
    """

    engine: Engine
    design: JourneyDesign
    codes: tuple[str, ...]
    channels: tuple[str, ...]
    seqs: ir.Table
    facts: ir.Table
    visits: ir.Table
    flow: ir.Table
    timings: dict[str, float] = field(default_factory=dict)
    #: The latest event of the journeys analysed (epoch microseconds; ``None``: no event):
    #: the data's end, against which a journey is in progress or abandoned.
    data_end_us: int | None = None
    #: One row per journey: its persona, named segments, cohort and the case attributes
    #: asked for (:func:`cojourney.analytics.segments.journey_groups`); ``None`` unless
    #: :func:`prepare` was asked for groups.
    groups: ir.Table | None = None

    def name(self, code: int) -> str:
        """The activity name of a code."""
        return self.codes[code]

    def release(self) -> None:
        """Free the cached tables (best effort)."""
        for table in (self.facts, self.seqs, *([self.groups] if self.groups is not None else [])):
            try:
                self.engine.release(table)
            except Exception:  # pragma: no cover - freeing is best effort
                log.debug("could not release a cached table", exc_info=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def prepare(
    events: ir.Table,
    design: JourneyDesign,
    engine: Engine,
    *,
    journey_filter: JourneyFilter | None = None,
    channel: bool = True,
    groups: Sequence[str] | None = None,
) -> JourneyData:
    """Sort, filter and derive the tables the journey analyses read (see the module docstring).

    Parameters
    ----------
    events
        Canonical events on ``engine``.
    design
        The designed journey to compare them with.
    engine
        The engine holding ``events``; the cached tables are created there.
    journey_filter
        Journeys to keep (:mod:`.filters`).
    channel
        Find each journey's entry channel (needed by the breakdown by channel).
    groups
        Find each journey's persona, segments, cohort and these case attributes
        (``JourneyData.groups``, needed by the breakdowns by them), with the rules of
        ``journey_filter.rules``; ``None``: skip it.
    """
    journey_filter = journey_filter or JourneyFilter()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    codes, channels = log_dictionaries(events, design, engine)
    if journey_filter.attributes or journey_filter.personas or journey_filter.cohorts:
        # whole journeys, before they are put in sequence
        events = filter_cases(events, journey_filter)
    seqs = filter_journeys(
        design_sequences(events, design, engine, codes, channels if channel else None),
        journey_filter,
    )
    seqs = engine.cache(seqs)
    timings["sequences"] = time.perf_counter() - started
    if journey_filter.variant is not None:
        try:
            narrowed = engine.cache(filter_variant(seqs, engine, journey_filter.variant, codes))
        finally:
            engine.release(seqs)
        seqs = narrowed
    step = time.perf_counter()
    try:
        facts = engine.cache(journey_facts(seqs, design))
    except BaseException:
        engine.release(seqs)
        raise
    timings["facts"] = time.perf_counter() - step
    latest = engine.rows(facts.aggregate(latest=facts.end_us.max()))[0]["latest"]
    grouped = None
    if groups is not None:
        from cojourney.analytics.segments import GroupRules, journey_groups

        rules = journey_filter.rules or GroupRules()
        try:
            grouped = engine.cache(journey_groups(events, rules, tuple(groups)))
        except BaseException:
            engine.release(facts)
            engine.release(seqs)
            raise
        timings["groups"] = time.perf_counter() - step
    log.debug(
        "prepared %s on %s: %s",
        design.journey_id,
        engine.name,
        ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()),
    )
    # One query reads each of the (event, next event) tables: unnesting them there
    # costs less than writing them to the cache.
    return JourneyData(
        engine,
        design,
        codes,
        channels,
        seqs,
        facts,
        touchpoint_visits(seqs),
        event_flow(seqs),
        timings,
        int(latest) if latest is not None else None,
        grouped,
    )
