"""The actual journeys: their graph, their variants, where they enter and leave.

Definitions (every event counts; events in ``(timestamp, event_seq)`` order):

* **graph**: a node per activity with its events and the journeys that have it; an
  edge per directly-follows pair ``a -> b`` (two consecutive events of a journey)
  with its frequency in events and in distinct journeys and the seconds between
  the two events (mean, median, 90th percentile, linear interpolation);
* **variants**: distinct activity sequences with their journeys, share of all
  journeys and mean duration (first to last event), ranked by journeys, ties by
  the activity names compared as tuples, as in
  :func:`cojourney.analytics.discovery.variants`;
* **entry and exit**: a journey *starts in the middle* when its first touchpoint
  event is not a designed entry point, *works back* when it then reaches an entry
  point, and *ends early* when its last touchpoint event is not a designed exit
  point (:mod:`cojourney.analytics.facts` explains "touchpoint event").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cojourney.analytics.journey_results import (
    ActivityNode,
    EntryExit,
    JourneyGraph,
    JourneyVariant,
    TouchpointEnds,
    Variants,
)
from cojourney.analytics.ordering import pair_keys
from cojourney.analytics.results import DirectlyFollows
from cojourney.events.schema import JOURNEY_ID

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from cojourney.analytics.engines import Engine
    from cojourney.analytics.prepared import JourneyData

#: Variants listed by default.
DEFAULT_TOP_VARIANTS = 20


def journey_graph(data: JourneyData) -> JourneyGraph:
    """Activities and directly-follows relations with frequency and performance."""
    engine, flow, n = data.engine, data.flow, len(data.codes)
    seconds = (flow.next_us - flow.us) / 1_000_000
    # One quantile aggregate for both: the engine sorts each pair's seconds once.
    grouped = flow.group_by(["c", "next_c"]).aggregate(
        events=flow.count(), mean_seconds=seconds.mean(), quantiles=seconds.quantile([0.5, 0.9])
    )
    node_events: dict[int, int] = {}
    pairs: list[dict[str, Any]] = []
    for row in engine.rows(grouped):
        node_events[row["c"]] = node_events.get(row["c"], 0) + row["events"]
        if row["next_c"] is not None:
            pairs.append(row)
    journeys = _journeys_per_node_and_pair(data.facts, n, engine)
    nodes = sorted(
        (
            ActivityNode(data.name(c), events, journeys.get(c, 0), c < data.design.size)
            for c, events in node_events.items()
        ),
        key=lambda node: (-node.events, node.activity),
    )
    edges = sorted(
        (
            DirectlyFollows(
                data.name(r["c"]),
                data.name(r["next_c"]),
                r["events"],
                journeys.get(n + r["c"] * n + r["next_c"], 0),
                float(r["mean_seconds"]),
                float(r["quantiles"][0]),
                float(r["quantiles"][1]),
            )
            for r in pairs
        ),
        key=lambda d: (-d.events, d.source, d.target),
    )
    return JourneyGraph(tuple(nodes), tuple(edges))


def _journeys_per_node_and_pair(facts: ir.Table, width: int, engine: Engine) -> dict[int, int]:
    """Journeys having each activity code ``c`` (key ``c``) and each pair ``a -> b``
    (key ``width + a * width + b``, :func:`.ordering.pair_keys`): each journey's distinct
    codes and distinct pairs, unnested once."""
    codes = facts.select(key=facts.C.unique().unnest())
    # The keys first, in their own projection: ``unique`` reads its argument several
    # times, and an engine may compute a mapped array again each time.
    pairs = facts.select(keys=pair_keys(facts.C, width))
    pairs = pairs.select(key=pairs["keys"].unique().unnest())
    keys = codes.select(key=codes.key.cast(pairs.key.type())).union(pairs, distinct=False)
    counted = keys.group_by("key").aggregate(journeys=keys.count())
    return {row["key"]: row["journeys"] for row in engine.rows(counted)}


def ranked_sequences(
    table: ir.Table,
    engine: Engine,
    names: tuple[str, ...],
    *,
    top: int | None,
    aggregates: dict[str, Any] | None = None,
) -> list[tuple[tuple[int, ...], dict[str, Any]]]:
    """The activity sequences (``C``) of ``table`` by journeys, ties by activity names.

    The engine ranks them: each code is replaced by the rank of its name, so comparing
    those arrays compares the name sequences (element by element, a prefix first).

    Returns
    -------
    list of (codes, row)
        Up to ``top`` (all with ``None``); ``row`` holds ``journeys`` and the
        ``aggregates`` (expressions over ``table``).
    """
    import ibis

    by_name = sorted(range(len(names)), key=lambda code: names[code])
    rank = [0] * len(names)
    for position, code in enumerate(by_name):
        rank[code] = position
    ranks = ibis.literal(rank or [0], type="array<int32>")
    grouped = table.group_by("C").aggregate(journeys=table.count(), **(aggregates or {}))
    ranked = grouped.order_by([ibis.desc("journeys"), grouped.C.map(lambda c: ranks[c])])
    if top is not None:
        ranked = ranked.limit(top)
    return [(tuple(row.pop("C")), row) for row in engine.rows(ranked)]


def journey_variants(data: JourneyData, *, top: int | None = DEFAULT_TOP_VARIANTS) -> Variants:
    """The variant count and the ``top`` most frequent variants (all with ``None``)."""
    facts, engine = data.facts, data.engine
    totals = engine.rows(facts.aggregate(journeys=facts.count(), variants=facts.C.nunique()))[0]
    ranked = ranked_sequences(
        facts,
        engine,
        data.codes,
        top=top,
        aggregates={
            "mean_duration_seconds": facts.duration_seconds.mean(),
            "starts_mid": facts.starts_mid.max(),
            "ends_early": facts.ends_early.max(),
            "fitness": facts.fitness.max(),
        },
    )
    journeys = int(totals["journeys"])
    return Variants(
        int(totals["variants"] or 0),
        tuple(
            JourneyVariant(
                tuple(data.name(c) for c in codes),
                row["journeys"],
                row["journeys"] / journeys,
                float(row["mean_duration_seconds"]),
                row["starts_mid"],
                row["ends_early"],
                float(row["fitness"]),
            )
            for codes, row in ranked
        ),
    )


def entry_exit(data: JourneyData) -> EntryExit:
    """Where journeys start and end, against the designed entry and exit points."""
    import ibis

    facts, engine, design = data.facts, data.engine, data.design
    has = facts.first_p.notnull()
    totals = engine.rows(
        facts.aggregate(
            journeys=facts.count(),
            without=(~has).sum(),
            mid=facts.starts_mid.sum(),
            back=facts.worked_back.sum(),
            early=facts.ends_early.sum(),
        )
    )[0]
    ends = facts.filter(has).select(JOURNEY_ID, p=ibis.array([facts.first_p, -1 - facts.last_p]))
    ends = ends.select(p=ends.p.unnest())
    counts = {
        row["p"]: row["n"] for row in engine.rows(ends.group_by("p").aggregate(n=ends.count()))
    }
    rows = [
        TouchpointEnds(
            tp, counts.get(p, 0), counts.get(-1 - p, 0), p in design.entry, p in design.exit
        )
        for p, tp in enumerate(design.touchpoints)
    ]
    return EntryExit(
        journeys=int(totals["journeys"]),
        without_touchpoints=_int(totals["without"]),
        started_in_middle=_int(totals["mid"]),
        worked_back=_int(totals["back"]),
        ended_early=_int(totals["early"]),
        touchpoints=tuple(rows),
    )


def _int(value: Any) -> int:
    return 0 if value is None else int(value)
