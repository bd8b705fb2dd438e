"""Per-journey facts: one row per journey holding what the journey analyses count.

The plan, chosen for speed (one sort per journey, then only aggregations):

1. :func:`design_sequences` sorts each journey's events once and keeps, per
   journey, parallel arrays in sequence order: ``C`` (activity codes) and ``times``
   (every event) and ``P``, ``S``, ``U`` (the designed position, step index and time of
   each event whose activity is a touchpoint of the design). One pass over the
   events; the engine caches the result.
2. :func:`journey_facts` derives from them, with array functions and no further
   grouping, one row per journey: first and last touchpoint, moves back, order
   violations, skipped mandatory touchpoints, gate checks, onboarding, fitness.
3. :func:`touchpoint_visits` and :func:`event_flow` unnest the arrays into
   ``(event, next event)`` rows for the per-step and per-pair counts.

The analyses of the design look at the journey's *touchpoint sequence*: its events
whose activity is a touchpoint, in order. Events of other activities are counted
(``unknown``) and otherwise left out, so ``a -> unknown -> b`` is the move ``a -> b``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from cojourney.analytics.ordering import element_at, journey_sequences, sequence_pairs
from cojourney.events.schema import ACTIVITY, CHANNEL, JOURNEY_ID, SEGMENT, TIMESTAMP

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.analytics.design import JourneyDesign
    from cojourney.analytics.engines import Engine

#: Larger than any index into a journey's touchpoint sequence.
_NOWHERE: Final = 2**62
#: Up to this many activities, the node and pair keys fit in 32 bits (n + n * n < 2**31).
_INT32_KEYS: Final = 46_339
MICROSECONDS_PER_DAY: Final = 86_400_000_000


def visited_col(position: int) -> str:
    """Whether the journey has an event of the touchpoint at ``position``."""
    return f"visited_t{position}"


def repeated_col(position: int) -> str:
    """Whether the journey has two or more events of the touchpoint at ``position``."""
    return f"repeated_t{position}"


def skipped_col(position: int) -> str:
    """Whether the mandatory touchpoint at ``position`` was skipped."""
    return f"skipped_t{position}"


def gate_reached_col(gate: int) -> str:
    """Whether the journey reached a ``before`` touchpoint of gate number ``gate``."""
    return f"gate{gate}_reached"


def gate_missing_col(gate: int, requirement: int) -> str:
    """Whether requirement number ``requirement`` of ``gate`` was missing (not earlier)."""
    return f"gate{gate}_missing{requirement}"


def log_dictionaries(events: ir.Table, design: JourneyDesign, engine: Engine
                     ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Activities and channels by code, from one pass over the events.

    Activity codes: the design's touchpoints first (code = designed position), then
    the activities the design does not know, sorted. Channel codes: sorted.
    """
    row = engine.rows(events.aggregate(
        activities=events[ACTIVITY].collect(distinct=True),
        channels=events[CHANNEL].collect(distinct=True)))[0]
    found = set(row["activities"] or ())
    channels = tuple(sorted(c for c in row["channels"] or () if c is not None))
    return design.touchpoints + tuple(sorted(found - set(design.touchpoints))), channels


def design_sequences(events: ir.Table, design: JourneyDesign, engine: Engine,
                     codes: tuple[str, ...], channels: tuple[str, ...] | None = None
                     ) -> ir.Table:
    """Each journey's events in order, as parallel arrays (see the module docstring).

    Parameters
    ----------
    events
        Canonical events on ``engine``.
    design
        The designed journey.
    engine
        The engine (for epoch microseconds).
    codes
        Activity names by code (:func:`log_dictionaries`): events carry codes, which
        sort, compare and group much faster than names.
    channels
        Channel names by code: find each journey's entry channel (the channel of its
        first event) as a code, ``-1`` for none. ``None``: skip it (``channel`` null).

    Returns
    -------
    ibis Table
        ``journey_id``, ``events``, ``start_us``, ``end_us``, ``start_ts``,
        ``segment`` (the smallest non-null segment of the journey's events),
        ``channel``, ``C`` and ``times`` (activity code and epoch microseconds of
        every event), ``P``, ``S`` and ``U`` (position, step index and time of each
        touchpoint event).
    """
    import ibis

    code = ibis.literal(list(codes), type="array<string>").index(events[ACTIVITY]).cast("int32")
    fields: dict[str, Any] = {}
    if channels is not None:
        found = ibis.literal(list(channels) or [""], type="array<string>").index(events[CHANNEL])
        fields["ch"] = ibis.ifelse(events[CHANNEL].isnull(), -1, found).cast("int32")
    seqs = journey_sequences(events, engine, fields, {
        SEGMENT: events[SEGMENT].min(), "start_ts": events[TIMESTAMP].min()}, activity=code)
    size = design.size
    known = seqs.steps.filter(lambda e: e.activity < size)
    step_of = ibis.literal(list(design.step_of) or [0], type="array<int32>")
    first_channel = (element_at(seqs.steps, 0).ch if channels is not None
                     else ibis.null("int32"))
    return seqs.select(
        JOURNEY_ID, "events", "start_us", "end_us", "start_ts", SEGMENT, channel=first_channel,
        C=seqs.steps.map(lambda e: e.activity), times=seqs.steps.map(lambda e: e.us),
        P=known.map(lambda e: e.activity), S=known.map(lambda e: step_of[e.activity]),
        U=known.map(lambda e: e.us))


