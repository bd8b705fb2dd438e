"""The generic benchmark process: an order-to-cash service with 31 activities.

About 10 events per case, with what real logs have: two ways in, a completeness
loop, two checks done in either order (parallel-ish), escalations, skipped steps
(click and collect skips shipping; many cases skip the survey), a delivery retry
loop, payment reminders, complaints and refunds, and cancellations part-way.
"""

from __future__ import annotations

from _markov import Builder, Chain

M, H, D = 60.0, 3600.0, 86400.0

#: (state, median seconds from the previous event, activity label if not the state name)
_STATES: tuple[tuple[str, float, str | None], ...] = (
    ("Submit order online", 0, None),
    ("Register order by phone", 0, None),
    ("Check completeness", 20 * M, None),
    ("Request missing information", 2 * H, None),
    ("Receive missing information", 1 * D, None),
    ("Check credit", 1 * H, None),
    ("Check stock", 30 * M, None),
    ("Check stock#2", 30 * M, "Check stock"),
    ("Check credit#2", 1 * H, "Check credit"),
    ("Approve order", 2 * H, None),
    ("Escalate to manager", 1 * H, None),
    ("Manager review", 8 * H, None),
    ("Reject order", 2 * H, None),
    ("Notify rejection", 10 * M, None),
    ("Cancel order", 6 * H, None),
    ("Send confirmation", 5 * M, None),
    ("Pick items", 6 * H, None),
    ("Pack items", 40 * M, None),
    ("Ship parcel", 4 * H, None),
    ("Deliver parcel", 1.5 * D, None),
    ("Delivery failed", 1 * D, None),
    ("Reschedule delivery", 3 * H, None),
    ("Arrange click and collect", 2 * H, None),
    ("Collect at pickup point", 1 * D, None),
    ("Send invoice", 2 * H, None),
    ("Receive payment", 5 * D, None),
    ("Send payment reminder", 14 * D, None),
    ("Write off debt", 30 * D, None),
    ("Send satisfaction survey", 1 * D, None),
    ("Receive survey answer", 2 * D, None),
    ("File complaint", 3 * D, None),
    ("Handle complaint", 1 * D, None),
    ("Issue refund", 2 * D, None),
    ("Close case", 1 * H, None),
)

_MOVES: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = (
    ("Submit order online", (("Check completeness", 0.97),)),
    ("Register order by phone", (("Check completeness", 0.99),)),
    (
        "Check completeness",
        (
            ("Check credit", 0.45),
            ("Check stock", 0.35),
            ("Request missing information", 0.15),
            ("Cancel order", 0.04),
        ),
    ),
    (
        "Request missing information",
        (("Receive missing information", 0.85), ("Cancel order", 0.15)),
    ),
    ("Receive missing information", (("Check completeness", 1.0),)),
    ("Check credit", (("Check stock#2", 1.0),)),
    ("Check stock", (("Check credit#2", 1.0),)),
    (
        "Check stock#2",
        (("Approve order", 0.82), ("Escalate to manager", 0.1), ("Reject order", 0.08)),
    ),
    (
        "Check credit#2",
        (("Approve order", 0.82), ("Escalate to manager", 0.1), ("Reject order", 0.08)),
    ),
    ("Escalate to manager", (("Manager review", 1.0),)),
    ("Manager review", (("Approve order", 0.7), ("Reject order", 0.3))),
    ("Reject order", (("Notify rejection", 1.0),)),
    ("Notify rejection", (("Close case", 0.4),)),
    ("Cancel order", (("Close case", 0.3),)),
    ("Approve order", (("Send confirmation", 0.6), ("Pick items", 0.4))),
    ("Send confirmation", (("Pick items", 0.97), ("Cancel order", 0.03))),
    ("Pick items", (("Pack items", 1.0),)),
    ("Pack items", (("Ship parcel", 0.8), ("Arrange click and collect", 0.2))),
    ("Ship parcel", (("Deliver parcel", 0.9), ("Delivery failed", 0.1))),
    ("Delivery failed", (("Reschedule delivery", 0.9), ("Cancel order", 0.1))),
    ("Reschedule delivery", (("Deliver parcel", 0.85), ("Delivery failed", 0.15))),
    ("Arrange click and collect", (("Collect at pickup point", 0.95), ("Cancel order", 0.05))),
    ("Deliver parcel", (("Send invoice", 1.0),)),
    ("Collect at pickup point", (("Send invoice", 1.0),)),
    ("Send invoice", (("Receive payment", 0.85), ("Send payment reminder", 0.15))),
    (
        "Send payment reminder",
        (("Receive payment", 0.8), ("Send payment reminder", 0.12), ("Write off debt", 0.08)),
    ),
    ("Write off debt", (("Close case", 1.0),)),
    (
        "Receive payment",
        (("Close case", 0.72), ("Send satisfaction survey", 0.2), ("File complaint", 0.08)),
    ),
    ("Send satisfaction survey", (("Receive survey answer", 0.45), ("Close case", 0.55))),
    ("Receive survey answer", (("Close case", 0.85), ("File complaint", 0.15))),
    ("File complaint", (("Handle complaint", 1.0),)),
    ("Handle complaint", (("Issue refund", 0.5), ("Close case", 0.5))),
    ("Issue refund", (("Close case", 1.0),)),
)


def generic_chain() -> Chain:
    """The generic order-to-cash process (31 activities, about 10 events per case)."""
    b = Builder()
    for name, arrive, label in _STATES:
        b.state(name, arrive, label)
    b.start("Submit order online", 0.75)
    b.start("Register order by phone", 0.25)
    for source, targets in _MOVES:
        for target, p in targets:
            b.move(source, target, p)
    return b.build()
