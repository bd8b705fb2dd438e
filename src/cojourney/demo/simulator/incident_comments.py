"""Incident resolution: what users write beside their closure CSAT.

A share of the ``csat`` answers of the closure survey carries a free-text comment in
English, drawn from small phrase banks keyed by what the user lived through before the
survey (the first that applies): a rejected solution, a ticket closed without asking
the user, a missed estimate, a lot of lost work (3 hours or more), a workaround at
first contact, or a fix within the estimate. The chance of a comment follows the
eCampus rule (:func:`.ecampus_comments.pick_comments`): the more extreme the score, the
likelier, complaints the likeliest.

The draws come from a generator of their own, so events and scores are the same with
or without comments.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from cojourney.demo.simulator.ecampus_comments import comment_rng, pick_comments

__all__ = ["INCIDENT_SITUATIONS", "incident_comments", "incident_phrase_bank"]

#: situation -> English phrases
INCIDENT_SITUATIONS: Final[dict[str, tuple[str, ...]]] = {
    "rejected": (
        "The first fix did not work, I had to say so and wait again",
        "They proposed a solution that did not solve anything",
        "Fix was rejected, second try worked but it took ages",
    ),
    "closed_unasked": (
        "Ticket closed without asking me if it worked",
        "Nobody checked with me before closing the ticket",
        "Closed the ticket while I was still waiting",
    ),
    "eta_missed": (
        "Took much longer than the time they promised",
        "The expected resolution time was far too optimistic",
        "They said a few hours, it took days",
    ),
    "lost_work": (
        "Lost half a day of work, month-end close was at risk",
        "I could not work for hours while the ERP was down",
        "Lost a lot of work time waiting for the fix",
    ),
    "workaround": (
        "The workaround got me going right away, thanks",
        "Known problem, they knew the fix at once",
        "Quick answer at first contact, very helpful",
    ),
    "fast": (
        "Fixed within the time they told me",
        "Fast fix and kept informed, good service",
        "Resolved quickly, clear about the priority and timing",
    ),
}


def incident_phrase_bank() -> tuple[list[str], dict[tuple[str, bool], np.ndarray]]:
    """Every phrase (the comment vocabulary) and, per (situation, False), its codes.

    The key's second item is the eCampus language flag; incident users write English.
    """
    texts: list[str] = []
    codes: dict[tuple[str, bool], np.ndarray] = {}
    for situation, phrases in INCIDENT_SITUATIONS.items():
        codes[situation, False] = np.arange(len(texts), len(texts) + len(phrases))
        texts.extend(phrases)
    return texts, codes


def incident_comments(
    rng: np.random.Generator,
    score: np.ndarray,
    *,
    rejected: np.ndarray,
    silent: np.ndarray,
    eta_met: np.ndarray,
    lost_hours: np.ndarray,
    workaround: np.ndarray,
    bank: dict[tuple[str, bool], np.ndarray],
) -> np.ndarray:
    """A phrase code per answer (-1: no comment), from a generator spawned from ``rng``.

    Every argument but ``rng`` and ``bank`` has one value per answer; ``score`` is the
    1-5 CSAT.
    """
    situation = np.select(
        [rejected, silent, eta_met == 0, lost_hours >= 3, workaround, eta_met == 1],
        ["rejected", "closed_unasked", "eta_missed", "lost_work", "workaround", "fast"],
        "",
    )
    english = np.zeros(score.size, dtype=bool)
    return pick_comments(comment_rng(rng), situation, score, english, bank)