def touchpoint_visits(seqs: ir.Table) -> ir.Table:
    """One row per touchpoint event: ``journey_id``, ``k``, ``p``, ``s``, ``us`` and the
    ``next_*`` of the journey's next touchpoint event (null after the last)."""
    rows = sequence_pairs(seqs, ["P", "S", "U"])
    return rows.select(JOURNEY_ID, "k", p=rows.P, s=rows.S, us=rows.U, next_p=rows.next_P,
                       next_s=rows.next_S, next_us=rows.next_U)


def event_flow(seqs: ir.Table) -> ir.Table:
    """One row per event: ``journey_id``, ``k``, ``c`` (activity code), ``us`` and
    ``next_c``, ``next_us`` of the journey's next event (null after the last)."""
    rows = sequence_pairs(seqs, ["C", "times"])
    return rows.select(JOURNEY_ID, "k", c=rows.C, us=rows.times, next_c=rows.next_C,
                       next_us=rows.next_times)


def journey_facts(seqs: ir.Table, design: JourneyDesign, codes: tuple[str, ...]) -> ir.Table:
    """One row per journey with the numbers the analyses aggregate.

    Parameters
    ----------
    seqs
        The journeys' sequences (:func:`design_sequences`), best cached.
    design
        The designed journey.
    codes
        Activity names by code (:func:`log_dictionaries`).

    Returns
    -------
    ibis Table
        ``journey_id``, ``events``, ``known`` (touchpoint events), ``unknown``,
        ``duration_seconds``, ``segment``, ``channel`` (entry channel code),
        ``month`` (``yyyymm`` of the start, UTC), ``week_day`` (epoch day of the Monday of the start's week),
        ``C`` (activity codes), ``first_p``/``last_p`` (positions of the first and
        last touchpoint event), ``starts_mid``, ``ends_early``, ``worked_back``, per
        touchpoint :func:`visited_col` and :func:`repeated_col`, ``repeats``
        (touchpoint events minus distinct touchpoints), ``keys`` (the codes ``c`` and
        the directly-follows pairs ``a -> b`` as ``n + a * n + b``, for ``n``
        codes), ``back_moves`` and ``back_pairs`` (moves to an earlier step, as step
        pairs ``f1 -> f2``), ``violations`` and ``violation_pairs`` (position
        pairs), per mandatory touchpoint :func:`skipped_col`, ``skipped``,
        ``mandatory_in_span``, per gate :func:`gate_reached_col` and
        :func:`gate_missing_col`, ``on_board`` (null unless the journey reached the
        onboarding step) and ``fitness`` (:mod:`cojourney.analytics.conformance`).
    """
    import ibis

    P, S = seqs.P, seqs.S
    n = P.length()
    cols: dict[str, Any] = {
        "known": n, "unknown": seqs.events - n,
        "duration_seconds": (seqs.end_us - seqs.start_us) / 1_000_000,
        "month": seqs.start_ts.year() * 100 + seqs.start_ts.month(),
        "week_day": _monday(seqs.start_us // MICROSECONDS_PER_DAY)}
    first_p, last_p = element_at(P, 0), element_at(P, n - 1)
    cols.update(first_p=first_p, last_p=last_p,
                starts_mid=~first_p.isin(sorted(design.entry)),
                ends_early=~last_p.isin(sorted(design.exit)))
    visited = {p: P.contains(p) for p in range(design.size)}
    cols.update({visited_col(p): v for p, v in visited.items()})
    cols.update({repeated_col(p): P[P.index(p) + 1:].contains(p) for p in range(design.size)})
    cols["worked_back"] = cols["starts_mid"] & _any(visited[p] for p in sorted(design.entry))
    cols["repeats"] = n - _sum(v.cast("int64") for v in visited.values())
    width = len(codes)
    C = seqs.C if width <= _INT32_KEYS else seqs.C.map(lambda c: c.cast("int64"))
    cols["keys"] = C.concat(C[:-1].zip(C[1:]).map(lambda z: width + z.f1 * width + z.f2))

    back = S.zip(S[1:]).filter(lambda z: z.f2 < z.f1)
    pairs = P.zip(P[1:])
    violating = pairs.filter(lambda z: (z.f2 < z.f1) & ~_is_any(z, design.loops))
    cols.update(back_moves=back.length(), back_pairs=back,
                violations=violating.length(), violation_pairs=violating)

    lowest, highest = P.mins(), P.maxs()
    in_span = {p: ((lowest <= p) & (highest >= p)).fill_null(False) for p in design.mandatory}
    took = {skip: pairs.filter(_is_move(skip)).length() > 0 for skip in design.skips}
    skipped = {p: in_span[p] & ~visited[p] & ~_any(took[s] for s in design.skips_covering(p))
               for p in design.mandatory}
    cols.update({skipped_col(p): v for p, v in skipped.items()})
    cols["skipped"] = _sum(v.cast("int64") for v in skipped.values())
    cols["mandatory_in_span"] = _sum(v.cast("int64") for v in in_span.values())

    for g, gate in enumerate(design.gates):
        first_before = ibis.least(*(_index(P, b) for b in gate.before)) if len(gate.before) > 1 \
            else _index(P, gate.before[0])
        reached = first_before < _NOWHERE
        cols[gate_reached_col(g)] = reached
        for r, requirement in enumerate(gate.requires):
            cols[gate_missing_col(g, r)] = reached & (_index(P, requirement) >= first_before)

    ob = design.onboard_step
    entered = S.index(ob) if ob is not None else ibis.literal(-1)
    after = S[entered + 1:]
    cols["on_board"] = ibis.ifelse(entered >= 0, after.maxs().fill_null(-1) > (ob or 0), None)

    facts = seqs.select(JOURNEY_ID, "events", SEGMENT, CHANNEL, "C", **cols)
    deviations = facts.skipped + facts.violations + facts.unknown
    fitness = 1 - deviations / (facts.mandatory_in_span + facts.events)
    return facts.mutate(fitness=ibis.greatest(0.0, ibis.least(1.0, fitness)))


# Lambdas for array functions are built by factories: Ibis reads a second parameter
# of the lambda as the element index, so ``lambda x, p=p: ...`` would be misread.

def _is_move(move: tuple[int, int]) -> Any:
    return lambda z: (z.f1 == move[0]) & (z.f2 == move[1])


def _index(array: ir.ArrayValue, value: int) -> ir.IntegerValue:
    """The first index of ``value`` in ``array``; :data:`_NOWHERE` when absent."""
    import ibis

    found = array.index(value)
    return ibis.ifelse(found >= 0, found, _NOWHERE)


def _is_any(pair: Any, moves: frozenset[tuple[int, int]]) -> ir.BooleanValue:
    import ibis

    return _any(((pair.f1 == a) & (pair.f2 == b) for a, b in sorted(moves)),
                empty=ibis.literal(False))


def _any(conditions: Any, *, empty: Any = None) -> Any:
    import ibis

    result = None
    for condition in conditions:
        result = condition if result is None else result | condition
    return result if result is not None else (empty if empty is not None else ibis.literal(False))


def _sum(values: Any) -> Any:
    import ibis

    total = None
    for value in values:
        total = value if total is None else total + value
    return total if total is not None else ibis.literal(0, "int64")


def _monday(day: ir.IntegerValue) -> ir.IntegerValue:
    """The epoch day of the Monday on or before epoch day ``day`` (1970-01-01 was a Thursday)."""
    return day - ((day + 3) % 7 + 7) % 7
