"""eCampus member journeys as Markov chains built from the designed journey.

The chain walks the designed order (``path.order``) of the eCampus member journey:
optional touchpoints are skipped with a persona's probability, consumer-only
touchpoints (never in eCampus's logs) are always skipped, the designed loops and
skips are taken with set probabilities (a trip loop: member journeys repeat the
trip touchpoints many times), journeys drop out of the pre-service steps, and a
few journeys deviate from the design (a missing mandatory touchpoint, a booking
before the onboarding gates), so conformance and gates have something to find.
Each persona (the ``segment``) is its own chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from _markov import Chain

H, D = 3600.0, 86400.0
EXAMPLE = Path(__file__).resolve().parents[1] / "src/cojourney/demo/examples/ecampus-car-share"
PRE_SERVICE = ("explore", "engage", "offer", "agree")


@dataclass(frozen=True)
class Persona:
    """How one persona travels the journey."""

    id: str
    share: float
    entry: dict[str, float]
    skip_optional: float = 0.6
    skip: dict[str, float] = field(default_factory=dict)  # forward-skip overrides
    next_trip: float = 0.55  # after a trip's receipt or rating: book again
    renew: float = 0.75
    cancel: float = 0.12
    days_between_trips: float = 3.0


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "katrina",
        0.6,
        {
            "social-media-ad": 3,
            "campus-poster": 2,
            "welcome-week-stand": 3,
            "university-discount-code": 1,
            "app-download": 1,
        },
    ),
    Persona(
        "marcos",
        0.25,
        {"app-store-search": 3, "social-media-ad": 1, "app-download": 1},
        skip_optional=0.7,
        skip={"welcome-week-stand": 0.95, "university-discount-code": 1.0},
        next_trip=0.7,
        renew=0.85,
        days_between_trips=2.0,
    ),
    Persona(
        "diego",
        0.15,
        {"social-media-ad": 1, "campus-poster": 1, "welcome-week-stand": 1, "app-download": 1},
        skip={"trailer-offering-page": 0.2, "trailer-pickup": 0.5, "trailer-return": 0.5},
        next_trip=0.4,
        renew=0.5,
        cancel=0.3,
        days_between_trips=5.0,
    ),
)

#: Forward-skip probabilities that hold for every persona (1: reached only by a loop or a
#: special move; 0: never skipped).
_ALWAYS_SKIP = {
    "book-car": 1.0,
    "membership-renewal": 0.0,
    "membership-cancellation": 1.0,
    "trailer-pickup": 0.97,
    "trailer-return": 0.97,
    "late-return-alert": 0.93,
    "car-reassigned": 0.95,
    "late-return-call": 0.9,
    "late-alert-dispatch": 0.9,
    "low-charge-warning": 0.85,
    "charge-on-the-way": 0.9,
    "fleet-redistribution": 0.8,
    "co-design-workshop": 0.95,
    "post-trip-csat": 0.5,
}
#: Probability that a journey misses a mandatory touchpoint (a deviation from the design).
_MISS_MANDATORY = 0.01


def ecampus_chains(example: Path = EXAMPLE) -> list[tuple[Persona, Chain]]:
    """One chain per persona, over the emitted touchpoints of the eCampus member journey."""
    from cojourney.spec.loader import load_workspace

    journey = load_workspace(example).journey(None)
    return [(p, _chain(journey, p)) for p in PERSONAS]


def _chain(journey: object, persona: Persona) -> Chain:
    tps = {t.id: t for t in journey.touchpoints}  # type: ignore[attr-defined]
    step_of = journey.step_of()  # type: ignore[attr-defined]
    steps = {s.id: s for s in journey.steps}  # type: ignore[attr-defined]
    order = [
        tp
        for tp in journey.path.order  # type: ignore[attr-defined]
        if tps[tp].visibility.value != "consumer_only"
    ]
    pos = {tp: n for n, tp in enumerate(order)}
    n = len(order)
    skip = np.array([_skip_probability(tps[tp], persona) for tp in order])
    moves = np.zeros((n, n))
    for i in range(n - 1):  # the forward walk: the next touchpoint not skipped
        carry = 1.0
        for k in range(i + 1, n):
            moves[i, k] += carry * (1 - skip[k])
            carry *= skip[k]
            if carry < 1e-6:
                break
    special: dict[str, dict[str, float]] = {
        "membership-plans-page": {"browse-cars-map": 0.08},
        "licence-verification": {"licence-upload": 0.1},
        "ev-instruction-video": {"ev-instruction-video": 0.08},
        "charge-level-at-pickup": {"locate-car-in-app": 0.06},
        "trip-receipt": {"book-car": persona.next_trip},
        "post-trip-csat": {"book-car": persona.next_trip},
        "app-download": {"membership-plans-page": 0.25},
        "payment-setup": {"first-booking": 0.01},
        "monthly-nps-survey": {"membership-cancellation": persona.cancel},
        "emissions-report": {"membership-cancellation": persona.cancel / 2},
    }
    for source, targets in special.items():
        i = pos[source]
        taken = sum(targets.values())
        moves[i] *= 1 - taken
        for target, p in targets.items():
            moves[i, pos[target]] += p
    ends = {"membership-renewal": {"book-car": persona.renew}, "swipe-card-return": {}}
    for source, targets in ends.items():
        moves[pos[source]] = 0.0
        for target, p in targets.items():
            moves[pos[source], pos[target]] = p
    cancel = pos["membership-cancellation"]
    moves[cancel] = 0.0
    moves[cancel, pos["swipe-card-return"]] = 0.8
    for tp in order:  # drop-outs: the funnel of the pre-service and onboarding steps
        drop = 0.04 if step_of[tp] in PRE_SERVICE else 0.015 if step_of[tp] == "onboard" else 0.0
        if tp not in ("membership-cancellation", "swipe-card-return"):
            moves[pos[tp]] *= 1 - drop
    start = np.zeros(n)
    for tp, weight in persona.entry.items():
        start[pos[tp]] = weight
    start[pos["membership-sign-up"]] = 0.05 * start.sum()  # a friend's invite link
    start /= start.sum()
    gaps = _gaps(order, tps, step_of, steps, persona)
    full = list(journey.path.order)  # type: ignore[attr-defined]
    hidden = np.array(
        [
            _seconds(tps[tp].expected_duration)
            if tps[tp].visibility.value == "consumer_only"
            else 0.0
            for tp in full
        ]
    )
    behind = np.concatenate([[0.0], np.cumsum(hidden)])  # consumer-only time before each
    at = np.array([full.index(tp) for tp in order])
    between = behind[at][None, :] - behind[at + 1][:, None]  # e.g. driving, walking to the car
    gaps += np.where(between > 0, between, 0.0)
    channels = tuple(tps[tp].channel.value for tp in order)
    return Chain(tuple(order), start, moves, gaps, channels)


def _skip_probability(touchpoint: object, persona: Persona) -> float:
    tp_id = touchpoint.id  # type: ignore[attr-defined]
    if tp_id in persona.skip:
        return persona.skip[tp_id]
    if tp_id in _ALWAYS_SKIP:
        return _ALWAYS_SKIP[tp_id]
    optional = touchpoint.optional  # type: ignore[attr-defined]
    return persona.skip_optional if optional else _MISS_MANDATORY


def _gaps(order: list[str], tps: dict, step_of: dict, steps: dict, persona: Persona) -> np.ndarray:
    """Median seconds from an event of one touchpoint to the next event."""
    stay = np.array([max(_seconds(tps[tp].expected_duration), 60.0) for tp in order])
    gaps = np.tile(stay[:, None], (1, len(order)))
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            if step_of[a] != step_of[b] and j > i:
                gaps[i, j] += 0.25 * _seconds(steps[step_of[a]].expected_duration)
            if j <= i:  # back along a loop
                gaps[i, j] = stay[i] + (
                    persona.days_between_trips * D if b == "book-car" else 2 * H
                )
    gaps[:, order.index("monthly-invoice")] = 10 * D
    return gaps


def _seconds(duration: object) -> float:
    return duration.total_seconds() if duration is not None else 300.0  # type: ignore[attr-defined]
