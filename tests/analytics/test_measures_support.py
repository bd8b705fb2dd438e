"""Small hand-made event and feedback logs for the measure, value, target and improvement tests.

Not a test module: builders imported by ``test_measures*.py``, ``test_value_realization.py``,
``test_agreement_targets.py`` and ``test_improvements.py``. Times are written in the
workspace's local time (America/Sao_Paulo, UTC-3 all year since 2019) and stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from cojourney.domain import Workspace, WorkspaceInfo
from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.schema import canonical_arrow_schema
from cojourney.events.store import EventStore

TZ = "America/Sao_Paulo"


def at(day: str, hour: int = 12, minute: int = 0, second: float = 0) -> dt.datetime:
    """A local time in :data:`TZ` (``day`` as ``2025-03-14``), as an aware UTC datetime."""
    y, m, d = (int(p) for p in day.split("-"))
    whole = int(second)
    local = dt.datetime(
        y, m, d, hour, minute, whole, round((second - whole) * 1e6), tzinfo=ZoneInfo(TZ)
    )
    return local.astimezone(dt.UTC)


def ev(
    journey: str, activity: str, when: dt.datetime, segment: str | None = None, **attributes: Any
) -> dict[str, Any]:
    """One canonical event (attributes go to the JSON column)."""
    return {
        "journey_id": journey,
        "activity": activity,
        "timestamp": when,
        "segment": segment,
        "attributes": json.dumps(attributes) if attributes else None,
    }


def fb(
    journey: str,
    question: str,
    score: float | None,
    when: dt.datetime,
    touchpoint: str | None = None,
    segment: str | None = None,
) -> dict[str, Any]:
    """One survey answer."""
    return {
        "journey_id": journey,
        "question": question,
        "score": score,
        "timestamp": when,
        "touchpoint": touchpoint,
        "segment": segment,
    }


def store(
    folder: Path, events: Iterable[dict[str, Any]], feedback: Iterable[dict[str, Any]] = ()
) -> EventStore:
    """A workspace event store in ``folder`` holding ``events`` and ``feedback``."""
    rows = [{**r, "event_seq": i} for i, r in enumerate(events)]
    answers = [{**r, "answer_seq": i} for i, r in enumerate(feedback)]
    st = EventStore.open(folder)
    table = pa.Table.from_pylist(rows, schema=canonical_arrow_schema())
    st.import_batches(table.to_batches(), source_name="events", source_sha256="e")
    if answers:
        ftable = pa.Table.from_pylist(answers, schema=feedback_arrow_schema())
        st.import_batches(
            ftable.to_batches(), source_name="feedback", source_sha256="f", kind="feedback"
        )
    return st


def workspace(time_zone: str = TZ, **collections: Any) -> Workspace:
    """A workspace with only the given collections (indicators, agreements...)."""
    return Workspace(workspace=WorkspaceInfo(id="t", name="T", time_zone=time_zone), **collections)


def car_share_events() -> list[dict[str, Any]]:
    """Three members of a car share over March and April 2025 (local time).

    j2's pickup on 31 March 23:30 local is already 1 April in UTC: it belongs to March.
    j3's pickup has no ``soc_pct``.
    """
    return [
        ev("j1", "membership-sign-up", at("2025-03-03", 10), "katrina"),
        ev("j1", "first-booking", at("2025-03-04", 16), "katrina"),
        ev("j1", "charge-level-at-pickup", at("2025-03-05", 8), "katrina", soc_pct=85),
        ev("j1", "plug-in-end-trip", at("2025-03-05", 18), "katrina", minutes_late=0, km=10, kwh=2),
        ev("j1", "charge-level-at-pickup", at("2025-04-02", 8), "katrina", soc_pct=70),
        ev(
            "j1", "plug-in-end-trip", at("2025-04-02", 18), "katrina", minutes_late=20, km=20, kwh=4
        ),
        ev("j1", "late-return-call", at("2025-04-02", 17), "katrina", wait_seconds=30),
        ev("j2", "membership-sign-up", at("2025-03-10", 9), "marcos"),
        ev("j2", "charge-level-at-pickup", at("2025-03-31", 23, 30), "marcos", soc_pct=95),
        ev(
            "j2",
            "plug-in-end-trip",
            at("2025-04-01", 0, 30),
            "marcos",
            minutes_late=30,
            km=5,
            kwh=1,
        ),
        ev("j2", "book-car", at("2025-04-10", 9), "marcos"),
        ev("j2", "late-return-call", at("2025-04-10", 19), "marcos", wait_seconds=90),
        ev("j3", "membership-sign-up", at("2025-04-05", 12), "katrina"),
        ev("j3", "first-booking", at("2025-04-06", 12), "katrina"),
        ev("j3", "charge-level-at-pickup", at("2025-04-07", 8), "katrina"),
        ev("j3", "book-car", at("2025-04-20", 8), "katrina"),
        ev("j3", "late-return-call", at("2025-04-20", 18), "katrina", wait_seconds=120),
    ]


def car_share_feedback() -> list[dict[str, Any]]:
    """Survey answers of the three members (touchpoint ``None``: journey level)."""
    return [
        fb("j1", "nps", 10, at("2025-03-20")),
        fb("j2", "nps", 6, at("2025-03-21")),
        fb("j1", "nps", 2, at("2025-03-22"), touchpoint="post-trip-csat"),
        fb("j3", "nps", 8, at("2025-04-21")),
        fb("j1", "nps", 9, at("2025-04-22")),
        fb("j1", "csat", 5, at("2025-03-05", 19), touchpoint="post-trip-csat"),
        fb("j2", "csat", 3, at("2025-04-01", 9), touchpoint="post-trip-csat"),
        fb("j3", "csat", 4, at("2025-04-07", 9), touchpoint="post-trip-csat"),
    ]
