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
MICROSECONDS_PER_DAY: Final = 86_400_000_000


def visited_col(position: int) -> str:
    """Whether the journey has an event of the touchpoint at ``position``."""
    return f"visited_t{position}"


def skipped_col(position: int) -> str:
    """Whether the mandatory touchpoint at ``position`` was skipped."""
    return f"skipped_t{position}"


def gate_reached_col(gate: int) -> str:
    """Whether the journey reached a ``before`` touchpoint of gate number ``gate``."""
    return f"gate{gate}_reached"


def gate_missing_col(gate: int, requirement: int) -> str:
    """Whether requirement number ``requirement`` of ``gate`` was missing (not earlier)."""
    return f"gate{gate}_missing{requirement}"


def log_dictionaries(
    events: ir.Table, design: JourneyDesign, engine: Engine
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Activities and channels by code, from one pass over the events.

    Activity codes: the design's touchpoints first (code = designed position), then
    the activities the design does not know, sorted. Channel codes: sorted.
    """
    row = engine.rows(
        events.aggregate(
            activities=events[ACTIVITY].collect(distinct=True),
            channels=events[CHANNEL].collect(distinct=True),
        )
    )[0]
    found = set(row["activities"] or ())
    channels = tuple(sorted(c for c in row["channels"] or () if c is not None))
    return design.touchpoints + tuple(sorted(found - set(design.touchpoints))), channels


def design_sequences(
    events: ir.Table,
    design: JourneyDesign,
    engine: Engine,
    codes: tuple[str, ...],
    channels: tuple[str, ...] | None = None,
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
    seqs = journey_sequences(
        events,
        engine,
        fields,
        {SEGMENT: events[SEGMENT].min(), "start_ts": events[TIMESTAMP].min()},
        activity=code,
    )
    size = design.size
    # Touchpoint events: all of them when every activity of the log is a touchpoint.
    known = seqs.steps if len(codes) <= size else seqs.steps.filter(lambda e: e.activity < size)
    step_of = ibis.literal(list(design.step_of) or [0], type="array<int32>")
    first_channel = element_at(seqs.steps, 0).ch if channels is not None else ibis.null("int32")
    return seqs.select(
        JOURNEY_ID,
        "events",
        "start_us",
        "end_us",
        "start_ts",
        SEGMENT,
        channel=first_channel,
        C=seqs.steps.map(lambda e: e.activity),
        times=seqs.steps.map(lambda e: e.us),
        P=known.map(lambda e: e.activity),
        S=known.map(lambda e: step_of[e.activity]),
        U=known.map(lambda e: e.us),
    )


def touchpoint_visits(seqs: ir.Table) -> ir.Table:
    """One row per touchpoint event: ``journey_id``, ``k``, ``s``, ``us`` and the
    ``next_s``, ``next_us`` of the journey's next touchpoint event (null after the last)."""
    rows = sequence_pairs(seqs, ["S", "U"])
    return rows.select(
        JOURNEY_ID, "k", s=rows.S, us=rows.U, next_s=rows.next_S, next_us=rows.next_U
    )


def event_flow(seqs: ir.Table) -> ir.Table:
    """One row per event: ``c`` (activity code), ``us`` and ``next_c``, ``next_us`` of the
    journey's next event (null after the last)."""
    rows = sequence_pairs(seqs, ["C", "times"], keep=(), index=False)
    return rows.select(c=rows.C, us=rows.times, next_c=rows.next_C, next_us=rows.next_times)


def journey_facts(seqs: ir.Table, design: JourneyDesign) -> ir.Table:
    """One row per journey with the numbers the analyses aggregate.

    Parameters
    ----------
    seqs
        The journeys' sequences (:func:`design_sequences`), best cached.
    design
        The designed journey.

    Returns
    -------
    ibis Table
        ``journey_id``, ``events``, ``known`` (touchpoint events), ``unknown``,
        ``end_us`` (the last event, epoch microseconds), ``duration_seconds``, ``segment``, ``channel`` (entry channel code),
        ``month`` (``yyyymm`` of the start, UTC), ``week_day`` (epoch day of the Monday
        of the start's week), ``C`` (activity codes), ``first_p``/``last_p``
        (positions of the first and last touchpoint event), ``starts_mid``,
        ``ends_early``, ``worked_back``, per mandatory or entry touchpoint
        :func:`visited_col`, ``repeated`` (the positions with two or more events, a
        position once less than its events), ``repeats`` (touchpoint events minus
        distinct touchpoints), ``back_moves`` and ``back_pairs`` (moves to an earlier
        step, as step pairs ``f1 -> f2``), ``violations`` and ``violation_pairs``
        (position pairs), per mandatory touchpoint :func:`skipped_col`, ``skipped``,
        ``mandatory_in_span``, per gate :func:`gate_reached_col` and
        :func:`gate_missing_col`, ``on_board`` (null unless the journey reached the
        onboarding step) and ``fitness`` (:mod:`cojourney.analytics.conformance`).
        The journeys having each activity and pair are counted from ``C``
        (:func:`cojourney.analytics.ordering.pair_keys`).
    """
    import ibis

    # In stages: each projection computes once what the next one reads several times
    # (an engine may evaluate a repeated array expression of one projection again
    # each time), and the array functions with conditions run over the short arrays
    # (the moves back, the jumps forward) rather than over every pair.
    facts = _sums(_flags(_arrays(seqs, design), design), design)
    skipped = _sum(facts[skipped_col(p)].cast("int64") for p in design.mandatory)
    fitness = 1 - (skipped + facts.violations + facts.unknown) / (
        facts.mandatory_in_span + facts.events
    )
    return facts.mutate(skipped=skipped, fitness=ibis.greatest(0.0, ibis.least(1.0, fitness)))


def _arrays(seqs: ir.Table, design: JourneyDesign) -> ir.Table:
    """Stage 1: the arrays and positions the facts are derived from."""
    import ibis

    P, S = seqs.P, seqs.S
    ob = design.onboard_step
    return seqs.select(
        JOURNEY_ID,
        "events",
        SEGMENT,
        CHANNEL,
        "C",
        "S",
        "end_us",
        n=P.length(),
        duration_seconds=(seqs.end_us - seqs.start_us) / 1_000_000,
        month=seqs.start_ts.year() * 100 + seqs.start_ts.month(),
        week_day=_monday(seqs.start_us // MICROSECONDS_PER_DAY),
        first_p=element_at(P, 0),
        last_p=element_at(P, P.length() - 1),
        lowest=P.mins(),
        highest=P.maxs(),
        ordered=P.sort(),
        pairs=P.zip(P[1:]),
        back_pairs=S.zip(S[1:]).filter(lambda z: z.f2 < z.f1),
        entered=S.index(ob) if ob is not None else ibis.literal(-1),
        **{visited_col(p): P.contains(p) for p in _visited_positions(design)},
        **{_at(p): _index(P, p) for p in _gate_positions(design)},
    )


def _flags(a: ir.Table, design: JourneyDesign) -> ir.Table:
    """Stage 2: per-journey flags and the short arrays of moves, from :func:`_arrays`."""
    import ibis

    ob = design.onboard_step
    after = a.S[a.entered + 1 :]
    flags: dict[str, Any] = {
        "known": a.n,
        "unknown": a.events - a.n,
        "starts_mid": ~a.first_p.isin(sorted(design.entry)),
        "ends_early": ~a.last_p.isin(sorted(design.exit)),
        # Equal neighbours once sorted: a position once less than its events.
        "repeated": a.ordered.zip(a.ordered[1:]).filter(lambda z: z.f1 == z.f2).map(lambda z: z.f1),
        "back_moves": a.back_pairs.length(),
        "violation_pairs": a.pairs.filter(lambda z: z.f2 < z.f1).filter(
            lambda z: ~_is_any(z, design.loops)
        ),
        **{
            _in_span(p): ((a.lowest <= p) & (a.highest >= p)).fill_null(False)
            for p in design.mandatory
        },
        "on_board": ibis.ifelse(a.entered >= 0, after.maxs().fill_null(-1) > (ob or 0), None),
    }
    if _jumps(design):
        flags["forward"] = a.pairs.filter(lambda z: z.f2 > z.f1 + 1)
    for g, gate in enumerate(design.gates):
        flags[_first_before(g)] = (
            ibis.least(*(a[_at(b)] for b in gate.before))
            if len(gate.before) > 1
            else a[_at(gate.before[0])]
        )
    return a.select(
        JOURNEY_ID,
        "events",
        SEGMENT,
        CHANNEL,
        "C",
        "end_us",
        "duration_seconds",
        "month",
        "week_day",
        "first_p",
        "last_p",
        "back_pairs",
        *(visited_col(p) for p in _visited_positions(design)),
        *(_at(p) for p in _gate_positions(design)),
        **flags,
    )


def _sums(f: ir.Table, design: JourneyDesign) -> ir.Table:
    """Stage 3: skipped touchpoints, gates and counts, from :func:`_flags`."""
    took = {skip: f.forward.filter(_is_move(skip)).length() > 0 for skip in _jumps(design)}
    cols: dict[str, Any] = {
        "worked_back": f.starts_mid & _any(f[visited_col(p)] for p in sorted(design.entry)),
        "repeats": f.repeated.length(),
        "violations": f.violation_pairs.length(),
        **{
            skipped_col(p): f[_in_span(p)]
            & ~f[visited_col(p)]
            & ~_any(took[s] for s in design.skips_covering(p))
            for p in design.mandatory
        },
        "mandatory_in_span": _sum(f[_in_span(p)].cast("int64") for p in design.mandatory),
    }
    for g, gate in enumerate(design.gates):
        first_before = f[_first_before(g)]
        reached = first_before < _NOWHERE
        cols[gate_reached_col(g)] = reached
        for r, requirement in enumerate(gate.requires):
            cols[gate_missing_col(g, r)] = reached & (f[_at(requirement)] >= first_before)
    return f.select(
        JOURNEY_ID,
        "events",
        SEGMENT,
        CHANNEL,
        "C",
        "known",
        "unknown",
        "end_us",
        "duration_seconds",
        "month",
        "week_day",
        "first_p",
        "last_p",
        "starts_mid",
        "ends_early",
        *(visited_col(p) for p in _visited_positions(design)),
        "repeated",
        "back_pairs",
        "back_moves",
        "violation_pairs",
        "on_board",
        **cols,
    )


def _jumps(design: JourneyDesign) -> tuple[tuple[int, int], ...]:
    """The allowed skips that jump over a position (the others never excuse a skip)."""
    return tuple(skip for skip in design.skips if skip[1] > skip[0] + 1)


def _gate_positions(design: JourneyDesign) -> list[int]:
    """Positions the gates name (their ``_at`` columns: first index in the journey)."""
    return sorted({p for gate in design.gates for p in (*gate.before, *gate.requires)})


def _visited_positions(design: JourneyDesign) -> list[int]:
    """Positions whose :func:`visited_col` the facts hold: the mandatory and entry points."""
    return sorted({*design.mandatory, *design.entry})


def _at(position: int) -> str:
    return f"_at{position}"


def _in_span(position: int) -> str:
    return f"_in_span{position}"


def _first_before(gate: int) -> str:
    return f"_first_before{gate}"


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

    return _any(
        ((pair.f1 == a) & (pair.f2 == b) for a, b in sorted(moves)), empty=ibis.literal(False)
    )


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
