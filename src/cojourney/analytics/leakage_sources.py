"""What value leakage reads from the event store: drop-offs and waits, one query each.

:func:`unfinished_journeys` counts the journeys abandoned (by the one rule of
:mod:`cojourney.analytics.journey_state`) per last touchpoint; :func:`waiting_times`
finds the moves that took longer than designed; :func:`worst_comments` quotes what
customers wrote about a touchpoint. :mod:`cojourney.analytics.leakage` turns them into
leaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cojourney.events.store_schema import sql_value

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from cojourney.domain import Journey
    from cojourney.events.store import EventSource

__all__ = ["QUOTES", "Wait", "unfinished_journeys", "waiting_times", "worst_comments"]

#: Comments quoted per poor touchpoint.
QUOTES = 2


@dataclass(frozen=True, slots=True)
class Wait:
    """Moves from touchpoint ``source`` to the next touchpoint ``target`` that took longer
    than ``source``'s expected duration (``allowed_seconds``): how many moves and journeys,
    and the hours beyond it in all."""

    source: str
    target: str
    allowed_seconds: float
    moves: int
    journeys: int
    hours_beyond: float


def unfinished_journeys(source: EventSource, journey: Journey) -> dict[str, int]:
    """Journeys that dropped off, by their last touchpoint of ``journey``.

    A journey dropped off when it is *abandoned* by the rule of
    :mod:`cojourney.analytics.journey_state`: its last touchpoint event is not an ending
    touchpoint (exit point, offboarding) and its last event is at least the in-progress
    window before the data's end. Journeys still in progress are not drop-offs. One
    DuckDB query, then the rule on the per-journey rows.
    """
    import numpy as np

    from cojourney.analytics.journey_state import JourneyState, states

    table = source.table_name("events")
    rows = source.sql.execute(
        f"""
        SELECT arg_max(activity, [epoch_us("timestamp"), event_seq])
                 FILTER (WHERE list_contains($touchpoints, activity)) AS last_tp,
               max(epoch_us("timestamp")) / 1e6 AS last_s
        FROM "{table}" GROUP BY journey_id
        """,
        {"touchpoints": [t.id for t in journey.touchpoints] or ["\x00"]},
    ).fetchall()
    touched = [(tp, last) for tp, last in rows if tp is not None]
    if not touched:
        return {}
    last_tp = np.array([tp for tp, _ in touched], dtype=object)
    last_s = np.array([float(last) for _, last in touched])
    end = float(max(float(last) for _, last in rows))
    state = states(last_tp, last_s, end, journey)
    left = last_tp[state == JourneyState.ABANDONED.value]
    names, counts = np.unique(left.astype(str), return_counts=True)
    return {str(tp): int(n) for tp, n in zip(names.tolist(), counts.tolist(), strict=True)}


def waiting_times(source: EventSource, journey: Journey) -> list[Wait]:
    """Per move A -> B between consecutive touchpoint events of ``journey`` (ordered by
    time, then input order; other activities left out): the moves and journeys that took
    longer than A's ``expected_duration``, and the hours beyond it. Touchpoints without
    an expected duration, designed loops and gaps are left out. One DuckDB query."""
    allowed = {
        t.id: t.expected_duration.total_seconds()
        for t in journey.touchpoints
        if t.expected_duration is not None
    }
    if not allowed:
        return []
    free = {(t.from_, t.to) for t in (*journey.path.loops, *journey.path.gaps)}
    # a join to the allowances, not a CASE of one branch per touchpoint on every row
    allowance = ", ".join(f"({sql_value(k)}, {v!r})" for k, v in allowed.items())
    rows = source.sql.execute(
        f"""
        WITH pairs AS (
          SELECT journey_id AS j, activity AS a,
                 lead(activity) OVER w AS b,
                 (lead(epoch_us("timestamp")) OVER w - epoch_us("timestamp")) / 1e6 AS gap
          FROM "{source.table_name("events")}" WHERE list_contains($touchpoints, activity)
          WINDOW w AS (PARTITION BY journey_id ORDER BY "timestamp", event_seq))
        SELECT a, b, any_value(allow), count(*), count(DISTINCT j), sum(gap - allow) / 3600
        FROM pairs JOIN (VALUES {allowance}) AS allowed(tp, allow) ON a = tp
        WHERE b IS NOT NULL AND gap > allow
        GROUP BY a, b ORDER BY a, b
        """,
        {"touchpoints": [t.id for t in journey.touchpoints] or ["\x00"]},
    ).fetchall()
    return [
        Wait(str(a), str(b), float(allow), int(n), int(j), float(hours))
        for a, b, allow, n, j, hours in rows
        if (a, b) not in free
    ]


def worst_comments(
    source: EventSource, touchpoints: Sequence[str], per: int = QUOTES
) -> dict[tuple[str, str | None], tuple[str, ...]]:
    """Up to ``per`` comments about each of ``touchpoints``, the lowest-scored first,
    then the most recent (then the later input): per (touchpoint, question), and per
    (touchpoint, ``None``) over all its questions; empty without feedback. One query."""
    from cojourney.errors import NotFound

    try:
        table = source.table_name("feedback")
    except NotFound:
        return {}
    rows = source.sql.execute(
        f"""
        SELECT touchpoint, question, c, by_question, by_touchpoint FROM (
          SELECT touchpoint, question, trim(comment) AS c,
                 row_number() OVER (PARTITION BY touchpoint, question {_WORST}) AS by_question,
                 row_number() OVER (PARTITION BY touchpoint {_WORST}) AS by_touchpoint
          FROM "{table}"
          WHERE comment IS NOT NULL AND trim(comment) <> ''
            AND list_contains($touchpoints, touchpoint))
        WHERE by_question <= {int(per)} OR by_touchpoint <= {int(per)}
        """,
        {"touchpoints": list(touchpoints) or ["\x00"]},
    ).fetchall()
    ranked: dict[tuple[str, str | None], list[tuple[int, str]]] = {}
    for tp, question, text, by_question, by_touchpoint in rows:
        if by_question <= per:
            ranked.setdefault((str(tp), str(question)), []).append((by_question, str(text)))
        if by_touchpoint <= per:
            ranked.setdefault((str(tp), None), []).append((by_touchpoint, str(text)))
    return {key: tuple(text for _, text in sorted(found)) for key, found in ranked.items()}


_WORST = 'ORDER BY score ASC NULLS LAST, "timestamp" DESC, answer_seq DESC'
