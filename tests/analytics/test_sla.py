"""SLA clocks on a small, hand-made incident log: business time, pauses, statuses, compliance.

The workspace's time zone is Europe/Amsterdam (UTC+1 in January and February 2025);
support hours are 07:00-19:00 local (06:00-18:00 UTC) on working days; P1 runs 24x7.
Every expected number is worked out by hand in the comments.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from cojourney.analytics.sla import evaluate_clocks
from cojourney.analytics.sla_results import ClockResult
from cojourney.domain import (
    Agreement,
    BusinessCalendar,
    Holiday,
    SlaClock,
    WorkingHours,
    Workspace,
    WorkspaceInfo,
)
from cojourney.errors import InputError, NotFound
from cojourney.events.schema import canonical_arrow_schema
from cojourney.events.store import EventStore

H = 3600.0


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def store_with(path: Path, rows: list[tuple[str, str, str, dict | None]]) -> EventStore:
    """An event store holding ``(journey, activity, UTC time, attributes)`` rows."""
    table = pa.Table.from_pylist(
        [
            {
                "journey_id": j,
                "activity": a,
                "timestamp": utc(t),
                "event_seq": i,
                "segment": "anna",
                "attributes": json.dumps(attrs) if attrs is not None else None,
            }
            for i, (j, a, t, attrs) in enumerate(rows)
        ],
        schema=canonical_arrow_schema(),
    )
    store = EventStore(path / "events.duckdb")
    store.import_batches(table.to_batches(), source_name="hand-made", source_sha256="x")
    return store


P1, P3, P4 = {"priority": "P1"}, {"priority": "P3"}, {"priority": "P4"}
#: The incident log (UTC). Local time is one hour later.
INCIDENTS = [
    # J1, P1 (24x7): 3 h from registration to restoration -> met; deadline 08:00 + 4 h.
    ("J1", "reg", "2025-01-06 08:00", P1),
    ("J1", "told", "2025-01-06 08:10", P1),
    ("J1", "restored", "2025-01-06 11:00", P1),
    # J2, P1 on a Saturday night: 6 h, of which 3 h waiting for the user -> 3 h, met.
    # Deadline: 20:00 + 4 h = 00:00, pushed 3 h by the pause that began before it -> 03:00.
    ("J2", "reg", "2025-01-11 20:00", P1),
    ("J2", "proposed", "2025-01-11 22:00", P1),
    ("J2", "confirmed", "2025-01-12 01:00", P1),
    ("J2", "restored", "2025-01-12 02:00", P1),
    # J3, registered as P4, re-prioritised P3: Fri 16:00-19:00 (3 h) + Mon 07:00-13:00 (6 h)
    # = 9 h > 8 h -> breached by 1 h. Deadline: Fri 3 h + Mon 5 h -> Mon 12:00 local.
    ("J3", "reg", "2025-01-10 15:00", P4),
    ("J3", "told", "2025-01-10 15:30", P3),
    ("J3", "restored", "2025-01-13 12:00", P3),
    # J4, P3: Mon 08:00 local -> Tue 09:00 local is 11 h + 2 h = 13 h of support time; waiting
    # for the user Mon 10:00 -> Tue 08:00 takes out 9 h + 1 h = 10 h -> 3 h, met.
    # Deadline: 8 h from Mon 08:00 is Mon 16:00, pushed by the 10 h pause -> Tue 14:00 local.
    ("J4", "reg", "2025-01-13 07:00", P3),
    ("J4", "proposed", "2025-01-13 09:00", P3),
    ("J4", "confirmed", "2025-01-14 07:00", P3),
    ("J4", "restored", "2025-01-14 08:00", P3),
    # J5, P3, never restored: registered Thu 30 Jan 08:00 local.
    ("J5", "reg", "2025-01-30 07:00", P3),
    # J8, P3: a 'restored' before the registration does not stop the clock; 1 h, met.
    ("J8", "restored", "2025-01-07 07:00", P3),
    ("J8", "reg", "2025-01-07 08:00", P3),
    ("J8", "restored", "2025-01-07 09:00", P3),
    # J9 never registered: the clock does not run.
    ("J9", "told", "2025-01-08 09:00", P3),
    # February. J6 is P4, which has no target; J7 is P3, 2 h, met. J7's stop (Mon 3 Feb
    # 10:00 UTC) is the data's end.
    ("J6", "reg", "2025-02-03 08:00", P4),
    ("J6", "restored", "2025-02-03 09:00", P4),
    ("J7", "reg", "2025-02-03 08:00", P3),
    ("J7", "restored", "2025-02-03 10:00", P3),
]

SUPPORT = BusinessCalendar(
    id="support",
    name="Support hours",
    time_zone="Europe/Amsterdam",
    hours=[WorkingHours(days=["mon", "tue", "wed", "thu", "fri"], start="07:00", end="19:00")],
    holidays=[Holiday(day=date(2025, 1, 1))],
)
ALWAYS = BusinessCalendar(id="always", name="24x7", time_zone="Europe/Amsterdam")


def workspace(
    *clocks: SlaClock, calendars: tuple[BusinessCalendar, ...] = (SUPPORT, ALWAYS)
) -> Workspace:
    return Workspace(
        workspace=WorkspaceInfo(id="w", name="W", time_zone="Europe/Amsterdam"),
        agreements=[
            Agreement(
                id="sla",
                name="SLA",
                kind="sla",
                basis="agreement",
                provider="it",
                services=["support"],
                clocks=list(clocks),
            )
        ],
        calendars=list(calendars),
    )


RESOLUTION = SlaClock(
    id="resolution",
    name="Resolution",
    start=["reg"],
    stop=["restored"],
    pause=["proposed"],
    calendar="support",
    targets=[
        {"priority": "P1", "within": "4h", "calendar": "always", "attainment": 90},
        {"priority": "P3", "within": "8h", "attainment": 95},
    ],
)


@pytest.fixture()
def incidents(tmp_path: Path):
    store = store_with(tmp_path, INCIDENTS)
    yield store
    store.close()


def only(results: list[ClockResult]) -> ClockResult:
    assert len(results) == 1
    return results[0]


def by_journey(result: ClockResult) -> dict[str, dict]:
    return {row["journey_id"]: row for row in result.journeys.rows()}


def test_elapsed_paused_allowed_status_and_deadline(incidents):
    result = only(evaluate_clocks(incidents, workspace(RESOLUTION)))
    rows = by_journey(result)
    assert sorted(rows) == ["J1", "J2", "J3", "J4", "J5", "J6", "J7", "J8"]
    hours = {j: (r["elapsed_seconds"] and r["elapsed_seconds"] / H) for j, r in rows.items()}
    # J5 runs from Thu 08:00 local to the data's end, Mon 3 Feb 11:00 local:
    # Thu 11 h + Fri 12 h + Mon 4 h = 27 h.
    assert hours == {"J1": 3, "J2": 3, "J3": 9, "J4": 3, "J5": 27, "J6": None, "J7": 2, "J8": 1}
    assert rows["J4"]["paused_seconds"] == 10 * H and rows["J2"]["paused_seconds"] == 3 * H
    assert rows["J3"]["priority"] == "P3" and rows["J3"]["allowed_seconds"] == 8 * H
    assert {j: r["status"] for j, r in rows.items()} == {
        "J1": "met",
        "J2": "met",
        "J3": "breached",
        "J4": "met",
        "J5": "breached",
        "J6": "no_target",
        "J7": "met",
        "J8": "met",
    }
    assert {j: r["deadline"] for j, r in rows.items() if j in ("J1", "J2", "J3", "J4", "J5")} == {
        "J1": "2025-01-06T12:00:00+00:00",
        "J2": "2025-01-12T03:00:00+00:00",
        "J3": "2025-01-13T11:00:00+00:00",
        "J4": "2025-01-14T13:00:00+00:00",
        "J5": "2025-01-30T15:00:00+00:00",
    }
    assert result.as_of == utc("2025-02-03 10:00")
    assert result.status_counts == {
        "met": 5,
        "breached": 2,
        "at_risk": 0,
        "running": 0,
        "abandoned": 0,
        "no_target": 1,
    }


def test_compliance_per_period_and_priority(incidents):
    result = only(evaluate_clocks(incidents, workspace(RESOLUTION)))
    cells = {
        (c.period, c.priority): (c.met, c.breached, c.share_met, c.attainment, c.meets)
        for c in result.cells
    }
    jan, feb = date(2025, 1, 1), date(2025, 2, 1)
    assert cells == {
        (jan, "P1"): (2, 0, 100.0, 90.0, True),
        (jan, "P3"): (2, 2, 50.0, 95.0, False),  # J4, J8 met; J3, J5 breached
        (feb, "P3"): (1, 0, 100.0, 95.0, True),
        (feb, "P4"): (0, 0, None, None, None),
    }
    periods = {p.period: (p.journeys, p.met, p.breached, p.meets) for p in result.periods}
    assert periods == {jan: (6, 4, 2, False), feb: (2, 1, 0, True)}
    assert result.period(feb).share_met == 100.0 and result.period(date(2025, 3, 1)) is None
    priorities = {p.priority: (p.met, p.breached, p.meets) for p in result.priorities}
    assert priorities == {"P1": (2, 0, True), "P3": (3, 2, False), "P4": (0, 0, None)}
    assert (result.total.met, result.total.breached, result.total.meets) == (5, 2, False)
    assert result.total.share_met == pytest.approx(100 * 5 / 7)


def test_breaches_largest_overrun_first(incidents):
    result = only(evaluate_clocks(incidents, workspace(RESOLUTION)))
    assert [(b.journey_id, b.overrun_seconds / H, b.finished) for b in result.breaches] == [
        ("J5", 19.0, False),
        ("J3", 1.0, True),
    ]
    j3 = result.breaches[1]
    assert (j3.priority, j3.start, j3.stop, j3.elapsed_seconds, j3.allowed_seconds) == (
        "P3",
        utc("2025-01-10 15:00"),
        utc("2025-01-13 12:00"),
        9 * H,
        8 * H,
    )
    data = result.to_dict()
    assert data["breaches"][0]["start"] == "2025-01-30T07:00:00+00:00"
    assert data["journey_count"] == 8 and "journeys" not in data
    everything = json.loads(json.dumps(result.to_dict(journeys=True)))
    assert everything["journeys"][0]["journey_id"] == "J1"


def test_running_clocks_at_risk_or_running_as_of(incidents):
    # At Thu 30 Jan 15:00 local J5 has run 7 h: past 0.75 x 8 h = 6 h -> at risk.
    # J6 and J7 have not started yet.
    result = only(evaluate_clocks(incidents, workspace(RESOLUTION), as_of=utc("2025-01-30 14:00")))
    rows = by_journey(result)
    assert "J7" not in rows and rows["J5"]["status"] == "at_risk"
    assert rows["J5"]["elapsed_seconds"] == 7 * H and rows["J5"]["stop"] is None
    # At 10:30 local it has run 2.5 h: running. A naive datetime is local time.
    result = only(
        evaluate_clocks(incidents, workspace(RESOLUTION), as_of=datetime(2025, 1, 30, 10, 30))
    )
    rows = by_journey(result)
    assert rows["J5"]["status"] == "running" and rows["J5"]["elapsed_seconds"] == 2.5 * H
    assert result.status_counts["running"] == 1
    # Events after as_of are ignored: on 11 Jan 23:00 UTC J2 is paused (open pause).
    result = only(evaluate_clocks(incidents, workspace(RESOLUTION), as_of=utc("2025-01-11 23:00")))
    rows = by_journey(result)
    assert rows["J2"]["elapsed_seconds"] == 2 * H and rows["J2"]["paused_seconds"] == 1 * H
    assert rows["J2"]["status"] == "running"
    # The deadline if the user answered now: 00:00 pushed by the 1 h pause so far.
    assert rows["J2"]["deadline"] == "2025-01-12T01:00:00+00:00"


def test_from_and_to_select_clocks_by_their_start(incidents):
    ws = workspace(RESOLUTION)
    february = only(evaluate_clocks(incidents, ws, start=date(2025, 2, 1)))
    assert sorted(by_journey(february)) == ["J6", "J7"]
    # A date 'end' includes that whole (local) day: J3 started Fri 10 Jan 16:00 local.
    early = only(evaluate_clocks(incidents, ws, end=date(2025, 1, 10)))
    assert sorted(by_journey(early)) == ["J1", "J3", "J8"]


def test_pause_until_resume(tmp_path: Path):
    rows = [
        ("R", "reg", "2025-03-03 00:00", None),
        ("R", "pause", "2025-03-03 01:00", None),
        ("R", "pause", "2025-03-03 02:00", None),
        ("R", "note", "2025-03-03 03:00", None),
        ("R", "resume", "2025-03-03 04:00", None),
        ("R", "pause", "2025-03-03 05:00", None),
        ("R", "stop", "2025-03-03 06:00", None),
    ]
    targets = [{"within": "10h"}]
    with store_with(tmp_path, rows) as store:
        # With resume: paused 01:00-04:00 (the second pause adds nothing) and 05:00 until
        # the stop at 06:00 -> 4 h paused, 2 h elapsed.
        resumed = SlaClock(
            id="c",
            name="C",
            start=["reg"],
            stop=["stop"],
            pause=["pause"],
            resume=["resume"],
            targets=targets,
        )
        row = only(evaluate_clocks(store, workspace(resumed))).journeys.rows()[0]
        assert (row["paused_seconds"], row["elapsed_seconds"]) == (4 * H, 2 * H)
        # Without: each pause lasts until the next event: 01-02, 02-03 and 05-06 -> 3 h.
        plain = SlaClock(
            id="c", name="C", start=["reg"], stop=["stop"], pause=["pause"], targets=targets
        )
        row = only(evaluate_clocks(store, workspace(plain))).journeys.rows()[0]
        assert (row["paused_seconds"], row["elapsed_seconds"]) == (3 * H, 3 * H)
        # No calendar: 24x7 in UTC; the deadline moves by the 3 h paused before it.
        assert row["deadline"] == "2025-03-03T13:00:00+00:00"


def test_priority_from_the_segment_and_targets_by_segment(tmp_path: Path):
    rows = [("A", "reg", "2025-03-03 00:00", None), ("A", "stop", "2025-03-03 02:00", None)]
    with store_with(tmp_path, rows) as store:
        clock = SlaClock(
            id="c",
            name="C",
            start=["reg"],
            stop=["stop"],
            priority_attribute="segment",
            targets=[{"within": "1h"}, {"within": "3h", "priority": "anna"}],
        )
        result = only(evaluate_clocks(store, workspace(clock)))
        assert result.journeys.rows()[0]["priority"] == "anna"
        assert result.status_counts["met"] == 1
        by_segment = SlaClock(
            id="c",
            name="C",
            start=["reg"],
            stop=["stop"],
            targets=[{"within": "3h"}, {"within": "1h", "segment": "anna"}],
        )
        result = only(evaluate_clocks(store, workspace(by_segment)))
        assert result.breaches[0].overrun_seconds == 1 * H and result.breaches[0].segment == "anna"


def test_no_events_and_unknown_names(tmp_path: Path):
    with store_with(tmp_path, [("X", "other", "2025-03-03 00:00", None)]) as store:
        result = only(evaluate_clocks(store, workspace(RESOLUTION)))
        assert len(result.journeys) == 0 and result.total.share_met is None
        assert result.breaches == () and result.periods == ()
        with pytest.raises(NotFound, match=r"no agreement 'nope'.*sla"):
            evaluate_clocks(store, workspace(RESOLUTION), agreement_id="nope")
        with pytest.raises(InputError, match=r"unknown calendar") as caught:
            evaluate_clocks(store, workspace(RESOLUTION, calendars=(SUPPORT,)))
        assert caught.value.problems[0].location.field == "agreements[0].clocks[0].calendar"
        assert "'always'" in caught.value.problems[0].found


def test_journey_arrays_line_up(incidents):
    journeys = only(evaluate_clocks(incidents, workspace(RESOLUTION))).journeys
    i = journeys.index("J4")
    assert journeys.status[i] == "met" and journeys.attainment[i] == 95.0
    assert np.isnan(journeys.allowed_seconds[journeys.index("J6")])
    with pytest.raises(ValueError, match=r"did not time"):
        journeys.index("J9")
