"""Small, explicit event logs of the template journey, with every number worked out by hand.

The template journey (``cojourney init``): positions and steps of its touchpoints

====  ==============  ===========  ===========================================
pos   touchpoint      step (index)  notes
====  ==============  ===========  ===========================================
0     search          explore (0)  entry point
1     sign-up         agree (3)    entry point
2     identity-check  onboard (4)  gate: required before first-use
3     welcome-guide   onboard (4)  optional
4     first-use       co-create (5) exit point
5     support-call    co-create (5) optional; loop support-call -> first-use
6     survey          realize (6)  exit point
====  ==============  ===========  ===========================================

Mandatory: search, sign-up, identity-check, first-use, survey.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyarrow as pa

from cojourney.events.schema import canonical_arrow_schema

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)  # a Monday
FEBRUARY = 31 * 86_400  # 2024-02-01, a Thursday (ISO week 5)
UNKNOWN = "newsletter-click"


def journey_table(
    journeys: Sequence[tuple[str, float, str | None, str | None, Sequence[tuple[str, float]]]],
) -> pa.Table:
    """Canonical events from ``(journey, start, segment, entry channel, [(activity, +s)])``.

    The first event of each journey has the entry channel, the others ``sms`` (so a
    wrong "first channel" shows); ``event_seq`` is the order given.
    """
    records = []
    for journey, start, segment, channel, events in journeys:
        for n, (activity, offset) in enumerate(events):
            records.append(
                {
                    "journey_id": journey,
                    "activity": activity,
                    "timestamp": T0 + dt.timedelta(seconds=start + offset),
                    "event_seq": len(records),
                    "segment": segment,
                    "channel": channel if n == 0 else ("sms" if channel else None),
                }
            )
    return pa.Table.from_pylist(records, schema=canonical_arrow_schema())


#: Eight journeys; the numbers in test_journey_analyses.py are worked out from these.
MAIN_LOG = [
    # A: the designed path, optional welcome guide included.
    (
        "A",
        0,
        "students",
        "web",
        [
            ("search", 0),
            ("sign-up", 100),
            ("identity-check", 200),
            ("welcome-guide", 300),
            ("first-use", 400),
            ("survey", 1000),
        ],
    ),
    # B: a designed loop (support-call -> first-use); ends at first-use, an exit point.
    (
        "B",
        10_000,
        "students",
        "app",
        [
            ("sign-up", 0),
            ("identity-check", 50),
            ("first-use", 100),
            ("support-call", 200),
            ("first-use", 300),
        ],
    ),
    # C: enters in the middle, works back to sign-up, one unknown activity.
    (
        "C",
        20_000,
        "commuters",
        "phone",
        [("first-use", 0), ("support-call", 10), ("first-use", 20), ("sign-up", 30), (UNKNOWN, 40)],
    ),
    # D: in February; skips the identity check (gate bypassed).
    (
        "D",
        FEBRUARY,
        "commuters",
        "web",
        [("search", 0), ("sign-up", 60), ("first-use", 120), ("survey", 180)],
    ),
    # E: leaves during onboarding.
    ("E", 30_000, "students", "web", [("search", 0), ("sign-up", 10), ("identity-check", 20)]),
    # F: nothing the design knows, no segment, no channel.
    ("F", 40_000, None, None, [(UNKNOWN, 0)]),
    # G: back and forth between agree and onboard.
    (
        "G",
        50_000,
        "commuters",
        "app",
        [
            ("sign-up", 0),
            ("welcome-guide", 10),
            ("sign-up", 20),
            ("identity-check", 30),
            ("first-use", 40),
            ("survey", 50),
        ],
    ),
    # H: the same variant as D.
    (
        "H",
        60_000,
        "commuters",
        "web",
        [("search", 0), ("sign-up", 20), ("first-use", 40), ("survey", 60)],
    ),
]
