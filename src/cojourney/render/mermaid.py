"""The journey as Mermaid ``journey`` syntax, for Markdown files, wikis and issues.

One ``section`` per step, one task per touchpoint the customer meets (backstage,
provider-only touchpoints are left out), scored on Mermaid's 1..5 scale from the
designed emotion, with the owning team (or "Customer") as the actor.
"""

from __future__ import annotations

import math

from cojourney.domain import Visibility, Workspace
from cojourney.render.layout import resolve_journey

#: Characters that break Mermaid's journey parser, and look-alikes that do not.
#: ``<`` and ``>`` are replaced too, so that no renderer reads a name as HTML.
_UNSAFE = {":": "\u2236", "#": "\uff03", ";": ",", "<": "\u2039", ">": "\u203a"}


def sanitise(text: str) -> str:
    """Make ``text`` safe for one Mermaid line: no ``:`` ``#`` ``;``, no line breaks, no ``%%``.

    >>> sanitise("Support: ticket #42; follow-up")
    'Support∶ ticket ＃42, follow-up'
    """
    out = " ".join(str(text).split())
    for unsafe, safe in _UNSAFE.items():
        out = out.replace(unsafe, safe)
    while "%%" in out:
        out = out.replace("%%", "%")
    return out or "-"


def mermaid_score(emotion: float | None) -> int:
    """Designed emotion -3..+3 mapped linearly onto Mermaid's 1..5 (3 when there is none).

    >>> [mermaid_score(e) for e in (-3, 0, 3, 1.5, None)]
    [1, 3, 5, 4, 3]
    """
    if emotion is None:
        return 3
    value = (max(-3.0, min(3.0, emotion)) + 3) / 6 * 4 + 1
    return math.floor(value + 0.5)


_KEYWORDS = ("journey", "title", "section", "acctitle", "accdescr")


def task_name(text: str) -> str:
    """A sanitised task name that the lexer cannot take for a keyword ("Journey review" would
    start a new diagram): such a name gets an invisible zero-width space in front.

    >>> task_name("Title deeds arrive") == "\u200bTitle deeds arrive"
    True
    """
    name = sanitise(text)
    return "\u200b" + name if name.lower().startswith(_KEYWORDS) else name


def _actor(name: str) -> str:
    return sanitise(name).replace(",", " ")


def render_mermaid_journey(workspace: Workspace, journey_id: str | None = None) -> str:
    """The journey in Mermaid ``journey`` syntax (ends with a newline)."""
    journey = resolve_journey(workspace, journey_id)
    order = {tp_id: i for i, tp_id in enumerate(journey.expected_order())}
    lines = ["journey", f"    title {sanitise(journey.name)}"]
    for step in journey.steps:
        lines.append(f"    section {sanitise(step.name)}")
        tps = [
            t for t in journey.touchpoints_in(step.id) if t.visibility != Visibility.PROVIDER_ONLY
        ]
        for tp in sorted(tps, key=lambda t: order.get(t.id, len(order))):
            actor = _actor(tp.owner.team) if tp.owner else "Customer"
            lines.append(f"      {task_name(tp.name)}: {mermaid_score(tp.emotion)}: {actor}")
    return "\n".join(lines) + "\n"
