"""The free-text comments of the survey answers, per touchpoint: :func:`comments_by_touchpoint`.

Comments are imported with the answers (the feedback log's ``comment`` column) and shown
beside the scores: per touchpoint of the journey (in the designed order, then any other
answered one, then the journey-level ones), how many answers carry a comment and the
latest :data:`LATEST` of them, newest first (ties: the later input first). Empty and
blank comments do not count. :func:`recent_comments` pulls the most recent ones for
:mod:`cojourney.analytics.comment_themes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cojourney.analytics.comment_themes import CommentInput
from cojourney.analytics.experience_results import Comment, TouchpointComments

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.domain import Journey, Workspace
    from cojourney.events.sql import SqlConnection

__all__ = ["LATEST", "comments_by_touchpoint", "recent_comments"]

#: How many comments are kept per touchpoint (the newest).
LATEST: Final = 5


def comments_by_touchpoint(
    con: SqlConnection,
    table: str,
    journey: Journey,
    workspace: Workspace,
    latest: int = LATEST,
) -> tuple[TouchpointComments, ...]:
    """Comments per touchpoint of the filtered answers ``table`` (see the module docstring)."""
    rows = con.execute(f"""
SELECT touchpoint, count(*) AS n,
  list(struct_pack(j := journey_id, t := strftime(timezone('UTC', timestamp),
       '%Y-%m-%dT%H:%M:%SZ'), q := question, s := score, c := trim(comment))
       ORDER BY timestamp DESC, answer_seq DESC)[1:{int(latest)}] AS latest
FROM {table} WHERE comment IS NOT NULL AND trim(comment) <> ''
GROUP BY touchpoint""").fetchall()
    names = {t.id: t.name for t in workspace.all_touchpoints().values()}
    order = {tp: k for k, tp in enumerate(journey.expected_order())}
    found = []
    for touchpoint, n, items in rows:
        found.append(
            TouchpointComments(
                touchpoint,
                names.get(touchpoint, touchpoint) if touchpoint else "the whole journey",
                int(n),
                tuple(
                    Comment(
                        str(i["j"]),
                        str(i["t"]),
                        str(i["q"]),
                        float(i["s"]) if i["s"] is not None else None,
                        str(i["c"]),
                    )
                    for i in items
                ),
            )
        )
    found.sort(
        key=lambda c: (
            c.touchpoint is None,
            order.get(c.touchpoint or "", len(order)),
            c.touchpoint or "",
        )
    )
    return tuple(found)


def recent_comments(con: SqlConnection, table: str, limit: int) -> list[CommentInput]:
    """The ``limit`` most recent non-blank comments of the filtered answers ``table``
    (newest first; ties: the later input first)."""
    rows = con.execute(f"""
SELECT trim(comment), score, touchpoint,
  strftime(timezone('UTC', timestamp), '%Y-%m-%dT%H:%M:%SZ'), question
FROM {table} WHERE comment IS NOT NULL AND trim(comment) <> ''
ORDER BY timestamp DESC, answer_seq DESC LIMIT {int(limit)}""").fetchall()
    return [
        CommentInput(
            str(text),
            float(score) if score is not None else None,
            str(tp) if tp is not None else None,
            str(ts),
            str(q),
        )
        for text, score, tp, ts, q in rows
    ]
